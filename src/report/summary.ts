import type { DestinationOutcome } from '../modes/key-install.js';
import type { RotationResult } from '../modes/rotate.js';
import type { SetupResult } from '../modes/setup.js';
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

/** The job summary of a setup, finished or failed. */
export function setupSummary(result: SetupResult): string {
  const headline = result.error
    ? `### :x: Snowflake setup failed for \`${result.user}\``
    : result.dryRun
      ? `### Snowflake setup planned (dry run) for \`${result.user}\``
      : result.changed
        ? `### Snowflake service user \`${result.user}\` set up`
        : `### Snowflake service user \`${result.user}\`: nothing to change`;
  const lines = [headline, ''];
  if (result.error) lines.push(cell(result.error), '');
  const keyState = {
    installed: 'first key set and stored',
    'already-set': 'already has a key: left alone (rotate it with mode: rotate)',
    planned: result.dryRun ? 'would be set and stored' : 'not set',
  }[result.key];
  lines.push(
    ...table([
      ['Account', result.account],
      [
        'User',
        `${result.user}${result.createdUser ? (result.dryRun ? ' (would be created)' : ' (created)') : ''}`,
      ],
      ['Key', keyState],
      ['New key', result.fingerprint],
      ['Slot', result.slot],
      ['Set at', result.rotatedAt],
      ['Changed anything', result.changed ? 'yes' : 'no'],
    ]),
    ...details(result.destinations, result.timings),
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
