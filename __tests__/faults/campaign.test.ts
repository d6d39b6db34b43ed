import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../harness/run-action.js';
import { ADMIN, SERVICE_USER, type TestKey, World, newKey } from '../harness/world.js';
import {
  type Enumeration,
  RUN_ENV,
  type Row,
  type RowResult,
  type Scenario,
  enumerate,
  faultsFor,
  runRow,
} from './campaign.js';

/**
 * The fault campaign over every mode (see campaign.ts for the invariants). `FAULTS_MODE=rotate` and
 * `FAULTS_MATCH=<regex on the request>` narrow it while debugging; CI runs all of it.
 */

const SECRET_NAME = 'SNOWFLAKE_PRIVATE_KEY';
const SEGMENT_SPEC = 'snowflake/segment.yml';
const SEGMENT_USER = 'SEGMENT_REVERSE_ETL_USER';
/** Segment's network policy admits its US addresses only: logins (ours and the tests') come from one. */
const SEGMENT_ADDRESS = '52.25.130.38';
const files = {
  [SEGMENT_SPEC]: readFileSync(join(REPO_ROOT, 'examples', 'segment-reverse-etl.yml'), 'utf8'),
};

// The same keys in every World: generating them per row would cost more than the rows.
const adminKey: TestKey = newKey();
const firstKey: TestKey = newKey();

/** A World where the admin may create everything Segment's guide needs (it runs as ACCOUNTADMIN). */
async function accountAdminWorld(world: World): Promise<void> {
  await world.provision(adminKey, firstKey);
  await world.sf.sql(`GRANT ROLE ACCOUNTADMIN TO USER ${ADMIN}`);
  await world.sf.clientIp(SEGMENT_ADDRESS);
}

function specInputs(world: World, mode: 'setup' | 'verify'): Record<string, string | undefined> {
  return world.specInputs(adminKey, mode, SEGMENT_SPEC);
}

const rotate: Scenario = {
  mode: 'rotate',
  async prepare(world) {
    await world.provision(adminKey, firstKey);
    return {
      inputs: world.rotateInputs(adminKey, { 'current-private-key': firstKey.pem }),
      keyed: [{ user: SERVICE_USER, secretName: SECRET_NAME, heldBefore: firstKey.pem }],
      rerunInputs: (held) =>
        world.rotateInputs(adminKey, {
          'current-private-key': held.get(SERVICE_USER),
          // The faulty run may have registered a key moments ago: the re-run replaces it at once.
          'grace-period': '0s',
        }),
    };
  },
};

const setup: Scenario = {
  mode: 'setup',
  async prepare(world) {
    await accountAdminWorld(world);
    const inputs = specInputs(world, 'setup');
    return {
      inputs,
      files,
      keyed: [{ user: SEGMENT_USER, secretName: SECRET_NAME }],
      rerunInputs: () => inputs,
    };
  },
};

/** What setup of Segment's spec ran, replayed through the control plane to give verify its account. */
let segmentStatements: string[] | undefined;

async function segmentAccount(): Promise<string[]> {
  if (segmentStatements) return segmentStatements;
  const world = await World.start();
  try {
    await accountAdminWorld(world);
    const run = await world.run(specInputs(world, 'setup'), { files, env: RUN_ENV });
    if (run.exitCode !== 0) throw new Error(`setup of Segment's spec failed: ${run.errors.join('\n')}`);
    segmentStatements = await world.changes();
    return segmentStatements;
  } finally {
    await world.close();
  }
}

const verify: Scenario = {
  mode: 'verify',
  async prepare(world) {
    await accountAdminWorld(world);
    for (const sql of await segmentAccount()) await world.sf.sql(sql);
    const inputs = specInputs(world, 'verify');
    return { inputs, files, keyed: [], rerunInputs: () => inputs };
  },
};

const scenarios = [rotate, setup, verify].filter(
  (s) => process.env.FAULTS_MODE === undefined || s.mode === process.env.FAULTS_MODE,
);
const only = process.env.FAULTS_MATCH ? new RegExp(process.env.FAULTS_MATCH) : undefined;

const enumerations = new Map<Scenario, Enumeration>();
for (const scenario of scenarios) enumerations.set(scenario, await enumerate(scenario));

const rows: { scenario: Scenario; row: Row }[] = scenarios.flatMap((scenario) =>
  (enumerations.get(scenario) as Enumeration).targets
    .filter((target) => only === undefined || only.test(target.label))
    .flatMap((target) =>
      faultsFor(target).map((fault) => ({ scenario, row: { mode: scenario.mode, target, fault } })),
    ),
);
const results = new Map<number, RowResult>();

test('each normal run makes the requests the campaign needs', () => {
  for (const [scenario, { targets, steps }] of enumerations) {
    const labels = targets.map((t) => t.label);
    switch (scenario.mode) {
      case 'rotate':
        expect(labels).toContainEqual(expect.stringMatching(/^ALTER USER "SVC_LOADER" SET RSA_PUBLIC_KEY/));
        expect(labels).toContainEqual(
          expect.stringMatching(
            /^GitHub PUT \/repos\/acme\/app\/actions\/secrets\/SNOWFLAKE_PRIVATE_KEY #0$/,
          ),
        );
        expect(steps).toEqual(expect.arrayContaining(['login', 'set-key', 'prove-login', 'store-secret']));
        break;
      case 'setup':
        expect(labels).toContainEqual(expect.stringMatching(/^CREATE USER/));
        expect(labels).toContainEqual(expect.stringMatching(/^GitHub PUT /));
        expect(steps).toEqual(expect.arrayContaining(['read-account', 'apply', 'set-key', 'store-secret']));
        break;
      case 'verify':
        expect(labels).toContainEqual(expect.stringMatching(/^SHOW GRANTS TO ROLE/));
        expect(targets.some((t) => t.writes)).toBe(false);
        break;
    }
    expect(labels).toContainEqual(expect.stringMatching(/^Snowflake login KEY_ROTATOR #0$/));
  }
});

test.concurrent.each(
  rows.map(({ row }, index) => [`${row.mode}: ${row.target.label} × ${row.fault.label}`, index] as const),
)(
  '%s',
  async (_name, index) => {
    const { scenario, row } = rows[index] as (typeof rows)[number];
    const steps = (enumerations.get(scenario) as Enumeration).steps;
    const result = await runRow(scenario, row, steps);
    results.set(index, result);
    expect(result.failures).toEqual([]);
  },
  240_000,
);

afterAll(() => {
  const table = rows.map(({ row }, index) => {
    const result = results.get(index);
    return {
      mode: row.mode,
      request: row.target.label.length > 70 ? `${row.target.label.slice(0, 67)}...` : row.target.label,
      fault: row.fault.label,
      outcome: result?.outcome ?? '(not run)',
      invariants: result === undefined ? '?' : result.failures.length === 0 ? 'hold' : 'BROKEN',
    };
  });
  console.table(table);
  const done = [...results.values()];
  const byMode = scenarios.map((s) => `${s.mode} ${rows.filter((r) => r.scenario === s).length}`).join(', ');
  console.log(
    [
      `Fault campaign: ${rows.length} cases (${byMode});`,
      `invariants held in ${done.filter((r) => r.failures.length === 0).length} of ${done.length} run;`,
      `${done.filter((r) => r.outcome === 'succeeded').length} runs succeeded despite the fault`,
    ].join(' '),
  );
});
