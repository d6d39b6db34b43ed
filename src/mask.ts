/**
 * Every form in which a secret could be printed: the value, each of its lines, a PEM's base64 body joined
 * onto one line, and the value as it appears inside JSON (newlines escaped). Used both to mask (before use)
 * and by the tests' leak scan, so the two can never disagree.
 */
export function secretForms(value: string): string[] {
  const forms = new Set<string>();
  const trimmed = value.trim();
  if (trimmed === '') return [];
  forms.add(value);
  forms.add(trimmed);
  const lines = trimmed
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !isPemArmour(line));
  for (const line of lines) forms.add(line);
  if (lines.length > 1) {
    const joined = lines.filter((line) => !line.includes(':')).join('');
    if (joined !== '') forms.add(joined);
  }
  forms.add(JSON.stringify(trimmed).slice(1, -1));
  return [...forms].filter((form) => form.length > 0);
}

/** The BEGIN/END lines of a PEM are public text; masking them would only hide the word "PRIVATE" everywhere. */
function isPemArmour(line: string): boolean {
  return /^-----(BEGIN|END) [A-Z0-9 ]+-----$/.test(line);
}

/** Registers every form of `value` with the runner's masker. Call before anything could print it. */
export function maskSecret(value: string | undefined, setSecret: (form: string) => void): void {
  if (!value) return;
  for (const form of secretForms(value)) setSecret(form);
}
