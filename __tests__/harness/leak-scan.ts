import { secretForms } from '../../src/mask.js';
import type { ActionRun } from './run-action.js';

/**
 * Scans everything a run left behind for secrets: the log a user sees (stdout without the runner's
 * `::add-mask::` commands, which exist to carry the secret to the masker; `::debug::` lines included), stderr,
 * outputs, the job summary, and every file in the workspace, RUNNER_TEMP, HOME and TMPDIR (runAction does this
 * for every run, and records it in the suite's leak ledger). A secret counts as leaked in any form the masker
 * knows (the whole value, any line, a PEM's joined base64 body, the JSON-escaped value), and any private-key
 * PEM block or signed JWT
 * (three base64url parts starting with `eyJ`) is a leak whatever its value. So is any value the run itself
 * registered with `::add-mask::` (at least MIN_FORM_LENGTH characters), which covers secrets made inside the
 * run, such as a generated key, that the test never saw.
 */
export interface Leak {
  where: string;
  what: string;
}

const PRIVATE_KEY_BLOCK = /-----BEGIN (ENCRYPTED |RSA )?PRIVATE KEY-----/;
const SIGNED_JWT = /eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{16,}/;
/** Parts shorter than this are not scanned on their own (a PEM's last line may be just `Q==`); whole values always are. */
const MIN_FORM_LENGTH = 12;

/** Every place a run could leak into, by name: the log, stderr, summary, outputs and every file it left. */
export function placesOf(run: ActionRun): [string, string][] {
  const files = (label: string, tree: Record<string, string>): [string, string][] =>
    Object.entries(tree).map(([path, text]): [string, string] => [`${label} ${path}`, text]);
  return [
    ['log', run.visibleLog],
    ['stderr', run.stderr],
    ['summary', run.summary],
    ...Object.entries(run.outputs).map(([name, value]): [string, string] => [`output ${name}`, value]),
    ...files('workspace file', run.workspaceFiles),
    ...files('RUNNER_TEMP file', run.tempFiles),
    ...files('HOME file', run.homeFiles),
    ...files('TMPDIR file', run.tmpdirFiles),
  ];
}

export function findLeaks(run: ActionRun, secrets: Record<string, string | undefined>): Leak[] {
  const places = placesOf(run);
  const leaks: Leak[] = [];
  for (const [where, text] of places) {
    for (const [label, secret] of Object.entries(secrets)) {
      if (!secret) continue;
      const whole = secret.trim();
      const form = secretForms(secret).find(
        (f) => (f === whole || f.length >= MIN_FORM_LENGTH) && text.includes(f),
      );
      if (form !== undefined) leaks.push({ where, what: `${label} (a form of ${form.length} characters)` });
    }
    // Longest first; a value inside one already reported here (a line of a reported PEM) adds nothing.
    const found: string[] = [];
    for (const value of maskedValues(run)) {
      if (!text.includes(value) || found.some((f) => f.includes(value))) continue;
      found.push(value);
      leaks.push({ where, what: `a value the action masked (${value.length} characters)` });
    }
    if (PRIVATE_KEY_BLOCK.test(text)) leaks.push({ where, what: 'a private-key PEM block' });
    if (SIGNED_JWT.test(text)) leaks.push({ where, what: 'a signed JWT' });
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
