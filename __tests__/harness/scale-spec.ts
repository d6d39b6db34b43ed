import { ADMIN, type TestKey, type World } from './world.js';

/**
 * A large account and the access spec that describes it, for `verify` at scale (e2e/verify-scale.test.ts and
 * `npm run bench`): roles R0, R1, ... each granted USAGE on the same warehouses W0, W1, ... (one grant per
 * warehouse), and the admin given ACCOUNTADMIN to read them all. A spec of fewer roles than the account holds
 * describes the first ones.
 */

/** The usual shape: 10 grants per role. */
export const GRANTS_PER_ROLE = 10;

/** Creates `roles` roles with `grantsPerRole` warehouse grants each, and grants ACCOUNTADMIN to the admin. */
export async function provisionScaleAccount(
  world: World,
  roles: number,
  grantsPerRole = GRANTS_PER_ROLE,
): Promise<void> {
  await world.sf.sql(`GRANT ROLE ACCOUNTADMIN TO USER ${ADMIN}`);
  for (let w = 0; w < grantsPerRole; w++) await world.sf.sql(`CREATE WAREHOUSE W${w}`);
  const creates: string[] = [];
  const grants: string[] = [];
  for (let r = 0; r < roles; r++) {
    creates.push(`CREATE ROLE R${r}`);
    for (let w = 0; w < grantsPerRole; w++) grants.push(`GRANT USAGE ON WAREHOUSE W${w} TO ROLE R${r}`);
  }
  // The control plane takes one statement at a time; send them a few at once, every role before any grant
  // (statements sent together may arrive in any order).
  for (const batch of [creates, grants]) {
    for (let i = 0; i < batch.length; i += 50) {
      await Promise.all(batch.slice(i, i + 50).map((sql) => world.sf.sql(sql)));
    }
  }
}

/** The access spec of the first `roles` roles of such an account, each with its grants (YAML). */
export function scaleSpec(roles: number, grantsPerRole = GRANTS_PER_ROLE): string {
  const lines = ['version: 1', 'roles:'];
  for (let r = 0; r < roles; r++) {
    lines.push(`  - name: r${r}`, '    privileges:');
    for (let w = 0; w < grantsPerRole; w++)
      lines.push(`      - { on: warehouse, name: w${w}, privileges: [USAGE] }`);
  }
  return `${lines.join('\n')}\n`;
}

/** The inputs of `verify` of the spec at `specPath` (in the workspace) as the admin, with ACCOUNTADMIN. */
export function scaleVerifyInputs(
  world: World,
  adminKey: TestKey,
  specPath: string,
): Record<string, string | undefined> {
  return world.specInputs(adminKey, 'verify', specPath);
}
