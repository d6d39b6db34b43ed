import fc from 'fast-check';
import { maskSecret } from '../../src/mask.js';
import {
  Markup,
  code,
  codeWithTitle,
  details,
  document,
  heading,
  inline,
  paragraph,
  quote,
  table,
} from '../../src/report/markup.js';
import { renderSummary } from '../harness/markdown.js';

/**
 * The job summary's renderer: whatever a value holds, it is shown as that text, in the place it was put, and
 * adds no element. Checked by rendering with marked (GFM) and reading the HTML back.
 */

/** The names, and what else a Snowflake name, a path or an echoed message could hold. */
const HOSTILE = [
  '<img src=x onerror=alert(1)>',
  '</code><script>alert(1)</script>',
  'a|b|c',
  'we`ird',
  '[x](javascript:alert(1))',
  'line one\nline two',
  'x" onmouseover="alert(1)',
  '**bold** _em_ ~~del~~ $x^2$',
  '# heading',
  '> quoted',
  '- item',
  '1. item',
  '    indented code',
  '---',
  '```',
  '&lt;already escaped&gt; &amp; &#124;',
  '\\*not emphasis\\*',
  'https://evil.example/login',
  'www.evil.example',
  'someone@evil.example',
  '![image](https://evil.example/x.png)',
  '<!-- comment -->',
  '<details open>',
  '[^footnote]',
  '> [!WARNING]',
  'SVC_LOADER',
  '_leading and trailing_',
];

/** Characters that mean something to Markdown, HTML or GFM, mixed with any text. */
const unit = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...'<>&"\'`*_~[]()|#$!\\:@./-+= \t\n\r1w'.split('')) },
  { weight: 3, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }) },
);
const values = fc.oneof(fc.string({ unit, maxLength: 40 }), fc.constantFrom(...HOSTILE));

/** Text as a reader compares it: runs of white space are one space (HTML shows them so). */
function words(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function lineBreaks(value: string): number {
  return value.match(/\r\n|\r|\n/g)?.length ?? 0;
}

/** Element names but `br` (one per line break of the value). */
function structure(markdown: string): string[] {
  return renderSummary(markdown)
    .elements.map((element) => element.name)
    .filter((name) => name !== 'br');
}

function brCount(markdown: string): number {
  return renderSummary(markdown).elements.filter((element) => element.name === 'br').length;
}

test('a value in a table cell stays in its cell, as text', () => {
  fc.assert(
    fc.property(values, (value) => {
      const markdown = document([table(['Name', 'Other'], [[value, 'next']])]);
      const rendered = renderSummary(markdown);
      expect(structure(markdown)).toEqual(['table', 'thead', 'tr', 'th', 'th', 'tbody', 'tr', 'td', 'td']);
      expect(brCount(markdown)).toBe(lineBreaks(value));
      expect(rendered.tables[0]?.[1]?.map(words)).toEqual([words(value), 'next']);
    }),
    { numRuns: 500 },
  );
});

test('a value in code style, in a heading, is the code element and nothing else', () => {
  fc.assert(
    fc.property(values, (value) => {
      const markdown = document([heading(3, inline`Rotated for ${code(value)} today`)]);
      expect(structure(markdown)).toEqual(['h3', 'code']);
      expect(brCount(markdown)).toBe(lineBreaks(value));
      const rendered = renderSummary(markdown);
      expect(rendered.codes.map(words)).toEqual([words(value)]);
      expect(words(rendered.text)).toBe(words(`Rotated for ${value} today`));
    }),
    { numRuns: 500 },
  );
});

test('a value in a paragraph, a block quote or a collapsed section is text', () => {
  fc.assert(
    fc.property(values, (value) => {
      const markdown = document([
        paragraph(inline`**Failed** at ${value}.`),
        quote(`Error: ${value}`),
        details(value, [paragraph('inside')]),
      ]);
      expect(structure(markdown)).toEqual(['p', 'strong', 'blockquote', 'p', 'details', 'summary', 'p']);
      expect(brCount(markdown)).toBe(3 * lineBreaks(value));
      expect(words(renderSummary(markdown).text)).toBe(
        words(`Failed at ${value}. Error: ${value} ${value} inside`),
      );
    }),
    { numRuns: 500 },
  );
});

test('a value in a title attribute is the attribute, whole', () => {
  fc.assert(
    fc.property(values, values, (shown, title) => {
      const markdown = document([table(['Key'], [[codeWithTitle(shown, title)]])]);
      const rendered = renderSummary(markdown);
      const codes = rendered.elements.filter((element) => element.name === 'code');
      expect(codes).toEqual([{ name: 'code', attributes: { title } }]);
      expect(rendered.codes.map(words)).toEqual([words(shown)]);
    }),
    { numRuns: 500 },
  );
});

test("the issue's names, each shown verbatim", () => {
  for (const name of HOSTILE) {
    const markdown = document([
      heading(3, inline`Snowflake key rotated for ${code(name)}`),
      table(['Rotation', ''], [['User', name]]),
    ]);
    const rendered = renderSummary(markdown);
    expect(rendered.elements.map((element) => element.name).filter((n) => n !== 'br')).toEqual([
      'h3',
      'code',
      'table',
      'thead',
      'tr',
      'th',
      'th',
      'tbody',
      'tr',
      'td',
      'td',
    ]);
    // Line breaks are kept as line breaks.
    expect(rendered.codes).toEqual([name]);
    expect(rendered.tables[0]?.[1]).toEqual(['User', name]);
  }
});

test('names keep their underscores readable; the raw Markdown of a hostile name holds no markup', () => {
  expect(code('SVC_LOADER').source).toBe('<code>SVC_LOADER</code>');
  expect(code('<img src=x onerror=alert(1)>').source).toBe('<code>&lt;img src=x onerror=alert(1)&gt;</code>');
  expect(code('a|b').source).toBe('<code>a&#124;b</code>');
  expect(code('line one\nline two').source).toBe('<code>line one<br>line two</code>');
});

test('a secret is redacted before it is escaped, so its escaped form cannot slip past', () => {
  maskSecret('pass<word>|with-specials', () => undefined);
  const markdown = document([
    quote('echoed: pass<word>|with-specials'),
    table(['x'], [['pass<word>|with-specials']]),
  ]);
  expect(markdown).not.toMatch(/pass/);
  expect(renderSummary(markdown).text).toContain('echoed: ***');
});

test('markup cannot be made outside the renderer, nor a template faked, nor a cell split by hand', () => {
  expect(() => new Markup(Symbol('markup made by src/report/markup.ts') as never, '<script>')).toThrow(
    /made by src\/report\/markup.ts only/,
  );
  const fake = Object.assign(['<img src=x>'], { raw: ['<img src=x>'] }) as unknown as TemplateStringsArray;
  expect(() => inline(fake)).toThrow(/template tag/);
  expect(() => table(['a'], [[inline`x | y`]])).toThrow(/table cell holds a \|/);
  expect(() =>
    paragraph(inline`two
lines`),
  ).toThrow(/line break/);
});
