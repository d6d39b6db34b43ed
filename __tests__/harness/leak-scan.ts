import { readingsOf, secretForms } from '../../src/mask.js';
import type { ActionRun } from './run-action.js';

/**
 * Scans everything a run left behind for secrets: the log a user sees (stdout without the runner's
 * `::add-mask::` commands, which exist to carry the secret to the masker; `::debug::` lines included; workflow
 * commands read as the runner shows them, their `%0A`/`%25` escapes undone), stderr, outputs, the job summary,
 * and every file in the workspace, RUNNER_TEMP, HOME and TMPDIR (runAction does this for every run, and records
 * it in the suite's leak ledger). Each place is read the ways redact() reads a text (mask.ts readingsOf): as it
 * is, without whitespace and escaped line breaks (a secret wrapped or split across lines), and with each long
 * base64 run decoded. A secret counts as leaked in any form the masker knows (mask.ts secretForms: the whole
 * value, any line, a PEM's joined base64 body, JSON-escaped once or twice, URL- or form-encoded, SQL-quoted,
 * base64 or base64url at any alignment) in any reading, and any private-key PEM block (also URL-encoded),
 * signed JWT (three base64url parts starting with `eyJ`) or Snowflake token header with a value
 * (`Snowflake Token="..."`, escaped or encoded) is a leak whatever its value. So is any value the run itself
 * registered with `::add-mask::` (at least MIN_FORM_LENGTH characters), which covers secrets made inside the
 * run, such as a generated key or a Snowflake session token, that the test never saw.
 */
export interface Leak {
  where: string;
  what: string;
}

/** A space, plain, form-encoded or percent-encoded. */
const SPACE = String.raw`(?:\s|\+|%20)`;
const PRIVATE_KEY_BLOCK = new RegExp(
  String.raw`-----BEGIN${SPACE}*(?:(?:ENCRYPTED|RSA)${SPACE}*)?PRIVATE${SPACE}*KEY-----`,
);
const SIGNED_JWT = /eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{16,}/;
/** Snowflake's `Authorization: Snowflake Token="<token>"` with a token in it, quotes escaped or encoded or not. */
const SNOWFLAKE_TOKEN = new RegExp(
  String.raw`snowflake${SPACE}+token(?:=|%3D)(?:\\|%5C)*(?:"|%22|')?(?!\*\*\*)[A-Za-z0-9]`,
  'i',
);
/** Parts shorter than this are not scanned on their own (a PEM's last line may be just `Q==`); whole values always are. */
const MIN_FORM_LENGTH = 12;

/** Every place a run could leak into, by name: the log, stderr, summary, outputs and every file it left. */
export function placesOf(run: ActionRun): [string, string][] {
  const files = (label: string, tree: Record<string, string>): [string, string][] =>
    Object.entries(tree).map(([path, text]): [string, string] => [`${label} ${path}`, text]);
  return [
    ['log', asShown(run.visibleLog)],
    ['stderr', run.stderr],
    ['summary', run.summary],
    ...Object.entries(run.outputs).map(([name, value]): [string, string] => [`output ${name}`, value]),
    ...files('workspace file', run.workspaceFiles),
    ...files('RUNNER_TEMP file', run.tempFiles),
    ...files('HOME file', run.homeFiles),
    ...files('TMPDIR file', run.tmpdirFiles),
  ];
}

/**
 * The log as the runner shows it: a workflow command's data with `%0D`, `%0A` and `%25` undone, its properties
 * with `%3A` and `%2C` too (@actions/core's escapeData and escapeProperty), so that a URL-encoded secret in an
 * `::error::` line is found as it reads, not as `%253A`.
 */
function asShown(log: string): string {
  const unescapeData = (text: string): string =>
    text.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%');
  const unescapeProperties = (text: string): string =>
    unescapeData(text.replace(/%3A/g, ':').replace(/%2C/g, ','));
  return log
    .split('\n')
    .map((line) => {
      const end = line.startsWith('::') ? line.indexOf('::', 2) : -1;
      if (end === -1) return line;
      return `${unescapeProperties(line.slice(0, end))}::${unescapeData(line.slice(end + 2))}`;
    })
    .join('\n');
}

export function findLeaks(run: ActionRun, secrets: Record<string, string | undefined>): Leak[] {
  const places = placesOf(run);
  const leaks: Leak[] = [];
  for (const [where, text] of places) {
    const readings = readingsOf(text);
    const holds = (value: string): boolean => readings.some((reading) => reading.includes(value));
    for (const [label, secret] of Object.entries(secrets)) {
      if (!secret) continue;
      const whole = secret.trim();
      // A short whole value only as it is: with whitespace taken out, a few characters match by chance.
      const form = secretForms(secret).find((f) =>
        f.length >= MIN_FORM_LENGTH ? holds(f) : f === whole && text.includes(f),
      );
      if (form !== undefined) leaks.push({ where, what: `${label} (a form of ${form.length} characters)` });
    }
    // Longest first; a value inside one already reported here (a line of a reported PEM) adds nothing.
    const found: string[] = [];
    for (const value of maskedValues(run)) {
      if (!holds(value) || found.some((f) => f.includes(value))) continue;
      found.push(value);
      leaks.push({ where, what: `a value the action masked (${value.length} characters)` });
    }
    const shows = (pattern: RegExp): boolean => readings.some((reading) => pattern.test(reading));
    if (shows(PRIVATE_KEY_BLOCK)) leaks.push({ where, what: 'a private-key PEM block' });
    if (shows(SIGNED_JWT)) leaks.push({ where, what: 'a signed JWT' });
    if (shows(SNOWFLAKE_TOKEN)) leaks.push({ where, what: 'a Snowflake token header with its token' });
  }
  return leaks;
}

/** The distinct values the run masked that are long enough to scan for, longest first. */
function maskedValues(run: ActionRun): string[] {
  return [...new Set(run.masked)]
    .filter((value) => value.trim().length >= MIN_FORM_LENGTH)
    .sort((a, b) => b.length - a.length);
}

/** Fails the test when anything leaked; the message says where and which secret, never the secret. */
export function expectNoLeaks(run: ActionRun, secrets: Record<string, string | undefined>): void {
  const leaks = findLeaks(run, secrets);
  if (leaks.length > 0) {
    throw new Error(`Secrets leaked:\n${leaks.map((leak) => `- ${leak.what} in ${leak.where}`).join('\n')}`);
  }
}
