// One emulator for the tests of a file: started before them, closed after, with three RSA keys and a
// key-pair login. Test files call useEmulator() at the top and read the bindings below once it has run.

import { startSnowflakeEmulator, type SnowflakeEmulator } from './server.js';
import { SnowflakeControl } from './control.js';
import { connectWithKey, makeKey, type TestKey } from './helpers.js';

export let emulator: SnowflakeEmulator;
export let control: SnowflakeControl;
export let keyA: TestKey;
export let keyB: TestKey;
export let keyC: TestKey;

export function useEmulator(): void {
  beforeAll(async () => {
    keyA = makeKey();
    keyB = makeKey();
    keyC = makeKey();
    emulator = await startSnowflakeEmulator();
    control = new SnowflakeControl(emulator.url);
  });

  afterAll(async () => {
    await emulator.close();
  });
}

/** A key-pair login to the emulator with the real SDK. */
export const login = (user: string, key: TestKey, extra: Record<string, unknown> = {}) =>
  connectWithKey(emulator.url, emulator.account, user, key, extra);
