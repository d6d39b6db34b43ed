// Faults the control plane injects into the wire protocol (control.ts, Fault): how each one answers, and
// how a request is held by a delay.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { Fault } from './control.js';
import { type Session, send, sfFailure } from './wire.js';
import { encodeEcho, isEchoEncoding } from '../echo.js';

/**
 * A `delay` fault (not `after`) holds the request in front of Snowflake, like a stalled proxy or load
 * balancer: the hold is logged when it starts (ok: false, fault: 'delay'). If the client gave up in the
 * meantime (its socket is gone), the request never reaches the service and is not run; otherwise it runs
 * and is logged again as itself. The "ran, but the reply was lost" case is `after`.
 */
export const clientGone = (req: IncomingMessage): boolean => req.socket.destroyed;
export const HELD_MESSAGE = 'held by a delay fault';

/** A delay fault's wait; unref'd, so a stalled reply does not keep the process alive after close(). */
export const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, ms).unref();
  });

/** What a fault with `echo` quotes back (control.ts, Fault.echo), shown as `echoAs` says. */
function echoOf(fault: Fault, req: IncomingMessage, request: { body: unknown; session?: Session }): string {
  const encoding = fault.echoAs ?? 'json';
  switch (fault.echo) {
    case 'session':
      return `Session: ${encodeEcho(
        {
          sessionId: request.session?.sessionId,
          sessionToken: request.session?.token,
          masterToken: request.session?.masterToken,
        },
        encoding,
      )}`;
    case 'request':
      return `Request: ${encodeEcho(
        { method: req.method, url: req.url, headers: req.headers, body: request.body },
        encoding,
      )}`;
    default:
      return `Request headers: ${encodeEcho({ ...req.headers }, encoding)}`;
  }
}

export function applyFault(
  fault: Fault,
  req: IncomingMessage,
  res: ServerResponse,
  on: 'login' | 'query',
  request: { body: unknown; session?: Session },
): void {
  switch (fault.action) {
    case 'http-500':
    case 'http-503': {
      const status = fault.action === 'http-500' ? 500 : 503;
      res.writeHead(status, { 'Content-Type': 'text/plain' });
      res.end(status === 500 ? 'Internal Server Error' : 'Service Unavailable');
      return;
    }
    case 'reset':
      req.socket.destroy();
      return;
    case 'session-expired':
      // The SDK renews with the master token on 390112 and retries (lib/services/sf.js).
      return send(res, 200, sfFailure('390112', 'Your session has expired. Please login again.'));
    case 'sql-error':
    default: {
      const code = fault.code ?? (on === 'login' ? '390100' : '000603');
      const base =
        fault.message ??
        (on === 'login'
          ? 'Incorrect username or password was specified.'
          : 'SQL execution internal error:\nProcessing aborted due to error 300010:391167117; incident 1234567.');
      const message = fault.echo ? `${base}\n${echoOf(fault, req, request)}` : base;
      return send(
        res,
        200,
        sfFailure(code, message, {
          sqlState: on === 'login' ? '08004' : 'XX000',
          errorCode: code,
          queryId: randomUUID(),
        }),
      );
    }
  }
}

/** A fault as the emulator keeps it: its `match` compiled, and how many more requests it answers. */
export type ArmedFault = Fault & { regex: RegExp; remaining: number };

const FAULT_ACTIONS = ['http-500', 'http-503', 'reset', 'sql-error', 'delay', 'session-expired'];

/** The fault POST /__emulator/faults asks for, ready to arm; or why it is refused. */
export function armFault(f: Fault): ArmedFault | string {
  if (f.on !== 'login' && f.on !== 'query') return 'on must be "login" or "query"';
  if (!FAULT_ACTIONS.includes(f.action)) return `action must be one of ${FAULT_ACTIONS.join(', ')}`;
  if (f.after !== undefined && typeof f.after !== 'boolean') return 'after must be a boolean';
  if (f.echo !== undefined) {
    if (!['headers', 'request', 'session'].includes(f.echo))
      return 'echo must be "headers", "request" or "session"';
    if (f.action !== 'sql-error') return 'echo needs action "sql-error" (the message carries it)';
    if (f.echo === 'session' && f.on !== 'query') return 'echo "session" is for query faults';
  }
  if (f.echoAs !== undefined && (f.echo === undefined || !isEchoEncoding(f.echoAs)))
    return 'echoAs needs echo, and must be one of the encodings in ../echo.ts';
  let regex: RegExp;
  try {
    regex = new RegExp(f.match ?? '', 'i');
  } catch (e) {
    return `match is not a regular expression: ${(e as Error).message}`;
  }
  return { ...f, regex, remaining: f.times ?? Number.POSITIVE_INFINITY };
}
