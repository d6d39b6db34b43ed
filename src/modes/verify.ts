import type { VerifyConfig } from '../config.js';
import type { SnowflakeConnector } from '../snowflake/connection.js';
import { AccountReader } from '../snowflake/account-reader.js';
import { grantsOf } from '../access-spec/model.js';
import { StepRunner, type StepTiming } from '../steps.js';
import { inSession } from './context.js';
import { type Check, type Finding, Findings, type Verification } from './verify/findings.js';
import { checkDatabase, checkNetworkPolicy, checkSecret, checkWarehouse } from './verify/objects.js';
import { checkGrantsTo, checkRoleExists } from './verify/grants.js';
import { DAY_MS, checkHeldKey, checkUser } from './verify/users.js';

/**
 * `verify`: reads the account and judges it against the access spec, changing nothing. Every comparison is a
 * check; a check that fails is a finding with a severity (`error` fails the step, `warning` does not), the
 * statement (or action) that fixes it, and the line of the spec it is about, so that a pull request shows it
 * there.
 *
 * Severities: what is missing or insecure (an object, a grant, a key, a password on a service user, the key
 * the workflows hold no longer registered) and settings that differ from the spec are errors; a key within
 * the last fifth of its maximum age, or whose age Snowflake does not tell, is a warning. Comments are not
 * compared (cosmetic). A statement the session's role may not run is an error finding that names what the
 * role lacks: verify cannot vouch for what it cannot read.
 */

/** The record of a verification: checks, findings, fingerprints and names only, never key material. */
export interface VerifyResult {
  mode: 'verify';
  user: string;
  account: string;
  spec: string;
  strict: boolean;
  /** The max-key-age input, in days. */
  maxKeyAgeDays: number;
  changed: false;
  checks: Check[];
  findings: Finding[];
  errors: number;
  warnings: number;
  /** `3 errors, 1 warning in 41 checks`. */
  headline: string;
  /** Statements sent to read the account. */
  statements: number;
  timings: StepTiming[];
  error?: string;
}

export interface VerifyDependencies {
  connect: SnowflakeConnector;
  now: () => Date;
  log: (line: string) => void;
  /** As ModeDependencies.phase. */
  phase: (title: string) => void;
}

export async function verify(config: VerifyConfig, deps: VerifyDependencies): Promise<VerifyResult> {
  const runner = new StepRunner(deps.log);
  const result: VerifyResult = {
    mode: 'verify',
    user: config.targetUser,
    account: config.snowflake.account,
    spec: config.spec.file,
    strict: config.strict,
    maxKeyAgeDays: config.maxKeyAgeMs / DAY_MS,
    changed: false,
    checks: [],
    findings: [],
    errors: 0,
    warnings: 0,
    headline: '',
    statements: 0,
    timings: runner.timings,
  };
  deps.phase(`Check ${config.snowflake.account} against ${config.spec.file}`);
  return inSession(runner, config.snowflake, deps, result, async (opened) => {
    const reader = new AccountReader(opened, config.concurrency);
    const verification: Verification = {
      config,
      reader,
      record: new Findings(),
      grants: grantsOf(config.spec),
      role: config.snowflake.role ? config.snowflake.role : '<verify role>',
      now: deps.now(),
    };
    await runner.step('read-and-check', async () => {
      await checkAll(verification);
      return {
        result: undefined,
        note: `${reader.sent} statement(s), at most ${config.concurrency} at once`,
      };
    });
    result.statements = reader.sent;
    Object.assign(result, verification.record.outcome());
    await runner.step('judge', async () => ({ result: undefined, note: result.headline }));
    return result;
  });
}

/** Every check of the spec at once: the reader's pool bounds how many statements are in flight. */
async function checkAll(verification: Verification): Promise<void> {
  const { config, grants } = verification;
  const { spec } = config;
  const grantees = new Set([
    ...grants.privileges.map((g) => g.role),
    ...grants.roles.filter((g) => g.granteeType === 'ROLE').map((g) => g.grantee),
    ...(config.strict ? spec.roles.map((r) => r.name) : []),
  ]);
  await Promise.all([
    ...spec.networkPolicies.map((p) => checkNetworkPolicy(verification, p)),
    ...spec.databases.map((d) => checkDatabase(verification, d)),
    ...spec.warehouses.map((w) => checkWarehouse(verification, w)),
    ...spec.roles.map((r) => checkRoleExists(verification, r)),
    ...[...grantees].map((role) => checkGrantsTo(verification, role)),
    ...spec.users.map((u) => checkUser(verification, u)),
    ...spec.secrets.map((s) => checkSecret(verification, s)),
    ...(config.keyUser && !spec.users.some((u) => u.name === config.keyUser)
      ? [checkHeldKey(verification, config.keyUser, spec.source)]
      : []),
  ]);
}
