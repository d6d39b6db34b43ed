// The Snowflake emulator's HTTP server: the wire protocol snowflake-sdk speaks (login, query,
// session close, heartbeat, token renewal, telemetry) plus a control plane for tests under
// /__emulator/. See README.md for what is modelled and the sources.

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { randomBytes, randomUUID } from 'node:crypto';
import { Account } from './account.js';
import type { AccountOptions, ResultSet, SessionContext, User } from './account/model.js';
import { Authenticator, type LoginData } from './auth.js';
import { controlPlane } from './control-plane.js';
import type { Fault, IssuedTokens, LogEntry, TimedRequest } from './control.js';
import { SfError } from './errors.js';
import { type ArmedFault, HELD_MESSAGE, applyFault, clientGone, sleep } from './faults.js';
import { normalizeClientIp } from './network.js';
import { parseScript } from './sql.js';
import {
  MASTER_VALIDITY_S,
  type Session,
  SESSION_VALIDITY_S,
  connectName,
  loginData,
  queryData,
  readBody,
  send,
  sfFailure,
  sfSuccess,
} from './wire.js';

export interface SnowflakeEmulatorOptions {
  port?: number;
  /** The account identifier clients pass; default `testorg-testaccount`. */
  account?: string;
  oidcIssuers?: { issuer: string; jwksUrl: string }[];
  /** The emulator's clock (stored timestamps such as LAST_SET_TIME); default the wall clock. */
  now?: () => Date;
  /** How DESC SECRET spells a generic string secret's type (README, "Databases, schemas and secrets"). */
  descSecretGenericType?: AccountOptions['descSecretGenericType'];
}

export interface SnowflakeEmulator {
  /** http://127.0.0.1:PORT */
  url: string;
  account: string;
  close(): Promise<void>;
}

export class Emulator {
  readonly account: Account;
  readonly auth: Authenticator;
  readonly sessions = new Map<string, Session>();
  readonly masterTokens = new Map<string, Session>();
  /** Every token pair handed out, closed sessions too (GET /__emulator/issued-tokens). */
  readonly issuedTokens: IssuedTokens[] = [];
  log: LogEntry[] = [];
  /** Every wire request (not the control plane), timed, for benchmarks: GET /__emulator/requests. */
  requests: TimedRequest[] = [];
  private requestSeq = 0;
  private readonly timings = new WeakMap<IncomingMessage, TimedRequest>();
  faults: ArmedFault[] = [];
  latencyMs = 0;
  offsetMs = 0;
  /** POST /__emulator/client-ip: the address logins are judged by instead of the socket's. */
  clientIpOverride: string | null = null;
  private seq = 0;
  private sessionSeq = 1_000_000_000_000;
  private readonly baseClock: () => Date;

  constructor(accountId: string, now: (() => Date) | undefined, options: AccountOptions = {}) {
    this.baseClock = now ?? (() => new Date());
    this.account = new Account(accountId, () => this.now(), options);
    this.auth = new Authenticator(this.account);
  }

  now(): Date {
    return new Date(this.baseClock().getTime() + this.offsetMs);
  }

  record(entry: Omit<LogEntry, 'seq' | 'at'>): void {
    this.seq += 1;
    this.log.push({ seq: this.seq, at: this.now().toISOString(), ...entry });
  }

  recordTokens(session: Session): void {
    this.issuedTokens.push({
      sessionId: session.sessionId,
      user: session.user,
      sessionToken: session.token,
      masterToken: session.masterToken,
    });
  }

  takeFault(on: 'login' | 'query', subject: string): Fault | undefined {
    const i = this.faults.findIndex((f) => f.on === on && f.regex.test(subject));
    if (i < 0) return undefined;
    const f = this.faults[i]!;
    if (f.skip !== undefined && f.skip > 0) {
      f.skip -= 1;
      return undefined;
    }
    f.remaining -= 1;
    if (f.remaining <= 0) this.faults.splice(i, 1);
    return f;
  }

  /** The address network policies see: the override if set, else the socket's remote address. */
  clientIp(req: IncomingMessage): string {
    return this.clientIpOverride ?? normalizeClientIp(req.socket.remoteAddress ?? '127.0.0.1');
  }

  newSessionContext(user: string | null, role: string, warehouse: string | null): SessionContext {
    this.sessionSeq += 1;
    return {
      user,
      role,
      warehouse,
      database: null,
      schema: null,
      sessionId: String(this.sessionSeq),
      params: new Map(),
    };
  }

  /** Parses and runs a request's text in a session. Throws SfError. */
  run(sql: string, session: SessionContext, requestParameters?: Record<string, unknown>): ResultSet {
    const statements = parseScript(sql);
    if (statements.length === 0)
      throw new SfError('000900', '42000', 'SQL compilation error:\nEmpty SQL statement.');
    // Several statements need MULTI_STATEMENT_COUNT; with the default of 1, two are refused:
    // `Actual statement count 2 did not match the desired statement count 1.` (000008). Running
    // several statements is not modelled, so any other count is refused the same way.
    const desired = Number(
      requestParameters?.MULTI_STATEMENT_COUNT ?? session.params.get('MULTI_STATEMENT_COUNT') ?? 1,
    );
    if (statements.length !== 1) {
      throw new SfError(
        '000008',
        '0A000',
        `Actual statement count ${statements.length} did not match the desired statement count ${desired}.`,
      );
    }
    return this.account.execute(statements[0]!.statement, session);
  }

  // ------------------------------------------------------------------ wire protocol

  /**
   * A fault taken before the request is served: a delay holds it (logged as held) and lets it through unless
   * the client gave up meanwhile; any other fault answers instead (logged). Returns whether the request is done.
   */
  private async faultBefore(
    fault: Fault,
    req: IncomingMessage,
    res: ServerResponse,
    log: Omit<LogEntry, 'seq' | 'at' | 'ok' | 'code'>,
    request: { body: unknown; session?: Session },
  ): Promise<boolean> {
    if (fault.action === 'delay') {
      this.record({ ...log, ok: false, code: null, fault: 'delay', message: HELD_MESSAGE });
      await sleep(fault.delayMs ?? 1000);
      return clientGone(req);
    }
    const code = log.kind === 'query' && fault.action === 'session-expired' ? '390112' : (fault.code ?? null);
    this.record({ ...log, ok: false, code, fault: fault.action });
    applyFault(fault, req, res, log.kind, request);
    return true;
  }

  async login(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const body = (await readBody(req)) as { data?: LoginData };
    const data = body.data ?? {};
    const loginName = data.LOGIN_NAME ?? '';
    this.annotate(req, { loginName });
    const authenticator = (data.AUTHENTICATOR ?? 'SNOWFLAKE').toUpperCase();
    const clientIp = this.clientIp(req);
    const fault = this.takeFault('login', loginName);
    const logBase = {
      kind: 'login' as const,
      via: 'sdk' as const,
      user: loginName || null,
      role: null,
      authenticator,
      clientIp,
    };
    if (fault && (await this.faultBefore(fault, req, res, logBase, { body }))) return;
    const refuse = (code: string, message: string) =>
      send(
        res,
        200,
        sfFailure(code, message, {
          nextAction: 'RETRY_LOGIN',
          authnMethod: authenticator,
          loginName,
          errorCode: code,
        }),
      );
    const outcome = await this.auth.verify(data, clientIp);
    if (!outcome.ok) {
      this.record({ ...logBase, ok: false, code: outcome.code, message: outcome.detail });
      return refuse(outcome.code, outcome.message);
    }
    const user = outcome.user;
    const { role, granted } = this.loginRole(user, outcome.tokenRole, url.searchParams.get('roleName'));
    if (!granted) {
      const code = '390189';
      this.record({ ...logBase, user: user.name, role, ok: false, code, message: 'role not granted' });
      return refuse(
        code,
        `Role '${role}' specified in the connect string is not granted to this user. Contact your local system administrator, or attempt to login with another role, e.g. PUBLIC.`,
      );
    }
    const warehouseParam = url.searchParams.get('warehouse');
    // The requested (or default) warehouse becomes current only if it exists and the role may use
    // it; otherwise the login succeeds with no current warehouse, like the namespace below.
    const warehouse = this.account.sessionWarehouse(
      warehouseParam ? connectName(warehouseParam) : user.defaultWarehouse,
      role,
    );
    const context = {
      ...this.newSessionContext(user.name, role, warehouse),
      clientIp,
      viaPat: outcome.viaPat,
    };
    this.initialNamespace(context, url, user.defaultNamespace);
    const session = this.openSession(context, user.loginName);
    user.lastSuccessLogin = this.now();
    this.record({ ...logBase, user: user.name, role, ok: true, code: null });
    send(res, 200, sfSuccess(loginData(session, user.displayName ?? user.name)));
  }

  /**
   * The session's role: the connect string's `roleName` if it exists and is granted (and is the token's role,
   * for a token scoped to one); without it, the token's role, else DEFAULT_ROLE if granted, else PUBLIC.
   */
  private loginRole(
    user: User,
    tokenRole: string | null,
    requested: string | null,
  ): { role: string; granted: boolean } {
    const available = this.account.rolesOfUser(user.name);
    if (requested) {
      const role = connectName(requested);
      const granted =
        this.account.roles.has(role) && available.has(role) && (tokenRole === null || tokenRole === role);
      return { role, granted };
    }
    if (tokenRole) return { role: tokenRole, granted: true };
    if (user.defaultRole && this.account.roles.has(user.defaultRole) && available.has(user.defaultRole)) {
      return { role: user.defaultRole, granted: true };
    }
    return { role: 'PUBLIC', granted: true };
  }

  /** A session with its session and master tokens, registered and recorded. */
  private openSession(context: SessionContext, loginName: string): Session {
    const session: Session = {
      ...context,
      token: `ver:1-hint:${context.sessionId}-${randomBytes(24).toString('hex')}`,
      masterToken: `ver:1-hint:${context.sessionId}-${randomBytes(24).toString('hex')}`,
      loginName,
    };
    this.sessions.set(session.token, session);
    this.masterTokens.set(session.masterToken, session);
    this.recordTokens(session);
    return session;
  }

  /**
   * The session's first database and schema: the connect string's `databaseName`/`schemaName`
   * (snowflake-sdk lib/services/sf.js), else the user's DEFAULT_NAMESPACE (`db` or `db.schema`).
   * A name the role cannot use is left unset rather than refusing the login.
   */
  initialNamespace(context: SessionContext, url: URL, defaultNamespace: string | null): void {
    const dbParam = url.searchParams.get('databaseName');
    const schemaParam = url.searchParams.get('schemaName');
    const fromDefault = defaultNamespace ? defaultNamespace.split('.') : [];
    const dbRaw = dbParam || fromDefault[0];
    if (!dbRaw) return;
    const schemaRaw = dbParam ? schemaParam : (fromDefault[1] ?? schemaParam);
    const tryUse = (sql: string) => {
      try {
        this.run(sql, context);
        return true;
      } catch (e) {
        if (e instanceof SfError) return false;
        throw e;
      }
    };
    const quote = (raw: string) => {
      const name = connectName(raw);
      return `"${name.replace(/"/g, '""')}"`;
    };
    if (!tryUse(`USE DATABASE ${quote(dbRaw)}`)) return;
    if (schemaRaw) tryUse(`USE SCHEMA ${quote(dbRaw)}.${quote(schemaRaw)}`);
  }

  sessionOf(req: IncomingMessage, tokens: Map<string, Session>): Session | undefined {
    const m = /Snowflake Token="([^"]*)"/.exec(String(req.headers.authorization ?? ''));
    return m ? tokens.get(m[1]!) : undefined;
  }

  async query(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = (await readBody(req)) as { sqlText?: string; parameters?: Record<string, unknown> };
    const session = this.sessionOf(req, this.sessions);
    const sql = body.sqlText ?? '';
    this.annotate(req, { sql });
    if (!session) {
      this.record({ kind: 'query', via: 'sdk', user: null, role: null, sql, ok: false, code: '390104' });
      return send(
        res,
        200,
        sfFailure('390104', 'Session token invalid. New login required to access the service.'),
      );
    }
    const base = { kind: 'query' as const, via: 'sdk' as const, user: session.user, role: session.role, sql };
    const fault = this.takeFault('query', sql);
    if (fault && !fault.after && (await this.faultBefore(fault, req, res, base, { body, session }))) return;
    // An `after` fault lets the statement run (and be logged with its own outcome), then answers
    // instead of the result: the work was done, the reply was lost.
    const faultAfter = fault?.after ? { fault: fault.action, faultAfter: true as const } : {};
    const reply = this.answer(sql, session, body.parameters, base, faultAfter);
    if (fault?.after) {
      if (fault.action !== 'delay') return applyFault(fault, req, res, 'query', { body, session });
      await sleep(fault.delayMs ?? 1000);
    }
    send(res, 200, reply);
  }

  /** Runs a query request's text and logs its outcome: the reply with its result, or with its error. */
  private answer(
    sql: string,
    session: Session,
    parameters: Record<string, unknown> | undefined,
    log: Omit<LogEntry, 'seq' | 'at' | 'ok' | 'code'>,
    faultAfter: Pick<LogEntry, 'fault' | 'faultAfter'>,
  ): unknown {
    const queryId = randomUUID();
    try {
      const result = this.run(sql, session, parameters);
      this.record({ ...log, ok: true, code: null, ...faultAfter });
      return sfSuccess(queryData(result, session, queryId, sql));
    } catch (e) {
      if (!(e instanceof SfError)) throw e;
      this.record({ ...log, ok: false, code: e.code, message: e.message, ...faultAfter });
      return sfFailure(e.code, e.message, {
        internalError: false,
        errorCode: e.code,
        age: 0,
        sqlState: e.sqlState,
        queryId,
        line: -1,
        pos: -1,
        type: 'COMPILATION',
      });
    }
  }

  async renew(req: IncomingMessage, res: ServerResponse): Promise<void> {
    await readBody(req);
    const session = this.sessionOf(req, this.masterTokens);
    if (!session)
      return send(
        res,
        200,
        sfFailure('390114', 'Authentication token has expired.  The user must authenticate again.'),
      );
    this.sessions.delete(session.token);
    session.token = `ver:1-hint:${session.sessionId}-${randomBytes(24).toString('hex')}`;
    this.sessions.set(session.token, session);
    this.recordTokens(session);
    send(
      res,
      200,
      sfSuccess({
        sessionToken: session.token,
        validityInSecondsST: SESSION_VALIDITY_S,
        masterToken: session.masterToken,
        validityInSecondsMT: MASTER_VALIDITY_S,
        sessionId: Number(session.sessionId),
      }),
    );
  }

  async closeSession(req: IncomingMessage, res: ServerResponse): Promise<void> {
    await readBody(req);
    const session = this.sessionOf(req, this.sessions);
    if (session) {
      this.sessions.delete(session.token);
      this.masterTokens.delete(session.masterToken);
    }
    send(res, 200, sfSuccess(null));
  }

  async heartbeat(req: IncomingMessage, res: ServerResponse): Promise<void> {
    await readBody(req);
    if (!this.sessionOf(req, this.sessions))
      return send(
        res,
        200,
        sfFailure('390104', 'Session token invalid. New login required to access the service.'),
      );
    send(res, 200, sfSuccess(null));
  }

  /**
   * Times a wire request from its arrival (before the injected latency) to the moment its response is done
   * or its connection closed (`status` 0 then), whatever path it takes, logged or not.
   */
  time(req: IncomingMessage, res: ServerResponse, path: string): void {
    this.requestSeq += 1;
    const timed: TimedRequest = {
      seq: this.requestSeq,
      method: req.method ?? 'GET',
      path,
      start: timingClock(),
      end: null,
      status: 0,
    };
    this.requests.push(timed);
    this.timings.set(req, timed);
    res.on('close', () => {
      timed.end = timingClock();
      timed.status = res.writableFinished ? res.statusCode : 0;
    });
  }

  /** Adds what the request turned out to be (statement text, login name) to its timing. */
  annotate(req: IncomingMessage, detail: Pick<TimedRequest, 'sql' | 'loginName'>): void {
    const timed = this.timings.get(req);
    if (timed) Object.assign(timed, detail);
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const path = url.pathname;
    if (path.startsWith('/__emulator/')) return controlPlane(this, req, res, path);
    this.time(req, res, path + url.search);
    if (this.latencyMs > 0) await sleep(this.latencyMs);
    if (req.method !== 'POST') return send(res, 405, { error: 'method not allowed' });
    switch (path) {
      case '/session/v1/login-request':
        return this.login(req, res, url);
      case '/queries/v1/query-request':
        return this.query(req, res);
      case '/session':
        if (url.searchParams.get('delete') === 'true') return this.closeSession(req, res);
        break;
      case '/session/heartbeat':
        return this.heartbeat(req, res);
      case '/session/token-request':
        return this.renew(req, res);
      case '/telemetry/send':
        await readBody(req);
        return send(res, 200, sfSuccess('Log Received'));
    }
    send(res, 404, { error: `no route for ${req.method} ${path}` });
  }
}

export async function startSnowflakeEmulator(
  options: SnowflakeEmulatorOptions = {},
): Promise<SnowflakeEmulator> {
  const account = options.account ?? 'testorg-testaccount';
  const emulator = new Emulator(account, options.now, {
    descSecretGenericType: options.descSecretGenericType,
  });
  for (const { issuer, jwksUrl } of options.oidcIssuers ?? []) emulator.auth.trustIssuer(issuer, jwksUrl);
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    emulator.handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) send(res, 500, { error: String((e as Error)?.stack ?? e) });
      else res.destroy();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    account,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/**
 * The clock of the request timings (GET /__emulator/requests): milliseconds since the epoch, fractional, from
 * the process's monotonic clock. Unlike the log's `at` it ignores the emulated clock's offset, so that it can be
 * compared with the other emulator's timings and with `performance.timeOrigin + performance.now()` elsewhere.
 */
const timingClock = (): number => performance.timeOrigin + performance.now();
