import type { VerifyConfig } from '../inputs.js';
import type { SnowflakeConnector } from '../snowflake/connection.js';
import {
  type Answer,
  AccountReader,
  type LiveGrant,
  type Refusal,
  alterNetworkPolicyListStatement,
  alterUserSetStatement,
  alterUserUnsetStatement,
  alterWarehouseStatement,
  isRefusal,
  revokePrivilegeStatement,
  revokeRoleStatement,
  workloadIdentityStatement,
} from '../snowflake/inspect.js';
import {
  createDatabaseStatement,
  createNetworkPolicyStatement,
  createRoleStatement,
  createSchemaStatement,
  createSecretStatement,
  createUserStatement,
  createWarehouseStatement,
  grantPrivilegeStatement,
  grantRoleStatement,
} from '../snowflake/objects.js';
import { SLOTS, type KeySlot, unsetKeySlotStatement } from '../snowflake/users.js';
import {
  type AccessSpec,
  type NetworkPolicySpec,
  type PrivilegeGrant,
  type RoleGrant,
  type SourceLocation,
  type UserSpec,
  type WarehouseSpec,
  grantsOf,
  sourceOf,
} from '../access-spec/model.js';
import { StepRunner, type StepTiming } from '../steps.js';
import { inSession } from './context.js';

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

export type Severity = 'error' | 'warning';
export type ObjectType = 'network policy' | 'database' | 'schema' | 'warehouse' | 'role' | 'user' | 'secret';
export const OBJECT_TYPES: readonly ObjectType[] = [
  'network policy',
  'database',
  'schema',
  'warehouse',
  'role',
  'user',
  'secret',
];

export interface Finding {
  severity: Severity;
  objectType: ObjectType;
  objectName: string;
  check: string;
  /** What is wrong, in a sentence. */
  message: string;
  /** The SQL (or action) that fixes it. */
  fix: string;
  /**
   * The place in the spec it is about: the line of the field that differs (sourceOf), or of the element when
   * the spec leaves that field out; a grant's own list item.
   */
  source: SourceLocation;
}

export interface Check {
  objectType: ObjectType;
  objectName: string;
  check: string;
  result: 'pass' | Severity;
}

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

const DAY_MS = 86_400_000;
/** A key older than this share of its maximum age is a warning: time to rotate. */
const WARN_SHARE = 0.8;

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
    const verifier = new Verifier(config, reader, deps.now());
    await runner.step('read-and-check', async () => {
      await verifier.run();
      return {
        result: undefined,
        note: `${reader.sent} statement(s), at most ${config.concurrency} at once`,
      };
    });
    result.statements = reader.sent;
    Object.assign(result, verifier.outcome());
    await runner.step('judge', async () => ({ result: undefined, note: result.headline }));
    return result;
  });
}

interface Subject {
  type: ObjectType;
  name: string;
}

class Verifier {
  private readonly checks: Check[] = [];
  private readonly findings: Finding[] = [];
  private readonly grants;
  private readonly role: string;

  constructor(
    private readonly config: VerifyConfig,
    private readonly reader: AccountReader,
    private readonly now: Date,
  ) {
    this.grants = grantsOf(config.spec);
    this.role = config.snowflake.role ? config.snowflake.role : '<verify role>';
  }

  private get spec(): AccessSpec {
    return this.config.spec;
  }

  async run(): Promise<void> {
    const { spec } = this;
    const grantees = new Set([
      ...this.grants.privileges.map((g) => g.role),
      ...this.grants.roles.filter((g) => g.granteeType === 'ROLE').map((g) => g.grantee),
      ...(this.config.strict ? spec.roles.map((r) => r.name) : []),
    ]);
    await Promise.all([
      ...spec.networkPolicies.map((p) => this.networkPolicy(p)),
      ...spec.databases.map((d) => this.database(d)),
      ...spec.warehouses.map((w) => this.warehouse(w)),
      ...spec.roles.map((r) => this.roleExists(r.name, r.source, createRoleStatement(r))),
      ...[...grantees].map((role) => this.grantsTo(role)),
      ...spec.users.map((u) => this.user(u)),
      ...spec.secrets.map((s) => this.secret(s)),
      ...(this.config.keyUser && !spec.users.some((u) => u.name === this.config.keyUser)
        ? [this.heldKey(this.config.keyUser, spec.source)]
        : []),
    ]);
  }

  outcome(): Pick<VerifyResult, 'checks' | 'findings' | 'errors' | 'warnings' | 'headline'> {
    const order = (a: Finding, b: Finding): number =>
      a.source.line - b.source.line || a.check.localeCompare(b.check) || a.message.localeCompare(b.message);
    const findings = [...this.findings].sort(order);
    const checks = [...this.checks].sort(
      (a, b) =>
        OBJECT_TYPES.indexOf(a.objectType) - OBJECT_TYPES.indexOf(b.objectType) ||
        a.objectName.localeCompare(b.objectName) ||
        a.check.localeCompare(b.check),
    );
    const errors = findings.filter((f) => f.severity === 'error').length;
    const warnings = findings.length - errors;
    const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
    return {
      checks,
      findings,
      errors,
      warnings,
      headline: `${plural(errors, 'error')}, ${plural(warnings, 'warning')} in ${plural(checks.length, 'check')}`,
    };
  }

  // ---------------------------------------------------------------- recording

  private pass(subject: Subject, check: string): void {
    this.checks.push({ objectType: subject.type, objectName: subject.name, check, result: 'pass' });
  }

  private find(
    subject: Subject,
    check: string,
    severity: Severity,
    message: string,
    fix: string,
    source: SourceLocation,
  ): void {
    this.checks.push({ objectType: subject.type, objectName: subject.name, check, result: severity });
    this.findings.push({
      severity,
      objectType: subject.type,
      objectName: subject.name,
      check,
      message,
      fix,
      source,
    });
  }

  /** A read the role may not make: the check it was for fails, saying what the role lacks. */
  private refused(
    subject: Subject,
    check: string,
    refusal: Refusal,
    needs: string,
    source: SourceLocation,
  ): void {
    this.find(
      subject,
      check,
      'error',
      `cannot check ${subject.type} ${subject.name}: ${refusal.statement} was refused (${refusal.code ?? 'no code'}: ${refusal.reason})`,
      `Run verify as a role that ${needs}`,
      source,
    );
  }

  /** `true` when the answer is usable; otherwise records the refusal and returns false. */
  private usable<T>(
    answer: Answer<T>,
    subject: Subject,
    check: string,
    needs: string,
    source: SourceLocation,
  ): answer is T {
    if (!isRefusal(answer)) return true;
    this.refused(subject, check, answer, needs, source);
    return false;
  }

  private compare(
    subject: Subject,
    check: string,
    expected: string | undefined,
    actual: string | undefined,
    fix: string,
    source: SourceLocation,
  ): void {
    if (expected === actual) this.pass(subject, check);
    else {
      this.find(
        subject,
        check,
        'error',
        `${check} of ${subject.type} ${subject.name} is ${actual ?? 'not set'}, the spec says ${expected ?? 'not set'}`,
        fix,
        source,
      );
    }
  }

  // ---------------------------------------------------------------- objects

  private async networkPolicy(policy: NetworkPolicySpec): Promise<void> {
    const subject: Subject = { type: 'network policy', name: policy.name };
    const needs = 'owns the network policy or has MANAGE GRANTS (SECURITYADMIN has it)';
    const all = await this.reader.networkPolicies();
    if (!this.usable(all, subject, 'exists', needs, policy.source)) return;
    if (!all.has(policy.name)) {
      this.missing(subject, policy.source, createNetworkPolicyStatement(policy));
      return;
    }
    this.pass(subject, 'exists');
    const lists = await this.reader.networkPolicy(policy.name);
    if (!this.usable(lists, subject, 'allowed_ip_list', 'owns the network policy', policy.source)) return;
    const same = (a: string[], b: string[]): boolean =>
      a.length === b.length && [...a].sort().join(',') === [...b].sort().join(',');
    for (const [check, list, expected, actual] of [
      ['allowed_ip_list', 'ALLOWED_IP_LIST', policy.allowedIpList, lists.allowed],
      ['blocked_ip_list', 'BLOCKED_IP_LIST', policy.blockedIpList, lists.blocked],
    ] as const) {
      // A list the spec leaves out is checked as empty, and shown on the policy's line.
      if (same(expected, actual)) this.pass(subject, check);
      else {
        this.find(
          subject,
          check,
          'error',
          `${check} of network policy ${policy.name} is (${actual.join(', ')}), the spec says (${expected.join(', ')})`,
          alterNetworkPolicyListStatement(policy.name, list, expected),
          sourceOf(policy, check),
        );
      }
    }
  }

  private missing(subject: Subject, source: SourceLocation, create: string): void {
    this.find(
      subject,
      'exists',
      'error',
      `${subject.type} ${subject.name} does not exist (or the role cannot see it)`,
      `${create} (or run mode: setup with this spec)`,
      source,
    );
  }

  private async database(database: AccessSpec['databases'][number]): Promise<void> {
    const subject: Subject = { type: 'database', name: database.name };
    const all = await this.reader.databases();
    if (!this.usable(all, subject, 'exists', 'has USAGE on the database', database.source)) return;
    if (!all.has(database.name)) {
      this.missing(subject, database.source, createDatabaseStatement(database));
      return;
    }
    this.pass(subject, 'exists');
    if (database.schemas.length === 0) return;
    const schemas = await this.reader.schemas(database.name);
    for (const schema of database.schemas) {
      const schemaSubject: Subject = { type: 'schema', name: `${schema.database}.${schema.name}` };
      if (!this.usable(schemas, schemaSubject, 'exists', 'has USAGE on the database', schema.source))
        continue;
      if (schemas.has(schema.name)) this.pass(schemaSubject, 'exists');
      else this.missing(schemaSubject, schema.source, createSchemaStatement(schema));
    }
  }

  private async warehouse(warehouse: WarehouseSpec): Promise<void> {
    const subject: Subject = { type: 'warehouse', name: warehouse.name };
    const all = await this.reader.warehouses();
    if (
      !this.usable(
        all,
        subject,
        'exists',
        'has a privilege on the warehouse (USAGE or MONITOR)',
        warehouse.source,
      )
    )
      return;
    const live = all.get(warehouse.name);
    if (!live) {
      this.missing(subject, warehouse.source, createWarehouseStatement(warehouse));
      return;
    }
    this.pass(subject, 'exists');
    const alter = (property: string, value: string): string =>
      alterWarehouseStatement(warehouse.name, property, value);
    if (warehouse.size !== undefined) {
      this.compare(
        subject,
        'size',
        warehouse.size,
        live.size,
        alter('WAREHOUSE_SIZE', `'${warehouse.size}'`),
        sourceOf(warehouse, 'size'),
      );
    }
    if (warehouse.type !== undefined) {
      this.compare(
        subject,
        'type',
        warehouse.type,
        live.type,
        alter('WAREHOUSE_TYPE', `'${warehouse.type}'`),
        sourceOf(warehouse, 'type'),
      );
    }
    if (warehouse.autoSuspend !== undefined) {
      const expected =
        warehouse.autoSuspend === null || warehouse.autoSuspend === 0 ? null : warehouse.autoSuspend;
      this.compare(
        subject,
        'auto_suspend',
        expected === null ? 'never' : String(expected),
        live.autoSuspend === null ? 'never' : String(live.autoSuspend),
        alter('AUTO_SUSPEND', expected === null ? 'NULL' : String(expected)),
        sourceOf(warehouse, 'auto_suspend'),
      );
    }
    if (warehouse.autoResume !== undefined) {
      this.compare(
        subject,
        'auto_resume',
        String(warehouse.autoResume),
        live.autoResume === undefined ? undefined : String(live.autoResume),
        alter('AUTO_RESUME', warehouse.autoResume ? 'TRUE' : 'FALSE'),
        sourceOf(warehouse, 'auto_resume'),
      );
    }
  }

  private async roleExists(role: string, source: SourceLocation, create: string): Promise<boolean> {
    const subject: Subject = { type: 'role', name: role };
    const all = await this.reader.roles();
    if (
      !this.usable(
        all,
        subject,
        'exists',
        'may see the role (it is granted the role, or has MANAGE GRANTS)',
        source,
      )
    )
      return false;
    if (all.has(role)) {
      this.pass(subject, 'exists');
      return true;
    }
    this.missing(subject, source, create);
    return false;
  }

  /** The privileges and roles granted to one role: one SHOW GRANTS TO ROLE, every spec grant judged against it. */
  private async grantsTo(role: string): Promise<void> {
    const declared = this.spec.roles.find((r) => r.name === role);
    const roles = await this.reader.roles();
    // A missing declared role is reported once, by roleExists; its grants cannot exist.
    if (isRefusal(roles) || !roles.has(role)) return;
    const privileges = this.grants.privileges.filter((g) => g.role === role);
    const granted = this.grants.roles.filter((g) => g.granteeType === 'ROLE' && g.grantee === role);
    const live = await this.reader.grantsToRole(role);
    if (isRefusal(live)) {
      const subject: Subject = { type: 'role', name: role };
      this.refused(
        subject,
        'grants',
        live,
        `has MANAGE GRANTS (SECURITYADMIN has it: GRANT MANAGE GRANTS ON ACCOUNT TO ROLE ${this.role}), or is granted role ${role}`,
        declared?.source ?? privileges[0]?.source ?? granted[0]?.source ?? this.spec.source,
      );
      return;
    }
    const matched = new Set<LiveGrant>();
    for (const grant of privileges) {
      const found = live.find(
        (l) => l.privilege === grant.privilege && l.on === grant.on && l.name === (grant.name ?? ''),
      );
      const subject = grantSubject(grant);
      const check = `${grant.privilege} on ${describeOn(grant)} to ${role}`;
      if (found) {
        matched.add(found);
        this.pass(subject, check);
      } else {
        this.find(
          subject,
          check,
          'error',
          `role ${role} lacks ${grant.privilege} on ${describeOn(grant)}`,
          grantPrivilegeStatement(grant),
          grant.source,
        );
      }
    }
    for (const grant of granted) {
      const found = live.find((l) => l.on === 'ROLE' && l.privilege === 'USAGE' && l.name === grant.role);
      const subject: Subject = { type: 'role', name: role };
      const check = `role ${grant.role} granted to ${role}`;
      if (found) {
        matched.add(found);
        this.pass(subject, check);
      } else {
        this.find(
          subject,
          check,
          'error',
          `role ${grant.role} is not granted to role ${role}`,
          grantRoleStatement(grant),
          grant.source,
        );
      }
    }
    if (!this.config.strict || !declared) return;
    const subject: Subject = { type: 'role', name: role };
    const extras = live.filter((l) => !matched.has(l));
    if (extras.length === 0) this.pass(subject, 'no undeclared grants');
    for (const extra of extras) {
      const isRole = extra.on === 'ROLE' && extra.privilege === 'USAGE';
      this.find(
        subject,
        isRole
          ? `undeclared role ${extra.name}`
          : `undeclared ${extra.privilege} on ${extra.on.toLowerCase()} ${extra.name}`.trim(),
        'error',
        isRole
          ? `role ${extra.name} is granted to role ${role}, which the spec does not declare (strict)`
          : `role ${role} has ${extra.privilege} on ${extra.on.toLowerCase()}${extra.name ? ` ${extra.name}` : ''}, which the spec does not declare (strict)`,
        `${isRole ? revokeRoleStatement(extra.name, 'ROLE', role) : revokePrivilegeStatement(role, extra)}, or declare it in the spec`,
        sourceOf(declared, isRole ? 'roles' : 'privileges'),
      );
    }
  }

  // ---------------------------------------------------------------- users

  private async user(user: UserSpec): Promise<void> {
    const subject: Subject = { type: 'user', name: user.name };
    const all = await this.reader.allUsers();
    if (!this.usable(all, subject, 'exists', 'may run SHOW USERS', user.source)) return;
    const live = all.get(user.name);
    if (!live) {
      this.missing(subject, user.source, createUserStatement(user));
      return;
    }
    this.pass(subject, 'exists');
    if (!live.visible) {
      this.find(
        subject,
        'readable',
        'error',
        `cannot check user ${user.name}: SHOW USERS hides its properties from the session's role, which neither owns it (the owner is ${live.owner ?? 'unknown'}) nor has MANAGE GRANTS`,
        `Run verify as a role that owns the user or inherits its owner${live.owner ? ` (GRANT ROLE ${live.owner} TO ROLE ${this.role})` : ''}, or has MANAGE GRANTS`,
        user.source,
      );
      return;
    }
    const hasPassword = live.hasPassword === true;
    const typeFix = [
      ...(hasPassword && user.type === 'SERVICE' ? [alterUserUnsetStatement(user.name, 'PASSWORD')] : []),
      alterUserSetStatement(user.name, { property: 'TYPE', value: user.type }),
    ].join('; ');
    this.compare(subject, 'type', user.type, live.type, typeFix, sourceOf(user, 'type'));
    if (user.type === 'SERVICE') {
      if (!hasPassword) this.pass(subject, 'no password');
      else {
        this.find(
          subject,
          'no password',
          'error',
          `user ${user.name} has a password; the spec declares it a SERVICE user, which signs in with a key pair or workload identity only`,
          alterUserUnsetStatement(user.name, 'PASSWORD'),
          // `type: SERVICE` is what rules the password out.
          sourceOf(user, 'type'),
        );
      }
    }
    if (user.defaultRole) {
      this.compare(
        subject,
        'default_role',
        user.defaultRole.name,
        live.defaultRole,
        alterUserSetStatement(user.name, { property: 'DEFAULT_ROLE', value: user.defaultRole.name }),
        sourceOf(user, 'default_role'),
      );
    }
    if (user.defaultWarehouse) {
      this.compare(
        subject,
        'default_warehouse',
        user.defaultWarehouse.name,
        live.defaultWarehouse,
        alterUserSetStatement(user.name, {
          property: 'DEFAULT_WAREHOUSE',
          value: user.defaultWarehouse.parts,
        }),
        sourceOf(user, 'default_warehouse'),
      );
    }
    if (user.defaultNamespace) {
      this.compare(
        subject,
        'default_namespace',
        user.defaultNamespace.name,
        live.defaultNamespace,
        alterUserSetStatement(user.name, {
          property: 'DEFAULT_NAMESPACE',
          value: user.defaultNamespace.parts,
        }),
        sourceOf(user, 'default_namespace'),
      );
    }
    const ownerNeeds = `owns user ${user.name} or inherits its owner${live.owner ? ` (GRANT ROLE ${live.owner} TO ROLE ${this.role})` : ''}`;
    const tasks: Promise<void>[] = [];
    if (user.networkPolicy) {
      const policy = user.networkPolicy;
      const source = sourceOf(user, 'network_policy');
      tasks.push(
        this.reader.userNetworkPolicy(user.name).then((value) => {
          if (!this.usable(value, subject, 'network_policy', ownerNeeds, source)) return;
          this.compare(
            subject,
            'network_policy',
            policy.name,
            value,
            alterUserSetStatement(user.name, { property: 'NETWORK_POLICY', value: policy.name }),
            source,
          );
        }),
      );
    }
    if (user.roles.length > 0 || this.config.strict) tasks.push(this.rolesOfUser(user, ownerNeeds));
    if (user.workloadIdentity) {
      if (live.hasWorkloadIdentity === true) this.pass(subject, 'workload_identity');
      else {
        this.find(
          subject,
          'workload_identity',
          'error',
          `user ${user.name} has no workload identity; the spec declares one (issuer ${user.workloadIdentity.issuer}, subject ${user.workloadIdentity.subject})`,
          workloadIdentityStatement(user.name, user.workloadIdentity),
          sourceOf(user, 'workload_identity'),
        );
      }
    } else if (this.config.strict && live.hasWorkloadIdentity === true) {
      this.find(
        subject,
        'workload_identity',
        'error',
        `user ${user.name} has a workload identity, which the spec does not declare (strict)`,
        `${alterUserUnsetStatement(user.name, 'WORKLOAD_IDENTITY')}, or declare it in the spec`,
        sourceOf(user, 'workload_identity'),
      );
    }
    if (user.key) tasks.push(this.keys(user, ownerNeeds));
    else if (this.config.strict && live.hasKey === true) {
      this.find(
        subject,
        'no undeclared key',
        'error',
        `user ${user.name} has a public key registered, but the spec declares no key block for it (strict)`,
        `${SLOTS.map((slot) => unsetKeySlotStatement(user.name, slot)).join('; ')}, or declare a key block`,
        sourceOf(user, 'key'),
      );
    }
    if (this.config.keyUser === user.name)
      tasks.push(this.heldKey(user.name, user.key?.source ?? user.source));
    await Promise.all(tasks);
  }

  private async rolesOfUser(user: UserSpec, needs: string): Promise<void> {
    const subject: Subject = { type: 'user', name: user.name };
    const live = await this.reader.rolesOfUser(user.name);
    if (!this.usable(live, subject, 'roles', needs, sourceOf(user, 'roles'))) return;
    const declared = this.grants.roles.filter((g) => g.granteeType === 'USER' && g.grantee === user.name);
    for (const grant of declared) {
      const check = `role ${grant.role} granted`;
      if (live.includes(grant.role)) this.pass(subject, check);
      else {
        this.find(
          subject,
          check,
          'error',
          `role ${grant.role} is not granted to user ${user.name}`,
          grantRoleStatement(grant),
          grant.source,
        );
      }
    }
    if (!this.config.strict) return;
    const extras = live.filter((role) => !declared.some((g: RoleGrant) => g.role === role));
    if (extras.length === 0) this.pass(subject, 'no undeclared roles');
    for (const role of extras) {
      this.find(
        subject,
        `undeclared role ${role}`,
        'error',
        `role ${role} is granted to user ${user.name}, which the spec does not declare (strict)`,
        `${revokeRoleStatement(role, 'USER', user.name)}, or declare it in the spec`,
        sourceOf(user, 'roles'),
      );
    }
  }

  /** A user with a key block: a key is registered, and none is older than its maximum age. */
  private async keys(user: UserSpec, needs: string): Promise<void> {
    const key = user.key!;
    const subject: Subject = { type: 'user', name: user.name };
    const state = await this.reader.describeUser(user.name);
    if (!this.usable(state, subject, 'key registered', needs, key.source)) return;
    const set = SLOTS.map((slot) => state.slots[slot]).filter((slot) => slot.fingerprint);
    if (set.length === 0) {
      this.find(
        subject,
        'key registered',
        'error',
        `user ${user.name} has no public key registered; the spec declares a key for it`,
        `Run mode: setup with this spec: it gives ${user.name} its first key and stores the private key in ${key.secret.name}`,
        key.source,
      );
      return;
    }
    this.pass(subject, 'key registered');
    const maxAgeMs = key.maxAgeMs ?? this.config.maxKeyAgeMs;
    const maxDays = formatDays(maxAgeMs);
    const limit = key.maxAgeMs !== undefined ? `its max_age of ${maxDays}` : `max-key-age ${maxDays}`;
    // On the max_age line when the spec sets one; with the max-key-age input, on the key block's line.
    const ageSource = sourceOf(key, 'max_age');
    for (const slot of set) {
      const check = `age of ${slot.slot}`;
      if (!slot.lastSetAt) {
        this.find(
          subject,
          check,
          'warning',
          `${slot.slot} of user ${user.name} (${slot.fingerprint}): Snowflake does not say when it was set, so its age against ${limit} is unknown`,
          `Rotate it to start a known age: mode: rotate with target-user: ${user.name}`,
          ageSource,
        );
        continue;
      }
      const ageMs = this.now.getTime() - slot.lastSetAt.getTime();
      const ageText = `set ${formatDays(ageMs)} ago (${slot.lastSetAt.toISOString()})`;
      if (ageMs > maxAgeMs) {
        this.find(
          subject,
          check,
          'error',
          `${slot.slot} of user ${user.name} (${slot.fingerprint}) was ${ageText}, older than ${limit}`,
          retireOrRotate(user.name, slot, set, maxAgeMs, this.now),
          ageSource,
        );
      } else if (ageMs >= maxAgeMs * WARN_SHARE) {
        this.find(
          subject,
          check,
          'warning',
          `${slot.slot} of user ${user.name} (${slot.fingerprint}) was ${ageText}: it passes ${limit} in ${formatDays(maxAgeMs - ageMs)}`,
          retireOrRotate(user.name, slot, set, maxAgeMs, this.now),
          ageSource,
        );
      } else this.pass(subject, check);
    }
  }

  /** `current-private-key`: the key the workflows hold is registered in one of the user's slots. */
  private async heldKey(userName: string, source: SourceLocation): Promise<void> {
    const held = this.config.currentPrivateKey;
    if (!held) return;
    const subject: Subject = { type: 'user', name: userName };
    const state = await this.reader.describeUser(userName);
    if (
      !this.usable(
        state,
        subject,
        'held key registered',
        `owns user ${userName} or inherits its owner`,
        source,
      )
    )
      return;
    const slot = SLOTS.map((s) => state.slots[s]).find((s) => s.fingerprint === held.fingerprint);
    if (slot) {
      this.pass(subject, 'held key registered');
      return;
    }
    const registered = SLOTS.map((s) => state.slots[s])
      .filter((s) => s.fingerprint)
      .map((s) => `${s.slot} ${s.fingerprint}`);
    this.find(
      subject,
      'held key registered',
      'error',
      `the key in current-private-key (${held.fingerprint}) is not registered on user ${userName}, so workflows holding it cannot log in (registered: ${registered.length > 0 ? registered.join(', ') : 'none'})`,
      `Give ${userName} a new key and store it where the workflows read it: mode: rotate with target-user: ${userName} (force: true if both slots are in use)`,
      source,
    );
  }

  private async secret(secret: AccessSpec['secrets'][number]): Promise<void> {
    const subject: Subject = { type: 'secret', name: secret.qualifiedName };
    const schemas = await this.reader.databases();
    if (!this.usable(schemas, subject, 'exists', `has USAGE on database ${secret.database}`, secret.source))
      return;
    if (!schemas.has(secret.database)) {
      this.missing(subject, secret.source, createSecretStatement(secret));
      return;
    }
    const inDatabase = await this.reader.schemas(secret.database);
    if (
      !this.usable(inDatabase, subject, 'exists', `has USAGE on database ${secret.database}`, secret.source)
    )
      return;
    if (!inDatabase.has(secret.schema)) {
      this.missing(subject, secret.source, createSecretStatement(secret));
      return;
    }
    const secrets = await this.reader.secrets(secret.database, secret.schema);
    if (
      !this.usable(
        secrets,
        subject,
        'exists',
        `has USAGE on ${secret.database} and ${secret.database}.${secret.schema} and a privilege on the secret`,
        secret.source,
      )
    )
      return;
    if (secrets.has(secret.name)) this.pass(subject, 'exists');
    else this.missing(subject, secret.source, createSecretStatement(secret));
  }
}

function grantSubject(grant: PrivilegeGrant): Subject {
  return grant.on === 'SECRET'
    ? { type: 'secret', name: grant.name ?? '' }
    : { type: 'role', name: grant.role };
}

function describeOn(grant: PrivilegeGrant): string {
  return grant.on === 'ACCOUNT' ? 'the account' : `${grant.on.toLowerCase()} ${grant.name ?? ''}`;
}

/**
 * An old key in one slot while the other holds a key within its age: the workflows have most likely moved to
 * the newer key, so the old one can go. Otherwise the user needs a new key first.
 */
function retireOrRotate(user: string, slot: KeySlot, set: KeySlot[], maxAgeMs: number, now: Date): string {
  const newer = set.find(
    (other) =>
      other.slot !== slot.slot &&
      other.lastSetAt &&
      slot.lastSetAt &&
      other.lastSetAt > slot.lastSetAt &&
      now.getTime() - other.lastSetAt.getTime() < maxAgeMs,
  );
  return newer
    ? `${unsetKeySlotStatement(user, slot.slot)} once no workflow holds that key (${newer.slot} has a newer one)`
    : `Rotate it: mode: rotate with target-user: ${user} (and retire-previous: true once the new key is in use)`;
}

function formatDays(ms: number): string {
  const days = ms / DAY_MS;
  return days >= 1 ? `${Math.floor(days)}d` : `${Math.max(0, Math.round(ms / 3_600_000))}h`;
}
