import type { DestinationOutcome } from '../modes/key-install.js';
import type { RotationResult } from '../modes/rotate.js';
import type { SetupResult } from '../modes/setup.js';
import { OBJECT_TYPES, type VerifyResult } from '../modes/verify.js';
import type { StepTiming } from '../steps.js';

/** The job summary of a rotation, finished or failed, in GitHub-flavoured Markdown. */
export function rotationSummary(result: RotationResult): string {
  const { choice } = result;
  const headline = result.error
    ? `### :x: Snowflake key rotation failed for \`${result.user}\``
    : result.dryRun
      ? `### Snowflake key rotation planned (dry run) for \`${result.user}\``
      : `### Snowflake key rotated for \`${result.user}\``;
  const lines = [headline, ''];
  if (result.error) lines.push(cell(result.error), '');
  const rows: [string, string | undefined][] = [
    ['Account', result.account],
    ['User', result.user],
    ['Slot written', choice?.slot],
    ['New key', result.fingerprint ?? (result.dryRun ? '(not generated in a dry run)' : undefined)],
    ['Replaced in that slot', choice ? (choice.replaced.fingerprint ?? '(empty)') : undefined],
    [
      'Kept (key in use)',
      choice ? (choice.inUse ? `${choice.inUse.fingerprint} in ${choice.inUse.slot}` : '(none)') : undefined,
    ],
    ['How the key in use was found', choice?.reason],
    ['Rotated at', result.rotatedAt],
    ['Retired', result.retired],
    ['Changed anything', result.changed ? 'yes' : 'no'],
  ];
  lines.push(...table(rows), ...details(result.destinations, result.timings));
  return lines.join('\n');
}

/** The job summary of a setup, finished or failed: what it created, and each user's first key. */
export function setupSummary(result: SetupResult): string {
  const subject = result.spec ? `\`${result.spec}\`` : `\`${result.user}\``;
  const headline = result.error
    ? `### :x: Snowflake setup failed for ${subject}`
    : result.dryRun
      ? `### Snowflake setup planned (dry run) for ${subject}`
      : result.changed
        ? `### Snowflake setup applied: ${subject}`
        : `### Snowflake setup: ${subject} already matches, nothing to change`;
  const lines = [headline, ''];
  if (result.error) lines.push(cell(result.error), '');
  lines.push(
    ...table([
      ['Account', result.account],
      ['Access spec', result.spec],
      ['Changed anything', result.changed ? 'yes' : 'no'],
    ]),
  );
  if (result.statements.length > 0) {
    lines.push('', '| Statement | Status |', '| --- | --- |');
    for (const s of result.statements) lines.push(`| \`${cell(s.sql)}\` | ${s.status} |`);
  }
  if (result.keys.length > 0) {
    lines.push('', '| User | First key | Fingerprint | Stored in |', '| --- | --- | --- | --- |');
    for (const k of result.keys) {
      const state =
        k.result === 'already-set' ? 'already has one: left alone (rotate it with mode: rotate)' : k.result;
      lines.push(
        `| ${cell(k.user)} | ${state} | ${k.fingerprint ?? ''} | ${cell(k.destinations.join(', '))} |`,
      );
    }
  }
  lines.push(...details(result.destinations, result.timings));
  return lines.join('\n');
}

/** The job summary of a verification: the headline, then one table of findings per object type. */
export function verifySummary(result: VerifyResult): string {
  const subject = `\`${result.spec}\``;
  const headline = result.error
    ? `### :x: Snowflake verify failed for ${subject}`
    : result.errors > 0
      ? `### :x: Snowflake verify: ${result.headline} (${subject})`
      : `### :white_check_mark: Snowflake verify: ${result.headline} (${subject})`;
  const lines = [headline, ''];
  if (result.error) lines.push(cell(result.error), '');
  lines.push(
    ...table([
      ['Account', result.account],
      ['Access spec', result.spec],
      ['max-key-age', `${result.maxKeyAgeDays}d`],
      ['strict', result.strict ? 'true' : 'false'],
      ['Statements read', String(result.statements)],
    ]),
  );
  for (const type of OBJECT_TYPES) {
    const checks = result.checks.filter((c) => c.objectType === type);
    if (checks.length === 0) continue;
    const findings = result.findings.filter((f) => f.objectType === type);
    const plural = type === 'network policy' ? 'network policies' : `${type}s`;
    const title = `${plural[0]?.toUpperCase() ?? ''}${plural.slice(1)}`;
    lines.push('', `#### ${title}: ${checks.length - findings.length} of ${checks.length} checks pass`);
    if (findings.length === 0) continue;
    lines.push('', '| | Object | Check | Finding | Fix | Spec |', '| --- | --- | --- | --- | --- | --- |');
    for (const f of findings) {
      lines.push(
        `| ${f.severity === 'error' ? ':x: error' : ':warning: warning'} | ${cell(f.objectName)} | ${cell(f.check)} | ${cell(f.message)} | \`${cell(f.fix)}\` | ${cell(`${f.source.file}:${f.source.line}`)} |`,
      );
    }
  }
  lines.push(
    '',
    '<details><summary>Timings</summary>',
    '',
    '| Step | ms | Outcome |',
    '| --- | ---: | --- |',
    ...result.timings.map((t) => `| ${t.step} | ${t.ms} | ${t.outcome} |`),
    '',
    '</details>',
    '',
  );
  return lines.join('\n');
}

function table(rows: [string, string | undefined][]): string[] {
  const lines = ['| | |', '| --- | --- |'];
  for (const [name, value] of rows) if (value !== undefined) lines.push(`| ${name} | ${cell(value)} |`);
  return lines;
}

function details(destinations: DestinationOutcome[], timings: StepTiming[]): string[] {
  const lines = ['', '| Destination | Result |', '| --- | --- |'];
  for (const d of destinations) lines.push(`| \`${cell(d.destination)}\` | ${d.result} |`);
  lines.push(
    '',
    '<details><summary>Timings</summary>',
    '',
    '| Step | ms | Outcome |',
    '| --- | ---: | --- |',
  );
  for (const t of timings) lines.push(`| ${t.step} | ${t.ms} | ${t.outcome} |`);
  lines.push('', '</details>', '');
  return lines;
}

/** For failures before a mode could start (input errors). */
export function failureSummary(message: string): string {
  return ['### :x: Snowflake key pair action failed', '', cell(message), ''].join('\n');
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}
