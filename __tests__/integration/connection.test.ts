// src/snowflake/connection.ts and src/snowflake/users.ts against the Snowflake emulator, over real HTTP with the
// real snowflake-sdk: logins (accepted and refused), statements and their errors, the session's time zone, the
// SDK's log file, an unreachable server, and the DESC USER / ALTER USER helpers.

import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ActionError } from '../../src/errors.js';
import { fingerprintOf } from '../../src/keys.js';
import { REDACTED, redact, secretForms } from '../../src/mask.js';
import type { LoginRequest } from '../../src/snowflake/login-request.js';
import {
  LOGIN_RETRIES,
  type SnowflakeSession,
  StatementError,
  snowflakeConnector,
} from '../../src/snowflake/connection.js';
import {
  type UserState,
  describeUser,
  restoreKeySlot,
  setKeySlot,
  unsetKeySlot,
} from '../../src/snowflake/users.js';
import { SnowflakeControl } from '../emulators/snowflake/control.js';
import { actionErrorOf, rejectionOf } from '../harness/errors.js';
import { type TestKey, newKey } from '../harness/world.js';
import { type SnowflakeEmulator, startSnowflakeEmulator } from '../emulators/snowflake/server.js';

// The emulator's clock is fixed (plus the offset tests set), so that set times can be compared exactly. Logins
// are unaffected: JWTs are checked against the wall clock.
const NOW = Date.parse('2026-03-01T20:15:30.250Z');

const ADMIN = 'ROTATOR';
const ADMIN_ROLE = 'ROTATOR_ROLE';
const SERVICE = 'SVC_LOADER';
const STRANGER = 'STRANGER';
const DISABLED = 'GONE_USER';

type Key = TestKey;

let emulator: SnowflakeEmulator;
let control: SnowflakeControl;
let adminKey: Key;
let serviceKey: Key;
let strangerKey: Key;
/** Every value the connector registered with the masker (ConnectorOptions.setSecret). */
const masked: string[] = [];
const connect = snowflakeConnector({
  getIdToken: () => Promise.reject(new Error('these tests log in with keys')),
  allowWorkloadIdentityHost: () => undefined,
  setSecret: (value) => masked.push(value),
});
const open: SnowflakeSession[] = [];

function login(user: string, key: Key, extra: Partial<LoginRequest> = {}): Promise<SnowflakeSession> {
  return connect({
    account: emulator.account,
    url: emulator.url,
    user,
    credential: { kind: 'key-pair', privateKey: key.privateKey },
    ...extra,
  });
}

async function adminSession(): Promise<SnowflakeSession> {
  const session = await login(ADMIN, adminKey);
  open.push(session);
  return session;
}

/** Fails when `text` holds any form of the private key (whole PEM, a line, the base64 body). */
function expectNoKeyMaterial(text: string, key: Key): void {
  expect(text).not.toMatch(/PRIVATE KEY/);
  for (const form of secretForms(key.pem)) {
    if (form.length >= 12) expect(text).not.toContain(form);
  }
}

// The connector sends the SDK's log to core.debug, which writes `::debug::` lines to stdout. Keep them out of
// the test output, and keep them for the test that checks where the log goes.
const debugLines: string[] = [];
const realWrite = process.stdout.write.bind(process.stdout);

beforeAll(async () => {
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
    const text = String(chunk);
    if (text.startsWith('::debug::')) {
      debugLines.push(text);
      return true;
    }
    return realWrite(chunk, ...rest);
  }) as typeof process.stdout.write;
  adminKey = newKey();
  serviceKey = newKey();
  strangerKey = newKey();
  emulator = await startSnowflakeEmulator({ now: () => new Date(NOW) });
  control = new SnowflakeControl(emulator.url);
  await control.sql(`CREATE ROLE ${ADMIN_ROLE}`);
  await control.sql('CREATE ROLE NOT_MINE');
  await control.sql(
    `CREATE USER ${ADMIN} TYPE = SERVICE DEFAULT_ROLE = ${ADMIN_ROLE} RSA_PUBLIC_KEY = '${adminKey.publicBody}'`,
  );
  await control.sql(`GRANT ROLE ${ADMIN_ROLE} TO USER ${ADMIN}`);
  // Custom roles roll up to a system role (Snowflake's advice), so ACCOUNTADMIN can arrange what the role owns.
  await control.sql(`GRANT ROLE ${ADMIN_ROLE} TO ROLE SECURITYADMIN`);
  await control.sql(`CREATE USER ${SERVICE} TYPE = SERVICE RSA_PUBLIC_KEY = '${serviceKey.publicBody}'`);
  await control.sql(`GRANT OWNERSHIP ON USER ${SERVICE} TO ROLE ${ADMIN_ROLE}`);
  await control.sql(`CREATE USER ${STRANGER} TYPE = SERVICE RSA_PUBLIC_KEY = '${strangerKey.publicBody}'`);
  await control.sql(
    `CREATE USER ${DISABLED} TYPE = SERVICE DISABLED = TRUE RSA_PUBLIC_KEY = '${adminKey.publicBody}'`,
  );
});

afterEach(async () => {
  await control.clock(0);
  await control.clearFaults();
  await Promise.all(open.splice(0).map((session) => session.close()));
});

afterAll(async () => {
  process.stdout.write = realWrite;
  await emulator.close();
});

describe('snowflakeConnector with key pairs', () => {
  // First, so that the SDK's first log message (which opens its log file if one is configured) happens here.
  it('writes no snowflake.log into the working directory; the SDK log goes to core.debug', async () => {
    const previous = process.cwd();
    const strayLogBefore = existsSync(join(previous, 'snowflake.log'));
    const workspace = mkdtempSync(join(tmpdir(), 'connection-test-'));
    debugLines.splice(0);
    try {
      process.chdir(workspace);
      // Failures first (the SDK logs them as errors), then a whole session: a log file the SDK opened would
      // have been created in the workspace by the time it ends.
      await rejectionOf(login(SERVICE, newKey()));
      const session = await login(ADMIN, adminKey);
      await actionErrorOf(session.execute('DESC USER NOBODY_HERE'));
      await session.execute('SELECT CURRENT_USER()');
      await session.close();
      expect(readdirSync(workspace)).toEqual([]);
    } finally {
      process.chdir(previous);
      rmSync(workspace, { recursive: true, force: true });
    }
    if (!strayLogBefore) expect(existsSync(join(previous, 'snowflake.log'))).toBe(false);
    // The SDK did log (its warnings and errors about the failures above), through @actions/core's debug.
    expect(debugLines.some((line) => line.startsWith('::debug::snowflake-sdk: '))).toBe(true);
  });

  it('logs in with a registered key and returns rows as objects keyed by column name', async () => {
    const session = await adminSession();
    expect(await session.execute('SELECT CURRENT_USER()')).toEqual([{ 'CURRENT_USER()': ADMIN }]);
    expect(await session.execute('SELECT CURRENT_ROLE() AS ROLE')).toEqual([{ ROLE: ADMIN_ROLE }]);

    const rows = await session.execute(`DESC USER ${SERVICE}`);
    expect(rows.length).toBeGreaterThan(10);
    for (const row of rows) expect(Object.keys(row)).toEqual(['property', 'value', 'default', 'description']);
    const byProperty = Object.fromEntries(rows.map((row) => [row.property, row.value]));
    expect(byProperty).toMatchObject({
      NAME: SERVICE,
      TYPE: 'SERVICE',
      RSA_PUBLIC_KEY: serviceKey.publicBody,
      RSA_PUBLIC_KEY_FP: fingerprintOf(serviceKey.privateKey),
      RSA_PUBLIC_KEY_2: 'null',
    });
  });

  it('registers the session and master tokens the driver holds, and the new session token of a renewal', async () => {
    masked.splice(0);
    const session = await adminSession();
    const issued = await control.issuedTokens();
    const first = issued.at(-1);
    expect(first?.user).toBe(ADMIN);
    // Registered when the login completes, before any statement could quote them back.
    expect(masked).toEqual(expect.arrayContaining([first?.sessionToken, first?.masterToken]));
    // Snowflake says the session expired: the driver renews it with the master token and runs the statement again.
    await control.fault({ on: 'query', match: '^SELECT CURRENT_USER', action: 'session-expired', times: 1 });
    expect(await session.execute('SELECT CURRENT_USER()')).toEqual([{ 'CURRENT_USER()': ADMIN }]);
    const renewed = (await control.issuedTokens()).filter((t) => t.sessionId === first?.sessionId);
    expect(renewed).toHaveLength(2);
    expect(renewed[1]?.sessionToken).not.toBe(first?.sessionToken);
    expect(masked).toContain(renewed[1]?.sessionToken);
    // Each token once, not once per statement; redact() knows it in every form (here in base64, bare).
    expect(masked.filter((value) => value === first?.masterToken)).toHaveLength(1);
    const echoed = Buffer.from(`master=${first?.masterToken ?? ''}`).toString('base64');
    expect(redact(`echo: ${echoed}`)).toBe(`echo: ${REDACTED}`);
  });

  it('logs in with the role asked for', async () => {
    await control.sql(`GRANT ROLE NOT_MINE TO USER ${STRANGER}`);
    try {
      const session = await login(STRANGER, strangerKey, { role: 'NOT_MINE' });
      open.push(session);
      expect(await session.execute('SELECT CURRENT_ROLE()')).toEqual([{ 'CURRENT_ROLE()': 'NOT_MINE' }]);
    } finally {
      await control.sql(`REVOKE ROLE NOT_MINE FROM USER ${STRANGER}`);
    }
  });

  it('logs in with a case-sensitive (quoted) role name', async () => {
    await control.sql('CREATE ROLE "mixed_Role"');
    await control.sql(`GRANT ROLE "mixed_Role" TO USER ${STRANGER}`);
    const session = await login(STRANGER, strangerKey, { role: 'mixed_Role' });
    open.push(session);
    expect(await session.execute('SELECT CURRENT_ROLE()')).toEqual([{ 'CURRENT_ROLE()': 'mixed_Role' }]);
  });

  it('sets the session TIMEZONE to UTC, so DESC USER renders set times in UTC', async () => {
    const session = await adminSession();
    const rows = await session.execute(`DESC USER ${SERVICE}`);
    const setTime = rows.find((row) => row.property === 'RSA_PUBLIC_KEY_LAST_SET_TIME')?.value;
    // 20:15:30.25 UTC; the default zone (America/Los_Angeles) would render 12:15:30.25.
    expect(setTime).toBe('2026-03-01 20:15:30.25');

    const statements = (await control.log())
      .filter((entry) => entry.kind === 'query' && entry.via === 'sdk' && entry.user === ADMIN)
      .map((entry) => entry.sql);
    expect(statements[0]).toBe("ALTER SESSION SET TIMEZONE = 'UTC'");
  });

  it('refuses an unregistered key with 390144, naming the fingerprint sent and the ALTER USER to run', async () => {
    const unregistered = newKey();
    const error = await actionErrorOf(login(SERVICE, unregistered));
    expect(error.code).toBe('390144');
    const text = error.render();
    expect(text).toContain('390144');
    expect(text).toContain(`user ${SERVICE} at ${emulator.url}`);
    expect(text).toContain(`The key sent has fingerprint ${fingerprintOf(unregistered.privateKey)}`);
    expect(text).toContain(`DESC USER "${SERVICE}"`);
    expect(text).toContain(`ALTER USER "${SERVICE}" SET RSA_PUBLIC_KEY_2 = '${unregistered.publicBody}'`);
    expectNoKeyMaterial(text, unregistered);
    expectNoKeyMaterial(error.stack ?? '', unregistered);
  });

  it('refuses a disabled user with 390101', async () => {
    const error = await actionErrorOf(login(DISABLED, adminKey));
    expect(error.code).toBe('390101');
    const text = error.render();
    expect(text).toContain(`Snowflake refused the login of user ${DISABLED}`);
    expect(text).toMatch(/disabled/i);
    expect(text).toContain('390101');
    expect(text).toContain(`ALTER USER "${DISABLED}" SET DISABLED = FALSE`);
    expectNoKeyMaterial(text, adminKey);
  });

  it.each([
    ['a role not granted to the user', 'NOT_MINE'],
    ['a role that does not exist', 'NO_SUCH_ROLE'],
  ])('refuses %s with 390189', async (_what, role) => {
    const error = await actionErrorOf(login(ADMIN, adminKey, { role }));
    expect(error.code).toBe('390189');
    const text = error.render();
    expect(text).toContain(`Role '${role}' specified in the connect string is not granted to this user`);
    expect(text).toContain('(390189)');
    expect(text).toContain(`GRANT ROLE ... TO USER "${ADMIN}"`);
    expect(text).toContain("the 'role' input");
  });

  it('rejects a failing statement with a StatementError that keeps the code and shows only the first words', async () => {
    const session = await adminSession();

    const missing = await actionErrorOf(session.execute('DESC USER NOBODY_HERE'));
    expect(missing).toBeInstanceOf(StatementError);
    expect(missing).toBeInstanceOf(ActionError);
    expect(missing).toMatchObject({ snowflakeCode: '002003', code: '002003', sqlState: '02000' });
    expect(missing.message).toBe(
      "Snowflake statement DESC USER NOBODY_HERE failed (002003: SQL compilation error: User 'NOBODY_HERE' does not exist or not authorized.)",
    );

    // The role does not own STRANGER: 003001. The key body in the statement stays out of the message.
    const body = newKey().publicBody;
    const denied = await actionErrorOf(
      session.execute(`ALTER USER ${STRANGER} SET RSA_PUBLIC_KEY_2 = '${body}'`),
    );
    expect(denied).toBeInstanceOf(StatementError);
    expect(denied).toMatchObject({ snowflakeCode: '003001', sqlState: '42501' });
    expect((denied as StatementError).reason).toBe(
      `SQL access control error: Insufficient privileges to operate on user '${STRANGER}'`,
    );
    expect(denied.message).toMatch(
      new RegExp(`^Snowflake statement ALTER USER ${STRANGER} failed \\(003001: `),
    );
    expect(denied.message).not.toContain(body);
    expect(denied.message).not.toContain('RSA_PUBLIC_KEY_2');

    // The session is still usable after failed statements.
    expect(await session.execute('SELECT CURRENT_USER()')).toEqual([{ 'CURRENT_USER()': ADMIN }]);
  });

  it('keeps the code of an error Snowflake answers for any statement', async () => {
    await control.fault({
      on: 'query',
      match: 'CURRENT_ACCOUNT',
      action: 'sql-error',
      code: '000630',
      times: 1,
    });
    const session = await adminSession();
    const error = await actionErrorOf(session.execute('SELECT CURRENT_ACCOUNT()'));
    expect(error).toBeInstanceOf(StatementError);
    expect((error as StatementError).snowflakeCode).toBe('000630');
    expect(error.message).toMatch(/^Snowflake statement SELECT CURRENT_ACCOUNT\(\) failed \(000630: /);
  });

  it('withholds the message of a failed statement that carries a secret, unless it only names an object', async () => {
    const session = await adminSession();
    // A syntax error: Snowflake's message quotes the text near the error, here the secret.
    const syntax = await actionErrorOf(
      session.execute("ALTER SECRET X SET SECRET_STRING = 'hidden-value-123' TRAILING JUNK", {
        sensitive: true,
      }),
    );
    expect(syntax.code).toBe('001003');
    expect(syntax.message).toBe(
      "Snowflake statement ALTER SECRET X failed (001003: Snowflake's message is withheld because the statement carries a secret)",
    );
    const missing = await actionErrorOf(
      session.execute("ALTER SECRET NO_DB.NO_SCHEMA.X SET SECRET_STRING = 'hidden-value-123'", {
        sensitive: true,
      }),
    );
    expect(missing.code).toBe('002003');
    expect(missing.message).toMatch(/does not exist or not authorized/);
    for (const error of [syntax, missing]) expect(error.render()).not.toContain('hidden-value-123');
  });

  it('fails with "Could not reach Snowflake" when nothing listens at the URL', async () => {
    const port = await closedPort();
    const url = `http://127.0.0.1:${port}`;
    const error = await actionErrorOf(
      connect({
        account: emulator.account,
        url,
        user: ADMIN,
        credential: { kind: 'key-pair', privateKey: adminKey.privateKey },
      }),
    );
    expect(error.code).toMatch(/^40[12]00[12]$/);
    const text = error.render();
    expect(text).toContain(`Could not reach Snowflake at ${url}`);
    expect(text).toContain('proxy');
    expectNoKeyMaterial(text, adminKey);
  });

  it('retries a login answered by a transient HTTP 503', async () => {
    await control.fault({ on: 'login', match: `^${ADMIN}$`, action: 'http-503', times: 1 });
    await control.clearLog();
    const session = await adminSession();
    expect(await session.execute('SELECT CURRENT_USER()')).toEqual([{ 'CURRENT_USER()': ADMIN }]);
    const logins = (await control.log()).filter((entry) => entry.kind === 'login');
    expect(logins.map((entry) => [entry.ok, entry.fault ?? null])).toEqual([
      [false, 'http-503'],
      [true, null],
    ]);
  });

  it('gives up on a login that keeps failing with HTTP 500 after a bounded number of attempts', async () => {
    await control.fault({ on: 'login', match: `^${ADMIN}$`, action: 'http-500' });
    await control.clearLog();
    const error = await actionErrorOf(login(ADMIN, adminKey));
    expect(error.render()).toContain(`Could not reach Snowflake at ${emulator.url}`);
    // The first attempt and LOGIN_RETRIES retries, not the SDK's default of seven.
    expect(LOGIN_RETRIES).toBeLessThan(7);
    expect((await control.log()).filter((entry) => entry.kind === 'login')).toHaveLength(LOGIN_RETRIES + 1);
  });
});

/** A port on 127.0.0.1 that nothing listens on (it was free a moment ago). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

describe('users', () => {
  const slotOf = (state: UserState, slot: 'RSA_PUBLIC_KEY' | 'RSA_PUBLIC_KEY_2') => state.slots[slot];

  it('describeUser reads the fingerprints, bodies and set times of both slots', async () => {
    const second = newKey();
    await control.clock(-36 * 3_600_000);
    await control.sql(`ALTER USER ${SERVICE} SET RSA_PUBLIC_KEY_2 = '${second.publicBody}'`);
    await control.clock(0);
    try {
      const session = await adminSession();
      const state = await describeUser(session, SERVICE);
      expect(state).toEqual({
        name: SERVICE,
        loginName: SERVICE,
        slots: {
          RSA_PUBLIC_KEY: {
            slot: 'RSA_PUBLIC_KEY',
            publicKeyBody: serviceKey.publicBody,
            fingerprint: fingerprintOf(serviceKey.privateKey),
            lastSetAt: new Date(NOW),
          },
          RSA_PUBLIC_KEY_2: {
            slot: 'RSA_PUBLIC_KEY_2',
            publicKeyBody: second.publicBody,
            fingerprint: fingerprintOf(second.privateKey),
            lastSetAt: new Date(NOW - 36 * 3_600_000),
          },
        },
      });
    } finally {
      await control.sql(`ALTER USER ${SERVICE} UNSET RSA_PUBLIC_KEY_2`);
    }
  });

  it('describeUser reads an empty slot as empty, and the login name', async () => {
    const session = await adminSession();
    await control.sql(`GRANT OWNERSHIP ON USER ${DISABLED} TO ROLE ${ADMIN_ROLE}`);
    const state = await describeUser(session, DISABLED);
    expect(state.loginName).toBe(DISABLED);
    expect(slotOf(state, 'RSA_PUBLIC_KEY_2')).toEqual({
      slot: 'RSA_PUBLIC_KEY_2',
      publicKeyBody: undefined,
      fingerprint: undefined,
      lastSetAt: undefined,
    });
    await control.sql(`GRANT OWNERSHIP ON USER ${DISABLED} TO ROLE ACCOUNTADMIN`);
  });

  it('setKeySlot, unsetKeySlot and restoreKeySlot change the slot Snowflake logs in with', async () => {
    const session = await adminSession();
    const before = await describeUser(session, SERVICE);
    const next = newKey();

    await control.clock(90_000);
    await setKeySlot(session, SERVICE, 'RSA_PUBLIC_KEY_2', next.publicBody);
    const after = await describeUser(session, SERVICE);
    expect(slotOf(after, 'RSA_PUBLIC_KEY_2')).toEqual({
      slot: 'RSA_PUBLIC_KEY_2',
      publicKeyBody: next.publicBody,
      fingerprint: fingerprintOf(next.privateKey),
      lastSetAt: new Date(NOW + 90_000),
    });
    expect(slotOf(after, 'RSA_PUBLIC_KEY')).toEqual(slotOf(before, 'RSA_PUBLIC_KEY'));
    const asService = await login(SERVICE, next);
    open.push(asService);
    expect(await asService.execute('SELECT CURRENT_USER()')).toEqual([{ 'CURRENT_USER()': SERVICE }]);

    // Restoring an empty slot unsets it: the new key no longer logs in.
    await restoreKeySlot(session, SERVICE, slotOf(before, 'RSA_PUBLIC_KEY_2'));
    expect(slotOf(await describeUser(session, SERVICE), 'RSA_PUBLIC_KEY_2').publicKeyBody).toBeUndefined();
    expect((await actionErrorOf(login(SERVICE, next))).code).toBe('390144');

    // Unset the first slot, then restore its previous body: the old key logs in again.
    await unsetKeySlot(session, SERVICE, 'RSA_PUBLIC_KEY');
    expect(slotOf(await describeUser(session, SERVICE), 'RSA_PUBLIC_KEY').fingerprint).toBeUndefined();
    expect((await actionErrorOf(login(SERVICE, serviceKey))).code).toBe('390144');
    await restoreKeySlot(session, SERVICE, slotOf(before, 'RSA_PUBLIC_KEY'));
    const restored = slotOf(await describeUser(session, SERVICE), 'RSA_PUBLIC_KEY');
    expect(restored.publicKeyBody).toBe(serviceKey.publicBody);
    expect(restored.fingerprint).toBe(fingerprintOf(serviceKey.privateKey));
    open.push(await login(SERVICE, serviceKey));
  });

  it('setKeySlot refuses a body that is not base64 before sending anything', async () => {
    const session = await adminSession();
    await control.clearLog();
    const error = await actionErrorOf(
      setKeySlot(session, SERVICE, 'RSA_PUBLIC_KEY_2', "x' UNSET RSA_PUBLIC_KEY --"),
    );
    expect(error.message).toMatch(/not base64/);
    expect(await control.log()).toEqual([]);
  });

  it('translates 002003 (no such user) into an error whose hint names the GRANT', async () => {
    const session = await adminSession();
    for (const attempt of [
      () => describeUser(session, 'NOBODY_HERE'),
      () => setKeySlot(session, 'NOBODY_HERE', 'RSA_PUBLIC_KEY_2', serviceKey.publicBody),
      () => unsetKeySlot(session, 'NOBODY_HERE', 'RSA_PUBLIC_KEY_2'),
    ]) {
      const error = await actionErrorOf(attempt());
      expect(error).not.toBeInstanceOf(StatementError);
      expect(error.code).toBe('002003');
      const text = error.render();
      expect(text).toContain('Snowflake user NOBODY_HERE does not exist');
      expect(text).toContain('GRANT OWNERSHIP ON USER "NOBODY_HERE" TO ROLE <role> COPY CURRENT GRANTS');
      expect(text).not.toContain(serviceKey.publicBody);
    }
  });

  it('translates 003001 (not allowed) into an error whose hint names the GRANT', async () => {
    const session = await adminSession();

    const describe = await actionErrorOf(describeUser(session, STRANGER));
    expect(describe.code).toBe('003001');
    expect(describe.render()).toContain(
      `The session's role may not describe Snowflake user ${STRANGER} (003001: `,
    );
    expect(describe.render()).toContain(
      `GRANT OWNERSHIP ON USER "${STRANGER}" TO ROLE <role> COPY CURRENT GRANTS`,
    );

    const body = newKey().publicBody;
    for (const attempt of [
      () => setKeySlot(session, STRANGER, 'RSA_PUBLIC_KEY_2', body),
      () => unsetKeySlot(session, STRANGER, 'RSA_PUBLIC_KEY'),
    ]) {
      const error = await actionErrorOf(attempt());
      expect(error.code).toBe('003001');
      const text = error.render();
      expect(text).toContain(`The session's role may not modify Snowflake user ${STRANGER} (003001: `);
      expect(text).toContain(
        `GRANT MODIFY PROGRAMMATIC AUTHENTICATION METHODS ON USER "${STRANGER}" TO ROLE <role>`,
      );
      expect(text).not.toContain(body);
    }
    // Nothing changed.
    const rows = await control.sql(`DESC USER ${STRANGER}`);
    const value = (property: string) => rows.find((row) => row.property === property)?.value;
    expect(value('RSA_PUBLIC_KEY')).toBe(strangerKey.publicBody);
    expect(value('RSA_PUBLIC_KEY_2')).toBe('null');
  });

  it('passes other statement errors through unchanged', async () => {
    await control.fault({ on: 'query', match: '^DESC USER', action: 'sql-error', code: '000630', times: 1 });
    const session = await adminSession();
    const error = await rejectionOf(describeUser(session, SERVICE));
    expect(error).toBeInstanceOf(StatementError);
    expect((error as StatementError).snowflakeCode).toBe('000630');
  });
});
