// The GitHub emulator's HTTP primitives: JSON replies, GitHub's error body, request bodies read and checked the
// way GitHub reports problems with them.
import type { IncomingMessage, ServerResponse } from 'node:http';

export const DOCS = 'https://docs.github.com/rest';

/** A request the emulator refuses: answered with GitHub's error body (or `{error}` on the control plane). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** A delay fault's wait; unref'd, so a stalled reply does not keep the process alive after close(). */
export const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, ms).unref();
  });

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

export function sendEmpty(res: ServerResponse, status: number, headers: Record<string, string> = {}): void {
  res.writeHead(status, headers);
  res.end();
}

/** GitHub's error body: message, documentation_url, and the status as a string ("422"). */
export function sendError(
  res: ServerResponse,
  status: number,
  message: string,
  docs: string,
  headers: Record<string, string> = {},
): void {
  sendJson(res, status, { message, documentation_url: docs, status: String(status) }, headers);
}

export function parseJsonOr(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > 4 * 1024 * 1024) throw new HttpError(413, 'Payload too large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Parses a JSON object body the way GitHub reports problems with it (400, docs "Troubleshooting"). */
export async function readJsonObject(req: IncomingMessage): Promise<Record<string, unknown>> {
  const text = await readBody(req);
  if (text.trim() === '') return {};
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new HttpError(400, 'Problems parsing JSON');
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new HttpError(400, 'Body should be a JSON object');
  }
  return data as Record<string, unknown>;
}

/** JSON-schema style validation messages: `Invalid request.\n\n"key_id" wasn't supplied.`
 * (github/rest-api-description#419). */
export function requireString(body: Record<string, unknown>, field: string): string {
  const value = body[field];
  if (value === undefined || value === null)
    throw new HttpError(422, `Invalid request.\n\n"${field}" wasn't supplied.`);
  if (typeof value !== 'string') {
    throw new HttpError(
      422,
      `Invalid request.\n\nFor 'properties/${field}', ${JSON.stringify(value)} is not a string.`,
    );
  }
  return value;
}
