// Injected faults (FaultSpec in control.ts): checked when the control plane sets them, chosen for each REST or
// OIDC request, and answered in front of the API or, for an `after` fault, once the request was carried out.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FaultSpec, LogEntry } from './control.js';
import { type EchoEncoding, encodeEcho, isEchoEncoding } from '../echo.js';
import { DOCS, HttpError, parseJsonOr, readBody, sendError, sendJson, sleep } from './http.js';

/** A fault set by the control plane: its pattern compiled, and how many more requests it applies to. */
export type ArmedFault = FaultSpec & { regex: RegExp; remaining: number };

const FAULT_ACTIONS: FaultSpec['action'][] = [
  'http-500',
  'http-503',
  'reset',
  'delay',
  'http-error',
  'respond',
];

/** A fault from a control-plane body, refused (400) when it is not one the emulator can apply. */
export function armFault(body: Record<string, unknown>): ArmedFault {
  const action = body.action;
  if (typeof body.match !== 'string') throw new HttpError(400, '"match" (regular expression) is required');
  if (!FAULT_ACTIONS.includes(action as FaultSpec['action'])) {
    throw new HttpError(400, `"action" must be one of ${FAULT_ACTIONS.join(', ')}`);
  }
  if (action === 'http-error' && !(Number(body.status) >= 400 && Number(body.status) <= 599))
    throw new HttpError(400, 'http-error needs a "status" from 400 to 599');
  if (body.echo !== undefined && (!['body', 'request'].includes(String(body.echo)) || body.after === true))
    throw new HttpError(400, '"echo" must be body or request, and cannot be combined with "after"');
  if (body.echoAs !== undefined && (body.echo === undefined || !isEchoEncoding(body.echoAs)))
    throw new HttpError(400, '"echoAs" needs "echo", and must be one of the encodings in ../echo.ts');
  let regex: RegExp;
  try {
    regex = new RegExp(body.match);
  } catch (e) {
    throw new HttpError(400, `invalid "match": ${(e as Error).message}`);
  }
  if (body.after !== undefined && typeof body.after !== 'boolean')
    throw new HttpError(400, '"after" must be a boolean');
  const times = body.times === undefined ? Infinity : Number(body.times);
  return { ...(body as unknown as FaultSpec), regex, remaining: times };
}

/** The first fault matching `METHOD /path` that applies to this request (past its `skip`), counted as used. */
export function takeFault(faults: ArmedFault[], method: string, pathname: string): ArmedFault | undefined {
  const fault = faults.find((f) => f.remaining > 0 && f.regex.test(`${method} ${pathname}`));
  if (fault?.skip !== undefined && fault.skip > 0) {
    fault.skip -= 1;
    return undefined;
  }
  if (fault) fault.remaining -= 1;
  return fault;
}

/** The status and message of an error-answering fault (http-500, http-503, http-error). */
function faultError(fault: FaultSpec): { status: number; message: string } {
  const status =
    fault.action === 'http-error' ? Number(fault.status) : fault.action === 'http-500' ? 500 : 503;
  const reasons: Record<number, string> = {
    422: 'Validation Failed',
    500: 'Server Error',
    503: 'Service Unavailable',
  };
  return { status, message: fault.message ?? reasons[status] ?? `HTTP ${status}` };
}

/**
 * A fault's message echoing the request (FaultSpec.echo): its body, or its request line, headers and body; as
 * text, or with `echoAs` as a JSON text shown in that encoding (../echo.ts).
 */
async function echoRequest(
  req: IncomingMessage,
  message: string,
  echo: 'body' | 'request',
  echoAs: EchoEncoding | undefined,
): Promise<string> {
  const body = await readBody(req);
  if (echoAs !== undefined) {
    const parsed = parseJsonOr(body);
    const quoted =
      echo === 'body'
        ? { body: parsed }
        : { method: req.method, url: req.url, headers: req.headers, body: parsed };
    return `${message}\n\n${encodeEcho(quoted, echoAs)}`;
  }
  if (echo === 'body') return `${message}\n\n${body}`;
  const headers = Object.entries(req.headers).map(([name, value]) => `${name}: ${String(value)}`);
  return `${message}\n\n${req.method ?? 'GET'} ${req.url ?? '/'}\n${headers.join('\n')}\n\n${body}`;
}

/**
 * A fault in front of the API (not `after`). True when it answered, so the request goes no further; false for
 * a delay the client waited out, after which the request is handled.
 */
export async function faultBefore(
  req: IncomingMessage,
  res: ServerResponse,
  fault: FaultSpec,
): Promise<boolean> {
  if (fault.action === 'reset') {
    req.socket.destroy();
    return true;
  }
  if (fault.action === 'delay') {
    await sleep(fault.delayMs ?? 1000);
    // Held in front of the API (a stalled proxy or load balancer): a client that gave up in the meantime
    // never reached GitHub, so nothing is done. The reply-lost case is `after`.
    return req.socket.destroyed;
  }
  if (fault.action === 'respond') {
    sendJson(res, fault.status ?? 200, fault.body ?? {});
    return true;
  }
  const { status, message } = faultError(fault);
  const text = fault.echo ? await echoRequest(req, message, fault.echo, fault.echoAs) : message;
  sendError(res, status, text, DOCS);
  return true;
}

/**
 * An `after` fault: the request is handled in full by `handle` (a secret is stored, a variable written) with
 * the response captured instead of sent; then the fault replaces it (http-500/http-503/reset), or, for
 * delay, the captured response is sent after `delayMs`. The status the emulator would have answered is
 * logged as `handledStatus`.
 */
export async function faultAfter(
  req: IncomingMessage,
  res: ServerResponse,
  entry: LogEntry,
  fault: FaultSpec,
  handle: () => Promise<void>,
): Promise<void> {
  let head: Parameters<ServerResponse['writeHead']> | undefined;
  let body: unknown;
  // Every route answers through writeHead + end (sendJson, sendEmpty); hold both back.
  const holder = res as unknown as Record<'writeHead' | 'end', unknown>;
  holder.writeHead = (...args: Parameters<ServerResponse['writeHead']>) => {
    head = args;
    return res;
  };
  holder.end = (chunk?: unknown) => {
    if (typeof chunk !== 'function') body = chunk;
    return res;
  };
  try {
    await handle();
  } finally {
    delete holder.writeHead;
    delete holder.end;
  }
  entry.faultAfter = true;
  if (head) entry.handledStatus = head[0];
  if (fault.action === 'reset') {
    req.socket.destroy();
    return;
  }
  if (fault.action === 'delay') {
    await sleep(fault.delayMs ?? 1000);
    if (!head) return sendError(res, 500, 'Server Error: no response', DOCS);
    res.writeHead(...head);
    res.end(body as string | Buffer | undefined);
    return;
  }
  if (fault.action === 'respond') return sendJson(res, fault.status ?? 200, fault.body ?? {});
  const { status, message } = faultError(fault);
  sendError(res, status, message, DOCS);
}
