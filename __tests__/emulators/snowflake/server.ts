// The Snowflake emulator's HTTP server: the wire protocol snowflake-sdk speaks (login, query,
// session close, heartbeat, token renewal, telemetry) plus a control plane for tests under
// /__emulator/. See README.md for what is modelled and the sources.

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { randomBytes, randomUUID } from 'node:crypto';
import { gunzipSync, inflateSync } from 'node:zlib';
import { Account } from './account.js';
import {
  type AccountOptions,
  DEFAULT_TIMEZONE,
  type Cell,
  type ResultSet,
  type SessionContext,
} from './account/model.js';
import { Authenticator, type LoginData } from './auth.js';
import { normalizeClientIp, parseIpv4 } from './network.js';
import { SfError } from './errors.js';
import { parseScript } from './sql.js';
import type { Fault, IssuedTokens, LogEntry, RegisteredToken, TimedRequest } from './control.js';
import { encodeEcho, isEchoEncoding } from '../echo.js';

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

interface Session extends SessionContext {
  token: string;
  masterToken: string;
  loginName: string;
}

// Values snowflake-sdk reads from `parameters` (lib/parameters.js, lib/connection/result/column.js):
// the timestamp formats are Snowflake's documented defaults.
const BASE_PARAMETERS: Record<string, string | number | boolean> = {
  TIMESTAMP_OUTPUT_FORMAT: 'YYYY-MM-DD HH24:MI:SS.FF3 TZHTZM',
  TIMESTAMP_NTZ_OUTPUT_FORMAT: 'YYYY-MM-DD HH24:MI:SS.FF3',
  TIMESTAMP_LTZ_OUTPUT_FORMAT: '',
  TIMESTAMP_TZ_OUTPUT_FORMAT: '',
  DATE_OUTPUT_FORMAT: 'YYYY-MM-DD',
  TIME_OUTPUT_FORMAT: 'HH24:MI:SS',
  BINARY_OUTPUT_FORMAT: 'HEX',
  CLIENT_TIMESTAMP_TYPE_MAPPING: 'TIMESTAMP_LTZ',
  CLIENT_SESSION_KEEP_ALIVE: false,
  CLIENT_SESSION_KEEP_ALIVE_HEARTBEAT_FREQUENCY: 3600,
  CLIENT_RESULT_CHUNK_SIZE: 160,
  CLIENT_PREFETCH_THREADS: 4,
  JS_TREAT_INTEGER_AS_BIGINT: false,
  QUERY_CONTEXT_CACHE_SIZE: 5,
  AUTOCOMMIT: true,
};

const SESSION_VALIDITY_S = 3600;
const MASTER_VALIDITY_S = 14400;

function parameterList(session: SessionContext | null): { name: string; value: string | number | boolean }[] {
  const out = Object.entries(BASE_PARAMETERS).map(([name, value]) => ({ name, value }));
  out.push({ name: 'TIMEZONE', value: session?.params.get('TIMEZONE') ?? DEFAULT_TIMEZONE });
  if (session) {
    for (const [name, value] of session.params) {
      if (name === 'TIMEZONE') continue;
      const i = out.findIndex((p) => p.name === name);
      if (i >= 0) out[i] = { name, value };
      else out.push({ name, value });
    }
  }
  return out;
}

/**
 * A cell on the wire. Every value is a string or null (notes, "Wire protocol"); timestamp_ltz is
 * seconds since the epoch with `scale` fraction digits, which the SDK converts with the session's
 * TIMEZONE (lib/connection/result/column.js, convertRawTimestampLtz).
 */
function wireCell(cell: Cell, scale: number): string | null {
  if (cell === null) return null;
  if (cell instanceof Date) {
    const ms = cell.getTime();
    const seconds = Math.floor(ms / 1000);
    const fraction = String(ms - seconds * 1000).padStart(3, '0');
    return scale <= 0 ? String(seconds) : `${seconds}.${fraction.padEnd(scale, '0').slice(0, scale)}`;
  }
  return cell;
}

function rowtype(result: ResultSet) {
  return result.columns.map((c) => {
    const base = {
      name: c.name,
      database: '',
      schema: '',
      table: '',
      nullable: true,
      collation: null,
    };
    switch (c.type) {
      case 'text':
        return {
          ...base,
          type: 'text',
          byteLength: 16777216,
          length: 16777216,
          scale: null,
          precision: null,
        };
      case 'fixed':
        return { ...base, type: 'fixed', byteLength: null, length: null, scale: c.scale ?? 0, precision: 38 };
      case 'boolean':
        return { ...base, type: 'boolean', byteLength: null, length: null, scale: null, precision: null };
      case 'timestamp_ltz':
        return {
          ...base,
          type: 'timestamp_ltz',
          byteLength: null,
          length: null,
          scale: c.scale ?? 3,
          precision: 0,
        };
    }
  });
}

function controlRows(result: ResultSet): Record<string, unknown>[] {
  return result.rows.map((row) => {
    const o: Record<string, unknown> = {};
    result.columns.forEach((c, i) => {
      const cell = row[i] ?? null;
      o[c.name] =
        cell instanceof Date
          ? cell.toISOString()
          : c.type === 'boolean' && cell !== null
            ? cell === '1'
            : cell;
    });
    return o;
  });
}

/** A connect-string name (roleName, warehouse): unquoted upper-cased, "quoted" kept. */
function connectName(raw: string): string {
  const m = /^"(.*)"$/s.exec(raw);
  return m ? m[1]!.replace(/""/g, '"') : raw.toUpperCase();
}

/**
 * A `delay` fault (not `after`) holds the request in front of Snowflake, like a stalled proxy or load
 * balancer: the hold is logged when it starts (ok: false, fault: 'delay'). If the client gave up in the
 * meantime (its socket is gone), the request never reaches the service and is not run; otherwise it runs
 * and is logged again as itself. The "ran, but the reply was lost" case is `after`.
 */
const clientGone = (req: IncomingMessage): boolean => req.socket.destroyed;
const HELD_MESSAGE = 'held by a delay fault';

/** A delay fault's wait; unref'd, so a stalled reply does not keep the process alive after close(). */
/**
 * The clock of the request timings (GET /__emulator/requests): milliseconds since the epoch, fractional, from
 * the process's monotonic clock. Unlike the log's `at` it ignores the emulated clock's offset, so that it can be
 * compared with the other emulator's timings and with `performance.timeOrigin + performance.now()` elsewhere.
 */
const timingClock = (): number => performance.timeOrigin + performance.now();

const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, ms).unref();
  });

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  let buf = Buffer.concat(chunks);
  // snowflake-sdk gzips every request body (lib/http/base.js, prepareRequestOptions).
  const encoding = String(req.headers['content-encoding'] ?? '').toLowerCase();
  if (encoding === 'gzip') buf = gunzipSync(buf);
  else if (encoding === 'deflate') buf = inflateSync(buf);
  if (buf.length === 0) return {};
  return JSON.parse(buf.toString('utf8')) as unknown;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

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

function sfFailure(code: string, message: string, data: Record<string, unknown> | null = null) {
  return { data, code, message, success: false, headers: null };
}

class Emulator {
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
  faults: (Fault & { regex: RegExp; remaining: number })[] = [];
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
    if (fault) {
      if (fault.action === 'delay') {
        this.record({ ...logBase, ok: false, code: null, fault: 'delay', message: HELD_MESSAGE });
        await sleep(fault.delayMs ?? 1000);
        if (clientGone(req)) return;
      } else {
        this.record({ ...logBase, ok: false, code: fault.code ?? null, fault: fault.action });
        return this.applyFault(fault, req, res, 'login', { body });
      }
    }
    const outcome = await this.auth.verify(data, clientIp);
    if (!outcome.ok) {
      this.record({ ...logBase, ok: false, code: outcome.code, message: outcome.detail });
      return send(
        res,
        200,
        sfFailure(outcome.code, outcome.message, {
          nextAction: 'RETRY_LOGIN',
          authnMethod: authenticator,
          loginName,
          errorCode: outcome.code,
        }),
      );
    }
    const user = outcome.user;
    const available = this.account.rolesOfUser(user.name);
    const requested = url.searchParams.get('roleName');
    let role: string;
    if (requested) {
      role = connectName(requested);
      if (
        !this.account.roles.has(role) ||
        !available.has(role) ||
        (outcome.tokenRole !== null && outcome.tokenRole !== role)
      ) {
        const code = '390189';
        this.record({ ...logBase, user: user.name, role, ok: false, code, message: 'role not granted' });
        return send(
          res,
          200,
          sfFailure(
            code,
            `Role '${role}' specified in the connect string is not granted to this user. Contact your local system administrator, or attempt to login with another role, e.g. PUBLIC.`,
            { nextAction: 'RETRY_LOGIN', authnMethod: authenticator, loginName, errorCode: code },
          ),
        );
      }
    } else if (outcome.tokenRole) role = outcome.tokenRole;
    else if (
      user.defaultRole &&
      this.account.roles.has(user.defaultRole) &&
      available.has(user.defaultRole)
    ) {
      role = user.defaultRole;
    } else role = 'PUBLIC';
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
    const session: Session = {
      ...context,
      token: `ver:1-hint:${context.sessionId}-${randomBytes(24).toString('hex')}`,
      masterToken: `ver:1-hint:${context.sessionId}-${randomBytes(24).toString('hex')}`,
      loginName: user.loginName,
    };
    this.sessions.set(session.token, session);
    this.masterTokens.set(session.masterToken, session);
    this.recordTokens(session);
    user.lastSuccessLogin = this.now();
    this.record({ ...logBase, user: user.name, role, ok: true, code: null });
    send(res, 200, {
      data: {
        masterToken: session.masterToken,
        token: session.token,
        validityInSeconds: SESSION_VALIDITY_S,
        masterValidityInSeconds: MASTER_VALIDITY_S,
        displayUserName: user.displayName ?? user.name,
        serverVersion: '9.0.0',
        firstLogin: false,
        remMeToken: null,
        remMeValidityInSeconds: 0,
        healthCheckInterval: 45,
        newClientForUpgrade: null,
        sessionId: Number(session.sessionId),
        parameters: parameterList(session),
        sessionInfo: {
          databaseName: session.database,
          schemaName: session.schema,
          warehouseName: warehouse,
          roleName: role,
        },
        idToken: null,
        idTokenValidityInSeconds: 0,
        responseData: null,
        mfaToken: null,
        mfaTokenValidityInSeconds: 0,
      },
      code: null,
      message: null,
      success: true,
    });
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
    if (fault && !fault.after) {
      if (fault.action === 'delay') {
        this.record({ ...base, ok: false, code: null, fault: 'delay', message: HELD_MESSAGE });
        await sleep(fault.delayMs ?? 1000);
        if (clientGone(req)) return;
      } else {
        this.record({
          ...base,
          ok: false,
          code: fault.action === 'session-expired' ? '390112' : (fault.code ?? null),
          fault: fault.action,
        });
        return this.applyFault(fault, req, res, 'query', { body, session });
      }
    }
    // An `after` fault lets the statement run (and be logged with its own outcome), then answers
    // instead of the result: the work was done, the reply was lost.
    const faultAfter = fault?.after ? { fault: fault.action, faultAfter: true as const } : {};
    const queryId = randomUUID();
    let reply: unknown;
    try {
      const result = this.run(sql, session, body.parameters);
      this.record({ ...base, ok: true, code: null, ...faultAfter });
      const rows = result.rows.map((row) =>
        row.map((cell, i) => wireCell(cell, result.columns[i]?.scale ?? 3)),
      );
      const isSelect = /^\s*(select|show|desc)/i.test(sql);
      reply = {
        data: {
          parameters: parameterList(session),
          rowtype: rowtype(result),
          rowset: rows,
          total: rows.length,
          returned: rows.length,
          queryId,
          databaseProvider: null,
          finalDatabaseName: session.database,
          finalSchemaName: session.schema,
          finalWarehouseName: session.warehouse,
          finalRoleName: session.role,
          numberOfBinds: 0,
          arrayBindSupported: false,
          statementTypeId: isSelect ? 4096 : 24576,
          version: 1,
          sendResultTime: Date.now(),
          queryResultFormat: 'json',
          queryContext: { entries: [] },
        },
        code: null,
        message: null,
        success: true,
      };
    } catch (e) {
      if (!(e instanceof SfError)) throw e;
      this.record({ ...base, ok: false, code: e.code, message: e.message, ...faultAfter });
      reply = sfFailure(e.code, e.message, {
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
    if (fault?.after) {
      if (fault.action !== 'delay') return this.applyFault(fault, req, res, 'query', { body, session });
      await sleep(fault.delayMs ?? 1000);
    }
    send(res, 200, reply);
  }

  applyFault(
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
    send(res, 200, {
      data: {
        sessionToken: session.token,
        validityInSecondsST: SESSION_VALIDITY_S,
        masterToken: session.masterToken,
        validityInSecondsMT: MASTER_VALIDITY_S,
        sessionId: Number(session.sessionId),
      },
      code: null,
      message: null,
      success: true,
    });
  }

  async closeSession(req: IncomingMessage, res: ServerResponse): Promise<void> {
    await readBody(req);
    const session = this.sessionOf(req, this.sessions);
    if (session) {
      this.sessions.delete(session.token);
      this.masterTokens.delete(session.masterToken);
    }
    send(res, 200, { data: null, code: null, message: null, success: true });
  }

  async heartbeat(req: IncomingMessage, res: ServerResponse): Promise<void> {
    await readBody(req);
    if (!this.sessionOf(req, this.sessions))
      return send(
        res,
        200,
        sfFailure('390104', 'Session token invalid. New login required to access the service.'),
      );
    send(res, 200, { data: null, code: null, message: null, success: true });
  }

  // ------------------------------------------------------------------ control plane

  async control(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const method = req.method ?? 'GET';
    const bad = (message: string) => send(res, 400, { error: { code: 'bad-request', message } });
    const body = method === 'POST' ? ((await readBody(req)) as Record<string, unknown>) : {};
    switch (`${method} ${path}`) {
      case 'POST /__emulator/sql': {
        if (typeof body.sql !== 'string') return bad('sql must be a string');
        const role = typeof body.role === 'string' ? body.role : 'ACCOUNTADMIN';
        const session = this.newSessionContext(null, role, null);
        const base = { kind: 'query' as const, via: 'control' as const, user: null, role, sql: body.sql };
        try {
          const result = this.run(body.sql, session);
          this.record({ ...base, ok: true, code: null });
          return send(res, 200, { rows: controlRows(result) });
        } catch (e) {
          if (!(e instanceof SfError)) throw e;
          this.record({ ...base, ok: false, code: e.code, message: e.message });
          return send(res, 200, { error: { code: e.code, sqlState: e.sqlState, message: e.message } });
        }
      }
      case 'GET /__emulator/secrets':
        return send(
          res,
          200,
          this.account.allSecrets().map((x) => ({
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
        );
      case 'GET /__emulator/log':
        return send(res, 200, this.log);
      case 'GET /__emulator/issued-tokens':
        return send(res, 200, this.issuedTokens);
      case 'GET /__emulator/requests':
        return send(res, 200, this.requests);
      case 'DELETE /__emulator/requests':
        this.requests = [];
        return send(res, 200, { ok: true });
      case 'DELETE /__emulator/log':
        this.log = [];
        return send(res, 200, { ok: true });
      case 'POST /__emulator/faults': {
        const f = body as unknown as Fault;
        const actions = ['http-500', 'http-503', 'reset', 'sql-error', 'delay', 'session-expired'];
        if (f.on !== 'login' && f.on !== 'query') return bad('on must be "login" or "query"');
        if (!actions.includes(f.action)) return bad(`action must be one of ${actions.join(', ')}`);
        if (f.after !== undefined && typeof f.after !== 'boolean') return bad('after must be a boolean');
        if (f.echo !== undefined) {
          if (!['headers', 'request', 'session'].includes(f.echo))
            return bad('echo must be "headers", "request" or "session"');
          if (f.action !== 'sql-error') return bad('echo needs action "sql-error" (the message carries it)');
          if (f.echo === 'session' && f.on !== 'query') return bad('echo "session" is for query faults');
        }
        if (f.echoAs !== undefined && (f.echo === undefined || !isEchoEncoding(f.echoAs)))
          return bad('echoAs needs echo, and must be one of the encodings in ../echo.ts');
        let regex: RegExp;
        try {
          regex = new RegExp(f.match ?? '', 'i');
        } catch (e) {
          return bad(`match is not a regular expression: ${(e as Error).message}`);
        }
        this.faults.push({ ...f, regex, remaining: f.times ?? Number.POSITIVE_INFINITY });
        return send(res, 200, { ok: true });
      }
      case 'DELETE /__emulator/faults':
        this.faults = [];
        return send(res, 200, { ok: true });
      case 'POST /__emulator/latency':
        if (typeof body.ms !== 'number' || body.ms < 0) return bad('ms must be a non-negative number');
        this.latencyMs = body.ms;
        return send(res, 200, { ok: true });
      case 'POST /__emulator/tokens': {
        const t = body as unknown as RegisteredToken;
        if (
          (t.type !== 'oauth' && t.type !== 'pat') ||
          typeof t.token !== 'string' ||
          typeof t.user !== 'string'
        ) {
          return bad('need type ("oauth" | "pat"), token and user');
        }
        if (t.networkPolicyRequired !== undefined && typeof t.networkPolicyRequired !== 'boolean') {
          return bad('networkPolicyRequired must be a boolean');
        }
        const evaluations = ['ENFORCED_REQUIRED', 'ENFORCED_NOT_REQUIRED', 'NOT_ENFORCED'];
        if (t.networkPolicyEvaluation !== undefined && !evaluations.includes(t.networkPolicyEvaluation)) {
          return bad(`networkPolicyEvaluation must be one of ${evaluations.join(', ')}`);
        }
        this.auth.tokens.push({
          type: t.type,
          token: t.token,
          user: t.user,
          role: t.role,
          expiresAt: t.expiresAt,
          networkPolicyRequired: t.networkPolicyRequired,
          networkPolicyEvaluation: t.networkPolicyEvaluation,
        });
        return send(res, 200, { ok: true });
      }
      case 'POST /__emulator/oidc-issuers':
        if (typeof body.issuer !== 'string' || typeof body.jwksUrl !== 'string')
          return bad('need issuer and jwksUrl');
        this.auth.trustIssuer(body.issuer, body.jwksUrl);
        return send(res, 200, { ok: true });
      case 'POST /__emulator/clock':
        if (typeof body.offsetMs !== 'number') return bad('offsetMs must be a number');
        this.offsetMs = body.offsetMs;
        return send(res, 200, { now: this.now().toISOString(), offsetMs: this.offsetMs });
      case 'GET /__emulator/clock':
        return send(res, 200, { now: this.now().toISOString(), offsetMs: this.offsetMs });
      case 'POST /__emulator/client-ip':
        // Network policies know IPv4 only (docs, "CREATE NETWORK POLICY").
        if (typeof body.ip !== 'string' || parseIpv4(body.ip) === null) {
          return bad('ip must be an IPv4 address such as "203.0.113.7"');
        }
        this.clientIpOverride = body.ip;
        return send(res, 200, { ip: this.clientIpOverride });
      case 'DELETE /__emulator/client-ip':
        this.clientIpOverride = null;
        return send(res, 200, { ip: null });
      case 'GET /__emulator/client-ip':
        return send(res, 200, { ip: this.clientIpOverride });
      default:
        return send(res, 404, {
          error: { code: 'not-found', message: `${method} ${path} is not a control endpoint` },
        });
    }
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
    if (path.startsWith('/__emulator/')) return this.control(req, res, path);
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
        return send(res, 200, { data: 'Log Received', code: null, message: null, success: true });
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
