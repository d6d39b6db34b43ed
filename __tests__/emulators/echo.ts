/**
 * How a server, or a proxy or gateway in front of it, quotes a request back inside an error: what the leak
 * cases need, for both emulators' faults (`echoAs`). The quoted part is built as a JSON text (a request's
 * headers, the request as a whole, a session) and then shown the way such error pages and messages show it.
 * Neither Snowflake nor GitHub documents an error that quotes credentials back; these are the shapes a
 * misconfigured proxy, a debugging gateway or a library's error message are seen to take, so that every form
 * a credential can come back in is exercised.
 */
export const ECHO_ENCODINGS = [
  /** The JSON text as is: a header value's quotes come back escaped once (`Token=\"…\"`). */
  'json',
  /** The JSON text inside a JSON string (an error body holding a JSON message): escaped twice (`Token=\\\"…\\\"`). */
  'json-string',
  /** The JSON text URL-encoded (encodeURIComponent), as a redirect or a logged URL carries it. */
  'url',
  /** The fields as an `application/x-www-form-urlencoded` query (`authorization=Snowflake+Token%3D%22…%22`). */
  'form',
  /** The JSON text in base64, as a trace or a debugging header carries a request. */
  'base64',
  /** The JSON text wrapped at 64 columns, as a fixed-width log or a PEM-like dump splits it. */
  'wrapped',
  /** The JSON text as a SQL string literal (quotes doubled), inside a quoted syntax error. */
  'sql-quoted',
] as const;

export type EchoEncoding = (typeof ECHO_ENCODINGS)[number];

export function isEchoEncoding(value: unknown): value is EchoEncoding {
  return (ECHO_ENCODINGS as readonly unknown[]).includes(value);
}

/** `quoted` shown the way `encoding` names. */
export function encodeEcho(quoted: Record<string, unknown>, encoding: EchoEncoding): string {
  const json = JSON.stringify(quoted);
  switch (encoding) {
    case 'json':
      return json;
    case 'json-string':
      return JSON.stringify(json);
    case 'url':
      return encodeURIComponent(json);
    case 'form':
      return new URLSearchParams(flatten(quoted)).toString();
    case 'base64':
      return Buffer.from(json, 'utf8').toString('base64');
    case 'wrapped':
      return (json.match(/[\s\S]{1,64}/g) ?? []).join('\n');
    case 'sql-quoted':
      return `'${json.replace(/'/g, "''")}'`;
  }
}

/** Nested fields as `a.b` names, each value a string (non-strings as JSON), for form encoding. */
function flatten(value: Record<string, unknown>, prefix = ''): [string, string][] {
  return Object.entries(value).flatMap(([name, item]): [string, string][] => {
    const key = prefix === '' ? name : `${prefix}.${name}`;
    if (item !== null && typeof item === 'object' && !Array.isArray(item))
      return flatten(item as Record<string, unknown>, key);
    return [[key, typeof item === 'string' ? item : JSON.stringify(item)]];
  });
}
