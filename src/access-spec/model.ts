import { ActionError } from '../errors.js';
import type { SecretPlacement } from '../github/placement.js';
import type { ObjectKind, SnowflakeObjectType } from './snowflake-catalog.js';

/**
 * The desired state an access spec declares (schema/access-spec.schema.json), after loading: every name resolved
 * by Snowflake's identifier rules (src/snowflake/identifiers.ts), every element carrying the place in the YAML
 * file it came from, so that setup and verify can report on the spec's own lines. Pure data, no I/O.
 */

/** Where an element was written: `roles[0].privileges[1].privileges` on line 12 of `access.yml`. */
export interface SourceLocation {
  file: string;
  /** 1-based line of the field's key (or of the list item). */
  line: number;
  /** Path of the field in the document, e.g. `users[0].key.max_age`. */
  path: string;
}

/**
 * The place of each field an element writes, by the field's name in the spec (`size`, `auto_suspend`): a
 * finding about a setting is shown on the setting's own line. A field the spec leaves out has no place.
 */
export type FieldSources<Field extends string> = Readonly<Partial<Record<Field, SourceLocation>>>;

/** An element of the spec: where it is, and where each of its fields is. */
export interface Placed<Field extends string> {
  source: SourceLocation;
  fields: FieldSources<Field>;
}

/**
 * Where a finding about `field` of an element is shown: the field's own line, or the element's line when the
 * spec leaves the field out (a default that is checked, something the spec does not declare under strict).
 */
export function sourceOf<Field extends string>(element: Placed<Field>, field: Field): SourceLocation {
  return element.fields[field] ?? element.source;
}

/** A problem (or, in `AccessSpec.warnings`, a remark) about one place in the spec. */
export interface SpecIssue {
  file: string;
  line: number;
  path: string;
  /** What is wrong and how to fix it, without the `file:line: path: ` prefix. */
  message: string;
}

/** Larger specs are refused before parsing: a spec of thousands of roles is far below this. */
export const MAX_SPEC_BYTES = 1024 * 1024;
/** Past this many problems the message says how many more there are instead of listing them. */
const MAX_REPORTED_ISSUES = 50;

/**
 * An invalid spec: `message` has one `<file>:<line>: <path>: ...` line per issue; `issues` has them as data.
 * Defined here, not beside the loader, so that reporting it does not load the YAML parser and the schema
 * validator, which only a run with a spec needs.
 */
export class SpecError extends ActionError {
  constructor(readonly issues: SpecIssue[]) {
    const shown = issues.slice(0, MAX_REPORTED_ISSUES).map(formatIssue);
    if (issues.length > MAX_REPORTED_ISSUES) {
      shown.push(`... and ${issues.length - MAX_REPORTED_ISSUES} more problems in the same file`);
    }
    super(shown.join('\n'), { code: 'invalid-spec' });
    this.name = 'SpecError';
  }
}

function formatIssue(issue: SpecIssue): string {
  return `${issue.file}:${issue.line}: ${issue.path}: ${issue.message}`;
}

/** Issues in the order of the file's lines; on one line, in the order they were found. */
export function sortIssues(issues: SpecIssue[]): SpecIssue[] {
  return issues
    .map((issue, index) => ({ issue, index }))
    .sort((a, b) => a.issue.line - b.issue.line || a.index - b.index)
    .map(({ issue }) => issue);
}

export type UserType = 'SERVICE' | 'LEGACY_SERVICE' | 'PERSON';
export const USER_TYPES: readonly UserType[] = ['SERVICE', 'LEGACY_SERVICE', 'PERSON'];

/** Snowflake's WAREHOUSE_SIZE values (https://docs.snowflake.com/en/sql-reference/sql/create-warehouse). */
export const WAREHOUSE_SIZES = [
  'XSMALL',
  'SMALL',
  'MEDIUM',
  'LARGE',
  'XLARGE',
  'XXLARGE',
  'XXXLARGE',
  'X4LARGE',
  'X5LARGE',
  'X6LARGE',
] as const;
export type WarehouseSize = (typeof WAREHOUSE_SIZES)[number];
export const WAREHOUSE_TYPES = ['STANDARD', 'SNOWPARK-OPTIMIZED'] as const;
export type WarehouseType = (typeof WAREHOUSE_TYPES)[number];

export type SecretType = 'GENERIC_STRING' | 'PASSWORD';

/**
 * A reference from one element of the spec to a Snowflake object. `declared` is false when the spec does not
 * declare the object: the loader accepts that for objects that may already exist (a warehouse created by hand,
 * an integration), and setup/verify must then find it in the live account and report it if it is missing.
 * `system` marks objects every account has (SYSADMIN, the SNOWFLAKE database, a database's PUBLIC schema).
 */
export interface ObjectRef {
  type: SnowflakeObjectType;
  /** The resolved name parts: `['DB', 'SCHEMA', 'NAME']` for a secret, `[]` for the account. */
  parts: string[];
  /** The parts joined by dots, for messages and as a lookup key (not SQL: quote each part for that). */
  name: string;
  declared: boolean;
  system: boolean;
}

export interface RoleRef {
  /** Resolved role name. */
  name: string;
  /** Declared in `roles`; otherwise a system role (the loader refuses any other). */
  declared: boolean;
  system: boolean;
  source: SourceLocation;
}

export interface SchemaSpec {
  database: string;
  name: string;
  source: SourceLocation;
}

export interface DatabaseSpec extends Placed<'name' | 'comment' | 'schemas'> {
  name: string;
  comment?: string;
  /** Schemas the spec declares (PUBLIC is implicit and listed only when written). */
  schemas: SchemaSpec[];
}

export interface WarehouseSpec extends Placed<
  'name' | 'size' | 'type' | 'auto_suspend' | 'auto_resume' | 'comment'
> {
  name: string;
  /** Absent: not declared, Snowflake's default applies and verify does not compare it. */
  size?: WarehouseSize;
  type?: WarehouseType;
  /** Seconds; `null` means never (written as 0 or null). Absent: not declared. */
  autoSuspend?: number | null;
  autoResume?: boolean;
  comment?: string;
}

export interface NetworkPolicySpec extends Placed<
  'name' | 'allowed_ip_list' | 'blocked_ip_list' | 'comment'
> {
  name: string;
  /** IPv4 addresses with optional CIDR suffix, as written, without duplicates. */
  allowedIpList: string[];
  blockedIpList: string[];
  comment?: string;
}

export interface PrivilegeName {
  /** Upper-cased, single-spaced: `CREATE SCHEMA`. */
  name: string;
  source: SourceLocation;
}

/** One `roles[i].privileges[j]` entry: some privileges on one object. */
export interface PrivilegeSpec {
  on: ObjectKind;
  object: ObjectRef;
  /** De-duplicated, in the order written. */
  privileges: PrivilegeName[];
  source: SourceLocation;
}

export interface RoleSpec extends Placed<'name' | 'comment' | 'privileges' | 'roles'> {
  name: string;
  comment?: string;
  privileges: PrivilegeSpec[];
  /** Roles granted to this role. */
  roles: RoleRef[];
}

export interface WorkloadIdentitySpec {
  issuer: string;
  subject: string;
  /** Absent: Snowflake's default audience, snowflakecomputing.com. */
  audiences?: string[];
  source: SourceLocation;
}

/** Where the private key of a user goes: the spec's `key.secret`, with the default repository left open. */
export interface KeySecretSpec extends SecretPlacement {
  /** Upper-cased, as GitHub stores secret names. */
  name: string;
  source: SourceLocation;
}

export interface KeySpec extends Placed<'secret' | 'max_age'> {
  secret: KeySecretSpec;
  /** Absent: the action's `max-key-age` input applies. */
  maxAgeMs?: number;
}

export type UserField =
  | 'name'
  | 'type'
  | 'default_role'
  | 'default_warehouse'
  | 'default_namespace'
  | 'roles'
  | 'network_policy'
  | 'comment'
  | 'workload_identity'
  | 'key';

export interface UserSpec extends Placed<UserField> {
  name: string;
  type: UserType;
  defaultRole?: RoleRef;
  defaultWarehouse?: ObjectRef & { source: SourceLocation };
  /** A database, or database.schema, as DEFAULT_NAMESPACE takes it. */
  defaultNamespace?: ObjectRef & { source: SourceLocation };
  roles: RoleRef[];
  networkPolicy?: { name: string; source: SourceLocation };
  comment?: string;
  workloadIdentity?: WorkloadIdentitySpec;
  key?: KeySpec;
}

export interface SecretGrantSpec {
  role: RoleRef;
  privileges: PrivilegeName[];
  source: SourceLocation;
}

export interface SecretSpec extends Placed<'name' | 'type' | 'comment' | 'grants'> {
  database: string;
  schema: string;
  name: string;
  /** `DB.SCHEMA.NAME`, for messages and lookups. */
  qualifiedName: string;
  type: SecretType;
  comment?: string;
  grants: SecretGrantSpec[];
  /** Whether the spec declares the secret's database and schema (otherwise they must exist already). */
  schemaDeclared: boolean;
}

export interface AccessSpec {
  file: string;
  version: 1;
  databases: DatabaseSpec[];
  warehouses: WarehouseSpec[];
  networkPolicies: NetworkPolicySpec[];
  roles: RoleSpec[];
  users: UserSpec[];
  secrets: SecretSpec[];
  /** What is valid but probably not meant (a default role the user is not granted); setup and verify show them. */
  warnings: SpecIssue[];
  source: SourceLocation;
}

/** The user that `current-private-key` belongs to when no `target-user` says: the only user with a key block, or ''. */
export function singleKeyedUser(spec: AccessSpec): string {
  const keyed = spec.users.filter((u) => u.key);
  return keyed.length === 1 ? (keyed[0]?.name ?? '') : '';
}

/** A privilege on an object, granted to a role. */
export interface PrivilegeGrant {
  privilege: string;
  /** The object type as SQL writes it: GRANT <privilege> ON <on> <name> TO ROLE <role>. */
  on: SnowflakeObjectType;
  /** Resolved, dot-joined name (`DB.SCHEMA` for a schema); absent for the account. */
  name?: string;
  /** The resolved name parts, to quote one by one in SQL. */
  parts: string[];
  role: string;
  /** Whether the spec declares the object (or it is a system object); if not, it must exist in the account. */
  declared: boolean;
  source: SourceLocation;
}

/** A role granted to a role or to a user: GRANT ROLE <role> TO { ROLE | USER } <grantee>. */
export interface RoleGrant {
  role: string;
  granteeType: 'ROLE' | 'USER';
  grantee: string;
  source: SourceLocation;
}

export interface SpecGrants {
  privileges: PrivilegeGrant[];
  roles: RoleGrant[];
}

/** A stable key for a privilege grant, to compare with what SHOW GRANTS reports. */
export function privilegeGrantKey(grant: Pick<PrivilegeGrant, 'privilege' | 'on' | 'name' | 'role'>): string {
  return JSON.stringify([grant.role, grant.on, grant.name ?? '', grant.privilege]);
}

export function roleGrantKey(grant: Pick<RoleGrant, 'role' | 'granteeType' | 'grantee'>): string {
  return JSON.stringify([grant.granteeType, grant.grantee, grant.role]);
}

/**
 * Every grant the spec declares, expanded once so that setup and verify agree: privileges of roles (in the order
 * of `roles`, then of their entries), then grants on secrets; roles granted to roles, then to users. The same grant
 * written twice appears once, with the source of its first mention.
 */
export function grantsOf(spec: AccessSpec): SpecGrants {
  const privileges: PrivilegeGrant[] = [];
  const roles: RoleGrant[] = [];
  const seenPrivileges = new Set<string>();
  const seenRoles = new Set<string>();
  const addPrivilege = (grant: PrivilegeGrant): void => {
    const key = privilegeGrantKey(grant);
    if (seenPrivileges.has(key)) return;
    seenPrivileges.add(key);
    privileges.push(grant);
  };
  const addRole = (grant: RoleGrant): void => {
    const key = roleGrantKey(grant);
    if (seenRoles.has(key)) return;
    seenRoles.add(key);
    roles.push(grant);
  };
  for (const role of spec.roles) {
    for (const entry of role.privileges) {
      for (const privilege of entry.privileges) {
        addPrivilege({
          privilege: privilege.name,
          on: entry.object.type,
          ...(entry.object.type === 'ACCOUNT' ? {} : { name: entry.object.name }),
          parts: entry.object.parts,
          role: role.name,
          declared: entry.object.declared || entry.object.system,
          source: privilege.source,
        });
      }
    }
  }
  for (const secret of spec.secrets) {
    for (const grant of secret.grants) {
      for (const privilege of grant.privileges) {
        addPrivilege({
          privilege: privilege.name,
          on: 'SECRET',
          name: secret.qualifiedName,
          parts: [secret.database, secret.schema, secret.name],
          role: grant.role.name,
          declared: true,
          source: privilege.source,
        });
      }
    }
  }
  for (const role of spec.roles) {
    for (const granted of role.roles) {
      addRole({ role: granted.name, granteeType: 'ROLE', grantee: role.name, source: granted.source });
    }
  }
  for (const user of spec.users) {
    for (const granted of user.roles) {
      addRole({ role: granted.name, granteeType: 'USER', grantee: user.name, source: granted.source });
    }
  }
  return { privileges, roles };
}
