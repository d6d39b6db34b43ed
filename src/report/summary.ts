import type { RotationResult } from '../modes/rotate.js';

/** The job summary of a rotation, in GitHub-flavoured Markdown. */
export function rotationSummary(result: RotationResult): string {
  const { choice } = result;
  const headline = result.dryRun
    ? `### Snowflake key rotation planned (dry run) for \`${result.user}\``
    : `### Snowflake key rotated for \`${result.user}\``;
  const rows: [string, string][] = [
    ['Account', result.account],
    ['User', result.user],
    ['Slot written', choice.slot],
    ['New key', result.fingerprint ?? (result.dryRun ? '(not generated in a dry run)' : '')],
    ['Replaced in that slot', choice.replaced.fingerprint ?? '(empty)'],
    ['Kept (key in use)', choice.inUse ? `${choice.inUse.fingerprint} in ${choice.inUse.slot}` : '(none)'],
    ['How the key in use was found', choice.reason],
  ];
  if (result.rotatedAt) rows.push(['Rotated at', result.rotatedAt]);
  if (result.retired) rows.push(['Retired', result.retired]);
  const lines = [
    headline,
    '',
    '| | |',
    '| --- | --- |',
    ...rows.map(([k, v]) => `| ${k} | ${cell(v)} |`),
    '',
  ];
  lines.push('| Destination | Result |', '| --- | --- |');
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

export function failureSummary(mode: string, message: string): string {
  return [`### Snowflake key pair ${mode || 'run'} failed`, '', cell(message), ''].join('\n');
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}
