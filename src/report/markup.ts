import { redact } from '../mask.js';

/**
 * The job summary's markup: GitHub-flavoured Markdown with a little inline HTML (`<code title>`, `<details>`,
 * `<br>`, `<sub>`), which GitHub renders on the run page
 * (https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-commands#adding-a-job-summary).
 *
 * Values from outside the action (Snowflake names from the spec or from SHOW and DESC rows, messages echoed by
 * Snowflake or GitHub, destinations, fingerprints, file paths) can hold any character: a quoted Snowflake
 * identifier may be `<img src=x onerror=…>` or `a|b`. Here such a value can only become part of the summary as
 * text: the `inline` template escapes every value put into it, and the other builders take strings as text
 * too. The only markup that is not escaped is what this project writes literally (the text of an `inline`
 * template in the source) or builds with these functions, each of which returns a `Markup`, which only this
 * module can make.
 *
 * The escaping (escapeText) is one form that is inert everywhere a value goes: Markdown inline text, a table
 * cell, the content of an HTML block such as `<details><summary>…`, and inside `<code>`. It writes each
 * character that means something to Markdown or HTML as a character reference, which CommonMark and HTML both
 * read as that literal character and never as syntax ("Entity and numeric character references cannot be used
 * in place of symbols indicating structure", https://spec.commonmark.org/0.31.2/#entity-and-numeric-character-references);
 * GFM splits a table row on its `|` characters before it reads references, so `&#124;` stays inside its cell
 * (https://github.github.com/gfm/#tables-extension-). A line break becomes `<br>`, so a value stays on the line
 * where it was put.
 */

/** Only functions of this module can make Markup: the constructor checks for this key. */
const MADE_HERE = Symbol('markup made by src/report/markup.ts');

/** A piece of the summary that is markup already: escaped text, or markup this project wrote. */
export class Markup {
  constructor(
    key: typeof MADE_HERE,
    readonly source: string,
  ) {
    if (key !== MADE_HERE) throw new Error('Markup is made by src/report/markup.ts only');
  }

  toString(): string {
    return this.source;
  }
}

/** What may be put into markup: Markup as it is, anything else as text. */
export type Inline = Markup | string | number;

function markup(source: string): Markup {
  return new Markup(MADE_HERE, source);
}

function sourceOf(value: Inline): string {
  return value instanceof Markup ? value.source : escapeText(String(value));
}

/**
 * Inline markup from a template: the template's own text is this project's markup (`**`, `<sub>`), every
 * `${value}` is text (escaped) unless it is Markup already.
 */
export function inline(template: TemplateStringsArray, ...values: Inline[]): Markup {
  // A template's strings array is frozen and has `raw`: an array passed by hand is not the source's own text.
  if (!Object.isFrozen(template) || !Array.isArray(template.raw)) {
    throw new Error('inline is a template tag: call it as inline`...`');
  }
  let source = template[0] ?? '';
  values.forEach((value, index) => {
    source += sourceOf(value) + (template[index + 1] ?? '');
  });
  return markup(source);
}

/** `items` joined by `separator`, each item text unless it is Markup. */
export function join(items: readonly Inline[], separator: Inline): Markup {
  return markup(items.map(sourceOf).join(sourceOf(separator)));
}

/**
 * A value in code style. `<code>` rather than a backtick span: inside a code span nothing is escaped, so a
 * backtick or a `|` in the value would end the span or the table cell.
 */
export function code(value: string): Markup {
  return markup(`<code>${escapeText(value)}</code>`);
}

/** A value in code style, with another value shown on hover (the full form of a shortened one). */
export function codeWithTitle(shown: string, title: string): Markup {
  return markup(`<code title="${escapeAttribute(title)}">${escapeText(shown)}</code>`);
}

// ------------------------------------------------------------------------------------------------- blocks

export function heading(level: 3 | 4, content: Inline): Markup {
  return markup(`${'#'.repeat(level)} ${oneLine(sourceOf(content))}`);
}

export function paragraph(content: Inline): Markup {
  return markup(oneLine(sourceOf(content)));
}

export type Alignment = 'left' | 'right';

/** A GFM table; every cell is text unless it is Markup, and no cell can leave its column. */
export function table(
  header: readonly Inline[],
  rows: readonly (readonly Inline[])[],
  alignment: readonly Alignment[] = [],
): Markup {
  const row = (cells: readonly Inline[]): string =>
    `| ${cells
      .map((cell) => {
        const source = oneLine(sourceOf(cell));
        // Escaped text holds no `|`; a literal one in this module's callers' markup would split the cell.
        if (source.includes('|')) throw new Error(`A table cell holds a | : ${source}`);
        return source;
      })
      .join(' | ')} |`;
  const rule = `| ${header.map((_, index) => (alignment[index] === 'right' ? '---:' : '---')).join(' | ')} |`;
  return markup([row(header), rule, ...rows.map(row)].join('\n'));
}

/** Free text (an error message) as a block quote, its line breaks kept. */
export function quote(message: string): Markup {
  return markup(`> ${escapeText(message)}`);
}

/**
 * A collapsed section. The `<details>` line is an HTML block (https://spec.commonmark.org/0.31.2/#html-blocks,
 * condition 6), so its summary is HTML, not Markdown: text only, which escapeText makes safe there too.
 */
export function details(summary: string, body: readonly Markup[]): Markup {
  return markup(
    [`<details><summary>${escapeText(summary)}</summary>`, '', ...body.map(String), '', '</details>'].join(
      '\n',
    ),
  );
}

/** The summary: its blocks separated by blank lines (undefined ones left out), ending with a newline. */
export function document(blocks: readonly (Markup | undefined)[]): string {
  return `${blocks
    .filter((block): block is Markup => block !== undefined)
    .map(String)
    .join('\n\n')}\n`;
}

function oneLine(source: string): string {
  if (/[\r\n]/.test(source)) throw new Error(`Inline markup holds a line break: ${source}`);
  return source;
}

// ------------------------------------------------------------------------------------------------- escaping

/**
 * Characters written as references wherever they are: HTML's `& < > "`; Markdown's backslash escape, code
 * spans, emphasis and strikethrough (`* _ ~`), links and images (`[ ]`; without a `[`, `(` and `!` start
 * nothing), table cells (`|`), ATX headings (`#`), GitHub's math (`$`,
 * https://docs.github.com/en/get-started/writing-on-github/working-with-advanced-formatting/writing-mathematical-expressions),
 * and GFM's autolinks, which turn `http://…`, `www.…` and `name@host` in text into links
 * (https://github.github.com/gfm/#autolinks-extension-): `:` and `@` always, and the `.` of `www.`.
 */
const SYNTAX = /[&<>"\\`*_~[\]|#$:@]/;
const NAMED: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };
/** What starts a block when it begins a line: a list item, a setext underline, indented code (leading blanks). */
const BLOCK_START = /^(\s+|[-+=]|\d+(?=[.)]))/;

/**
 * A value as text: redacted first (a secret quoted back with `<` or `|` in it would no longer match once
 * escaped), then each character of SYNTAX as a reference and each line break as `<br>`. What would start a
 * block at the beginning of a line is a reference too: a value may be the first thing on a block quote's line.
 */
function escapeText(value: string): string {
  return redact(value)
    .split(/\r\n|\r|\n/)
    .map(escapeLine)
    .join('<br>');
}

function escapeLine(line: string): string {
  const characters = [...line];
  const blockStart = [...(BLOCK_START.exec(line)?.[0] ?? '')].length;
  return characters
    .map((character, index) => {
      if (index < blockStart) return reference(character);
      // `_` between letters or digits can neither open nor close emphasis (https://spec.commonmark.org/0.31.2/#emphasis-and-strong-emphasis,
      // rules 2 and 4), so SVC_LOADER stays as it is written.
      if (
        character === '_' &&
        isWordCharacter(characters[index - 1]) &&
        isWordCharacter(characters[index + 1])
      )
        return character;
      if (character === '.' && index >= 3 && /^www$/i.test(characters.slice(index - 3, index).join('')))
        return reference(character);
      return SYNTAX.test(character) ? (NAMED[character] ?? reference(character)) : character;
    })
    .join('');
}

/** An attribute value (inside double quotes): HTML's specials, `|` (tables split on it first), line breaks. */
function escapeAttribute(value: string): string {
  return [...redact(value)]
    .map(
      (character) =>
        NAMED[character] ??
        (character === '|' || character === '\n' || character === '\r' ? reference(character) : character),
    )
    .join('');
}

function reference(character: string): string {
  return `&#${character.codePointAt(0) ?? 0};`;
}

function isWordCharacter(character: string | undefined): boolean {
  return character !== undefined && /^[A-Za-z0-9]$/.test(character);
}
