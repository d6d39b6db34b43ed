import type { RotationResult } from '../modes/rotate.js';

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
  lines.push('| | |', '| --- | --- |');
  for (const [name, value] of rows) if (value !== undefined) lines.push(`| ${name} | ${cell(value)} |`);
  lines.push('', '| Destination | Result |', '| --- | --- |');
  for (const d of result.destinations) lines.push(`| \`${cell(d.destination)}\` | ${d.result} |`);
  lines.push(
    '',
    '<details><summary>Timings</summary>',
    '',
    '| Step | ms | Outcome |',
    '| --- | ---: | --- |',
  );
  for (const t of result.timings) lines.push(`| ${t.step} | ${t.ms} | ${t.outcome} |`);
  lines.push('', '</details>', '');
  return lines.join('\n');
}

/** For failures before a mode could start (input errors). */
export function failureSummary(message: string): string {
  return ['### :x: Snowflake key pair action failed', '', cell(message), ''].join('\n');
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}
