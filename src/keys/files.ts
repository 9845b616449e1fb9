/**
 * File access for keys/ (DESIGN §7): private material is written 0600 inside 0700 directories and
 * never over an existing file; every read failure names the path and says how to make it.
 */
import { promises as fs } from 'node:fs';
import { BrokerError } from '../errors.js';

export const PRIVATE_FILE_MODE = 0o600;
export const PUBLIC_FILE_MODE = 0o644;
export const DIR_MODE = 0o700;

/** Creates a directory (and parents) with mode 0700. */
export async function makePrivateDir(dir: string): Promise<void> {
  await fs.mkdir(dir, { recursive: true, mode: DIR_MODE });
  await fs.chmod(dir, DIR_MODE);
}

/** Writes a new file (never overwriting) with the given mode, whatever the umask. */
export async function writeNewFile(file: string, text: string, mode: number): Promise<void> {
  await fs.writeFile(file, text, { flag: 'wx', mode });
  await fs.chmod(file, mode);
}

export async function writeJsonFile(file: string, value: unknown, mode: number): Promise<void> {
  await writeNewFile(file, `${JSON.stringify(value, null, 2)}\n`, mode);
}

/** Reads a key file. Throws KEYS_MISSING (with the path) when it does not exist. */
export async function readKeyFile(file: string): Promise<string> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new BrokerError('KEYS_MISSING', `missing key file ${file}`, {
        cause,
        hint: 'run `blindbroker keys init --dir <dir>` (or copy this party’s directory from where keys were made)',
        details: { path: file },
      });
    }
    throw cause;
  }
}

/** Reads and parses a JSON key file. Throws KEYS_MISSING or KEYS_MALFORMED. */
export async function readJsonFile(file: string): Promise<unknown> {
  const text = await readKeyFile(file);
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw new BrokerError('KEYS_MALFORMED', `${file} is not JSON`, { cause, details: { path: file } });
  }
}

export async function exists(file: string): Promise<boolean> {
  try {
    await fs.lstat(file);
    return true;
  } catch {
    return false;
  }
}

/** Replaces a file atomically (write beside it, then rename), so readers never see half a file. */
export async function replaceFile(file: string, text: string, mode: number): Promise<void> {
  const temp = `${file}.${process.pid}.tmp`;
  await fs.rm(temp, { force: true });
  await writeNewFile(temp, text, mode);
  await fs.rename(temp, file);
}
