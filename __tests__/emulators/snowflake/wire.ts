// The wire protocol's shapes: sessions, the parameters and result rows snowflake-sdk reads, request bodies
// and replies. Sources: README.md, "Wire protocol".

import type { IncomingMessage, ServerResponse } from 'node:http';
import { gunzipSync, inflateSync } from 'node:zlib';
import { type Cell, DEFAULT_TIMEZONE, type ResultSet, type SessionContext } from './account/model.js';

export interface Session extends SessionContext {
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

export const SESSION_VALIDITY_S = 3600;
export const MASTER_VALIDITY_S = 14400;

export function parameterList(
  session: SessionContext | null,
): { name: string; value: string | number | boolean }[] {
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
export function wireCell(cell: Cell, scale: number): string | null {
  if (cell === null) return null;
  if (cell instanceof Date) {
    const ms = cell.getTime();
    const seconds = Math.floor(ms / 1000);
    const fraction = String(ms - seconds * 1000).padStart(3, '0');
    return scale <= 0 ? String(seconds) : `${seconds}.${fraction.padEnd(scale, '0').slice(0, scale)}`;
  }
  return cell;
}

export function rowtype(result: ResultSet) {
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

/** A result as the control plane answers it: one object a row, keyed by column name. */
export function controlRows(result: ResultSet): Record<string, unknown>[] {
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
export function connectName(raw: string): string {
  const m = /^"(.*)"$/s.exec(raw);
  return m ? m[1]!.replace(/""/g, '"') : raw.toUpperCase();
}

export async function readBody(req: IncomingMessage): Promise<unknown> {
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

export function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

export function sfFailure(code: string, message: string, data: Record<string, unknown> | null = null) {
  return { data, code, message, success: false, headers: null };
}

/** A successful reply in Snowflake's envelope. */
export function sfSuccess(data: unknown) {
  return { data, code: null, message: null, success: true };
}

/** The `data` of a successful login reply (SDK lib/services/sf.js, StateConnecting). */
export function loginData(session: Session, displayUserName: string) {
  return {
    masterToken: session.masterToken,
    token: session.token,
    validityInSeconds: SESSION_VALIDITY_S,
    masterValidityInSeconds: MASTER_VALIDITY_S,
    displayUserName,
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
      warehouseName: session.warehouse,
      roleName: session.role,
    },
    idToken: null,
    idTokenValidityInSeconds: 0,
    responseData: null,
    mfaToken: null,
    mfaTokenValidityInSeconds: 0,
  };
}

/** The `data` of a successful query reply: the result's rowtype and rows, and the session after it. */
export function queryData(result: ResultSet, session: Session, queryId: string, sql: string) {
  const rows = result.rows.map((row) => row.map((cell, i) => wireCell(cell, result.columns[i]?.scale ?? 3)));
  const isSelect = /^\s*(select|show|desc)/i.test(sql);
  return {
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
  };
}
