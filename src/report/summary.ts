import type { DestinationOutcome } from '../modes/key-storage.js';
import type { RotationResult } from '../modes/rotate.js';
import type { SetupResult } from '../modes/setup.js';
import type { VerifyResult } from '../modes/verify.js';
import { type Finding, OBJECT_TYPES, type ObjectType } from '../modes/verify/findings.js';
import type { StepTiming } from '../steps.js';
import {
  type Inline,
  type Markup,
  code,
  codeWithTitle,
  details,
  document,
  heading,
  join,
  inline,
  paragraph,
  quote,
  table,
} from './markup.js';

/**
 * The job summaries, laid out to be read at a glance: a headline with the outcome and the subject, one
 * sentence with the key fact, then tables; details (full fingerprints, step timings) collapsed. Fingerprints
 * are shortened in tables, with the full value on hover (a `title`, which GitHub's sanitizer keeps) and in a
 * details block. They carry names, SQL without values and fingerprints only: the results they are built from
 * hold no key material. Every value is put in through markup.ts, which shows it as text whatever it holds.
 */

const OK = '✅';
const FAILED = '❌';
const WARNING = '⚠️';
const PLANNED = '📝';
/** Above this many statements, setup's plan is shown collapsed. */
const MAX_OPEN_STATEMENTS = 15;

/** The job summary of a rotation, finished, planned or failed. */
export function rotationSummary(result: RotationResult): string {
  const { choice } = result;
  const user = code(result.user);
  const blocks: (Markup | undefined)[] = [
    heading(
      3,
      result.error
        ? inline`${FAILED} Snowflake key rotation failed for ${user}`
        : result.dryRun
          ? inline`${PLANNED} Snowflake key rotation planned (dry run) for ${user}`
          : inline`${OK} Snowflake key rotated for ${user}`,
    ),
  ];
  if (result.error) {
    blocks.push(...failure(result.error, result.timings, result.changed));
  } else if (choice) {
    const newKey = result.fingerprint ? inline` ${fingerprint(result.fingerprint)}` : '';
    const stored = storedCount(result.destinations);
    const inUse = choice.inUse;
    const kept = !inUse
      ? inline`${user} had no key before`
      : result.retired === inUse.slot
        ? inline`the previous key ${fingerprint(inUse.fingerprint)} was removed from ${inUse.slot} (retire-previous)`
        : inline`the key in use ${fingerprint(inUse.fingerprint)} ${result.dryRun ? 'would stay' : 'stays'} valid in ${inUse.slot}`;
    blocks.push(
      paragraph(
        result.dryRun
          ? inline`The new key would go into **${choice.slot}**; ${kept}. Nothing was changed.`
          : inline`New key${newKey} in **${choice.slot}**, stored in ${stored}; ${kept}.`,
      ),
    );
  }
  blocks.push(
    slotTable(result),
    table(
      ['Rotation', ''],
      defined([
        ['Account', result.account],
        ['User', result.user],
        ['How the key in use was found', choice?.reason],
        ['Rotated at', result.rotatedAt],
        ['Retired', result.retired],
        ['Changed anything', result.changed ? 'yes' : 'no'],
      ]),
    ),
    destinationTable(result.destinations, result.dryRun, result.error !== undefined),
    fingerprintDetails([
      ['New key', choice?.slot, result.fingerprint],
      ['Replaced', choice?.replaced.slot, choice?.replaced.fingerprint],
      [
        result.retired ? 'Retired (was in use)' : 'Kept (key in use)',
        choice?.inUse?.slot,
        choice?.inUse?.fingerprint,
      ],
    ]),
    timingDetails(result.timings),
  );
  return document(blocks);
}

/** The two key slots before and after (or, for a dry run or a failure, as planned). */
function slotTable(result: RotationResult): Markup | undefined {
  const { choice } = result;
  if (!choice) return undefined;
  const third = result.error ? 'Attempted' : result.dryRun ? 'Planned' : 'After';
  const newKey = result.fingerprint
    ? inline`${fingerprint(result.fingerprint)} **new**`
    : result.dryRun
      ? inline`**a new key** (not generated in a dry run)`
      : inline`**a new key**`;
  const rows: { slot: string; before: Inline; after: Inline }[] = [
    {
      slot: choice.replaced.slot,
      before: choice.replaced.fingerprint
        ? inline`${fingerprint(choice.replaced.fingerprint)} replaced`
        : '(empty)',
      after: newKey,
    },
  ];
  if (choice.inUse) {
    const retired = result.retired === choice.inUse.slot;
    rows.push({
      slot: choice.inUse.slot,
      before: inline`${fingerprint(choice.inUse.fingerprint)} in use`,
      after: retired ? '(empty): retired' : inline`${fingerprint(choice.inUse.fingerprint)} kept`,
    });
  } else {
    const other = choice.replaced.slot === 'RSA_PUBLIC_KEY' ? 'RSA_PUBLIC_KEY_2' : 'RSA_PUBLIC_KEY';
    rows.push({ slot: other, before: '(empty)', after: '(empty)' });
  }
  rows.sort((a, b) => a.slot.localeCompare(b.slot));
  return table(
    [inline`Key slot of ${result.user}`, 'Before', third],
    rows.map((row) => [code(row.slot), row.before, row.after]),
  );
}

/** The job summary of a setup, finished, planned or failed: what it created, and each user's first key. */
export function setupSummary(result: SetupResult): string {
  const subject = code(result.spec ?? result.user);
  const blocks: (Markup | undefined)[] = [
    heading(
      3,
      result.error
        ? inline`${FAILED} Snowflake setup failed for ${subject}`
        : result.dryRun
          ? inline`${PLANNED} Snowflake setup planned (dry run) for ${subject}`
          : result.changed
            ? inline`${OK} Snowflake setup applied: ${subject}`
            : inline`${OK} Snowflake setup: ${subject} already matches, nothing to change`,
    ),
    ...setupOutcome(result),
    table(
      ['Setup', ''],
      defined([
        ['Account', result.account],
        ['Access spec', result.spec],
        ['Changed anything', result.changed ? 'yes' : 'no'],
      ]),
    ),
    statementTable(result.statements),
    firstKeyTable(result.keys),
    destinationTable(result.destinations, result.dryRun, result.error !== undefined),
    fingerprintDetails(result.keys.map((k) => [k.user, undefined, k.fingerprint])),
    timingDetails(result.timings),
  ];
  return document(blocks);
}

/** Under a setup's headline: what failed, what is planned, what was done, or that nothing was needed. */
function setupOutcome(result: SetupResult): Markup[] {
  if (result.error) return failure(result.error, result.timings, result.changed);
  if (result.dryRun) {
    const firstKeys = result.keys.filter((k) => k.result === 'planned').length;
    return [
      paragraph(
        `${count(result.statements.length, 'statement')} and ${count(firstKeys, 'first key')} planned. Nothing was changed.`,
      ),
    ];
  }
  if (result.changed) {
    const done = result.statements.filter((s) => s.status === 'done').length;
    const installed = result.keys.filter((k) => k.result === 'installed').length;
    return [
      paragraph(
        `${count(done, 'statement')} run, ${count(installed, 'user')} given a first key, stored in ${storedCount(result.destinations)}.`,
      ),
    ];
  }
  return [paragraph('Every object, grant and key the setup declares is already there.')];
}

/** setup's statements and the status of each; a long plan (a large spec) collapsed, so the keys stay in view. */
function statementTable(statements: SetupResult['statements']): Markup | undefined {
  if (statements.length === 0) return undefined;
  const shown = table(
    ['Status', 'Statement'],
    statements.map((s) => [status(s.status), code(s.sql)]),
  );
  if (statements.length <= MAX_OPEN_STATEMENTS) return shown;
  const tally = [...new Set(statements.map((s) => s.status))]
    .map((st) => `${statements.filter((s) => s.status === st).length} ${st}`)
    .join(', ');
  return details(`${count(statements.length, 'statement')}: ${tally}`, [shown]);
}

/** Each user that gets (or has) its first key, and where it was stored. */
function firstKeyTable(keys: SetupResult['keys']): Markup | undefined {
  if (keys.length === 0) return undefined;
  return table(
    ['User', 'First key', 'Fingerprint', 'Stored in'],
    keys.map((k) => [
      code(k.user),
      k.result === 'already-set'
        ? 'already has one: left alone (rotate it with mode: rotate)'
        : k.result === 'unknown'
          ? `${WARNING} unknown: this role cannot read the user, left alone`
          : status(k.result),
      k.fingerprint ? fingerprint(k.fingerprint) : '',
      join(k.destinations.map(code), ', '),
    ]),
  );
}

/** The job summary of a verification: headline, findings by severity with their spec line, checks by type. */
export function verifySummary(result: VerifyResult): string {
  const subject = code(result.spec);
  const blocks: (Markup | undefined)[] = [
    heading(
      3,
      result.error
        ? inline`${FAILED} Snowflake verify failed for ${subject}`
        : inline`${result.errors > 0 ? FAILED : result.warnings > 0 ? WARNING : OK} Snowflake verify: ${result.headline} (${subject})`,
    ),
  ];
  if (result.error) blocks.push(...failure(result.error, result.timings, false));
  else if (result.errors > 0)
    blocks.push(
      inline`**The account has drifted from the spec.** Each error below names the spec line and the statement that fixes it.`,
    );
  else if (result.warnings > 0)
    blocks.push(paragraph('The account matches the spec; the warnings below need attention soon.'));
  else blocks.push(paragraph('The account matches the spec.'));
  blocks.push(
    table(
      ['Verify', ''],
      [
        ['Account', result.account],
        ['Access spec', result.spec],
        ['max-key-age', `${result.maxKeyAgeDays}d`],
        ['strict', result.strict ? 'true' : 'false'],
        ['Statements read', result.statements],
      ],
    ),
  );
  for (const [severity, icon, title] of [
    ['error', FAILED, 'Errors'],
    ['warning', WARNING, 'Warnings'],
  ] as const) {
    const findings = result.findings.filter((f) => f.severity === severity);
    if (findings.length === 0) continue;
    blocks.push(
      heading(4, `${icon} ${title} (${findings.length})`),
      table(
        ['Spec', 'Finding', 'Fix'],
        findings.map((f) => findingRow(f, result.spec)),
      ),
    );
  }
  const types = OBJECT_TYPES.filter((type) => result.checks.some((c) => c.objectType === type));
  if (types.length > 0) {
    blocks.push(
      heading(4, 'Checks by object type'),
      table(
        ['Object type', 'Checks', 'Pass', 'Errors', 'Warnings'],
        types.map((type) => {
          const checks = result.checks.filter((c) => c.objectType === type);
          const findings = result.findings.filter((f) => f.objectType === type);
          const errors = findings.filter((f) => f.severity === 'error').length;
          const warnings = findings.length - errors;
          const icon = errors > 0 ? FAILED : warnings > 0 ? WARNING : OK;
          return [
            `${icon} ${plural(type)}`,
            checks.length,
            checks.length - findings.length,
            errors,
            warnings,
          ];
        }),
        ['left', 'right', 'right', 'right', 'right'],
      ),
    );
  }
  blocks.push(timingDetails(result.timings));
  return document(blocks);
}

/** The spec line first (the file when it is not the spec's), the finding with its object and check, the fix. */
function findingRow(f: Finding, spec: string): Inline[] {
  const where = f.source.file === spec ? `line\u00a0${f.source.line}` : `${f.source.file}:${f.source.line}`;
  return [
    where,
    inline`${f.message}<br><sub>${f.objectType} ${code(f.objectName)} · check: ${f.check}</sub>`,
    code(f.fix),
  ];
}

/** For failures before a mode could start (input errors), or after it (outputs that cannot be written). */
export function failureSummary(message: string): string {
  return document([heading(3, `${FAILED} Snowflake key pair action failed`), quote(message)]);
}

/** What failed and whether anything changed: the step that failed (from the timings), then the message. */
function failure(error: string, timings: StepTiming[], changed: boolean): Markup[] {
  const step = timings.find((t) => t.outcome === 'failed')?.step;
  const undone = timings.filter((t) => t.outcome === 'undone').length;
  const undoFailed = timings.filter((t) => t.outcome === 'undo-failed').length;
  const consequence =
    undoFailed > 0
      ? inline`${WARNING} **${count(undoFailed, 'roll-back')} failed: the message says what to undo by hand.**`
      : undone > 0
        ? inline`${count(undone, 'change')} rolled back.`
        : changed
          ? inline`Snowflake or GitHub may have been changed: see the tables below.`
          : inline`Nothing was changed.`;
  return [
    paragraph(step ? inline`**Failed at step ${code(step)}.** ${consequence}` : consequence),
    quote(error),
  ];
}

function destinationTable(
  destinations: DestinationOutcome[],
  dryRun: boolean,
  failed: boolean,
): Markup | undefined {
  if (destinations.length === 0) return undefined;
  const title = failed ? 'Destination' : dryRun ? 'Would store the key in' : 'Key stored in';
  return table(
    [title, 'Result'],
    destinations.map((d) => [code(d.destination), status(d.result)]),
  );
}

/** The full fingerprints, for copying and comparing with DESC USER. Rows without a fingerprint are left out. */
function fingerprintDetails(rows: [string, string | undefined, string | undefined][]): Markup | undefined {
  const shown = rows.filter((row): row is [string, string | undefined, string] => row[2] !== undefined);
  if (shown.length === 0) return undefined;
  const withSlot = shown.some(([, slot]) => slot !== undefined);
  return details('Full fingerprints', [
    withSlot
      ? table(
          ['Key', 'Slot', 'Fingerprint'],
          shown.map(([name, slot, fp]) => [name, slot ?? '', code(fp)]),
        )
      : table(
          ['Key', 'Fingerprint'],
          shown.map(([name, , fp]) => [name, code(fp)]),
        ),
  ]);
}

function timingDetails(timings: StepTiming[]): Markup | undefined {
  if (timings.length === 0) return undefined;
  const total = timings.reduce((sum, t) => sum + t.ms, 0);
  return details(`Step timings: ${count(timings.length, 'step')}, ${total} ms`, [
    table(
      ['Step', 'ms', 'Outcome'],
      timings.map((t) => [t.step, t.ms, status(t.outcome)]),
      ['left', 'right'],
    ),
  ]);
}

/** An outcome word with its icon, the word kept so the text reads (and greps) the same without icons. */
function status(word: string): string {
  const icon: Record<string, string> = {
    ok: OK,
    done: OK,
    created: OK,
    updated: OK,
    installed: OK,
    undone: '↩️',
    planned: PLANNED,
    failed: FAILED,
    'undo-failed': FAILED,
    unconfirmed: WARNING,
    unknown: WARNING,
  };
  // A no-break space: the icon never wraps away from its word in a narrow column.
  return icon[word] ? `${icon[word]}\u00a0${word}` : word;
}

/** How many destinations now hold the new key: "1 secret", "2 destinations", or "no destination". */
function storedCount(destinations: DestinationOutcome[]): string {
  const stored = destinations.filter((d) => d.result === 'created' || d.result === 'updated');
  if (stored.length === 0) return 'no destination';
  const secrets = stored.every((d) => /^(repository|environment|organization):/.test(d.destination));
  return count(stored.length, secrets ? 'secret' : 'destination');
}

/**
 * `SHA256:GvGn…uX88` with the full value on hover. The title is what a reader copies from the details
 * block; the shown form is enough to recognise a key across runs and in DESC USER.
 */
export function fingerprint(value: string | undefined): Markup | string {
  if (!value) return '(empty)';
  const match = /^(SHA256:)(.+?)(=*)$/.exec(value);
  const body = match?.[2] ?? value;
  const short = body.length > 12 ? `${match?.[1] ?? ''}${body.slice(0, 4)}…${body.slice(-4)}` : value;
  return codeWithTitle(short, value);
}

function plural(type: ObjectType): string {
  const name = type === 'network policy' ? 'network policies' : `${type}s`;
  return `${name[0]?.toUpperCase() ?? ''}${name.slice(1)}`;
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/** The rows whose value is known. */
function defined(rows: [string, string | undefined][]): [string, string][] {
  return rows.filter((row): row is [string, string] => row[1] !== undefined);
}
