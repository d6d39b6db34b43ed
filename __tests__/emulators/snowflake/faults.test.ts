// Every fault action on both the login and query paths, faults after the work, and wire protocol odds and ends.

import { createHash } from 'node:crypto';
import { connectWithKey, failure, makeKey, type TestKey } from './helpers.js';
import {
  control,
  emulator,
  key,
  makeKeyOnce,
  rawLoginToken,
  rawQuery,
  useControlledEmulator,
} from './control-fixture.js';

useControlledEmulator();

describe('faults', () => {
  let token: string;
  beforeAll(async () => {
    token = await rawLoginToken();
  });

  it('http-500 and http-503 answer with that status, `times` limits them', async () => {
    await control.fault({ on: 'query', match: 'current_user', action: 'http-503', times: 1 });
    await control.fault({ on: 'query', match: 'current_role', action: 'http-500' });
    expect((await rawQuery(token, 'SELECT CURRENT_USER()')).status).toBe(503);
    expect((await rawQuery(token, 'SELECT CURRENT_USER()')).status).toBe(200);
    expect((await rawQuery(token, 'SELECT CURRENT_ROLE()')).status).toBe(500);
    expect((await rawQuery(token, 'SELECT CURRENT_ROLE()')).status).toBe(500);
    expect((await rawQuery(token, 'SELECT 1')).status).toBe(200);
  });

  it('reset destroys the connection', async () => {
    await control.fault({ on: 'query', match: '.', action: 'reset', times: 1 });
    await expect(rawQuery(token, 'SELECT 1')).rejects.toThrow();
  });

  it('delay holds the answer', async () => {
    await control.fault({ on: 'query', match: 'select 1', action: 'delay', delayMs: 400, times: 1 });
    const started = Date.now();
    expect((await rawQuery(token, 'SELECT 1')).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(400);
  });

  it('sql-error answers a Snowflake error the SDK surfaces with its code', async () => {
    await control.fault({ on: 'query', match: '^ALTER USER', action: 'sql-error', code: '003001', times: 1 });
    const session = await connectWithKey(emulator.url, emulator.account, 'ctl_user', key);
    expect(
      (await failure(session.query(`ALTER USER ctl_user SET RSA_PUBLIC_KEY = '${key.publicBody}'`))).code,
    ).toBe('003001');
    await session.close();
  });

  it('session-expired answers 390112; the SDK renews its session with the master token and retries', async () => {
    await control.fault({ on: 'query', match: 'current_user', action: 'session-expired', times: 1 });
    await control.clearLog();
    const session = await connectWithKey(emulator.url, emulator.account, 'ctl_user', key);
    expect(await session.query('SELECT CURRENT_USER()')).toEqual([{ 'CURRENT_USER()': 'CTL_USER' }]);
    await session.close();
    const queries = (await control.log()).filter((e) => e.kind === 'query');
    expect(queries.map((e) => [e.ok, e.code, e.fault ?? null])).toEqual([
      [false, '390112', 'session-expired'],
      [true, null, null],
    ]);
  });

  it('echo quotes the headers, the request or the session back in the message, in the encoding asked for', async () => {
    const issued = (await control.issuedTokens()).find((t) => t.sessionToken === token);
    expect(issued?.user).toBe('CTL_USER');
    const message = async (): Promise<string> =>
      ((await (await rawQuery(token, 'SELECT 1')).json()) as { message: string }).message;
    await control.fault({ on: 'query', match: 'select 1', action: 'sql-error', echo: 'headers', times: 1 });
    expect(await message()).toContain(`"authorization":"Snowflake Token=\\"${token}\\""`);
    await control.fault({
      on: 'query',
      match: 'select 1',
      action: 'sql-error',
      echo: 'session',
      echoAs: 'base64',
      times: 1,
    });
    const session = /\nSession: (\S+)$/.exec(await message())?.[1] ?? '';
    expect(JSON.parse(Buffer.from(session, 'base64').toString('utf8'))).toEqual({
      sessionId: issued?.sessionId,
      sessionToken: token,
      masterToken: issued?.masterToken,
    });
    await control.fault({
      on: 'query',
      match: 'select 1',
      action: 'sql-error',
      echo: 'request',
      echoAs: 'form',
      times: 1,
    });
    expect(await message()).toContain('body.sqlText=SELECT+1');
    // echo needs sql-error; session is for queries; the encoding must be known.
    await expect(control.fault({ on: 'query', action: 'http-500', echo: 'headers' })).rejects.toThrow(
      /HTTP 400/,
    );
    await expect(control.fault({ on: 'login', action: 'sql-error', echo: 'session' })).rejects.toThrow(
      /HTTP 400/,
    );
    await expect(
      control.fault({ on: 'query', action: 'sql-error', echo: 'headers', echoAs: 'rot13' as never }),
    ).rejects.toThrow(/HTTP 400/);
  });

  it('login faults match the login name: http-503, sql-error and reset', async () => {
    await control.fault({
      on: 'login',
      match: '^ctl_user$',
      action: 'sql-error',
      code: '390102',
      message: 'User temporarily locked.',
      times: 1,
    });
    expect((await failure(connectWithKey(emulator.url, emulator.account, 'ctl_user', key))).code).toBe(
      '390102',
    );
    await control.fault({ on: 'login', match: 'ctl_user', action: 'http-503', times: 1 });
    const r = await fetch(`${emulator.url}/session/v1/login-request`, {
      method: 'POST',
      body: JSON.stringify({ data: { LOGIN_NAME: 'ctl_user' } }),
    });
    expect(r.status).toBe(503);
    await control.fault({ on: 'login', match: 'ctl_user', action: 'reset', times: 1 });
    await expect(
      fetch(`${emulator.url}/session/v1/login-request`, {
        method: 'POST',
        body: JSON.stringify({ data: { LOGIN_NAME: 'ctl_user' } }),
      }),
    ).rejects.toThrow();
    await control.fault({ on: 'login', match: 'ctl_user', action: 'delay', delayMs: 200, times: 1 });
    await (await connectWithKey(emulator.url, emulator.account, 'ctl_user', key)).close();
  });

  it('clearFaults removes pending faults', async () => {
    await control.fault({ on: 'query', match: '.', action: 'http-500' });
    await control.clearFaults();
    expect((await rawQuery(token, 'SELECT 1')).status).toBe(200);
  });
});

describe('faults after the work (after: true): the statement runs, the reply is lost', () => {
  let token: string;
  let keyA: TestKey;
  let keyB: TestKey;
  beforeAll(async () => {
    token = await rawLoginToken();
    keyA = makeKeyOnce();
    keyB = makeKey();
  });
  afterEach(async () => {
    await control.sql('ALTER USER ctl_user UNSET RSA_PUBLIC_KEY_2');
  });

  const fingerprint = (k: TestKey) =>
    `SHA256:${createHash('sha256').update(Buffer.from(k.publicBody, 'base64')).digest('base64')}`;
  const slot2 = async () =>
    (await control.sql('DESC USER ctl_user')).find((r) => r.property === 'RSA_PUBLIC_KEY_2_FP')!.value;
  const setSlot2 = (k: TestKey) => `ALTER USER ctl_user SET RSA_PUBLIC_KEY_2 = '${k.publicBody}'`;
  const alters = async () =>
    (await control.log())
      .filter((e) => e.kind === 'query' && e.via === 'sdk' && /^ALTER USER/.test(e.sql ?? ''))
      .map((e) => [e.ok, e.code, e.fault ?? null, e.faultAfter ?? null]);

  it.each(['http-500', 'http-503'] as const)(
    '%s after: the ALTER USER is applied though the client sees the failure',
    async (action) => {
      await control.clearLog();
      await control.fault({ on: 'query', match: '^ALTER USER', action, after: true, times: 1 });
      expect((await rawQuery(token, setSlot2(keyA))).status).toBe(action === 'http-500' ? 500 : 503);
      expect(await slot2()).toBe(fingerprint(keyA));
      expect(await alters()).toEqual([[true, null, action, true]]);
    },
  );

  it('reset after: the connection drops, the ALTER USER is applied', async () => {
    await control.clearLog();
    await control.fault({ on: 'query', match: '^ALTER USER', action: 'reset', after: true, times: 1 });
    await expect(rawQuery(token, setSlot2(keyA))).rejects.toThrow();
    expect(await slot2()).toBe(fingerprint(keyA));
    expect(await alters()).toEqual([[true, null, 'reset', true]]);
  });

  it('sql-error after: the SDK surfaces the error code, the ALTER USER is applied', async () => {
    await control.fault({
      on: 'query',
      match: '^ALTER USER',
      action: 'sql-error',
      code: '000603',
      after: true,
      times: 1,
    });
    const session = await connectWithKey(emulator.url, emulator.account, 'ctl_user', key);
    expect((await failure(session.query(setSlot2(keyA)))).code).toBe('000603');
    await session.close();
    expect(await slot2()).toBe(fingerprint(keyA));
  });

  it('session-expired after: the statement runs, the SDK renews and sends it again, so it runs twice', async () => {
    await control.clearLog();
    await control.fault({
      on: 'query',
      match: '^ALTER USER',
      action: 'session-expired',
      after: true,
      times: 1,
    });
    const session = await connectWithKey(emulator.url, emulator.account, 'ctl_user', key);
    await session.query(setSlot2(keyA));
    await session.close();
    expect(await slot2()).toBe(fingerprint(keyA));
    expect(await alters()).toEqual([
      [true, null, 'session-expired', true],
      [true, null, null, null],
    ]);
  });

  it('skip and after together: the second matching ALTER is applied but answered 500', async () => {
    await control.clearLog();
    await control.fault({
      on: 'query',
      match: '^ALTER USER',
      action: 'http-500',
      after: true,
      skip: 1,
      times: 1,
    });
    expect((await rawQuery(token, setSlot2(keyA))).status).toBe(200);
    expect((await rawQuery(token, setSlot2(keyB))).status).toBe(500);
    expect(await slot2()).toBe(fingerprint(keyB));
    expect((await rawQuery(token, 'ALTER USER ctl_user UNSET RSA_PUBLIC_KEY_2')).status).toBe(200);
    expect(await alters()).toEqual([
      [true, null, null, null],
      [true, null, 'http-500', true],
      [true, null, null, null],
    ]);
  });

  it('a statement that fails is still a failure underneath an after fault', async () => {
    await control.clearLog();
    await control.fault({ on: 'query', match: '^ALTER USER', action: 'http-503', after: true, times: 1 });
    expect((await rawQuery(token, "ALTER USER nobody SET COMMENT = 'x'")).status).toBe(503);
    expect(await alters()).toEqual([[false, '002003', 'http-503', true]]);
  });

  it('delay after: the change is visible before the late reply arrives', async () => {
    await control.fault({
      on: 'query',
      match: '^ALTER USER',
      action: 'delay',
      delayMs: 400,
      after: true,
      times: 1,
    });
    let replied = false;
    const pending = rawQuery(token, setSlot2(keyA)).finally(() => (replied = true));
    while ((await slot2()) === 'null') await new Promise((r) => setTimeout(r, 10));
    expect(replied).toBe(false);
    expect(await slot2()).toBe(fingerprint(keyA));
    expect((await pending).status).toBe(200);
  });

  it('login faults ignore after (answered before the login is verified), and after must be a boolean', async () => {
    await control.fault({ on: 'login', match: 'ctl_user', action: 'http-503', after: true, times: 1 });
    const r = await fetch(`${emulator.url}/session/v1/login-request`, {
      method: 'POST',
      body: JSON.stringify({ data: { LOGIN_NAME: 'ctl_user' } }),
    });
    expect(r.status).toBe(503);
    await expect(
      control.fault({ on: 'query', action: 'reset', after: 'yes' as unknown as boolean }),
    ).rejects.toThrow(/after must be a boolean/);
  });
});

describe('wire protocol odds and ends', () => {
  it('answers 390104 for an unknown session token, and heartbeat/telemetry/close for a live one', async () => {
    const bad = (await (await rawQuery('nope', 'SELECT 1')).json()) as { success: boolean; code: string };
    expect([bad.success, bad.code]).toEqual([false, '390104']);
    const token = await rawLoginToken();
    const post = (path: string) =>
      fetch(`${emulator.url}${path}`, {
        method: 'POST',
        headers: { Authorization: `Snowflake Token="${token}"` },
        body: '{}',
      }).then((r) => r.json() as Promise<{ success: boolean }>);
    expect((await post('/session/heartbeat')).success).toBe(true);
    expect((await post('/telemetry/send')).success).toBe(true);
    expect((await post('/session?delete=true')).success).toBe(true);
    expect((await post('/session/heartbeat')).success).toBe(false);
  });
});
