import { appendFileSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Observations } from './probes.js';

/**
 * The fidelity report: what the services answered (observations, recorded by the live suite into the JSON lines
 * file LIVE_OBSERVATIONS), compared with what the emulators are believed to answer (expected.json, each entry
 * with the documentation it rests on).
 */

export interface Expectation {
  id: string;
  expected: unknown;
  /** The Snowflake or GitHub documentation (or verified note) the expectation rests on. */
  source: string;
  note?: string;
}

export interface Difference {
  id: string;
  expected: unknown;
  /** `undefined` when the live run never observed it (a scenario failed or was skipped). */
  observed: unknown;
  source: string;
}

export interface Skipped {
  what: string;
  reason: string;
}

export interface FidelityReport {
  generatedAt: string;
  target: { snowflake: string; github: string };
  observations: Observations;
  differences: Difference[];
  /** Observations without an expectation: new facts to add to expected.json. */
  unexpected: string[];
  skipped: Skipped[];
}

export const EXPECTED_PATH = join(dirname(fileURLToPath(import.meta.url)), 'expected.json');

export function loadExpectations(path = EXPECTED_PATH): Expectation[] {
  return (JSON.parse(readFileSync(path, 'utf8')) as { entries: Expectation[] }).entries;
}

/** JSON with object keys sorted, so that equal values compare equal whatever the key order. */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)),
        )
      : v,
  );
}

export function compare(
  observations: Observations,
  expectations: Expectation[],
): { differences: Difference[]; unexpected: string[] } {
  const differences = expectations
    .filter((e) => canonical(observations[e.id]) !== canonical(e.expected))
    .map((e) => ({ id: e.id, expected: e.expected, observed: observations[e.id], source: e.source }));
  const known = new Set(expectations.map((e) => e.id));
  return { differences, unexpected: Object.keys(observations).filter((id) => !known.has(id)) };
}

export function formatDifference(d: Difference): string {
  const observed = d.observed === undefined ? 'not observed' : canonical(d.observed);
  return `fidelity difference ${d.id}:\n  expected ${canonical(d.expected)}\n  observed ${observed}\n  source   ${d.source}`;
}

/** One line of the observations file. */
type Line =
  { kind: 'observations'; values: Observations } | { kind: 'skipped'; what: string; reason: string };

function append(line: Line): void {
  const file = process.env.LIVE_OBSERVATIONS;
  if (!file) return;
  appendFileSync(file, `${JSON.stringify(line)}\n`);
}

export function recordObservations(values: Observations): void {
  append({ kind: 'observations', values });
}

export function recordSkipped(what: string, reason: string): void {
  append({ kind: 'skipped', what, reason });
}

export function readObservationsFile(path: string): { observations: Observations; skipped: Skipped[] } {
  let text = '';
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    // No test recorded anything.
  }
  const observations: Observations = {};
  const skipped: Skipped[] = [];
  for (const raw of text.split('\n')) {
    if (raw.trim() === '') continue;
    const line = JSON.parse(raw) as Line;
    if (line.kind === 'observations') Object.assign(observations, line.values);
    else skipped.push({ what: line.what, reason: line.reason });
  }
  return { observations, skipped };
}
