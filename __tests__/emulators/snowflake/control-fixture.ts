// One emulator with a fixed clock and a key-pair service user `ctl_user` (SYSADMIN), for the control-plane and
// fault tests; faults and latency are cleared after each test. Test files call useControlledEmulator() first.

import { startSnowflakeEmulator, type SnowflakeEmulator } from './server.js';
import { SnowflakeControl } from './control.js';
import { makeKey, type TestKey } from './helpers.js';

export let emulator: SnowflakeEmulator;
export let control: SnowflakeControl;
export let key: TestKey;
const base = new Date('2024-03-01T12:00:00.500Z').getTime();

export function useControlledEmulator(): void {
  beforeAll(async () => {
    key = makeKey();
    emulator = await startSnowflakeEmulator({ now: () => new Date(base) });
    control = new SnowflakeControl(emulator.url);
    await control.sql(
      `CREATE USER ctl_user TYPE = SERVICE DEFAULT_ROLE = SYSADMIN RSA_PUBLIC_KEY = '${key.publicBody}'`,
    );
    await control.sql('GRANT ROLE SYSADMIN TO USER ctl_user');
  });

  afterAll(async () => {
    await emulator.close();
  });

  afterEach(async () => {
    await control.clearFaults();
    await control.latency(0);
  });
}

/** A query over the wire without the SDK, so that faults are observed as they are sent. */
export async function rawQuery(token: string, sql: string): Promise<Response> {
  return fetch(`${emulator.url}/queries/v1/query-request`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Snowflake Token="${token}"` },
    body: JSON.stringify({ sqlText: sql }),
  });
}

export async function rawLoginToken(): Promise<string> {
  // A session over raw HTTP, signed as snowflake-sdk signs (iat/exp in milliseconds).
  const fp = (await control.sql('DESC USER ctl_user')).find((r) => r.property === 'RSA_PUBLIC_KEY_FP')!
    .value as string;
  const { createSign } = await import('node:crypto');
  const now = Date.now();
  const header = Buffer.from(JSON.stringify({ alg: 'RS256', typ: 'JWT' })).toString('base64url');
  const body = Buffer.from(
    JSON.stringify({
      iss: `TESTORG-TESTACCOUNT.CTL_USER.${fp}`,
      sub: 'TESTORG-TESTACCOUNT.CTL_USER',
      iat: now,
      exp: now + 60_000,
    }),
  ).toString('base64url');
  const sig = createSign('RSA-SHA256').update(`${header}.${body}`).sign(key.privateKey).toString('base64url');
  const response = await fetch(`${emulator.url}/session/v1/login-request`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      data: { AUTHENTICATOR: 'SNOWFLAKE_JWT', LOGIN_NAME: 'ctl_user', TOKEN: `${header}.${body}.${sig}` },
    }),
  });
  const json = (await response.json()) as { data: { token: string } };
  return json.data.token;
}

/** A second key, made once per file (key generation is slow). */
let spareKey: TestKey | undefined;
export function makeKeyOnce(): TestKey {
  spareKey ??= makeKey();
  return spareKey;
}
