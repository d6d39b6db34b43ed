import { parsePrivateKey } from '../../src/keys.js';
import type { GenericSecretSpelling } from '../emulators/snowflake/account/model.js';
import { expectNoLeaks } from '../harness/leak-scan.js';
import type { ActionRun } from '../harness/run-action.js';
import { ADMIN_ROLE, SERVICE_USER, type TestKey, World, newKey } from '../harness/world.js';
import { useProvisionedWorld } from '../harness/world-hooks.js';

/**
 * `snowflake-secret` end to end (issue 17, items 7, 9 and 10): everything ALTER SECRET needs (the secret, its
 * type, its ownership by a role of the session) and whose key it holds (the record in its COMMENT) is checked
 * before the first change; a refusal leaves Snowflake (user keys, the secret's value and comment) and GitHub
 * as they were. Every case runs twice: with DESC SECRET spelling a generic string secret's type
 * GENERIC_STRING, and GENERIC (the emulator's README: the documentation gives both).
 */

const SECRET = 'KEYS_DB.ROTATION.SVC_KEY';
const SECRET_SQL = '"KEYS_DB"."ROTATION"."SVC_KEY"';
/** The record the action writes into a secret's comment: the user (an identifier, quoted) and the fingerprint. */
const record = (user: string, fingerprint: string): string =>
  `snowflake-keypair-action: private key of user "${user}", ${fingerprint}`;
const fingerprintOfPem = (pem: string): string =>
  parsePrivateKey(pem, undefined, { key: 'stored', passphrase: 'n/a' }).fingerprint;
const fingerprintOfKey = (key: TestKey): string => fingerprintOfPem(key.pem);

describe.each<GenericSecretSpelling>(['GENERIC_STRING', 'GENERIC'])(
  'DESC SECRET spelling a generic string %s',
  (spelling) => {
    let world: World;
    let adminKey: TestKey;
    let firstKey: TestKey;

    useProvisionedWorld((started) => ({ world, adminKey, firstKey } = started), {
      snowflake: { descSecretGenericType: spelling },
    });

    beforeEach(async () => {
      await world.sf.sql('CREATE DATABASE KEYS_DB');
      await world.sf.sql('CREATE SCHEMA KEYS_DB.ROTATION');
      await world.sf.sql(`CREATE SECRET ${SECRET} TYPE = GENERIC_STRING SECRET_STRING = ''`);
      await world.sf.sql(`GRANT USAGE ON DATABASE KEYS_DB TO ROLE ${ADMIN_ROLE}`);
      await world.sf.sql(`GRANT USAGE ON SCHEMA KEYS_DB.ROTATION TO ROLE ${ADMIN_ROLE}`);
    });

    const secretNamed = async (name = 'SVC_KEY') => {
      const found = (await world.sf.secrets()).find((s) => s.name === name);
      if (found?.secretString) world.secrets[`snowflake secret ${name}`] = found.secretString;
      return found;
    };
    const rotation = (overrides: Record<string, string | undefined> = {}) =>
      world.rotateInputs(adminKey, {
        'current-private-key': firstKey.pem,
        'snowflake-secret': SECRET,
        ...overrides,
      });

    /** What a refused run must have left alone: every secret object, the users' keys, GitHub. */
    const snapshot = async () => ({
      secrets: await world.sf.secrets(),
      users: (await world.sf.sql('SHOW USERS')).map((u) => u.name),
      serviceUser: await world.describe(SERVICE_USER),
    });
    const expectRefused = async (
      run: ActionRun,
      message: RegExp,
      before: Awaited<ReturnType<typeof snapshot>>,
    ): Promise<void> => {
      expect(run.exitCode).toBe(1);
      expect(run.errors.join('\n')).toMatch(message);
      expect(run.outputs.changed).toBe('false');
      expect(await world.changes()).toEqual([]);
      expect(await snapshot()).toEqual(before);
      expect(await world.gh.secrets()).toEqual([]);
      expect((await world.gh.log()).filter((e) => e.method !== 'GET')).toEqual([]);
      expectNoLeaks(run, world.secrets);
    };

    describe('rotate', () => {
      test('a secret the role owns takes the key; its comment records whose key it is, beside what a person wrote there', async () => {
        await world.sf.sql(`ALTER SECRET ${SECRET} SET COMMENT = 'Loader key, read by the ingest procedure'`);
        await world.sf.sql(`GRANT OWNERSHIP ON SECRET ${SECRET} TO ROLE ${ADMIN_ROLE}`);
        const run = await world.run(rotation({ 'snowflake-secret': 'keys_db.rotation.svc_key' }));
        expect(run.errors).toEqual([]);
        expect(run.outputs['secrets-written']?.split('\n')).toEqual([
          'repository:acme/app:SNOWFLAKE_PRIVATE_KEY',
          'snowflake-secret:KEYS_DB.ROTATION.SVC_KEY',
        ]);
        const stored = await secretNamed();
        expect(stored?.secretString).toBe(await world.secretValue('SNOWFLAKE_PRIVATE_KEY'));
        const fingerprint = fingerprintOfPem(stored?.secretString ?? '');
        expect(fingerprint).toBe(run.outputs.fingerprint);
        expect(stored?.comment).toBe(
          `Loader key, read by the ingest procedure ${record(SERVICE_USER, fingerprint)}`,
        );
        expect(run.visibleLog).toMatch(
          new RegExp(
            `prepare-destinations: .*snowflake-secret:KEYS_DB.ROTATION.SVC_KEY is a generic string secret \\(${spelling}\\) owned by ${ADMIN_ROLE}.*nothing records whose key it holds`,
          ),
        );
        expectNoLeaks(run, world.secrets);

        // The next rotation finds its own record, and replaces it (the person's text stays).
        const next = await world.run(
          rotation({ 'current-private-key': stored?.secretString ?? undefined, 'grace-period': '0s' }),
        );
        expect(next.errors).toEqual([]);
        expect(next.visibleLog).toContain(`it holds a key of ${SERVICE_USER} (${fingerprint}, registered)`);
        const again = await secretNamed();
        expect(fingerprintOfPem(again?.secretString ?? '')).toBe(next.outputs.fingerprint);
        expect(again?.comment).toBe(
          `Loader key, read by the ingest procedure ${record(SERVICE_USER, next.outputs.fingerprint ?? '')}`,
        );
        expectNoLeaks(next, world.secrets);
      });

      test('a secret owned by a role the session role inherits takes the key', async () => {
        await world.sf.sql('CREATE ROLE SECRET_KEEPER');
        await world.sf.sql(`GRANT ROLE SECRET_KEEPER TO ROLE ${ADMIN_ROLE}`);
        await world.sf.sql(`GRANT OWNERSHIP ON SECRET ${SECRET} TO ROLE SECRET_KEEPER`);
        const run = await world.run(rotation());
        expect(run.errors).toEqual([]);
        const stored = await secretNamed();
        expect(fingerprintOfPem(stored?.secretString ?? '')).toBe(run.outputs.fingerprint);
        expect(stored?.comment).toBe(record(SERVICE_USER, run.outputs.fingerprint ?? ''));
        expect(run.visibleLog).toContain('owned by SECRET_KEEPER, a role of this session');
        expectNoLeaks(run, world.secrets);
      });

      test('what ALTER SECRET would refuse, or a secret holding another key, is refused before anything changes', async () => {
        const otherKey = newKey();
        world.secrets['other user key'] = otherKey.pem;
        await world.sf.sql('CREATE ROLE SECRET_KEEPER');
        await world.sf.sql('CREATE ROLE KEY_READER');
        const create = (name: string, extra = '') =>
          world.sf.sql(`CREATE SECRET KEYS_DB.ROTATION.${name} ${extra}`);
        await create('BASIC', "TYPE = PASSWORD USERNAME = 'u' PASSWORD = 'not-a-key'");
        await world.sf.sql(`GRANT OWNERSHIP ON SECRET KEYS_DB.ROTATION.BASIC TO ROLE ${ADMIN_ROLE}`);
        // Owned by ACCOUNTADMIN; the role may describe it (USAGE), not change it.
        await create('USED', "TYPE = GENERIC_STRING SECRET_STRING = ''");
        await world.sf.sql(`GRANT USAGE ON SECRET KEYS_DB.ROTATION.USED TO ROLE ${ADMIN_ROLE}`);
        // Owned by a role the session does not have, with readers that keep their grant.
        await create('KEPT', "TYPE = GENERIC_STRING SECRET_STRING = 'the keeper value'");
        await world.sf.sql(`GRANT USAGE ON SECRET KEYS_DB.ROTATION.KEPT TO ROLE ${ADMIN_ROLE}`);
        await world.sf.sql('GRANT USAGE ON SECRET KEYS_DB.ROTATION.KEPT TO ROLE KEY_READER');
        await world.sf.sql(
          'GRANT OWNERSHIP ON SECRET KEYS_DB.ROTATION.KEPT TO ROLE SECRET_KEEPER COPY CURRENT GRANTS',
        );
        // READ lets a role fetch the value from code, not describe it.
        await create('READABLE', "TYPE = GENERIC_STRING SECRET_STRING = ''");
        await world.sf.sql(`GRANT READ ON SECRET KEYS_DB.ROTATION.READABLE TO ROLE ${ADMIN_ROLE}`);
        // Owned by the role, holding the key of another user, as this action records it.
        const otherFingerprint = fingerprintOfKey(otherKey);
        await create(
          'OTHERS',
          `TYPE = GENERIC_STRING SECRET_STRING = '${otherKey.pem}' COMMENT = 'ETL key ${record('SVC_OTHER', otherFingerprint)}'`,
        );
        await world.sf.sql(`GRANT OWNERSHIP ON SECRET KEYS_DB.ROTATION.OTHERS TO ROLE ${ADMIN_ROLE}`);

        const cases: [string, RegExp][] = [
          [
            'KEYS_DB.ROTATION.NOPE',
            /Step prepare-destinations failed: Input 'snowflake-secret' names Snowflake secret "KEYS_DB"."ROTATION"."NOPE", which does not exist, or which the session's role may not see \(002003\).*CREATE SECRET "KEYS_DB"."ROTATION"."NOPE" TYPE = GENERIC_STRING/s,
          ],
          [
            'KEYS_DB.ROTATION.BASIC',
            /Step prepare-destinations failed: Input 'snowflake-secret' names Snowflake secret "KEYS_DB"."ROTATION"."BASIC", of type PASSWORD, not a generic string \(TYPE = GENERIC_STRING\).*CREATE SECRET .* TYPE = GENERIC_STRING/s,
          ],
          [
            'KEYS_DB.ROTATION.USED',
            /Step prepare-destinations failed: Input 'snowflake-secret' names Snowflake secret "KEYS_DB"."ROTATION"."USED", which the session's role may not change: it is owned by role ACCOUNTADMIN, which is not active in this session, and ALTER SECRET needs OWNERSHIP of it.*GRANT OWNERSHIP ON SECRET "KEYS_DB"."ROTATION"."USED" TO ROLE "ROTATOR_ROLE" COPY CURRENT GRANTS, run as ACCOUNTADMIN or a role with MANAGE GRANTS/s,
          ],
          [
            'KEYS_DB.ROTATION.KEPT',
            /Step prepare-destinations failed: .*Snowflake secret "KEYS_DB"."ROTATION"."KEPT", which the session's role may not change: it is owned by role SECRET_KEEPER, which is not active in this session.*GRANT OWNERSHIP ON SECRET "KEYS_DB"."ROTATION"."KEPT" TO ROLE "ROTATOR_ROLE" COPY CURRENT GRANTS, run as SECRET_KEEPER/s,
          ],
          [
            'KEYS_DB.ROTATION.READABLE',
            /Step prepare-destinations failed: .*Snowflake secret "KEYS_DB"."ROTATION"."READABLE", which the session's role may not describe \(003001: .*\): DESC SECRET needs USAGE on it.*GRANT OWNERSHIP ON SECRET "KEYS_DB"."ROTATION"."READABLE" TO ROLE "ROTATOR_ROLE" COPY CURRENT GRANTS/s,
          ],
          [
            'KEYS_DB.ROTATION.OTHERS',
            new RegExp(
              `Step prepare-destinations failed: Input 'snowflake-secret' names Snowflake secret "KEYS_DB"."ROTATION"."OTHERS", which holds the private key of another user, SVC_OTHER \\(${escape(otherFingerprint)}, as its comment records\\); this run would replace it with a key of ${SERVICE_USER}.*Check who reads this secret.*give ${SERVICE_USER} a secret of its own.*set 'force: true' to replace it`,
              's',
            ),
          ],
        ];
        for (const [name, message] of cases) {
          const before = await snapshot();
          const run = await world.run(rotation({ 'snowflake-secret': name }));
          await expectRefused(run, message, before);
        }
      });

      test("force: true replaces another user's key, with a warning that names both users", async () => {
        const otherKey = newKey();
        world.secrets['other user key'] = otherKey.pem;
        const otherFingerprint = fingerprintOfKey(otherKey);
        await world.sf.sql(
          `ALTER SECRET ${SECRET} SET SECRET_STRING = '${otherKey.pem}' COMMENT = '${record('SVC_OTHER', otherFingerprint)}'`,
        );
        await world.sf.sql(`GRANT OWNERSHIP ON SECRET ${SECRET} TO ROLE ${ADMIN_ROLE}`);
        const run = await world.run(rotation({ force: 'true' }));
        expect(run.errors).toEqual([]);
        expect(run.warnings.join('\n')).toContain(
          `force: true: writing the key of ${SERVICE_USER} into Snowflake secret ${SECRET_SQL} although its comment records the key of SVC_OTHER (${otherFingerprint})`,
        );
        const stored = await secretNamed();
        expect(fingerprintOfPem(stored?.secretString ?? '')).toBe(run.outputs.fingerprint);
        expect(stored?.comment).toBe(record(SERVICE_USER, run.outputs.fingerprint ?? ''));
        expectNoLeaks(run, world.secrets);
      });
    });

    describe('setup (target-user, first key)', () => {
      const NEW_USER = 'REVERSE_ETL_USER';
      const setupInputs = (overrides: Record<string, string | undefined> = {}) =>
        world.rotateInputs(adminKey, {
          mode: 'setup',
          'target-user': NEW_USER,
          'snowflake-secret': SECRET,
          ...overrides,
        });

      beforeEach(async () => {
        await world.sf.sql(`GRANT CREATE USER ON ACCOUNT TO ROLE ${ADMIN_ROLE}`);
        await world.sf.sql(`GRANT OWNERSHIP ON SECRET ${SECRET} TO ROLE ${ADMIN_ROLE}`);
      });

      test("a secret with no record, one holding another user's key, or one the role may not change: refused before CREATE USER", async () => {
        const otherKey = newKey();
        world.secrets['other user key'] = otherKey.pem;
        const otherFingerprint = fingerprintOfKey(otherKey);
        await world.sf.sql(
          `CREATE SECRET KEYS_DB.ROTATION.OTHERS TYPE = GENERIC_STRING SECRET_STRING = '${otherKey.pem}' COMMENT = '${record(SERVICE_USER, otherFingerprint)}'`,
        );
        await world.sf.sql(`GRANT OWNERSHIP ON SECRET KEYS_DB.ROTATION.OTHERS TO ROLE ${ADMIN_ROLE}`);
        await world.sf.sql(
          "CREATE SECRET KEYS_DB.ROTATION.USED TYPE = GENERIC_STRING SECRET_STRING = '' COMMENT = 'made by hand'",
        );
        await world.sf.sql(`GRANT USAGE ON SECRET KEYS_DB.ROTATION.USED TO ROLE ${ADMIN_ROLE}`);
        const cases: [string, RegExp][] = [
          [
            SECRET,
            new RegExp(
              `Step read-account failed: Input 'snowflake-secret' names Snowflake secret ${escape(SECRET_SQL)}, which already exists with no record of whose key it holds; ${NEW_USER} has no key yet, so whatever it holds is not a key of ${NEW_USER}.*Check who reads this secret. If it is empty or stale, set 'force: true' to store the key of ${NEW_USER} in it.*otherwise name another secret`,
              's',
            ),
          ],
          [
            'KEYS_DB.ROTATION.OTHERS',
            new RegExp(
              `Step read-account failed: .*"OTHERS", which holds the private key of another user, ${SERVICE_USER} \\(${escape(otherFingerprint)}, as its comment records\\); this run would replace it with a key of ${NEW_USER}`,
              's',
            ),
          ],
          [
            'KEYS_DB.ROTATION.USED',
            /Step read-account failed: .*"USED", which the session's role may not change: it is owned by role ACCOUNTADMIN.*GRANT OWNERSHIP ON SECRET "KEYS_DB"."ROTATION"."USED" TO ROLE "ROTATOR_ROLE"/s,
          ],
        ];
        for (const [name, message] of cases) {
          const before = await snapshot();
          const run = await world.run(setupInputs({ 'snowflake-secret': name }));
          await expectRefused(run, message, before);
          expect(await world.sf.sql(`SHOW USERS LIKE '${NEW_USER}'`)).toEqual([]);
        }
      });

      test('force: true stores the first key in a secret with no record, with a warning; the comment then records it', async () => {
        await world.sf.sql(`ALTER SECRET ${SECRET} SET COMMENT = 'created by hand for the loader'`);
        const run = await world.run(setupInputs({ force: 'true' }));
        expect(run.errors).toEqual([]);
        expect(run.warnings).toContain(
          `force: true: writing the key of ${NEW_USER} into Snowflake secret ${SECRET_SQL} although nothing records whose key it holds, while ${NEW_USER} has no key yet`,
        );
        const stored = await secretNamed();
        expect(fingerprintOfPem(stored?.secretString ?? '')).toBe(run.outputs.fingerprint);
        expect(stored?.comment).toBe(
          `created by hand for the loader ${record(NEW_USER, run.outputs.fingerprint ?? '')}`,
        );
        expectNoLeaks(run, world.secrets);
      });

      test("a secret whose record names this user takes the user's first key", async () => {
        // A leftover of an earlier life of the user: its key is registered nowhere now.
        const stale = fingerprintOfKey(newKey());
        await world.sf.sql(`ALTER SECRET ${SECRET} SET COMMENT = '${record(NEW_USER, stale)}'`);
        const run = await world.run(setupInputs());
        expect(run.errors).toEqual([]);
        expect(run.visibleLog).toContain(`it holds a key of ${NEW_USER} (${stale}, no longer registered)`);
        const stored = await secretNamed();
        expect(fingerprintOfPem(stored?.secretString ?? '')).toBe(run.outputs.fingerprint);
        expect((await world.describe(NEW_USER)).RSA_PUBLIC_KEY_FP).toBe(run.outputs.fingerprint);
        expect(stored?.comment).toBe(record(NEW_USER, run.outputs.fingerprint ?? ''));
        expectNoLeaks(run, world.secrets);
      });
    });
  },
);

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
