import { inputError } from './errors.js';

/**
 * Values written the same way in inputs and in the access spec (durations, lists). Each error names the input
 * it was given as; the spec loader rewords it for the spec's field.
 */

const DURATION = /^(\d+)\s*(s|m|h|d|w)$/;
const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/**
 * The longest duration accepted: 100 years. Longer ones are typing mistakes, and past about 273,000 years they
 * no longer fit in a JavaScript Date, so that every comparison with a key's age would silently be false.
 */
const MAX_DURATION_DAYS = 36_500;
const MAX_DURATION_MS = MAX_DURATION_DAYS * 86_400_000;

/** Durations as the interface writes them: `90m`, `1h`, `36h`, `7d` (also `s` and `w`). */
export function parseDuration(value: string, input: string): number {
  const match = DURATION.exec(value.trim().toLowerCase());
  if (!match) {
    throw inputError(
      input,
      `is '${value}', which is not a duration`,
      'Write a number and a unit: 90m, 1h, 36h, 7d',
    );
  }
  const ms = Number(match[1]) * (UNIT_MS[match[2] ?? ''] ?? 0);
  if (!(ms <= MAX_DURATION_MS)) {
    throw inputError(
      input,
      `is '${value}', longer than the limit of ${MAX_DURATION_DAYS}d (100 years)`,
      'Write a duration such as 90d or 52w',
    );
  }
  return ms;
}

/** A list written with commas or one item a line; blank items dropped. */
export function splitList(value: string): string[] {
  return value
    .split(/[,\n]/)
    .map((item) => item.trim())
    .filter((item) => item !== '');
}
