// The emulator's control plane for tests (/__emulator/*, client in control.ts): one handler a route.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { SfError } from './errors.js';
import { parseIpv4 } from './network.js';
import type { Fault, RegisteredToken } from './control.js';
import { armFault } from './faults.js';
import type { Emulator } from './server.js';
import { controlRows, readBody, send } from './wire.js';

/** A control-plane answer: HTTP status and JSON body. */
type Reply = [status: number, body: unknown];
type Route = (emulator: Emulator, body: Record<string, unknown>) => Reply;

const done: Reply = [200, { ok: true }];
const bad = (message: string): Reply => [400, { error: { code: 'bad-request', message } }];
const clock = (e: Emulator): Reply => [200, { now: e.now().toISOString(), offsetMs: e.offsetMs }];

/** POST /__emulator/sql: a statement run as no user, in ACCOUNTADMIN unless `role` says otherwise. */
const runSql: Route = (e, body) => {
  if (typeof body.sql !== 'string') return bad('sql must be a string');
  const role = typeof body.role === 'string' ? body.role : 'ACCOUNTADMIN';
  const session = e.newSessionContext(null, role, null);
  const base = { kind: 'query' as const, via: 'control' as const, user: null, role, sql: body.sql };
  try {
    const result = e.run(body.sql, session);
    e.record({ ...base, ok: true, code: null });
    return [200, { rows: controlRows(result) }];
  } catch (err) {
    if (!(err instanceof SfError)) throw err;
    e.record({ ...base, ok: false, code: err.code, message: err.message });
    return [200, { error: { code: err.code, sqlState: err.sqlState, message: err.message } }];
  }
};

/** POST /__emulator/tokens: an OAuth token or a PAT logins may present. */
const registerToken: Route = (e, body) => {
  const t = body as unknown as RegisteredToken;
  if ((t.type !== 'oauth' && t.type !== 'pat') || typeof t.token !== 'string' || typeof t.user !== 'string') {
    return bad('need type ("oauth" | "pat"), token and user');
  }
  if (t.networkPolicyRequired !== undefined && typeof t.networkPolicyRequired !== 'boolean') {
    return bad('networkPolicyRequired must be a boolean');
  }
  const evaluations = ['ENFORCED_REQUIRED', 'ENFORCED_NOT_REQUIRED', 'NOT_ENFORCED'];
  if (t.networkPolicyEvaluation !== undefined && !evaluations.includes(t.networkPolicyEvaluation)) {
    return bad(`networkPolicyEvaluation must be one of ${evaluations.join(', ')}`);
  }
  e.auth.tokens.push({
    type: t.type,
    token: t.token,
    user: t.user,
    role: t.role,
    expiresAt: t.expiresAt,
    networkPolicyRequired: t.networkPolicyRequired,
    networkPolicyEvaluation: t.networkPolicyEvaluation,
  });
  return done;
};

const ROUTES: Record<string, Route> = {
  'POST /__emulator/sql': runSql,
  'GET /__emulator/secrets': (e) => [
    200,
    e.account.allSecrets().map((x) => ({
      database: x.database,
      schema: x.schema,
      name: x.name,
      fullName: x.fullName,
      type: x.type,
      secretString: x.secretString,
      username: x.username,
      password: x.password,
      comment: x.comment,
      owner: x.owner,
      createdOn: x.createdOn.toISOString(),
    })),
  ],
  'GET /__emulator/log': (e) => [200, e.log],
  'GET /__emulator/issued-tokens': (e) => [200, e.issuedTokens],
  'GET /__emulator/requests': (e) => [200, e.requests],
  'DELETE /__emulator/requests': (e) => {
    e.requests = [];
    return done;
  },
  'DELETE /__emulator/log': (e) => {
    e.log = [];
    return done;
  },
  'POST /__emulator/faults': (e, body) => {
    const armed = armFault(body as unknown as Fault);
    if (typeof armed === 'string') return bad(armed);
    e.faults.push(armed);
    return done;
  },
  'DELETE /__emulator/faults': (e) => {
    e.faults = [];
    return done;
  },
  'POST /__emulator/latency': (e, body) => {
    if (typeof body.ms !== 'number' || body.ms < 0) return bad('ms must be a non-negative number');
    e.latencyMs = body.ms;
    return done;
  },
  'POST /__emulator/tokens': registerToken,
  'POST /__emulator/oidc-issuers': (e, body) => {
    if (typeof body.issuer !== 'string' || typeof body.jwksUrl !== 'string')
      return bad('need issuer and jwksUrl');
    e.auth.trustIssuer(body.issuer, body.jwksUrl);
    return done;
  },
  'POST /__emulator/clock': (e, body) => {
    if (typeof body.offsetMs !== 'number') return bad('offsetMs must be a number');
    e.offsetMs = body.offsetMs;
    return clock(e);
  },
  'GET /__emulator/clock': clock,
  'POST /__emulator/client-ip': (e, body) => {
    // Network policies know IPv4 only (docs, "CREATE NETWORK POLICY").
    if (typeof body.ip !== 'string' || parseIpv4(body.ip) === null) {
      return bad('ip must be an IPv4 address such as "203.0.113.7"');
    }
    e.clientIpOverride = body.ip;
    return [200, { ip: e.clientIpOverride }];
  },
  'DELETE /__emulator/client-ip': (e) => {
    e.clientIpOverride = null;
    return [200, { ip: null }];
  },
  'GET /__emulator/client-ip': (e) => [200, { ip: e.clientIpOverride }],
};

export async function controlPlane(
  emulator: Emulator,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
): Promise<void> {
  const method = req.method ?? 'GET';
  const body = method === 'POST' ? ((await readBody(req)) as Record<string, unknown>) : {};
  const key = `${method} ${path}`;
  const route = Object.hasOwn(ROUTES, key) ? ROUTES[key] : undefined;
  if (!route) {
    return send(res, 404, {
      error: { code: 'not-found', message: `${method} ${path} is not a control endpoint` },
    });
  }
  const [status, reply] = route(emulator, body);
  send(res, status, reply);
}
