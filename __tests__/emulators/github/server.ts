// GitHub emulator: the REST endpoints this project uses (Actions secrets and variables for repositories,
// environments and organizations; repositories, environments, organizations), the runner's OIDC token
// endpoint with its JWKS, and a control plane under /__emulator for tests. One HTTP server on 127.0.0.1.
//
// Behaviour and wording come from GitHub's documentation and from responses quoted in public issues; each
// rule cites its source where it is applied and in README.md. Where GitHub's exact wording is unknown, the
// comment says so. This module is the server: every request logged and timed, faults and latency applied,
// then the control plane (control-endpoints.ts), the OIDC endpoint (id-tokens.ts) or REST (rest.ts).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import sodium from 'libsodium-wrappers';
import { GitHubControl, type LogEntry, type TimedRequest } from './control.js';
import { type EmulatorRuntime, handleControl } from './control-endpoints.js';
import { faultAfter, faultBefore, takeFault } from './faults.js';
import { DOCS, HttpError, sendError, sendJson, sleep } from './http.js';
import { IdTokenIssuer } from './id-tokens.js';
import { GITHUB_OIDC_ISSUER } from './oidc.js';
import { handleRest } from './rest.js';
import { GitHubState } from './state.js';

export interface GitHubEmulator {
  /** http://127.0.0.1:PORT, the value for GITHUB_API_URL. */
  url: string;
  oidc: {
    issuer: typeof GITHUB_OIDC_ISSUER;
    jwksUrl: string;
    /** Value for ACTIONS_ID_TOKEN_REQUEST_URL (already has a query string, as the runner's does). */
    requestUrl: string;
  };
  /** Control-plane client bound to this emulator. */
  control: GitHubControl;
  close(): Promise<void>;
}

/** Request numbers for the log and the timings; they keep counting across a control-plane reset. */
interface Counters {
  log: number;
  requests: number;
}

const timingClock = (): number => performance.timeOrigin + performance.now();

/**
 * Logs a REST or OIDC request and times it from arrival to the end of its response. The clock is the
 * process's monotonic one in milliseconds since the epoch, comparable with the Snowflake emulator's timings
 * and with `performance.timeOrigin + performance.now()` in other processes.
 */
function record(
  runtime: EmulatorRuntime,
  counters: Counters,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): LogEntry {
  const method = req.method ?? 'GET';
  const path = url.pathname + url.search;
  const timed: TimedRequest = {
    seq: ++counters.requests,
    method,
    path,
    start: timingClock(),
    end: null,
    status: 0,
  };
  runtime.requests.push(timed);
  res.on('close', () => {
    timed.end = timingClock();
    timed.status = res.writableFinished ? res.statusCode : 0;
  });
  const entry: LogEntry = {
    seq: ++counters.log,
    time: new Date().toISOString(),
    method,
    path,
    status: 0,
    tokenId: null,
    apiVersion: null,
  };
  runtime.log.push(entry);
  res.on('finish', () => {
    entry.status = res.statusCode;
  });
  return entry;
}

export async function startGitHubEmulator(options: { port?: number } = {}): Promise<GitHubEmulator> {
  await sodium.ready;
  const state = new GitHubState();
  const runtime: EmulatorRuntime = {
    state,
    idTokens: new IdTokenIssuer(state),
    faults: [],
    latencyMs: 0,
    log: [],
    requests: [],
  };
  const counters: Counters = { log: 0, requests: 0 };
  let base = '';

  /** The OIDC endpoint or REST; an error none of them answered becomes GitHub's error body. */
  const route = async (
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    entry: LogEntry,
  ): Promise<void> => {
    try {
      if (runtime.idTokens.handle(req, res, url, entry, base)) return;
      await handleRest(req, res, url, entry, { state, base });
    } catch (e) {
      if (res.headersSent) return;
      if (e instanceof HttpError) return sendError(res, e.status, e.message, DOCS, e.headers);
      sendError(res, 500, `Server Error: ${(e as Error).message}`, DOCS);
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', base || 'http://127.0.0.1');
    if (url.pathname === '/__emulator' || url.pathname.startsWith('/__emulator/')) {
      try {
        await handleControl(req, res, url, runtime);
      } catch (e) {
        const status = e instanceof HttpError ? e.status : 500;
        sendJson(res, status, { error: (e as Error).message });
      }
      return;
    }
    const entry = record(runtime, counters, req, res, url);
    if (runtime.latencyMs > 0) await sleep(runtime.latencyMs);
    const fault = takeFault(runtime.faults, req.method ?? 'GET', url.pathname);
    if (fault) {
      entry.fault = fault.action;
      if (fault.after) return faultAfter(req, res, entry, fault, () => route(req, res, url, entry));
      if (await faultBefore(req, res, fault)) return;
    }
    await route(req, res, url, entry);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { message: String(e) });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  base = `http://127.0.0.1:${port}`;

  return {
    url: base,
    oidc: {
      issuer: GITHUB_OIDC_ISSUER,
      jwksUrl: `${base}/.well-known/jwks`,
      requestUrl: `${base}/_apis/distributedtask/hubs/Actions/plans/00000000-0000-0000-0000-000000000000/jobs/00000000-0000-0000-0000-000000000000/idtoken?api-version=2.0`,
    },
    control: new GitHubControl(base),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
