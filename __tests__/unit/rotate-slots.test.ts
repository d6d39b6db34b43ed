import { generateKeyPairSync } from 'node:crypto';
import type { RotateConfig } from '../../src/config.js';
import { parsePrivateKey, publicKeyBody } from '../../src/keys.js';
import { chooseSlot } from '../../src/modes/rotate.js';
import type { UserState } from '../../src/snowflake/users.js';
import type { KeySlot } from '../../src/snowflake/model.js';
import { errorText } from '../harness/errors.js';

const names = { key: 'current-private-key', passphrase: 'key-passphrase' };
const keys = [0, 1, 2].map(() => {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return parsePrivateKey(privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), undefined, names);
});
const [keyA, keyB, keyC] = keys as [(typeof keys)[0], (typeof keys)[0], (typeof keys)[0]];
const now = new Date('2026-11-22T12:00:00Z');
const hoursAgo = (h: number): Date => new Date(now.getTime() - h * 3_600_000);

function slot(name: KeySlot['slot'], key?: (typeof keys)[0], setAt?: Date): KeySlot {
  return {
    slot: name,
    publicKeyBody: key ? publicKeyBody(key.key) : undefined,
    fingerprint: key?.fingerprint,
    lastSetAt: key ? setAt : undefined,
  };
}
function user(
  first?: (typeof keys)[0],
  second?: (typeof keys)[0],
  setAt: [Date?, Date?] = [hoursAgo(100), hoursAgo(100)],
  loginName = 'SVC',
): UserState {
  return {
    name: 'SVC',
    loginName,
    slots: {
      RSA_PUBLIC_KEY: slot('RSA_PUBLIC_KEY', first, setAt[0]),
      RSA_PUBLIC_KEY_2: slot('RSA_PUBLIC_KEY_2', second, setAt[1]),
    },
  };
}
function keyLogin(user: string): RotateConfig['snowflake'] {
  return {
    account: 'a',
    url: 'https://a.snowflakecomputing.com',
    user,
    method: { kind: 'key-pair', privateKey: keyC },
  };
}
function config(overrides: Partial<RotateConfig> = {}): RotateConfig {
  return {
    gracePeriodMs: 3_600_000,
    force: false,
    snowflake: keyLogin('ROTATOR'),
    ...overrides,
  } as RotateConfig;
}

test('no key yet: slot 1, nothing kept', () => {
  const choice = chooseSlot(user(), config(), now);
  expect(choice.slot).toBe('RSA_PUBLIC_KEY');
  expect(choice.inUse).toBeUndefined();
});

test('one key: the other slot, keeping it', () => {
  expect(chooseSlot(user(keyA), config(), now)).toMatchObject({
    slot: 'RSA_PUBLIC_KEY_2',
    inUse: { fingerprint: keyA.fingerprint },
  });
  expect(chooseSlot(user(undefined, keyB), config(), now)).toMatchObject({
    slot: 'RSA_PUBLIC_KEY',
    inUse: { slot: 'RSA_PUBLIC_KEY_2' },
  });
});

test('current-private-key decides which slot is kept', () => {
  const choice = chooseSlot(user(keyA, keyB), config({ currentPrivateKey: keyB }), now);
  expect(choice).toMatchObject({
    slot: 'RSA_PUBLIC_KEY',
    replaced: { fingerprint: keyA.fingerprint },
    inUse: { fingerprint: keyB.fingerprint },
  });
});

test('self-rotation (the user logs in as the target) keeps the login key', () => {
  const self = config({ snowflake: keyLogin('svc') });
  const choice = chooseSlot(user(keyA, keyC), self, now);
  expect(choice).toMatchObject({ slot: 'RSA_PUBLIC_KEY', inUse: { slot: 'RSA_PUBLIC_KEY_2' } });
});

test('self-rotation is told by the login name, which may differ from the user name', () => {
  const self = config({ snowflake: keyLogin('SVC_LOGIN') });
  expect(chooseSlot(user(keyA, keyC, undefined, 'SVC_LOGIN'), self, now).inUse?.slot).toBe(
    'RSA_PUBLIC_KEY_2',
  );
});

test('self-rotation never replaces the login key, whatever current-private-key says', () => {
  const self = config({
    snowflake: keyLogin('SVC'),
    currentPrivateKey: keyA,
    force: true,
  });
  expect(errorText(() => chooseSlot(user(keyA, keyC), self, now))).toMatch(
    /RSA_PUBLIC_KEY_2 of SVC holds the key this run logged in with/,
  );
});

test('both set and nothing says which is live: refused, unless force, which keeps slot 1', () => {
  expect(errorText(() => chooseSlot(user(keyA, keyB), config(), now))).toMatch(
    /Both key slots.*current-private-key.*force: true/s,
  );
  expect(chooseSlot(user(keyA, keyB), config({ force: true }), now).slot).toBe('RSA_PUBLIC_KEY_2');
});

test('current-private-key that matches neither slot is refused, even with force', () => {
  for (const force of [false, true]) {
    expect(
      errorText(() => chooseSlot(user(keyA, keyB), config({ currentPrivateKey: keyC, force }), now)),
    ).toMatch(/registered in neither slot.*Registered: RSA_PUBLIC_KEY SHA256:/s);
  }
});

test('a slot set within the grace period is not overwritten unless force', () => {
  const recent = user(keyA, keyB, [hoursAgo(100), hoursAgo(0.5)]);
  expect(errorText(() => chooseSlot(recent, config({ currentPrivateKey: keyA }), now))).toMatch(
    /RSA_PUBLIC_KEY_2 of SVC was set 30m ago, within the grace period of 60m.*Wait until 2026-11-22T12:30:00.000Z/s,
  );
  expect(chooseSlot(recent, config({ currentPrivateKey: keyA, force: true }), now).slot).toBe(
    'RSA_PUBLIC_KEY_2',
  );
  expect(chooseSlot(recent, config({ currentPrivateKey: keyA, gracePeriodMs: 0 }), now).slot).toBe(
    'RSA_PUBLIC_KEY_2',
  );
});

test('an old key that was in use until minutes ago is not replaced within the grace period either', () => {
  // keyB went in (and into the secret) 20 minutes ago; runs queued before that still hold keyA.
  const justRotated = user(keyA, keyB, [hoursAgo(100), hoursAgo(1 / 3)]);
  expect(errorText(() => chooseSlot(justRotated, config({ currentPrivateKey: keyB }), now))).toMatch(
    /The key in use \(RSA_PUBLIC_KEY_2\) of SVC was set 20m ago, within the grace period of 60m: RSA_PUBLIC_KEY held the key in use until then.*Wait until 2026-11-22T12:40:00.000Z/s,
  );
  expect(chooseSlot(justRotated, config({ currentPrivateKey: keyB, force: true }), now).slot).toBe(
    'RSA_PUBLIC_KEY',
  );
  // Once the key in use is older than the grace period, the old one goes.
  const settled = user(keyA, keyB, [hoursAgo(100), hoursAgo(2)]);
  expect(chooseSlot(settled, config({ currentPrivateKey: keyB }), now).slot).toBe('RSA_PUBLIC_KEY');
});

test('an unknown set time cannot prove the grace period: refused unless force', () => {
  const unknown = user(keyA, keyB, [hoursAgo(100), undefined]);
  expect(errorText(() => chooseSlot(unknown, config({ currentPrivateKey: keyA }), now))).toMatch(
    /does not say when/,
  );
});
