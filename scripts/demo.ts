/**
 * `npm run demo`: the action's main job on the embedded emulators, as a user would see it in the Actions tab.
 * Starts both emulators, provisions a service user with a two-day-old key, then runs the bundled action
 * (dist/index.js, exactly as the runner runs it):
 *   0. setup of a new service user with its first key, then the same setup again (nothing to change);
 *   1. a rotation passing the key the workflows hold: succeeds;
 *   2. the same rotation again at once: refused by the grace period, nothing changes;
 *   3. a rotation passing the key now in the secret, the grace period waived (on a schedule it comes days
 *      later): succeeds, replacing the two-day-old key;
 *   4. setup from Segment's access spec (examples/segment-reverse-etl.yml) as written: refused, since the
 *      secret its key block names holds the key of the user rotated above; nothing changes;
 *   5. the same setup with Segment's key stored under its own secret name, then verify of the same spec
 *      (no findings), then verify again after a grant was revoked by hand (one finding, the step fails).
 * For each run it prints the log, the outputs and the job summary.
 */
import type { ActionRun } from '../__tests__/harness/run-action.js';
import { findLeaks } from '../__tests__/harness/leak-scan.js';
import { SERVICE_USER, World, newKey } from '../__tests__/harness/world.js';

const bold = (text: string): string => (process.stdout.isTTY ? `\x1b[1m${text}\x1b[0m` : text);

function show(title: string, run: ActionRun, world: World): void {
  console.log(`\n${bold(`=== ${title} ===`)}`);
  console.log(bold('--- log ---'));
  console.log(run.visibleLog.trimEnd());
  console.log(bold(`--- exit code ${run.exitCode} ---`));
  console.log(bold('--- outputs ---'));
  for (const [name, value] of Object.entries(run.outputs))
    console.log(`${name}: ${value.replace(/\n/g, ', ')}`);
  console.log(bold('--- job summary ---'));
  console.log(run.summary.trimEnd());
  const leaks = findLeaks(run, world.secrets);
  if (leaks.length > 0) {
    console.error(`LEAK: ${leaks.map((l) => `${l.what} in ${l.where}`).join('; ')}`);
    process.exitCode = 1;
  }
}

const world = await World.start();
try {
  const adminKey = newKey();
  const firstKey = newKey();
  await world.provision(adminKey, firstKey);
  console.log(
    `Emulators: Snowflake ${world.snowflake.url} (account ${world.snowflake.account}), GitHub ${world.github.url}\n` +
      `Provisioned: KEY_ROTATOR (owns ${SERVICE_USER} through ROTATOR_ROLE), ${SERVICE_USER} with a key set two days ago,\n` +
      `repository acme/app, and a GitHub App token with Secrets: write.`,
  );

  await world.sf.sql('GRANT CREATE USER ON ACCOUNT TO ROLE ROTATOR_ROLE');
  const setupInputs = world.rotateInputs(adminKey, {
    mode: 'setup',
    'target-user': 'REVERSE_ETL_USER',
    'secret-name': 'REVERSE_ETL_PRIVATE_KEY',
  });
  const created = await world.run(setupInputs);
  show('0. Setup: a new TYPE = SERVICE user with its first key', created, world);
  const unchanged = await world.run(setupInputs);
  show('0b. The same setup again: nothing to change', unchanged, world);

  const first = await world.run(world.rotateInputs(adminKey, { 'current-private-key': firstKey.pem }));
  show('1. Scheduled rotation (current-private-key: the key the workflows hold)', first, world);

  const again = await world.run(world.rotateInputs(adminKey, { 'current-private-key': firstKey.pem }));
  show(
    '2. The same rotation again, at once: the grace period protects runs queued with the new key',
    again,
    world,
  );

  const stored = (await world.secretValue('SNOWFLAKE_PRIVATE_KEY')) ?? '';
  // On a schedule the next rotation comes days later; here it comes at once, so the grace period is waived.
  const third = await world.run(
    world.rotateInputs(adminKey, { 'current-private-key': stored, 'grace-period': '0s' }),
  );
  show('3. Next rotation, passing the key now stored in the secret (grace-period: 0s)', third, world);
  // Read now: Segment's spec below names the same secret for its own user's key.
  const desc = await world.describe(SERVICE_USER);
  const holder = (await world.secretValue('SNOWFLAKE_PRIVATE_KEY')) ?? '';
  const logins = {
    holder: await world.login(SERVICE_USER, holder),
    previous: await world.login(SERVICE_USER, stored),
    first: await world.login(SERVICE_USER, firstKey.pem),
  };

  const sameSecret = await world.segmentSpec(adminKey);
  const refused = await world.run(sameSecret.inputs('setup'), { files: sameSecret.files });
  show(
    `4. Setup from Segment's access spec as written: its key block names SNOWFLAKE_PRIVATE_KEY, which holds ${SERVICE_USER}'s key, so setup refuses and changes nothing`,
    refused,
    world,
  );
  const { files, inputs: specInputs } = await world.segmentSpec(adminKey, 'SEGMENT_PRIVATE_KEY');
  const applied = await world.run(specInputs('setup'), { files });
  show("5. Setup from Segment's access spec, its key stored as SEGMENT_PRIVATE_KEY", applied, world);
  const verified = await world.run(specInputs('verify'), { files });
  show('6. Verify the same spec: no findings', verified, world);
  await world.sf.sql('REVOKE CREATE SCHEMA ON DATABASE SEGMENT_REVERSE_ETL FROM ROLE SEGMENT_REVERSE_ETL');
  const drifted = await world.run(specInputs('verify'), { files });
  show(
    '7. Verify after someone revoked a grant by hand: the finding, on the spec line, with its fix',
    drifted,
    world,
  );

  console.log(`\n${bold('=== Result (after run 3) ===')}`);
  console.log(`${SERVICE_USER} RSA_PUBLIC_KEY   ${desc.RSA_PUBLIC_KEY_FP}`);
  console.log(`${SERVICE_USER} RSA_PUBLIC_KEY_2 ${desc.RSA_PUBLIC_KEY_2_FP}`);
  console.log(`Secret acme/app SNOWFLAKE_PRIVATE_KEY logs in: ${logins.holder}`);
  console.log(`The key before it (still held by runs queued earlier) logs in: ${logins.previous}`);
  console.log(`The two-day-old first key logs in: ${logins.first} (replaced by run 3)`);
  const expected = [
    created.exitCode === 0,
    unchanged.exitCode === 0 && unchanged.outputs.changed === 'false',
    first.exitCode === 0,
    again.exitCode !== 0,
    third.exitCode === 0,
    logins.holder === 'ok' && logins.previous === 'ok' && logins.first !== 'ok',
    refused.exitCode !== 0 && refused.outputs.changed === 'false',
    applied.exitCode === 0,
    verified.exitCode === 0 && verified.outputs.drift === '0',
    drifted.exitCode !== 0 && drifted.outputs.drift === '1',
  ];
  if (expected.includes(false)) {
    console.error('The demo did not go as expected: see the runs above.');
    process.exitCode = 1;
  }
} finally {
  await world.close();
}
