import { LineCounter, isAlias, isMap, isScalar, isSeq, parseDocument, type Document, type Node } from 'yaml';
import { describeCharacter } from '../snowflake/identifiers.js';
import { MAX_SPEC_BYTES, SpecError, type SourceLocation } from './model.js';

/**
 * Reading the spec's YAML (`yaml`'s parseDocument + LineCounter) into plain data, keeping the document to find
 * the line of any path in it. A file that is not a YAML mapping with a `version` is refused here, before
 * anything in it is quoted.
 */

/**
 * Aliases (`*anchor`) may be used, a few times: yaml counts each alias by the size of what it expands to, so this
 * refuses "billion laughs" documents long before they cost memory (https://eemeli.org/yaml/#tojs-options).
 */
export const MAX_ALIAS_COUNT = 50;
/** Characters a YAML file cannot hold (C0 and C1 controls other than tab, line feed, carriage return and NEL), and U+FFFD. */
// eslint-disable-next-line no-control-regex
const NOT_YAML_TEXT = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u0084\u0086-\u009f\ufffd]/;
export type Segment = string | number;

/** `roles[0].privileges[1].privileges`; `(root)` for the document itself. */
export function formatPath(path: readonly Segment[]): string {
  if (path.length === 0) return '(root)';
  return path
    .map((segment, index) =>
      typeof segment === 'number' ? `[${segment}]` : index === 0 ? segment : `.${segment}`,
    )
    .join('');
}

/** The spec's data, and where each path of it is written. Throws SpecError when the file is no access spec. */
export function readSpecDocument(text: string, file: string): { data: unknown; locator: Locator } {
  refuseNonText(text, file);
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const locator = new Locator(doc, lineCounter, file);
  refuseSyntaxErrors(doc, lineCounter, file);
  refuseNonSpec(doc, locator);
  return { data: toData(doc, locator), locator };
}

function issue(file: string, line: number, path: string, message: string): SpecError {
  return new SpecError([{ file, line, path, message }]);
}

/** Too large, or not text. */
function refuseNonText(text: string, file: string): void {
  const size = Buffer.byteLength(text, 'utf8');
  if (size > MAX_SPEC_BYTES) {
    throw issue(
      file,
      1,
      '(root)',
      `the file is ${size} bytes, more than the limit of ${MAX_SPEC_BYTES} bytes (1 MiB) for an access spec. Split it, or check that this is the right file`,
    );
  }
  // YAML is text: characters outside its printable set (https://yaml.org/spec/1.2.2/#51-character-set) mean
  // a binary file, or one in another encoding (U+FFFD is what reading invalid UTF-8 leaves). The parser would
  // take such a file for a single value; say what it is instead.
  const notText = NOT_YAML_TEXT.exec(text);
  if (notText) {
    const found = notText[0];
    throw issue(
      file,
      text.slice(0, notText.index).split('\n').length,
      '(yaml)',
      `the file ${found === '\ufffd' ? 'holds bytes that are not UTF-8 text' : `holds the control character ${describeCharacter(found)}`}, so it is not a YAML text file. Check that 'spec' names the access spec, saved as UTF-8`,
    );
  }
}

function refuseSyntaxErrors(doc: Document, lineCounter: LineCounter, file: string): void {
  if (doc.errors.length === 0) return;
  throw new SpecError(
    [...doc.errors, ...doc.warnings].map((error) => ({
      file,
      line: error.linePos?.[0].line ?? lineCounter.linePos(error.pos[0]).line,
      path: '(yaml)',
      message: `${firstLine(error.message)}. Fix the YAML syntax here`,
    })),
  );
}

/** Empty, not a mapping, or a mapping without an access spec's `version`. */
function refuseNonSpec(doc: Document, locator: Locator): void {
  const { file } = locator;
  if (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null)) {
    throw issue(file, 1, '(root)', 'the spec is empty. Start it with `version: 1`');
  }
  if (!isMap(doc.contents)) {
    throw issue(
      file,
      locator.line([]),
      '(root)',
      `the spec is ${isSeq(doc.contents) ? 'a list' : 'a single value'}, not a mapping. Write it as keys such as \`version: 1\`, \`roles:\` and \`users:\` at the top level`,
    );
  }
  // Messages below quote the file's fields and values. A mapping without `version` is some other YAML file of
  // the repository (a workflow, a config with credentials in it): say only that it is not a spec.
  // A docker-compose or dependabot file has a `version` too, but a string ('3.8') or 2 under `updates:`; an
  // access spec's is a whole number (another one than 1 is a spec for another release, and the schema says so).
  const version = doc.contents.items.find((pair) => isScalar(pair.key) && pair.key.value === 'version');
  if (!version || !isScalar(version.value) || !Number.isInteger(version.value.value)) {
    throw issue(
      file,
      1,
      '(root)',
      "'version: 1' is required at the top level: without it the file is not read as an access spec, and nothing else in it is checked or quoted. Check that 'spec' names the access spec, and start it with `version: 1`",
    );
  }
}

function toData(doc: Document, locator: Locator): unknown {
  try {
    return doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    throw issue(
      locator.file,
      locator.firstAliasLine() ?? 1,
      '(yaml)',
      `the YAML aliases expand too far (${error instanceof Error ? firstLine(error.message) : String(error)}). Write the repeated parts out instead of aliasing them`,
    );
  }
}

function firstLine(text: string): string {
  return (text.split('\n')[0] ?? '').replace(/[.\s]+$/, '');
}

/** Finds the line of a path in the YAML document: the line of the key for a field, of the item for a list item. */
export class Locator {
  constructor(
    private readonly doc: Document,
    private readonly lineCounter: LineCounter,
    readonly file: string,
  ) {}

  line(path: readonly Segment[]): number {
    let node: unknown = this.doc.contents;
    let line = this.lineOf(node) ?? 1;
    for (const segment of path) {
      if (isAlias(node)) node = node.resolve(this.doc);
      if (typeof segment === 'string' && isMap(node)) {
        const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === segment);
        if (!pair) break;
        line = this.lineOf(pair.key) ?? line;
        node = pair.value;
      } else if (typeof segment === 'number' && isSeq(node)) {
        const item = node.items[segment];
        if (item === undefined) break;
        line = this.lineOf(item) ?? line;
        node = item;
      } else {
        break;
      }
    }
    return line;
  }

  at(path: readonly Segment[]): SourceLocation {
    return { file: this.file, line: this.line(path), path: formatPath(path) };
  }

  firstAliasLine(): number | undefined {
    let found: number | undefined;
    const visit = (node: unknown): void => {
      if (found !== undefined) return;
      if (isAlias(node)) {
        found = this.lineOf(node);
      } else if (isMap(node)) {
        for (const pair of node.items) {
          visit(pair.key);
          visit(pair.value);
        }
      } else if (isSeq(node)) {
        for (const item of node.items) visit(item);
      }
    };
    visit(this.doc.contents);
    return found;
  }

  private lineOf(node: unknown): number | undefined {
    const offset = (node as Node | null | undefined)?.range?.[0];
    return offset === undefined ? undefined : this.lineCounter.linePos(offset).line;
  }
}
