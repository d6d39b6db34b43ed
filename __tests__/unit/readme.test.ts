import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

/**
 * The documentation says what the code and the examples say:
 * - README.md's inputs tables list exactly the inputs of action.yml, in its order, with its defaults; its
 *   outputs table lists exactly the outputs;
 * - each workflow the README's quick start shows is byte-identical to its file in examples/workflows/ (the
 *   block follows a marker `<!-- example: examples/workflows/NAME.yml -->`);
 * - every relative link in README.md, CONTRIBUTING.md and SECURITY.md points to a file that exists, and every
 *   `#anchor` to a heading of the file it names.
 * Each test collects every difference as a sentence naming it, and expects none.
 */

const root = fileURLToPath(new URL('../..', import.meta.url));
const read = (path: string): string => readFileSync(join(root, path), 'utf8');

interface ActionManifest {
  inputs: Record<string, { required?: boolean; default?: unknown }>;
  outputs: Record<string, unknown>;
}

const action = parse(read('action.yml')) as ActionManifest;
const readme = read('README.md');

/** The lines of a Markdown file outside fenced code blocks, with their line numbers (1-based). */
function proseLines(markdown: string): { text: string; line: number }[] {
  const lines: { text: string; line: number }[] = [];
  let fence: string | undefined;
  markdown.split('\n').forEach((text, index) => {
    const opener = /^ {0,3}(`{3,}|~{3,})/.exec(text);
    if (fence === undefined && opener) fence = opener[1];
    else if (fence !== undefined && opener && opener[1]?.startsWith(fence) && text.trim() === opener[1])
      fence = undefined;
    else if (fence === undefined) lines.push({ text, line: index + 1 });
  });
  return lines;
}

/** The cells of a table row, split as GitHub does: on every `|` that is not escaped (`\|`), code spans included. */
function cells(row: string): string[] {
  const body = row
    .trim()
    .replace(/^\|/, '')
    .replace(/(?<!\\)\|$/, '');
  return body.split(/(?<!\\)\|/).map((cell) => cell.replace(/\\\|/g, '|').trim());
}

interface Table {
  line: number;
  header: string[];
  rows: { cells: string[]; line: number }[];
}

function tables(markdown: string): Table[] {
  const found: Table[] = [];
  let block: { text: string; line: number }[] = [];
  const flush = (): void => {
    if (block.length >= 2 && /^\s*\|?\s*:?-{3,}/.test(block[1]?.text ?? '')) {
      found.push({
        line: block[0]?.line ?? 0,
        header: cells(block[0]?.text ?? ''),
        rows: block.slice(2).map((row) => ({ cells: cells(row.text), line: row.line })),
      });
    }
    block = [];
  };
  let previous = -1;
  for (const entry of proseLines(markdown)) {
    if (entry.text.trim().startsWith('|') && entry.line === previous + 1) block.push(entry);
    else {
      flush();
      if (entry.text.trim().startsWith('|')) block.push(entry);
    }
    previous = entry.line;
  }
  flush();
  return found;
}

const unquote = (cell: string): string => cell.replace(/^`(.*)`$/, '$1');

/** What the README's default column must say for an input of action.yml. */
function expectedDefault(input: { required?: boolean; default?: unknown }): string {
  if (input.required === true) return '(required)';
  if (input.default !== undefined) return `\`${String(input.default)}\``;
  return '';
}

/** Sentences naming how the README's list of names differs from action.yml's. */
function compareNames(kind: string, documented: string[], declared: string[]): string[] {
  const problems: string[] = [];
  for (const name of declared.filter((n) => !documented.includes(n)))
    problems.push(`${kind} '${name}' is in action.yml but in no README ${kind}s table`);
  for (const name of documented.filter((n) => !declared.includes(n)))
    problems.push(`${kind} '${name}' is in a README ${kind}s table but not in action.yml`);
  const seen = new Set<string>();
  for (const name of documented) {
    if (seen.has(name)) problems.push(`${kind} '${name}' is listed twice in the README`);
    seen.add(name);
  }
  if (problems.length === 0) {
    const index = documented.findIndex((name, i) => name !== declared[i]);
    if (index >= 0) {
      problems.push(
        `the README lists ${kind}s in another order than action.yml: at position ${index + 1} it has '${documented[index]}', action.yml has '${declared[index]}'`,
      );
    }
  }
  return problems;
}

describe('README inputs and outputs tables match action.yml', () => {
  const all = tables(readme);
  /** The rows of the README's tables of `kind`, and how their names differ from action.yml's. */
  const documentedRows = (kind: 'input' | 'output', declared: string[]) => {
    const rows = all.filter((t) => t.header[0] === kind).flatMap((t) => t.rows);
    expect(rows.length).toBeGreaterThan(0);
    const documented = rows.map((row) => unquote(row.cells[0] ?? ''));
    return { rows, problems: compareNames(kind, documented, declared) };
  };

  test('inputs: the same names, in the same order, with the same defaults', () => {
    const { rows, problems } = documentedRows('input', Object.keys(action.inputs));
    for (const row of rows) {
      const name = unquote(row.cells[0] ?? '');
      const declared = action.inputs[name];
      if (!declared) continue;
      const want = expectedDefault(declared);
      const have = row.cells[1] ?? '';
      if (have !== want) {
        problems.push(
          `README.md:${row.line}: the default of input '${name}' is '${have}', but action.yml makes it '${want}'` +
            ` (the column shows action.yml's \`default\` in backticks, "(required)" for required inputs, otherwise nothing)`,
        );
      }
      if ((row.cells[2] ?? '') === '') problems.push(`README.md:${row.line}: input '${name}' has no meaning`);
    }
    expect(problems).toEqual([]);
  });

  test('outputs: the same names, in the same order', () => {
    const { rows, problems } = documentedRows('output', Object.keys(action.outputs));
    for (const row of rows) {
      if ((row.cells.at(-1) ?? '') === '')
        problems.push(`README.md:${row.line}: output ${row.cells[0] ?? ''} has no meaning`);
    }
    expect(problems).toEqual([]);
  });
});

/** The quick start's workflows, each a file of examples/workflows/ shown verbatim. */
const QUICK_START_EXAMPLES = ['scheduled-rotation.yml', 'setup-first-deploy.yml', 'verify-pr.yml'];
const MARKER = /^<!-- example: (\S+) -->$/;

/** Every `<!-- example: path -->` marker with the fenced block that follows it. */
function embeddedExamples(markdown: string): { path: string; line: number; block?: string }[] {
  const lines = markdown.split('\n');
  const found: { path: string; line: number; block?: string }[] = [];
  lines.forEach((text, index) => {
    const marker = MARKER.exec(text.trim());
    if (!marker) return;
    let i = index + 1;
    while (i < lines.length && (lines[i] ?? '').trim() === '') i++;
    const opener = /^(`{3,}|~{3,})[\w-]*\s*$/.exec(lines[i] ?? '');
    if (!opener) {
      found.push({ path: marker[1] ?? '', line: index + 1 });
      return;
    }
    const end = lines.findIndex((l, j) => j > i && l.trim() === opener[1]);
    const body = lines.slice(i + 1, end < 0 ? lines.length : end);
    found.push({ path: marker[1] ?? '', line: index + 1, block: body.map((l) => `${l}\n`).join('') });
  });
  return found;
}

/** The first line where two texts differ, as a sentence. */
function firstDifference(shown: string, file: string): string {
  const a = shown.split('\n');
  const b = file.split('\n');
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] !== b[i]) {
      return `line ${i + 1} of the block is ${JSON.stringify(a[i] ?? '(end of block)')}, the file has ${JSON.stringify(b[i] ?? '(end of file)')}`;
    }
  }
  return 'they differ only in line endings or the final newline';
}

/** The text of a level-2 section, from its heading to the next level-2 heading (headings in code blocks aside). */
function section(markdown: string, heading: string): string {
  const starts = proseLines(markdown).filter((l) => l.text.startsWith('## '));
  const index = starts.findIndex((l) => l.text === `## ${heading}`);
  if (index < 0) return '';
  const from = (starts[index]?.line ?? 1) - 1;
  const to = starts[index + 1] ? (starts[index + 1]?.line ?? 1) - 1 : undefined;
  return markdown.split('\n').slice(from, to).join('\n');
}

describe('README quick start shows the example workflows verbatim', () => {
  const examples = embeddedExamples(readme);

  test('each embedded workflow is byte-identical to its file', () => {
    const problems: string[] = [];
    for (const example of examples) {
      if (!existsSync(join(root, example.path))) {
        problems.push(`README.md:${example.line}: ${example.path} does not exist`);
      } else if (example.block === undefined) {
        problems.push(
          `README.md:${example.line}: no fenced code block follows the marker for ${example.path}`,
        );
      } else {
        const file = read(example.path);
        if (example.block !== file) {
          problems.push(
            `README.md:${example.line}: the workflow shown differs from ${example.path}: ${firstDifference(example.block, file)}`,
          );
        }
      }
    }
    expect(problems).toEqual([]);
  });

  test('the quick start shows scheduled rotation, setup on first deploy and the PR check, each with a link to its file', () => {
    const quickStart = section(readme, 'Quick start');
    const shown = embeddedExamples(quickStart).map((e) => e.path);
    const problems: string[] = [];
    for (const name of QUICK_START_EXAMPLES) {
      const path = `examples/workflows/${name}`;
      if (!shown.includes(path))
        problems.push(`the quick start does not show ${path} (no "<!-- example: ${path} -->")`);
      if (!quickStart.includes(`](${path})`)) problems.push(`the quick start has no link to ${path}`);
    }
    if (!quickStart.includes('](examples/workflows/rotate-matrix.yml)'))
      problems.push('the quick start has no link to examples/workflows/rotate-matrix.yml');
    expect(problems).toEqual([]);
  });
});

/** GitHub's anchor for a heading: its text lower-cased, punctuation dropped, spaces as hyphens. */
function slug(heading: string): string {
  const text = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/`([^`]*)`/g, '$1')
    .replace(/\*+/g, '')
    .replace(/<[^>]+>/g, '');
  return text
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

/** Every anchor a Markdown file's headings produce on GitHub (repeated headings get -1, -2, ...). */
function anchors(markdown: string): Set<string> {
  const result = new Set<string>();
  const counts = new Map<string, number>();
  for (const { text } of proseLines(markdown)) {
    const heading = /^ {0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$/.exec(text);
    if (!heading) continue;
    const base = slug(heading[1] ?? '');
    const count = counts.get(base) ?? 0;
    result.add(count === 0 ? base : `${base}-${count}`);
    counts.set(base, count + 1);
  }
  return result;
}

/** The targets of the Markdown links in a file, outside code blocks, code spans and HTML comments. */
function links(markdown: string): { target: string; line: number }[] {
  const found: { target: string; line: number }[] = [];
  for (const { text, line } of proseLines(markdown)) {
    const prose = text.replace(/<!--.*?-->/g, '').replace(/(`+)(.+?)\1/g, 'code');
    for (const match of prose.matchAll(/!?\[(?:[^\]\\]|\\.)*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
      found.push({ target: match[1] ?? '', line });
    }
  }
  return found;
}

describe('links in README.md, CONTRIBUTING.md and SECURITY.md', () => {
  test.each(['README.md', 'CONTRIBUTING.md', 'SECURITY.md'])(
    '%s: every relative link points to a file that exists, every anchor to a heading',
    (file) => {
      expect(existsSync(join(root, file))).toBe(true);
      const problems: string[] = [];
      const markdown = read(file);
      for (const { target, line } of links(markdown)) {
        if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:
        const [rawPath = '', anchor] = target.split('#', 2);
        const path = decodeURIComponent(rawPath);
        const resolved = path === '' ? join(root, file) : join(root, dirname(file), path);
        const shown = relative(root, resolved) || file;
        if (!existsSync(resolved)) {
          problems.push(`${file}:${line}: the link to ${target} points to ${shown}, which does not exist`);
          continue;
        }
        if (anchor === undefined || anchor === '') continue;
        if (statSync(resolved).isDirectory() || !resolved.endsWith('.md')) {
          problems.push(`${file}:${line}: the link to ${target} has an anchor, but ${shown} is not Markdown`);
          continue;
        }
        if (!anchors(readFileSync(resolved, 'utf8')).has(decodeURIComponent(anchor))) {
          problems.push(
            `${file}:${line}: the link to ${target}: ${shown} has no heading with the anchor #${anchor}`,
          );
        }
      }
      expect(problems).toEqual([]);
    },
  );

  test('the anchor rules give what GitHub gives', () => {
    expect(slug('The access spec (`setup`)')).toBe('the-access-spec-setup');
    expect(slug('Snowflake: logging in and privileges')).toBe('snowflake-logging-in-and-privileges');
    expect(slug('Outputs (never key material)')).toBe('outputs-never-key-material');
    expect(slug('Running `__tests__/live`')).toBe('running-__tests__live');
    expect([...anchors('# A\n```\n# not a heading\n```\n## A\n')]).toEqual(['a', 'a-1']);
  });
});
