import { type TestKey, World } from '../harness/world.js';
import { useProvisionedWorld } from '../harness/world-hooks.js';

/**
 * The action ends its process itself once the run is over (the Snowflake driver's timers would hold it), and
 * Node.js writes to a pipe asynchronously on POSIX: whatever the runner had not read yet when process.exit() was
 * called was lost, last lines first, and the last lines are the failure and the end of the log group. A runner
 * busy elsewhere reads late; here the harness starts reading a second after the process started, so that
 * everything past the pipe's 64 KiB waits in the process. Step debug logging makes the log that long.
 */

let world: World;
let adminKey: TestKey;
let firstKey: TestKey;
useProvisionedWorld((started) => ({ world, adminKey, firstKey } = started));

const DEBUG = { ACTIONS_STEP_DEBUG: 'true', RUNNER_DEBUG: '1' };
const PIPE_CAPACITY = 64 * 1024;

test('a failed rotation with a long log, read late: the failure and the end of every group arrive', async () => {
  await world.gh.fault({ match: '^PUT /repos/acme/app/actions/secrets/', action: 'http-error', status: 403 });
  const run = await world.run(world.rotateInputs(adminKey, { 'current-private-key': firstKey.pem }), {
    env: DEBUG,
    readDelayMs: 1_000,
  });
  expect(run.exitCode).toBe(1);
  expect(run.errors).toEqual([expect.stringMatching(/^Step store-secret failed: .*403/s)]);
  const lines = run.stdout.split('\n');
  expect(lines.at(-1)).toBe('');
  expect(lines.filter((l) => l.startsWith('::group::')).length).toBe(
    lines.filter((l) => l === '::endgroup::').length,
  );
  // Longer than the pipe holds: without waiting for it, the process would have dropped its last lines.
  expect(run.stdout.length).toBeGreaterThan(PIPE_CAPACITY);
  expect(await world.gh.secrets()).toEqual([]);
});

test('a rotation that succeeds with a long log, read late: its log ends with the end of its last group', async () => {
  const run = await world.run(world.rotateInputs(adminKey, { 'current-private-key': firstKey.pem }), {
    env: DEBUG,
    readDelayMs: 1_000,
  });
  expect(run.exitCode).toBe(0);
  expect(run.errors).toEqual([]);
  const lines = run.stdout.split('\n');
  expect(lines.at(-1)).toBe('');
  expect(lines.filter((l) => l.startsWith('::group::')).length).toBe(
    lines.filter((l) => l === '::endgroup::').length,
  );
  expect(run.stdout.length).toBeGreaterThan(PIPE_CAPACITY);
  expect(run.outputs.changed).toBe('true');
});
