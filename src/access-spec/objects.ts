import {
  type DatabaseSpec,
  type NetworkPolicySpec,
  type PrivilegeName,
  type PrivilegeSpec,
  type RoleSpec,
  type SecretSpec,
  type WarehouseSpec,
} from './model.js';
import { SYSTEM_DATABASES, IMPLICIT_SCHEMAS, PRIVILEGES, type ObjectKind } from './snowflake-catalog.js';
import type { RawSpec } from './raw.js';
import { type SpecContext, optional } from './context.js';
import type { Segment } from './yaml.js';
import { suggestion } from './schema-issues.js';

/** The spec's databases, warehouses, network policies, roles and secrets, from the schema-valid document. */

const IPV4_OCTET = '(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const IPV4_CIDR = new RegExp(`^${IPV4_OCTET}(\\.${IPV4_OCTET}){3}(/(3[0-2]|[12]?\\d))?$`);

export function buildDatabase(
  ctx: SpecContext,
  raw: NonNullable<RawSpec['databases']>[number],
  path: Segment[],
): DatabaseSpec | undefined {
  const name = ctx.declare(
    new Set(ctx.databases.keys()),
    'database',
    raw.name,
    [...path, 'name'],
    (resolved) =>
      SYSTEM_DATABASES.includes(resolved)
        ? `is the Snowflake system database ${resolved}, which every account has. Do not declare it`
        : undefined,
  );
  if (name === undefined) return undefined;
  const schemaNames = new Set<string>();
  ctx.databases.set(name, schemaNames);
  const schemas = (raw.schemas ?? []).flatMap((value, i) => {
    const schemaPath = [...path, 'schemas', i];
    const schemaName = ctx.declare(schemaNames, `schema of ${name}`, value, schemaPath);
    return schemaName === undefined ? [] : [{ database: name, name: schemaName, source: ctx.at(schemaPath) }];
  });
  return { name, ...optional('comment', raw.comment), schemas, ...ctx.placed(path, raw) };
}

export function buildWarehouse(
  ctx: SpecContext,
  raw: NonNullable<RawSpec['warehouses']>[number],
  path: Segment[],
): WarehouseSpec | undefined {
  const name = ctx.declare(ctx.warehouses, 'warehouse', raw.name, [...path, 'name']);
  if (name === undefined) return undefined;
  return {
    name,
    ...optional('size', raw.size),
    ...optional('type', raw.type),
    // AUTO_SUSPEND = 0 and NULL both mean never (CREATE WAREHOUSE); SHOW WAREHOUSES reports null.
    ...(raw.auto_suspend === undefined ? {} : { autoSuspend: raw.auto_suspend || null }),
    ...optional('autoResume', raw.auto_resume),
    ...optional('comment', raw.comment),
    ...ctx.placed(path, raw),
  };
}

export function buildNetworkPolicy(
  ctx: SpecContext,
  raw: NonNullable<RawSpec['network_policies']>[number],
  path: Segment[],
): NetworkPolicySpec | undefined {
  const name = ctx.declare(ctx.networkPolicies, 'network policy', raw.name, [...path, 'name']);
  const addresses = (field: 'allowed_ip_list' | 'blocked_ip_list'): string[] => {
    const result: string[] = [];
    (raw[field] ?? []).forEach((value, i) => {
      const address = value.trim();
      if (!IPV4_CIDR.test(address)) {
        ctx.problem(
          [...path, field, i],
          `${JSON.stringify(value)} is not an IPv4 address with an optional CIDR suffix. Write it like 52.25.130.38 or 34.223.203.0/28 (Snowflake network policies take IPv4 only)`,
        );
      } else if (!result.includes(address)) {
        result.push(address);
      }
    });
    return result;
  };
  const allowedIpList = addresses('allowed_ip_list');
  const blockedIpList = addresses('blocked_ip_list');
  if ((raw.allowed_ip_list ?? []).length === 0 && (raw.blocked_ip_list ?? []).length === 0) {
    ctx.problem(
      path,
      'declares no addresses. List the addresses to allow in allowed_ip_list (and any to refuse in blocked_ip_list)',
    );
  }
  if (name === undefined) return undefined;
  return {
    name,
    allowedIpList,
    blockedIpList,
    ...optional('comment', raw.comment),
    ...ctx.placed(path, raw),
  };
}

export function buildRole(
  ctx: SpecContext,
  raw: NonNullable<RawSpec['roles']>[number],
  name: string | undefined,
  path: Segment[],
): RoleSpec | undefined {
  const privileges = (raw.privileges ?? []).flatMap((entry, i) => {
    const spec = privilegeEntry(ctx, entry, [...path, 'privileges', i]);
    return spec === undefined ? [] : [spec];
  });
  const roles = (raw.roles ?? []).flatMap((value, i) => {
    const ref = ctx.roleRef(value, [...path, 'roles', i], 'granted to this role');
    if (ref !== undefined && ref.name === name) {
      ctx.problem([...path, 'roles', i], `grants the role ${name} to itself. Remove it`);
      return [];
    }
    return ref === undefined ? [] : [ref];
  });
  if (name === undefined) return undefined;
  return { name, ...optional('comment', raw.comment), privileges, roles, ...ctx.placed(path, raw) };
}

function privilegeEntry(
  ctx: SpecContext,
  raw: { on: ObjectKind; name?: string; privileges: string[] },
  path: Segment[],
): PrivilegeSpec | undefined {
  const object = ctx.objectRef(raw.on, raw.name, [...path, 'name']);
  const privileges = privilegeNames(ctx, raw.privileges, raw.on, [...path, 'privileges']);
  if (object === undefined || privileges === undefined) return undefined;
  return { on: raw.on, object, privileges, source: ctx.at(path) };
}

/** Upper-cased, single-spaced, de-duplicated, each checked against the object type's privileges. */
export function privilegeNames(
  ctx: SpecContext,
  values: string[],
  kind: ObjectKind,
  path: Segment[],
  allowed: readonly string[] = PRIVILEGES[kind],
): PrivilegeName[] | undefined {
  const result: PrivilegeName[] = [];
  let valid = true;
  values.forEach((value, i) => {
    const name = value.trim().replace(/\s+/g, ' ').toUpperCase();
    if (!allowed.includes(name)) {
      valid = false;
      const why =
        name === 'OWNERSHIP' && kind === 'account'
          ? 'OWNERSHIP cannot be granted on the account'
          : name === 'ALL' || name === 'ALL PRIVILEGES'
            ? 'ALL is not accepted: the spec lists each privilege it grants'
            : `${JSON.stringify(value)} is not a privilege Snowflake grants on ${kind === 'account' ? 'the account' : `a ${kind}`}`;
      ctx.problem([...path, i], `${why}. Use one of: ${allowed.join(', ')}${suggestion(name, allowed)}`);
    } else if (!result.some((privilege) => privilege.name === name)) {
      result.push({ name, source: ctx.at([...path, i]) });
    }
  });
  return valid ? result : undefined;
}

export function declareSecretName(ctx: SpecContext, value: string, index: number): string[] | undefined {
  const path = ['secrets', index, 'name'];
  const parts = ctx.qualified(value, 3, path);
  if (parts === undefined) return undefined;
  const qualified = parts.join('.');
  if (ctx.secrets.has(qualified)) {
    ctx.problem(path, `declares the secret ${qualified} a second time. Merge the two entries or rename one`);
    return undefined;
  }
  ctx.secrets.add(qualified);
  return parts;
}

export function buildSecret(
  ctx: SpecContext,
  raw: NonNullable<RawSpec['secrets']>[number],
  parts: string[] | undefined,
  path: Segment[],
): SecretSpec | undefined {
  const grants = (raw.grants ?? []).flatMap((grant, i) => {
    const grantPath = [...path, 'grants', i];
    const role = ctx.roleRef(grant.role, [...grantPath, 'role'], 'given privileges on this secret');
    const privileges = privilegeNames(ctx, grant.privileges, 'secret', [...grantPath, 'privileges']);
    if (role === undefined || privileges === undefined) return [];
    return [{ role, privileges, source: ctx.at(grantPath) }];
  });
  if (parts === undefined) return undefined;
  const [database = '', schema = '', name = ''] = parts;
  const schemaDeclared =
    (ctx.databases.get(database)?.has(schema) ?? false) ||
    (ctx.databases.has(database) && IMPLICIT_SCHEMAS.includes(schema));
  return {
    database,
    schema,
    name,
    qualifiedName: parts.join('.'),
    type: raw.type,
    ...optional('comment', raw.comment),
    grants,
    schemaDeclared,
    ...ctx.placed(path, raw),
  };
}
