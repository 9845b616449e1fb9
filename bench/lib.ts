/**
 * Benchmark plumbing: every figure is reported next to a raw baseline measured in the same run and
 * the ratio between them, so a reader can tell the code's cost from the machine's speed.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Figure {
  /** What was measured, e.g. "prepare, 1 thread". */
  name: string;
  value: number;
  unit: string;
  /** Goal from the issue, when there is one. */
  goal?: string;
  met?: boolean;
  baseline?: { name: string; value: number; unit: string };
  /** value / baseline.value */
  ratio?: number;
  notes?: string;
}

export interface BenchReport {
  bench: string;
  figures: Figure[];
  details?: Record<string, unknown>;
}

export function figure(f: Omit<Figure, 'ratio'>): Figure {
  const ratio = f.baseline ? round(f.value / f.baseline.value, 3) : undefined;
  return { ...f, value: round(f.value, 1), ...(ratio === undefined ? {} : { ratio }) };
}

export function round(value: number, digits = 1): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

/** Runs `op` repeatedly for about `ms` milliseconds after a warm-up; returns operations per second. */
export function rate(op: (i: number) => void, ms = 1500): number {
  for (let i = 0; i < 2000; i++) op(i);
  let n = 0;
  const start = performance.now();
  let now = start;
  while (now - start < ms) {
    for (let i = 0; i < 500; i++) op(n++);
    now = performance.now();
  }
  return n / ((now - start) / 1000);
}

export async function scratchDir(label: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `bb-bench-${label}-`));
}
