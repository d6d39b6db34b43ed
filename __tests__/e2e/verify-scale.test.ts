import { expectNoLeaks } from '../harness/leak-scan.js';
import { provisionScaleAccount, scaleSpec, scaleVerifyInputs } from '../harness/scale-spec.js';
import { type TestKey, World } from '../harness/world.js';
import { useProvisionedWorld } from '../harness/world-hooks.js';

/**
 * `verify` on a large account: a spec of 1,000 roles with 10 grants each, checked with at most one SHOW GRANTS
 * per role (the emulator's log counts them) and no statement sent twice. How long it takes is measured by the
 * benchmark (`npm run bench`, which builds the same account and spec with harness/scale-spec.ts), not here.
 */

const ROLES = 1000;

let world: World;
let adminKey: TestKey;

useProvisionedWorld((started) => ({ world, adminKey } = started), { perFile: true });

beforeAll(async () => {
  await provisionScaleAccount(world, ROLES);
}, 300_000);

test('1,000 roles of 10 grants: verified clean with one SHOW GRANTS per role and no statement twice', async () => {
  await world.sf.clearLog();
  const run = await world.run(scaleVerifyInputs(world, adminKey, 'big.yml'), {
    files: { 'big.yml': scaleSpec(ROLES) },
    timeoutMs: 240_000,
  });
  expect(run.errors).toEqual([]);
  expect(run.outputs.drift).toBe('0');
  const statements = (await world.sf.log())
    .filter((e) => e.kind === 'query' && e.via === 'sdk')
    .map((e) => e.sql ?? '');
  const showGrants = statements.filter((sql) => /^SHOW GRANTS TO ROLE /i.test(sql));
  expect(showGrants).toHaveLength(ROLES);
  expect(new Set(statements).size).toBe(statements.length);
  expectNoLeaks(run, world.secrets);
}, 300_000);
