import { createHash, generateKeyPairSync } from 'node:crypto';
import { type Octokit, type SnowflakeSession, SqlFailure, type SqlError, login, quote } from '../clients.js';
import type { LiveConfig } from '../env.js';

/**
 * Probes of the service shapes our code depends on. Each one asks the service what a real client can ask it
 * (SQL as the admin or as a user whose key the probe made; GitHub's REST API with the token) and records the
 * answer in a form that leaves out what differs from run to run (names, times, ids): an observation. The live
 * suite records them against the real services; __tests__/emulators/fidelity.test.ts runs the same probes
 * against the emulators; both compare them with expected.json.
 */

export type Observations = Record<string, unknown>;

export interface ProbeKey {
  pem: string;
  publicBody: string;
  fingerprint: string;
}

export function probeKey(): ProbeKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const der = publicKey.export({ type: 'spki', format: 'der' });
  return {
    pem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicBody: der.toString('base64'),
    fingerprint: `SHA256:${createHash('sha256').update(der).digest('base64')}`,
  };
}

/** Names made by this run become `<NAME>`, the account `<ACCOUNT>`, request ids `<uuid>`. */
export function normalizeMessage(message: string, prefix: string, account: string): string {
  const escaped = prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return message
    .replace(new RegExp(`"?${escaped}[A-Z0-9_]*"?`, 'g'), '<NAME>')
    .replace(new RegExp(account.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'gi'), '<ACCOUNT>')
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, '<uuid>')
    .trim();
}

function refusalShape(error: SqlError, prefix: string, account: string): Record<string, string> {
  return {
    code: error.code,
    sqlState: error.sqlState,
    message: normalizeMessage(error.message, prefix, account),
  };
}

/** A time as DESC USER renders it, digits as 9 and any fraction as `.f`: `9999-99-99 99:99:99.f`. */
export function timeShape(text: string): string {
  return text.replace(/\.\d+$/, '.f').replace(/\d/g, '9');
}

/** Offset of `zone` from UTC at `at`, in minutes. */
function zoneOffsetMinutes(zone: string, at: Date): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(at);
  const get = (type: string): number => Number(parts.find((p) => p.type === type)?.value);
  const wall = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return Math.round((wall - Math.floor(at.getTime() / 1000) * 1000) / 60_000);
}

/** Reads `2020-10-08 01:33:13.43` as if it were UTC. */
function wallTimeMs(text: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?$/.exec(text.trim());
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, f] = m;
  const ms = f ? Math.round(Number(`0.${f}`) * 1000) : 0;
  return Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), ms);
}

const ZONES = ['UTC', 'America/Los_Angeles', 'Asia/Kolkata'] as const;

/** What our code reads from DESC USER (src/snowflake/users.ts) and SHOW USERS (src/snowflake/account-reader.ts). */
const DESC_USER_PROPERTIES = [
  'NAME',
  'TYPE',
  'LOGIN_NAME',
  'DISABLED',
  'DEFAULT_ROLE',
  'DEFAULT_WAREHOUSE',
  'DEFAULT_NAMESPACE',
  'RSA_PUBLIC_KEY',
  'RSA_PUBLIC_KEY_FP',
  'RSA_PUBLIC_KEY_LAST_SET_TIME',
  'RSA_PUBLIC_KEY_2',
  'RSA_PUBLIC_KEY_2_FP',
  'RSA_PUBLIC_KEY_2_LAST_SET_TIME',
  'HAS_WORKLOAD_IDENTITY',
];
const SHOW_USERS_COLUMNS = [
  'name',
  'login_name',
  'disabled',
  'default_warehouse',
  'default_namespace',
  'default_role',
  'owner',
  'has_password',
  'has_rsa_public_key',
  'type',
  'has_workload_identity',
];

export interface ProbeContext {
  config: LiveConfig;
  admin: SnowflakeSession;
  octokit: Octokit;
  /** Every object the probes create starts with it. */
  prefix: string;
}

async function descUser(session: SnowflakeSession, user: string): Promise<Map<string, string>> {
  const rows = await session.sql(`DESC USER ${quote(user)}`);
  return new Map(rows.map((row) => [String(row.property), String(row.value)]));
}

/** A single-quoted SQL string literal: Snowflake escapes backslash and quote inside one. */
function quoteLiteral(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** The objects the Snowflake probes make, each named with the run's prefix. */
interface ProbeNames {
  user: string;
  low: string;
  lowRole: string;
  role: string;
  inner: string;
  warehouse: string;
  policy: string;
  database: string;
  secretName: string;
  /** The secret, fully qualified and quoted. */
  secret: string;
}

function probeNames(prefix: string): ProbeNames {
  const database = `${prefix}DB`;
  const secretName = `${prefix}SECRET`;
  return {
    user: `${prefix}USER`,
    low: `${prefix}LOW`,
    lowRole: `${prefix}LOW_ROLE`,
    role: `${prefix}ROLE`,
    inner: `${prefix}INNER_ROLE`,
    warehouse: `${prefix}WH`,
    policy: `${prefix}POLICY`,
    database,
    secretName,
    secret: `${quote(database)}.${quote('KEYS')}.${quote(secretName)}`,
  };
}

/** DESC USER: columns, the properties we read, an unset slot, the fingerprint and key formats. */
async function probeDescUser(
  { admin }: ProbeContext,
  { user }: ProbeNames,
  key: ProbeKey,
  o: Observations,
): Promise<{ before: number; after: number }> {
  await admin.sql(`CREATE USER ${quote(user)} TYPE = SERVICE`);
  const before = Date.now();
  await admin.sql(`ALTER USER ${quote(user)} SET RSA_PUBLIC_KEY = '${key.publicBody}'`);
  const after = Date.now();
  const desc = await admin.query(`DESC USER ${quote(user)}`);
  o['snowflake.desc-user.columns'] = desc.columns.map((c) => c.toLowerCase());
  const props = new Map(desc.rows.map((row) => [String(row.property), row.value]));
  o['snowflake.desc-user.properties-missing'] = DESC_USER_PROPERTIES.filter((p) => !props.has(p));
  o['snowflake.desc-user.unset-slot'] = {
    RSA_PUBLIC_KEY_2: props.get('RSA_PUBLIC_KEY_2'),
    RSA_PUBLIC_KEY_2_FP: props.get('RSA_PUBLIC_KEY_2_FP'),
    RSA_PUBLIC_KEY_2_LAST_SET_TIME: props.get('RSA_PUBLIC_KEY_2_LAST_SET_TIME'),
  };
  o['snowflake.desc-user.key-formats'] = {
    publicKeyIsBase64DerAsSet: String(props.get('RSA_PUBLIC_KEY')).replace(/\s+/g, '') === key.publicBody,
    fingerprintIsSha256OfDer: props.get('RSA_PUBLIC_KEY_FP') === key.fingerprint,
    valueTypes: [...new Set(desc.rows.map((row) => typeof row.value))].sort(),
    type: props.get('TYPE'),
  };
  return { before, after };
}

/**
 * RSA_PUBLIC_KEY_LAST_SET_TIME: its shape, and the zone it is rendered in, under three session time zones.
 * The key was set between `before` and `after`.
 */
async function probeLastSetTime(
  { admin }: ProbeContext,
  { user }: ProbeNames,
  { before, after }: { before: number; after: number },
  o: Observations,
): Promise<void> {
  const zones: Record<string, string> = {};
  const shapes = new Set<string>();
  for (const zone of ZONES) {
    await admin.sql(`ALTER SESSION SET TIMEZONE = '${zone}'`);
    const text = (await descUser(admin, user)).get('RSA_PUBLIC_KEY_LAST_SET_TIME') ?? '';
    shapes.add(timeShape(text));
    const wall = wallTimeMs(text);
    if (wall === undefined) {
      zones[zone] = `unparsed: ${timeShape(text)}`;
      continue;
    }
    // The service's clock and ours differ by seconds at most; the set time lies between before and after.
    const setAt = (before + after) / 2;
    const offset = Math.round((wall - setAt) / 60_000 / 15) * 15;
    const expected = zoneOffsetMinutes(zone, new Date(setAt));
    zones[zone] =
      offset === expected
        ? 'session time zone'
        : offset === 0
          ? 'UTC (ignores the session time zone)'
          : `offset ${offset} min`;
  }
  await admin.sql(`ALTER SESSION UNSET TIMEZONE`);
  o['snowflake.desc-user.last-set-time.shape'] = [...shapes];
  o['snowflake.desc-user.last-set-time.zone'] = zones;
}

/** SHOW USERS: the columns we read, boolean and type formats. */
async function probeShowUsers({ admin }: ProbeContext, { user }: ProbeNames, o: Observations): Promise<void> {
  const users = await admin.query(`SHOW USERS LIKE '${user}'`);
  const userRow = users.rows.find((r) => r.name === user) ?? {};
  o['snowflake.show-users'] = {
    columnsMissing: SHOW_USERS_COLUMNS.filter((c) => !users.columns.includes(c)),
    has_rsa_public_key: String(userRow.has_rsa_public_key),
    has_password: String(userRow.has_password),
    type: String(userRow.type),
  };
}

/** SHOW GRANTS: column names of each form, and how a role grant and an ownership look. */
async function probeGrants(
  { admin }: ProbeContext,
  { user, role, inner }: ProbeNames,
  o: Observations,
): Promise<void> {
  await admin.sql(`CREATE ROLE ${quote(role)}`);
  await admin.sql(`CREATE ROLE ${quote(inner)}`);
  await admin.sql(`GRANT ROLE ${quote(inner)} TO ROLE ${quote(role)}`);
  await admin.sql(`GRANT ROLE ${quote(role)} TO USER ${quote(user)}`);
  const toRole = await admin.query(`SHOW GRANTS TO ROLE ${quote(role)}`);
  const toUser = await admin.query(`SHOW GRANTS TO USER ${quote(user)}`);
  const ofRole = await admin.query(`SHOW GRANTS OF ROLE ${quote(role)}`);
  const onUser = await admin.query(`SHOW GRANTS ON USER ${quote(user)}`);
  o['snowflake.show-grants.columns'] = {
    'TO ROLE': toRole.columns,
    'TO USER': toUser.columns,
    'OF ROLE': ofRole.columns,
    'ON USER': onUser.columns,
  };
  const roleGrant = toRole.rows.find((r) => r.name === inner) ?? {};
  const ownership = onUser.rows.find((r) => r.privilege === 'OWNERSHIP') ?? {};
  o['snowflake.show-grants.shapes'] = {
    roleToRole: { privilege: roleGrant.privilege, granted_on: roleGrant.granted_on },
    ownership: { granted_on: ownership.granted_on, grant_option: String(ownership.grant_option) },
    roleToUserNamed: toUser.rows.some((r) => r.role === role || r.name === role),
  };
}

/** SHOW WAREHOUSES (created suspended: no credits) and DESC NETWORK POLICY, as verify reads them. */
async function probeWarehouseAndPolicy(
  { admin, prefix, config }: ProbeContext,
  { user, warehouse, policy }: ProbeNames,
  o: Observations,
): Promise<void> {
  await admin.sql(
    `CREATE WAREHOUSE ${quote(warehouse)} WITH WAREHOUSE_SIZE = 'XSMALL' AUTO_SUSPEND = 60 AUTO_RESUME = TRUE INITIALLY_SUSPENDED = TRUE`,
  );
  const wh = (await admin.sql(`SHOW WAREHOUSES LIKE '${warehouse}'`)).find((r) => r.name === warehouse) ?? {};
  o['snowflake.show-warehouses'] = {
    size: wh.size,
    type: wh.type,
    state: wh.state,
    auto_suspend: String(wh.auto_suspend),
    auto_suspend_js_type: typeof wh.auto_suspend,
    auto_resume: String(wh.auto_resume),
  };
  await admin.sql(
    `CREATE NETWORK POLICY ${quote(policy)} ALLOWED_IP_LIST = ('192.0.2.1/32', '198.51.100.0/24')`,
  );
  const policyDesc = await admin.query(`DESC NETWORK POLICY ${quote(policy)}`);
  o['snowflake.desc-network-policy'] = {
    columns: policyDesc.columns,
    rows: policyDesc.rows.map((r) => ({ name: r.name, value: r.value })),
  };
  await admin.sql(`ALTER USER ${quote(user)} SET NETWORK_POLICY = ${quote(policy)}`);
  const parameter = await admin.query(`SHOW PARAMETERS LIKE 'NETWORK_POLICY' IN USER ${quote(user)}`);
  const parameterRow = parameter.rows[0] ?? {};
  o['snowflake.show-parameters.network-policy'] = {
    columnsMissing: ['key', 'value', 'default', 'level'].filter((c) => !parameter.columns.includes(c)),
    value: normalizeMessage(String(parameterRow.value), prefix, config.account),
    level: parameterRow.level,
  };
  await admin.sql(`ALTER USER ${quote(user)} UNSET NETWORK_POLICY`);
}

/**
 * A generic string SECRET, as src/snowflake/secrets.ts reads and writes it: how DESC SECRET spells its type
 * (the DESCRIBE SECRET page says GENERIC, the SECRETS view GENERIC_STRING), whether a COMMENT set in the
 * same ALTER SECRET as the value reads back as written (the action records whose key a secret holds there),
 * and what IS_ROLE_IN_SESSION says of the owner DESC SECRET names. Returns that owner.
 */
async function probeSecret(
  { admin, prefix }: ProbeContext,
  { database, secretName, secret }: ProbeNames,
  key: ProbeKey,
  o: Observations,
): Promise<string> {
  await admin.sql(`CREATE DATABASE ${quote(database)}`);
  await admin.sql(`CREATE SCHEMA ${quote(database)}.${quote('KEYS')}`);
  await admin.sql(`CREATE SECRET ${secret} TYPE = GENERIC_STRING SECRET_STRING = ''`);
  const comment = `Loader's key snowflake-keypair-action: private key of user "${prefix}USER", ${key.fingerprint}`;
  await admin.sql(
    `ALTER SECRET ${secret} SET SECRET_STRING = 'not a key' COMMENT = ${quoteLiteral(comment)}`,
  );
  const descSecret = await admin.query(`DESC SECRET ${secret}`);
  const secretRow = descSecret.rows[0] ?? {};
  const owner = String(secretRow.owner);
  const [session] = await admin.sql(
    `SELECT CURRENT_ROLE() AS "ROLE", IS_ROLE_IN_SESSION(${quoteLiteral(owner)}) AS "OWNER_IN_SESSION"`,
  );
  const shownSecret =
    (await admin.sql(`SHOW SECRETS IN SCHEMA ${quote(database)}.${quote('KEYS')}`)).find(
      (r) => r.name === secretName,
    ) ?? {};
  o['snowflake.desc-secret'] = {
    columnsMissing: ['owner', 'comment', 'secret_type'].filter((c) => !descSecret.columns.includes(c)),
    secretType: secretRow.secret_type,
    showSecretsType: shownSecret.secret_type,
    commentRoundTrips: secretRow.comment === comment,
    ownerIsCreatingRole: owner === session?.ROLE,
    ownerInSession: session?.OWNER_IN_SESSION,
  };
  return owner;
}

/** Refusals, as the admin and as a user with a role that owns nothing; `owner` is the secret's owner. */
async function probeRefusals(
  { admin, prefix, config }: ProbeContext,
  { user, low, lowRole, role, database, secret }: ProbeNames,
  owner: string,
  o: Observations,
): Promise<void> {
  const lowKey = probeKey();
  const refused = async (session: { refusal: (sql: string) => Promise<SqlError> }, sql: string) =>
    refusalShape(await session.refusal(sql), prefix, config.account);
  o['snowflake.error.desc-user-unknown'] = await refused(admin, `DESC USER ${quote(`${prefix}MISSING`)}`);
  o['snowflake.error.create-user-exists'] = await refused(admin, `CREATE USER ${quote(user)}`);
  o['snowflake.error.show-grants-unknown-role'] = await refused(
    admin,
    `SHOW GRANTS TO ROLE ${quote(`${prefix}MISSING_ROLE`)}`,
  );
  await admin.sql(`CREATE ROLE ${quote(lowRole)}`);
  await admin.sql(
    `CREATE USER ${quote(low)} TYPE = SERVICE DEFAULT_ROLE = ${quote(lowRole)} RSA_PUBLIC_KEY = '${lowKey.publicBody}'`,
  );
  await admin.sql(`GRANT ROLE ${quote(lowRole)} TO USER ${quote(low)}`);
  // USAGE on the secret (and its database and schema), not OWNERSHIP: what a role may do with that.
  await admin.sql(`GRANT USAGE ON DATABASE ${quote(database)} TO ROLE ${quote(lowRole)}`);
  await admin.sql(`GRANT USAGE ON SCHEMA ${quote(database)}.${quote('KEYS')} TO ROLE ${quote(lowRole)}`);
  await admin.sql(`GRANT USAGE ON SECRET ${secret} TO ROLE ${quote(lowRole)}`);
  const lowSession = await login(config, { user: low, privateKey: lowKey.pem, role: lowRole });
  try {
    const [usage] = await lowSession.sql(
      `SELECT IS_ROLE_IN_SESSION(${quoteLiteral(owner)}) AS "OWNER_IN_SESSION", IS_ROLE_IN_SESSION(${quoteLiteral(lowRole)}) AS "OWN_ROLE_IN_SESSION"`,
    );
    o['snowflake.secret.usage-only'] = {
      describedOwner: String((await lowSession.sql(`DESC SECRET ${secret}`))[0]?.owner) === owner,
      ownerInSession: usage?.OWNER_IN_SESSION,
      ownRoleInSession: usage?.OWN_ROLE_IN_SESSION,
      alter: await refused(lowSession, `ALTER SECRET ${secret} SET SECRET_STRING = 'changed' COMMENT = 'x'`),
    };
    o['snowflake.error.desc-user-not-owned'] = await refused(lowSession, `DESC USER ${quote(user)}`);
    o['snowflake.error.alter-user-not-owned'] = await refused(
      lowSession,
      `ALTER USER ${quote(user)} SET RSA_PUBLIC_KEY_2 = '${lowKey.publicBody}'`,
    );
    o['snowflake.error.use-role-not-granted'] = await refused(lowSession, `USE ROLE ${quote(role)}`);
    o['snowflake.self.desc-own-user'] =
      (await descUser(lowSession, low)).get('RSA_PUBLIC_KEY_FP') === lowKey.fingerprint;
  } finally {
    await lowSession.close();
  }
}

/** A key-pair login with a key the user does not have. */
async function probeUnknownKeyLogin(
  { prefix, config }: ProbeContext,
  { user }: ProbeNames,
  o: Observations,
): Promise<void> {
  try {
    const session = await login(config, { user, privateKey: probeKey().pem });
    await session.close();
    o['snowflake.error.login-unknown-key'] = 'accepted';
  } catch (error) {
    if (!(error instanceof SqlFailure)) throw error;
    o['snowflake.error.login-unknown-key'] = {
      code: error.error.code,
      message: normalizeMessage(error.error.message, prefix, config.account),
    };
  }
}

/**
 * The Snowflake probes. Creates users, roles, a suspended warehouse, a network policy and a database holding a
 * secret, with the prefix.
 */
export async function probeSnowflake(ctx: ProbeContext): Promise<Observations> {
  const o: Observations = {};
  const names = probeNames(ctx.prefix);
  const key = probeKey();
  const setBetween = await probeDescUser(ctx, names, key, o);
  await probeLastSetTime(ctx, names, setBetween, o);
  await probeShowUsers(ctx, names, o);
  await probeGrants(ctx, names, o);
  await probeWarehouseAndPolicy(ctx, names, o);
  const owner = await probeSecret(ctx, names, key, o);
  await probeRefusals(ctx, names, owner, o);
  await probeUnknownKeyLogin(ctx, names, o);
  return o;
}
