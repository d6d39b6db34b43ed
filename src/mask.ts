/**
 * Every form in which a secret could be printed, and redact(), which removes them from what the action prints.
 * The tests' leak scan (__tests__/harness/leak-scan.ts) looks for the same forms in the same readings of a text
 * (readingsOf), so the two can never disagree about what a leak is.
 */

/**
 * Every form in which a secret could be printed:
 * - the value, trimmed, each of its lines, and a PEM's base64 body joined onto one line;
 * - the value as a JSON string holds it (newlines and quotes escaped), escaped once and twice (JSON inside a JSON
 *   string), and with non-ASCII characters as `\uXXXX` (as Python's json.dumps writes it);
 * - URL-encoded (encodeURIComponent, and form encoding with `+` for spaces), the value and each line;
 * - quoted in SQL (`'` doubled) or with backslash-escaped quotes (`\'`, and `""` for double quotes);
 * - base64 and base64url, at each of the three alignments a value can have inside a longer blob (base64 turns
 *   3 bytes into 4 characters, so a secret after 1 or 2 bytes of something else encodes differently: Basic
 *   auth's `user:password`, a base64 of a JSON body). Only the characters that depend on the secret alone are
 *   kept. The Actions runner's masker derives the same three (actions/runner src/Runner.Common/HostContext.cs,
 *   Base64StringEscapeShift1/2 in src/Sdk/DTLogging/Logging/ValueEncoders.cs), but only for the log it shows:
 *   the report, the outputs and the summary are files it never reads.
 * - each of the above without whitespace and escaped line breaks, as it reads once a value wrapped or split
 *   across lines is joined back (readingsOf reads every text that way too).
 */
export function secretForms(value: string): string[] {
  return formsOf(value).all;
}

/**
 * secretForms' forms (`all`), and those the runner's masker is given (`forRunner`). The runner derives the URL
 * and base64 encodings (at three alignments) of each value it is given itself (actions/runner
 * src/Runner.Common/HostContext.cs registers UriDataEscape, Base64StringEscape, ...Shift1 and ...Shift2, with
 * JsonStringEscape and ExpressionStringEscape), and masks a multi-line value's lines wherever they appear, escaped
 * or not: it is given the value, its lines, a PEM's joined body and the JSON-escaped value, and for a one-line
 * value its other escaped forms and the value without whitespace too. Every `::add-mask::` line goes down the
 * runner's pipe before anything else the action prints: a PEM's encodings, each as long as the PEM, would
 * multiply that by ten for nothing the runner does not already do.
 */
function formsOf(value: string): { all: string[]; forRunner: string[] } {
  const trimmed = value.trim();
  if (trimmed === '') return { all: [], forRunner: [] };
  const lines = trimmed
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !isPemArmour(line));
  const joined = lines.length > 1 ? lines.filter((line) => !line.includes(':')).join('') : '';
  const bases = joined === '' ? [trimmed] : [trimmed, joined];
  const escaped = bases.flatMap(escapedForms);
  const plain = [value, trimmed, ...lines, ...escaped];
  const encoded = [...lines.map((line) => encodeURIComponent(line)), ...bases.flatMap(encodedForms)];
  // As a form with whitespace in it reads once wrapped lines are joined back (readingsOf).
  const compacted = (forms: string[]): string[] => forms.map((form) => form.replace(FILLER, ''));
  const nonEmpty = (forms: string[]): string[] => [...new Set(forms)].filter((form) => form.length > 0);
  const multiLine = /[\r\n]/.test(trimmed);
  return {
    all: nonEmpty([...plain, ...encoded, ...compacted([...plain, ...encoded])]),
    forRunner: nonEmpty(
      multiLine
        ? [value, trimmed, ...lines, joined, JSON.stringify(trimmed).slice(1, -1)]
        : [...plain, ...compacted(plain)],
    ),
  };
}

/** The escaped forms of one text (see secretForms): JSON once and twice, form-encoded, quoted. */
function escapedForms(text: string): string[] {
  const json = JSON.stringify(text).slice(1, -1);
  const asciiJson = json.replace(
    /[\u007f-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return [
    json,
    JSON.stringify(json).slice(1, -1),
    asciiJson,
    new URLSearchParams({ v: text }).toString().slice('v='.length),
    text.replace(/'/g, "''"),
    text.replace(/'/g, "\\'"),
    text.replace(/"/g, '""'),
  ];
}

/** The URL and base64 encodings of one text (see secretForms). */
function encodedForms(text: string): string[] {
  const json = JSON.stringify(text).slice(1, -1);
  return [
    encodeURIComponent(text),
    // Base64 of the text, and of the text as a JSON body carries it.
    ...base64Forms(text),
    ...(json === text ? [] : base64Forms(json)),
  ];
}

/**
 * The base64 and base64url characters that encode `text` alone, after 0, 1 and 2 bytes of something else.
 * Character i of an encoding covers bits 6i to 6i+6; those wholly inside the text's bits are kept.
 */
function base64Forms(text: string): string[] {
  const bytes = Buffer.from(text, 'utf8');
  const forms: string[] = [];
  for (const offset of [0, 1, 2]) {
    const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString('base64');
    const core = encoded.slice(Math.ceil((offset * 8) / 6), Math.floor(((offset + bytes.length) * 8) / 6));
    forms.push(core, core.replace(/\+/g, '-').replace(/\//g, '_'));
  }
  return forms;
}

/** The BEGIN/END lines of a PEM are public text; masking them would only hide the word "PRIVATE" everywhere. */
function isPemArmour(line: string): boolean {
  return /^-----(BEGIN|END) [A-Z0-9 ]+-----$/.test(line);
}

/** Every form of every value given to maskSecret in this process, for redact(). */
const registered = new Set<string>();
/** The registered forms redact() replaces (at least MIN_REDACTED_LENGTH long); rebuilt after maskSecret. */
let redactedForms: string[] | undefined;

/**
 * Registers every form of `value` with redact(), and with the runner's masker those it does not derive itself
 * (formsOf). Call before anything could print it.
 */
export function maskSecret(value: string | undefined, setSecret: (form: string) => void): void {
  if (!value) return;
  const forms = formsOf(value);
  for (const form of forms.all) registered.add(form);
  for (const form of forms.forRunner) setSecret(form);
  redactedForms = undefined;
}

/** Forms shorter than this are left to the runner's masker: replacing them would garble ordinary text. */
const MIN_REDACTED_LENGTH = 8;
export const REDACTED = '***';

/** A space as a header or URL may carry it: plain, form-encoded, or percent-encoded. */
const SPACE = String.raw`(?:\s|\+|%20)`;
/** A quote, perhaps escaped once or more (`"`, `\"`, `\\\"`, `%22`, `%5C%22`, `&quot;`), or none. */
const QUOTE = String.raw`(?:\\|%5[cC])*(?:["']|%2[27]|&quot;)?`;
/** A credential's characters, up to a quote, backslash, separator or space (percent escapes of others kept). */
const CREDENTIAL = String.raw`(?:[^\s"'\\,;}&%<>]|%(?!2[27]|5[cC]|20)[0-9a-fA-F]{2})+`;

/**
 * Secrets recognised by their shape, whoever produced them (what the action never held as a value, such as the
 * JWT the Snowflake driver signs for a key-pair login): the text of the `secret` group (or the whole match) is
 * replaced.
 */
const SECRET_PATTERNS: RegExp[] = [
  // A private key's PEM block, also URL-encoded (`-----BEGIN%20PRIVATE%20KEY-----`).
  new RegExp(
    String.raw`-----BEGIN${SPACE}((?:[A-Z0-9]+${SPACE})*)PRIVATE${SPACE}KEY-----[\s\S]*?(?:-----END${SPACE}\1PRIVATE${SPACE}KEY-----|$)`,
    'gd',
  ),
  // A signed JWT: three base64url parts, header and payload JSON objects (`{"` is `eyJ`).
  /eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/dg,
  // An HTTP Authorization header's value, as an error quoting a request shows it: `authorization: Bearer x`,
  // `"authorization":"Snowflake Token=\"x\""` (JSON), the same escaped twice, or URL-encoded.
  new RegExp(
    String.raw`(?<![A-Za-z])(?:proxy-)?authorization${QUOTE}\s*(?:[:=]|%3[aAdD])\s*${QUOTE}(?<secret>(?:(?:bearer|token|basic)${SPACE}+|snowflake${SPACE}+token(?:=|%3[dD])${QUOTE})?${CREDENTIAL})`,
    'gid',
  ),
  // Snowflake's session and master tokens travel as `Authorization: Snowflake Token="<token>"` (snowflake-sdk
  // lib/services/sf.js): the value wherever that phrase is quoted, without the header's name.
  new RegExp(
    String.raw`(?<![A-Za-z])snowflake${SPACE}+token(?:=|%3[dD])${QUOTE}(?<secret>${CREDENTIAL})`,
    'gid',
  ),
];

/** Whitespace, and line breaks escaped (`\n`, `\\r\n`, `%0A`): what wrapping or splitting puts into a value. */
const FILLER_PART = String.raw`\s|\\+[nrt]|%0[aAdD]`;
const FILLER = new RegExp(`(?:${FILLER_PART})+`, 'g');
const HAS_FILLER = new RegExp(FILLER_PART);
/** A run of base64 or base64url characters long enough to hide a secret worth finding (18 bytes or more). */
const BASE64_RUN = /[A-Za-z0-9+/_-]{24,}={0,2}/g;

/** A text with its filler removed, and for each of its characters the index of that character in the text. */
interface CompactText {
  text: string;
  index: Int32Array;
}

/** The text without whitespace and escaped line breaks, when it has any: a value wrapped or split is whole here. */
function compact(text: string): CompactText | undefined {
  if (!HAS_FILLER.test(text)) return undefined;
  const index = new Int32Array(text.length);
  let compacted = '';
  let kept = 0;
  let from = 0;
  const keep = (to: number): void => {
    compacted += text.slice(from, to);
    for (let i = from; i < to; i++) index[kept++] = i;
  };
  for (const match of text.matchAll(FILLER)) {
    keep(match.index);
    from = match.index + match[0].length;
  }
  keep(text.length);
  return { text: compacted, index: index.subarray(0, kept) };
}

/**
 * Runs that are not base64 but identifiers drawn from a small part of its alphabet: hex ids and UUIDs,
 * lower-case or upper-case names with dashes or underscores. Base64 of anything avoids them by chance with
 * odds below 1 in 10^5 at 24 characters; skipping them keeps redact() fast on a driver's debug log.
 */
const NOT_BASE64 = /^(?:[0-9a-fA-F-]+|[a-z0-9_-]+|[A-Z0-9_-]+)={0,2}$/;

/** Each long base64 run of the text, decoded at each of the 4 places it could begin (it may follow `/`). */
function base64Runs(text: string): { start: number; end: number; decoded: string[] }[] {
  const runs: { start: number; end: number; decoded: string[] }[] = [];
  for (const match of text.matchAll(BASE64_RUN)) {
    const run = match[0];
    if (NOT_BASE64.test(run)) continue;
    const decoded = [0, 1, 2, 3].map((skip) => Buffer.from(run.slice(skip), 'base64').toString('utf8'));
    runs.push({ start: match.index, end: match.index + run.length, decoded });
  }
  return runs;
}

/**
 * What a text says once undone, for the leak scan: the text itself, the text without whitespace and escaped
 * line breaks (a value wrapped, split across lines, or broken by `\n`), and each long base64 run decoded.
 * redact() reads the same.
 */
export function readingsOf(text: string): string[] {
  const compacted = compact(text);
  return [text, ...(compacted ? [compacted.text] : []), ...base64Runs(text).flatMap((run) => run.decoded)];
}

type Range = [start: number, end: number];

/** The ranges of `text` that hold a secret pattern (its `secret` group, or the whole match). */
function patternRanges(text: string): Range[] {
  const ranges: Range[] = [];
  for (const pattern of SECRET_PATTERNS) {
    for (const match of text.matchAll(pattern)) {
      const range = match.indices?.groups?.secret ?? match.indices?.[0];
      if (range && range[1] > range[0]) ranges.push([range[0], range[1]]);
    }
  }
  return ranges;
}

/** The ranges of `text` that hold one of `forms`. */
function formRanges(text: string, forms: readonly string[]): Range[] {
  const ranges: Range[] = [];
  for (const form of forms) {
    if (form.length > text.length) continue;
    for (let at = text.indexOf(form); at !== -1; at = text.indexOf(form, at + 1)) {
      ranges.push([at, at + form.length]);
    }
  }
  return ranges;
}

function currentForms(): readonly string[] {
  redactedForms ??= [...registered].filter((form) => form.length >= MIN_REDACTED_LENGTH);
  return redactedForms;
}

/**
 * Text the action is about to print or write, with every registered secret form, private-key PEM block, JWT
 * and Authorization header value (escaped or encoded) replaced by `***`; also a registered form that is whole
 * only once whitespace and escaped line breaks are taken out (a value wrapped or split across lines: the span
 * is replaced, breaks and all), and a base64 run that decodes to anything of the above (replaced whole).
 * The runner masks registered values in what it shows, but the JSON report is a file it never sees, and a
 * server or library can quote a secret back in a form the runner was never given (a request echoed with its
 * Authorization header): main.ts passes everything through here.
 */
export function redact(text: string): string {
  const forms = currentForms();
  const ranges = [...patternRanges(text), ...formRanges(text, forms)];
  const compacted = compact(text);
  if (compacted) {
    for (const [start, end] of formRanges(compacted.text, forms)) {
      ranges.push([compacted.index[start] ?? 0, (compacted.index[end - 1] ?? 0) + 1]);
    }
  }
  for (const run of base64Runs(text)) {
    const holdsSecret = run.decoded.some(
      (decoded) => patternRanges(decoded).length > 0 || formRanges(decoded, forms).length > 0,
    );
    if (holdsSecret) ranges.push([run.start, run.end]);
  }
  return replaceRanges(text, ranges);
}

/** `text` with each (merged) range replaced by REDACTED. */
function replaceRanges(text: string, ranges: Range[]): string {
  if (ranges.length === 0) return text;
  ranges.sort((a, b) => a[0] - b[0]);
  let result = '';
  let from = 0;
  let current: Range | undefined;
  for (const range of ranges) {
    if (current && range[0] <= current[1]) {
      current[1] = Math.max(current[1], range[1]);
      continue;
    }
    if (current) {
      result += text.slice(from, current[0]) + REDACTED;
      from = current[1];
    }
    current = [range[0], range[1]];
  }
  if (current) result += text.slice(from, current[0]) + REDACTED;
  return result + text.slice(current ? current[1] : from);
}
