// ESLint flat config: typed rules for src/ and test/, zero warnings allowed (npm run lint).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'keys/', 'coverage/', '.tmp/', '*.tmp.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-restricted-imports': [
        'error',
        {
          paths: ['node-forge', 'node:crypto', 'crypto'].map((name) => ({
            name,
            message: 'Only src/crypto/ imports crypto libraries (DESIGN §8).',
          })),
          patterns: [
            {
              group: ['@noble/*', 'node-forge/*', 'libsodium*'],
              message: 'Only src/crypto/ imports crypto libraries (DESIGN §8).',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/crypto/**/*.ts', 'test/crypto/**/*.ts', 'bench/**/*.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    files: ['**/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
);
