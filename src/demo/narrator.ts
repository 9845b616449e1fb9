/** The demo's voice: numbered steps with counts and timings, or one JSON report with --json. */
import { printLine } from '../cli/output.js';

export interface StepRecord {
  step: number;
  title: string;
  ms: number;
  /** What the step showed, as printed. */
  lines: string[];
}

export class Narrator {
  readonly steps: StepRecord[] = [];
  readonly #json: boolean;
  readonly #started = performance.now();

  constructor(json: boolean) {
    this.#json = json;
  }

  /** Runs one step, prints its title, result lines and duration, and records them. */
  async step<T>(title: string, run: () => Promise<T>, describe: (facts: T) => string[]): Promise<T> {
    const n = this.steps.length + 1;
    if (!this.#json) printLine(`\n[${n}] ${title}`);
    const start = performance.now();
    const facts = await run();
    const ms = Math.round(performance.now() - start);
    const lines = describe(facts);
    this.steps.push({ step: n, title, ms, lines });
    if (!this.#json) {
      for (const line of lines) printLine(`    ${line}`);
      printLine(`    (${ms} ms)`);
    }
    return facts;
  }

  note(text: string): void {
    if (!this.#json) printLine(text);
  }

  get elapsedMs(): number {
    return Math.round(performance.now() - this.#started);
  }
}
