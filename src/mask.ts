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

/** Every form of every value given to maskSecret in this process, for redact(). */
const registered = new Set<string>();

/**
 * Registers every form of `value` with the runner's masker, and with redact(). Call before anything could
 * print it.
 */
export function maskSecret(value: string | undefined, setSecret: (form: string) => void): void {
  if (!value) return;
  for (const form of secretForms(value)) {
    registered.add(form);
    setSecret(form);
  }
}

/** Forms shorter than this are left to the runner's masker: replacing them would garble ordinary text. */
const MIN_REDACTED_LENGTH = 8;
const PRIVATE_KEY_BLOCK = /-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY-----[\s\S]*?(?:-----END \1PRIVATE KEY-----|$)/g;
const JWT = /eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g;
/** An HTTP Authorization header's value, as an error quoting a request shows it. */
const AUTHORIZATION =
  /\b((?:proxy-)?authorization["']?\s*[:=]\s*["']?)(?:(?:bearer|token|basic)\s+|snowflake\s+token=["']?)?[^\s"'\\,;}]+/gi;
export const REDACTED = '***';

/**
 * Text the action is about to print or write, with every registered secret form, private-key PEM block, JWT
 * and Authorization header value replaced by `***`. The runner masks registered values in what it shows, but
 * the JSON report is a file it never sees, and a server or library can quote a secret back in a form the runner
 * was never given (a request echoed with its Authorization header): main.ts passes everything through here.
 */
export function redact(text: string): string {
  let result = text
    .replace(PRIVATE_KEY_BLOCK, REDACTED)
    .replace(JWT, REDACTED)
    .replace(AUTHORIZATION, `$1${REDACTED}`);
  const forms = [...registered].filter((form) => form.length >= MIN_REDACTED_LENGTH);
  for (const form of forms.sort((a, b) => b.length - a.length)) result = result.split(form).join(REDACTED);
  return result;
}
