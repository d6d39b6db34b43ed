import { ADMIN, type TestKey, World, newKey } from './world.js';

/** A World provisioned for a test: the admin's key and the service user's first key with it. */
export interface ProvisionedWorld {
  world: World;
  adminKey: TestKey;
  firstKey: TestKey;
}

export interface WorldHookOptions {
  /** One World for the whole file (beforeAll, afterAll) instead of a fresh one for each test. */
  perFile?: boolean;
  /** The keys to provision with (a file that needs them before its hooks run); new ones when omitted. */
  keys?: { adminKey: TestKey; firstKey: TestKey };
  /** KEY_ROTATOR is also granted ACCOUNTADMIN, as the runs of an access spec need. */
  accountAdmin?: boolean;
  /** World.start's emulator options. */
  snowflake?: Parameters<typeof World.start>[0];
  /** The start hook's timeout, for a file that provisions a large account in a hook of its own after it. */
  timeoutMs?: number;
}

/**
 * Starts both emulators and provisions them (World.provision) before each test of the file, or once for it,
 * hands the World and its keys to `use`, and closes the World after. A file's own setup is a hook declared
 * after this call: Jest runs hooks in the order they are declared, so it finds the World provisioned.
 */
export function useProvisionedWorld(
  use: (started: ProvisionedWorld) => void,
  options: WorldHookOptions = {},
): void {
  const [before, after] = options.perFile ? [beforeAll, afterAll] : [beforeEach, afterEach];
  let world: World | undefined;
  before(async () => {
    world = await World.start(options.snowflake);
    const adminKey = options.keys?.adminKey ?? newKey();
    const firstKey = options.keys?.firstKey ?? newKey();
    await world.provision(adminKey, firstKey);
    if (options.accountAdmin) await world.sf.sql(`GRANT ROLE ACCOUNTADMIN TO USER ${ADMIN}`);
    use({ world, adminKey, firstKey });
  }, options.timeoutMs);
  after(async () => {
    await world?.close();
  });
}
