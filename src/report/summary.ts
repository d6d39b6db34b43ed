import type { DestinationOutcome } from '../modes/key-install.js';
import type { RotationResult } from '../modes/rotate.js';
import type { SetupResult } from '../modes/setup.js';
import { type Finding, OBJECT_TYPES, type ObjectType, type VerifyResult } from '../modes/verify.js';
import { redact } from '../mask.js';
import type { StepTiming } from '../steps.js';

/**
 * The job summaries, in GitHub-flavoured Markdown, laid out to be read at a glance: a headline with the
 * outcome and the subject, one sentence with the key fact, then tables; details (full fingerprints, step
 * timings) collapsed. Fingerprints are shortened in tables, with the full value on hover (a `title`, which
 * GitHub's sanitizer keeps) and in a details block. They carry names, SQL without values and fingerprints
 * only: the results they are built from hold no key material. main.ts passes them through redact().
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
  const lines = [
    result.error
      ? `### ${FAILED} Snowflake key rotation failed for ${user}`
      : result.dryRun
        ? `### ${PLANNED} Snowflake key rotation planned (dry run) for ${user}`
        : `### ${OK} Snowflake key rotated for ${user}`,
    '',
  ];
  if (result.error) {
    lines.push(...failure(result.error, result.timings, result.changed));
  } else if (choice) {
    const newKey = result.fingerprint ? ` ${fingerprint(result.fingerprint)}` : '';
    const stored = storedCount(result.destinations);
    const inUse = choice.inUse;
    const kept = !inUse
      ? `${code(result.user)} had no key before`
      : result.retired === inUse.slot
        ? `the previous key ${fingerprint(inUse.fingerprint)} was removed from ${inUse.slot} (retire-previous)`
        : `the key in use ${fingerprint(inUse.fingerprint)} ${result.dryRun ? 'would stay' : 'stays'} valid in ${inUse.slot}`;
    lines.push(
      result.dryRun
        ? `The new key would go into **${choice.slot}**; ${kept}. Nothing was changed.`
        : `New key${newKey} in **${choice.slot}**, stored in ${stored}; ${kept}.`,
      '',
    );
  }
  if (choice) lines.push(...slotTable(result), '');
  lines.push(
    ...table('Rotation', [
      ['Account', result.account],
      ['User', result.user],
      ['How the key in use was found', choice?.reason],
      ['Rotated at', result.rotatedAt],
      ['Retired', result.retired],
      ['Changed anything', result.changed ? 'yes' : 'no'],
    ]),
    ...destinationTable(result.destinations, result.dryRun, result.error !== undefined),
    ...fingerprintDetails([
      ['New key', choice?.slot, result.fingerprint],
      [`Replaced`, choice?.replaced.slot, choice?.replaced.fingerprint],
      [
        result.retired ? 'Retired (was in use)' : 'Kept (key in use)',
        choice?.inUse?.slot,
        choice?.inUse?.fingerprint,
      ],
    ]),
    ...timingDetails(result.timings),
  );
  return lines.join('\n');
}

/** The two key slots before and after (or, for a dry run or a failure, as planned). */
function slotTable(result: RotationResult): string[] {
  const { choice } = result;
  if (!choice) return [];
  const third = result.error ? 'Attempted' : result.dryRun ? 'Planned' : 'After';
  const lines = [`| Key slot of ${cell(result.user)} | Before | ${third} |`, '| --- | --- | --- |'];
  const newKey = result.fingerprint
    ? `${fingerprint(result.fingerprint)} **new**`
    : result.dryRun
      ? '**a new key** (not generated in a dry run)'
      : '**a new key**';
  const rows = [
    {
      slot: choice.replaced.slot,
      before: choice.replaced.fingerprint
        ? `${fingerprint(choice.replaced.fingerprint)} replaced`
        : '(empty)',
      after: newKey,
    },
  ];
  if (choice.inUse) {
    const retired = result.retired === choice.inUse.slot;
    rows.push({
      slot: choice.inUse.slot,
      before: `${fingerprint(choice.inUse.fingerprint)} in use`,
      after: retired ? '(empty): retired' : `${fingerprint(choice.inUse.fingerprint)} kept`,
    });
  } else {
    const other = choice.replaced.slot === 'RSA_PUBLIC_KEY' ? 'RSA_PUBLIC_KEY_2' : 'RSA_PUBLIC_KEY';
    rows.push({ slot: other, before: '(empty)', after: '(empty)' });
  }
  rows.sort((a, b) => a.slot.localeCompare(b.slot));
  for (const row of rows) lines.push(`| \`${row.slot}\` | ${row.before} | ${row.after} |`);
  return lines;
}

/** The job summary of a setup, finished, planned or failed: what it created, and each user's first key. */
export function setupSummary(result: SetupResult): string {
  const subject = code(result.spec ?? result.user);
  const lines = [
    result.error
      ? `### ${FAILED} Snowflake setup failed for ${subject}`
      : result.dryRun
        ? `### ${PLANNED} Snowflake setup planned (dry run) for ${subject}`
        : result.changed
          ? `### ${OK} Snowflake setup applied: ${subject}`
          : `### ${OK} Snowflake setup: ${subject} already matches, nothing to change`,
    '',
  ];
  const done = result.statements.filter((s) => s.status === 'done').length;
  const installed = result.keys.filter((k) => k.result === 'installed').length;
  if (result.error) {
    lines.push(...failure(result.error, result.timings, result.changed));
  } else if (result.dryRun) {
    lines.push(
      `${count(result.statements.length, 'statement')} and ${count(
        result.keys.filter((k) => k.result === 'planned').length,
        'first key',
      )} planned. Nothing was changed.`,
      '',
    );
  } else if (result.changed) {
    lines.push(
      `${count(done, 'statement')} run, ${count(installed, 'user')} given a first key, stored in ${storedCount(result.destinations)}.`,
      '',
    );
  } else {
    lines.push('Every object, grant and key the setup declares is already there.', '');
  }
  lines.push(
    ...table('Setup', [
      ['Account', result.account],
      ['Access spec', result.spec],
      ['Changed anything', result.changed ? 'yes' : 'no'],
    ]),
  );
  if (result.statements.length > 0) {
    // A long plan (a large spec) is collapsed, so the keys below stay in view.
    const collapsed = result.statements.length > MAX_OPEN_STATEMENTS;
    const tally = [...new Set(result.statements.map((s) => s.status))]
      .map((st) => `${result.statements.filter((s) => s.status === st).length} ${st}`)
      .join(', ');
    if (collapsed)
      lines.push('', `<details><summary>${count(result.statements.length, 'statement')}: ${tally}</summary>`);
    lines.push('', '| Status | Statement |', '| --- | --- |');
    for (const s of result.statements) lines.push(`| ${status(s.status)} | ${code(s.sql)} |`);
    if (collapsed) lines.push('', '</details>');
  }
  if (result.keys.length > 0) {
    lines.push('', '| User | First key | Fingerprint | Stored in |', '| --- | --- | --- | --- |');
    for (const k of result.keys) {
      const state =
        k.result === 'already-set'
          ? 'already has one: left alone (rotate it with mode: rotate)'
          : k.result === 'unknown'
            ? `${WARNING} unknown: this role cannot read the user, left alone`
            : status(k.result);
      lines.push(
        `| ${code(k.user)} | ${state} | ${k.fingerprint ? fingerprint(k.fingerprint) : ''} | ${k.destinations.map(code).join(', ')} |`,
      );
    }
  }
  lines.push(
    ...destinationTable(result.destinations, result.dryRun, result.error !== undefined),
    ...fingerprintDetails(result.keys.map((k) => [k.user, undefined, k.fingerprint])),
    ...timingDetails(result.timings),
  );
  return lines.join('\n');
}

/** The job summary of a verification: headline, findings by severity with their spec line, checks by type. */
export function verifySummary(result: VerifyResult): string {
  const subject = code(result.spec);
  const lines = [
    result.error
      ? `### ${FAILED} Snowflake verify failed for ${subject}`
      : result.errors > 0
        ? `### ${FAILED} Snowflake verify: ${result.headline} (${subject})`
        : `### ${result.warnings > 0 ? WARNING : OK} Snowflake verify: ${result.headline} (${subject})`,
    '',
  ];
  if (result.error) lines.push(...failure(result.error, result.timings, false));
  else if (result.errors > 0)
    lines.push(
      `**The account has drifted from the spec.** Each error below names the spec line and the statement that fixes it.`,
      '',
    );
  else if (result.warnings > 0)
    lines.push('The account matches the spec; the warnings below need attention soon.', '');
  else lines.push('The account matches the spec.', '');
  lines.push(
    ...table('Verify', [
      ['Account', result.account],
      ['Access spec', result.spec],
      ['max-key-age', `${result.maxKeyAgeDays}d`],
      ['strict', result.strict ? 'true' : 'false'],
      ['Statements read', String(result.statements)],
    ]),
  );
  for (const [severity, icon, title] of [
    ['error', FAILED, 'Errors'],
    ['warning', WARNING, 'Warnings'],
  ] as const) {
    const findings = result.findings.filter((f) => f.severity === severity);
    if (findings.length === 0) continue;
    lines.push(
      '',
      `#### ${icon} ${title} (${findings.length})`,
      '',
      '| Spec | Finding | Fix |',
      '| --- | --- | --- |',
    );
    for (const f of findings) lines.push(findingRow(f, result.spec));
  }
  const types = OBJECT_TYPES.filter((type) => result.checks.some((c) => c.objectType === type));
  if (types.length > 0) {
    lines.push(
      '',
      '#### Checks by object type',
      '',
      '| Object type | Checks | Pass | Errors | Warnings |',
      '| --- | ---: | ---: | ---: | ---: |',
    );
    for (const type of types) {
      const checks = result.checks.filter((c) => c.objectType === type);
      const findings = result.findings.filter((f) => f.objectType === type);
      const errors = findings.filter((f) => f.severity === 'error').length;
      const warnings = findings.length - errors;
      const icon = errors > 0 ? FAILED : warnings > 0 ? WARNING : OK;
      lines.push(
        `| ${icon} ${plural(type)} | ${checks.length} | ${checks.length - findings.length} | ${errors} | ${warnings} |`,
      );
    }
  }
  lines.push(...timingDetails(result.timings));
  return lines.join('\n');
}

/** The spec line first (the file when it is not the spec's), the finding with its object and check, the fix. */
function findingRow(f: Finding, spec: string): string {
  const where = f.source.file === spec ? `line\u00a0${f.source.line}` : `${f.source.file}:${f.source.line}`;
  return `| ${cell(where)} | ${cell(f.message)}<br><sub>${cell(f.objectType)} ${code(f.objectName)} · check: ${cell(f.check)}</sub> | ${code(f.fix)} |`;
}

/** For failures before a mode could start (input errors), or after it (outputs that cannot be written). */
export function failureSummary(message: string): string {
  return [`### ${FAILED} Snowflake key pair action failed`, '', ...quote(message), ''].join('\n');
}

/** What failed and whether anything changed: the step that failed (from the timings), then the message. */
function failure(error: string, timings: StepTiming[], changed: boolean): string[] {
  const step = timings.find((t) => t.outcome === 'failed')?.step;
  const undone = timings.filter((t) => t.outcome === 'undone').length;
  const undoFailed = timings.filter((t) => t.outcome === 'undo-failed').length;
  const facts = [
    step ? `**Failed at step ${code(step)}.**` : undefined,
    undoFailed > 0
      ? `${WARNING} **${count(undoFailed, 'roll-back')} failed: the message says what to undo by hand.**`
      : undone > 0
        ? `${count(undone, 'change')} rolled back.`
        : changed
          ? 'Snowflake or GitHub may have been changed: see the tables below.'
          : 'Nothing was changed.',
  ];
  return [facts.filter(Boolean).join(' '), '', ...quote(error), ''];
}

/**
 * Free text (an error message) as a block quote, one line per line. Redacted before it is escaped: main.ts
 * redacts the whole summary, but a secret quoted back with `<` or `|` in it would no longer match once escaped.
 */
function quote(text: string): string[] {
  const lines = redact(text).split('\n');
  // One line per line (a spec's problems): a hard break, or Markdown would join them into one paragraph.
  return lines.map((line, index) => `> ${escapeHtml(line)}${index < lines.length - 1 ? '<br>' : ''}`);
}

function table(title: string, rows: [string, string | undefined][]): string[] {
  const lines = [`| ${title} | |`, '| --- | --- |'];
  for (const [name, value] of rows) if (value !== undefined) lines.push(`| ${name} | ${cell(value)} |`);
  return lines;
}

function destinationTable(destinations: DestinationOutcome[], dryRun: boolean, failed: boolean): string[] {
  if (destinations.length === 0) return [];
  const title = failed ? 'Destination' : dryRun ? 'Would store the key in' : 'Key stored in';
  const lines = ['', `| ${title} | Result |`, '| --- | --- |'];
  for (const d of destinations) lines.push(`| ${code(d.destination)} | ${status(d.result)} |`);
  return lines;
}

/** The full fingerprints, for copying and comparing with DESC USER. Rows without a fingerprint are left out. */
function fingerprintDetails(rows: [string, string | undefined, string | undefined][]): string[] {
  const shown = rows.filter((row): row is [string, string | undefined, string] => row[2] !== undefined);
  if (shown.length === 0) return [];
  const withSlot = shown.some(([, slot]) => slot !== undefined);
  return [
    '',
    '<details><summary>Full fingerprints</summary>',
    '',
    withSlot ? '| Key | Slot | Fingerprint |' : '| Key | Fingerprint |',
    withSlot ? '| --- | --- | --- |' : '| --- | --- |',
    ...shown.map(([name, slot, fp]) =>
      withSlot ? `| ${cell(name)} | ${slot ?? ''} | \`${fp}\` |` : `| ${cell(name)} | \`${fp}\` |`,
    ),
    '',
    '</details>',
  ];
}

function timingDetails(timings: StepTiming[]): string[] {
  if (timings.length === 0) return [''];
  const total = timings.reduce((sum, t) => sum + t.ms, 0);
  return [
    '',
    `<details><summary>Step timings: ${count(timings.length, 'step')}, ${total} ms</summary>`,
    '',
    '| Step | ms | Outcome |',
    '| --- | ---: | --- |',
    ...timings.map((t) => `| ${t.step} | ${t.ms} | ${status(t.outcome)} |`),
    '',
    '</details>',
    '',
  ];
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
export function fingerprint(value: string | undefined): string {
  if (!value) return '(empty)';
  const match = /^(SHA256:)(.+?)(=*)$/.exec(value);
  const body = match?.[2] ?? value;
  const short = body.length > 12 ? `${match?.[1] ?? ''}${body.slice(0, 4)}…${body.slice(-4)}` : value;
  return `<code title="${escapeHtml(value)}">${escapeHtml(short)}</code>`;
}

function plural(type: ObjectType): string {
  const name = type === 'network policy' ? 'network policies' : `${type}s`;
  return `${name[0]?.toUpperCase() ?? ''}${name.slice(1)}`;
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/** Text in a code span, fenced with more backticks than it holds, safe in a table cell. */
function code(text: string): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${cell(text)}${pad}${fence}`;
}

/** Text safe in a table cell; redacted first, for the same reason as quote(). */
function cell(text: string): string {
  return redact(text).replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
