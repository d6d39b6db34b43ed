import { expectNoLeaks } from '../harness/leak-scan.js';
import { ADMIN, type TestKey, World, newKey } from '../harness/world.js';

/**
 * `verify` on a large account: a spec of 1,000 roles with 10 grants each, checked with at most one SHOW GRANTS
 * per role (the emulator's log counts them) and no statement sent twice. How long it takes is measured by the
 * benchmark, not here.
 */

const ROLES = 1000;
const WAREHOUSES = 10;

let world: World;
let adminKey: TestKey;

beforeAll(async () => {
  world = await World.start();
  adminKey = newKey();
  await world.provision(adminKey, newKey());
  await world.sf.sql(`GRANT ROLE ACCOUNTADMIN TO USER ${ADMIN}`);
  for (let w = 0; w < WAREHOUSES; w++) await world.sf.sql(`CREATE WAREHOUSE W${w}`);
  const statements: string[] = [];
  for (let r = 0; r < ROLES; r++) {
    statements.push(`CREATE ROLE R${r}`);
    for (let w = 0; w < WAREHOUSES; w++) statements.push(`GRANT USAGE ON WAREHOUSE W${w} TO ROLE R${r}`);
  }
  // The control plane takes one statement at a time; send them a few at once.
  for (let i = 0; i < statements.length; i += 50) {
    await Promise.all(statements.slice(i, i + 50).map((sql) => world.sf.sql(sql)));
  }
}, 300_000);

afterAll(async () => {
  await world.close();
});

function spec(): string {
  const lines = ['version: 1', 'roles:'];
  for (let r = 0; r < ROLES; r++) {
    lines.push(`  - name: r${r}`, '    privileges:');
    for (let w = 0; w < WAREHOUSES; w++)
      lines.push(`      - { on: warehouse, name: w${w}, privileges: [USAGE] }`);
  }
  return `${lines.join('\n')}\n`;
}

test('1,000 roles of 10 grants: verified clean with one SHOW GRANTS per role and no statement twice', async () => {
  await world.sf.clearLog();
  const run = await world.run(
    world.rotateInputs(adminKey, {
      mode: 'verify',
      role: 'ACCOUNTADMIN',
      spec: 'big.yml',
      'target-user': undefined,
      'secret-name': undefined,
      'github-token': undefined,
    }),
    { files: { 'big.yml': spec() }, timeoutMs: 240_000 },
  );
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
