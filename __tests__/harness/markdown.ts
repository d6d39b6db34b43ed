import { Marked } from 'marked';

/**
 * A job summary as a reader sees it: rendered from GitHub-flavoured Markdown to HTML by `marked` (GFM: tables,
 * raw HTML passed through, autolinks), then read back as its elements and its visible text. marked escapes
 * every `<` of text it outputs, so each `<` in its HTML starts a tag: the tags can be listed without an HTML
 * parser, and anything that looks like markup but is not a complete tag fails the reading.
 */

export interface Element {
  name: string;
  attributes: Record<string, string>;
}

export interface RenderedSummary {
  html: string;
  /** Every opening tag, in order, with its attributes decoded. */
  elements: Element[];
  /** What a reader sees: tags removed, `<br>` and block ends as line breaks, references decoded. */
  text: string;
  /** Each table as rows of cell texts, the header row first. */
  tables: string[][][];
  /** The text of each `<code>` element, in order. */
  codes: string[];
}

/** The elements the action's summaries are made of; anything else came from a value. */
export const SUMMARY_ELEMENTS = [
  'h3',
  'h4',
  'p',
  'strong',
  'code',
  'br',
  'sub',
  'blockquote',
  'table',
  'thead',
  'tbody',
  'tr',
  'th',
  'td',
  'details',
  'summary',
];

const TAG =
  /<(\/?)([A-Za-z][A-Za-z0-9-]*)((?:\s+[^\s"'>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?)*)\s*(\/?)>/g;
const ATTRIBUTE = /([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g;

export function renderSummary(markdown: string): RenderedSummary {
  const html = new Marked({ gfm: true, breaks: false }).parse(markdown, { async: false });
  const elements: Element[] = [];
  for (const match of html.matchAll(TAG)) {
    if (match[1] === '/') continue;
    const attributes: Record<string, string> = {};
    for (const attribute of (match[3] ?? '').matchAll(ATTRIBUTE)) {
      attributes[(attribute[1] ?? '').toLowerCase()] = decode(
        attribute[2] ?? attribute[3] ?? attribute[4] ?? '',
      );
    }
    elements.push({ name: (match[2] ?? '').toLowerCase(), attributes });
  }
  const rest = html.replace(TAG, '');
  if (rest.includes('<')) throw new Error(`The rendered summary holds a '<' that is not a tag:\n${html}`);
  const tables = [...html.matchAll(/<table>([\s\S]*?)<\/table>/g)].map((table) =>
    [...(table[1] ?? '').matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((row) =>
      [...(row[1] ?? '').matchAll(/<t[hd](?:\s[^>]*)?>([\s\S]*?)<\/t[hd]>/g)].map((cell) =>
        textOf(cell[1] ?? ''),
      ),
    ),
  );
  const codes = [...html.matchAll(/<code(?:\s[^>]*)?>([\s\S]*?)<\/code>/g)].map((code) =>
    textOf(code[1] ?? ''),
  );
  return { html, elements, text: textOf(html), tables, codes };
}

/** Visible text of an HTML fragment: `<br>` and the ends of blocks as line breaks, other tags removed. */
function textOf(html: string): string {
  return decode(
    html
      .replace(/<br\s*\/?>/gi, '\n')
      .replace(/<\/(p|h[1-6]|tr|blockquote|summary|details|table)>/gi, '\n')
      .replace(/<\/t[hd]>/gi, '\t')
      .replace(TAG, ''),
  );
}

const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

/** HTML character references, decoded in one pass (so `&amp;lt;` reads as `&lt;`). */
export function decode(text: string): string {
  return text.replace(/&(?:#(\d+)|#[xX]([0-9A-Fa-f]+)|([A-Za-z]+));/g, (reference, decimal, hex, name) => {
    if (decimal !== undefined) return String.fromCodePoint(Number(decimal));
    if (hex !== undefined) return String.fromCodePoint(parseInt(hex as string, 16));
    return NAMED[name as string] ?? reference;
  });
}
