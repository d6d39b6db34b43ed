// Warehouses: their settings (they run nothing), statements and SHOW WAREHOUSES. Sources: README.md,
// "Warehouses and SHOW PARAMETERS".
//
// Account-level objects (docs, "CREATE WAREHOUSE"). Creating one needs the account privilege
// CREATE WAREHOUSE (SYSADMIN and above by default); the creating role owns it. Visibility follows
// the rule for databases: some privilege on the warehouse, or MANAGE GRANTS for GRANT and SHOW.

import { doesNotExist, insufficientPrivileges, invalidValue, qualifiedName } from '../errors.js';
import type { Ident, Property } from '../statements.js';
import type { ResultSet, SessionContext, Warehouse } from './model.js';
import { flagValue, invalidValueOf } from './property-values.js';
import { type Column, bool, entryOf, fixed, tabulate, text, time } from './results.js';
import { alreadyDropped, createOver, created, dropped, ok } from './status.js';
import { type AccountState, unlessMissing, type Handler } from './state.js';

// WAREHOUSE_SIZE values CREATE WAREHOUSE accepts, with their synonyms (docs, "CREATE WAREHOUSE":
// XSMALL | 'X-SMALL', XLARGE | 'X-LARGE', XXLARGE | X2LARGE | '2X-LARGE', …), and the way SHOW
// WAREHOUSES prints each size (`X-Small`, `2X-Large`; notes, "Objects").
const WAREHOUSE_SIZES: [string, string[], string][] = [
  ['XSMALL', ['XSMALL', 'X-SMALL'], 'X-Small'],
  ['SMALL', ['SMALL'], 'Small'],
  ['MEDIUM', ['MEDIUM'], 'Medium'],
  ['LARGE', ['LARGE'], 'Large'],
  ['XLARGE', ['XLARGE', 'X-LARGE'], 'X-Large'],
  ['XXLARGE', ['XXLARGE', 'X2LARGE', '2X-LARGE'], '2X-Large'],
  ['XXXLARGE', ['XXXLARGE', 'X3LARGE', '3X-LARGE'], '3X-Large'],
  ['X4LARGE', ['X4LARGE', '4X-LARGE'], '4X-Large'],
  ['X5LARGE', ['X5LARGE', '5X-LARGE'], '5X-Large'],
  ['X6LARGE', ['X6LARGE', '6X-LARGE'], '6X-Large'],
];
const WAREHOUSE_TYPES = ['STANDARD', 'SNOWPARK-OPTIMIZED'];
// Object parameters CREATE WAREHOUSE takes besides its properties; accepted and ignored.
const WAREHOUSE_PARAMETERS = new Set([
  'MAX_CONCURRENCY_LEVEL',
  'STATEMENT_QUEUED_TIMEOUT_IN_SECONDS',
  'STATEMENT_TIMEOUT_IN_SECONDS',
]);

/** A keyword or a string, upper-cased. */
function word(p: Property): string {
  if (p.value.kind === 'string') return p.value.value.toUpperCase();
  if (p.value.kind === 'ident' && p.value.parts.length === 1) return p.value.parts[0]!.name.toUpperCase();
  throw invalidValueOf(p);
}

/** A whole number, without leading zeros. */
function count(p: Property): string {
  if (p.value.kind === 'number' && /^\d+$/.test(p.value.value)) return String(Number(p.value.value));
  throw invalidValue(
    `invalid value [${p.value.kind === 'number' ? p.value.value : '…'}] for parameter '${p.name}'`,
  );
}

/** A word among `allowed`, else 001008 `invalid value ['V'] for parameter 'NAME'`. */
function oneOf(p: Property, allowed: string[]): string {
  const v = word(p);
  if (!allowed.includes(v)) throw invalidValue(`invalid value ['${v}'] for parameter '${p.name}'`);
  return v;
}

/**
 * How each CREATE WAREHOUSE property sets the warehouse (docs, "CREATE WAREHOUSE": objectProperties and
 * objectParams). Sizes and types may be keywords or strings; hyphenated values must be quoted (an unquoted
 * `X-SMALL` is a syntax error, as in Snowflake). The refusal wording is ours.
 */
const WAREHOUSE_SETTERS: Record<string, (wh: Warehouse, p: Property) => void> = {
  WAREHOUSE_SIZE: (wh, p) => {
    const v = word(p);
    const size = WAREHOUSE_SIZES.find(([, names]) => names.includes(v));
    if (!size) throw invalidValue(`invalid value ['${v}'] for parameter 'WAREHOUSE_SIZE'`);
    wh.size = size[0];
  },
  WAREHOUSE_TYPE: (wh, p) => (wh.type = oneOf(p, WAREHOUSE_TYPES)),
  // A number of seconds, or NULL for never (docs).
  AUTO_SUSPEND: (wh, p) => (wh.autoSuspend = p.value.kind === 'null' ? null : count(p)),
  AUTO_RESUME: (wh, p) => (wh.autoResume = flagValue(p)),
  INITIALLY_SUSPENDED: (wh, p) => (wh.state = flagValue(p) ? 'SUSPENDED' : 'STARTED'),
  MIN_CLUSTER_COUNT: (wh, p) => (wh.minClusterCount = count(p)),
  MAX_CLUSTER_COUNT: (wh, p) => (wh.maxClusterCount = count(p)),
  SCALING_POLICY: (wh, p) => (wh.scalingPolicy = oneOf(p, ['STANDARD', 'ECONOMY'])),
  ENABLE_QUERY_ACCELERATION: (wh, p) => (wh.enableQueryAcceleration = flagValue(p)),
  QUERY_ACCELERATION_MAX_SCALE_FACTOR: (wh, p) => (wh.queryAccelerationMaxScaleFactor = count(p)),
  RESOURCE_MONITOR: (wh, p) => {
    if (p.value.kind === 'null') wh.resourceMonitor = null;
    else if (p.value.kind === 'ident' && p.value.parts.length === 1)
      wh.resourceMonitor = p.value.parts[0]!.name;
    else if (p.value.kind === 'string') wh.resourceMonitor = p.value.value;
    else throw invalidValue("invalid value for property 'RESOURCE_MONITOR'");
  },
  COMMENT: (wh, p) => {
    if (p.value.kind !== 'string') throw invalidValue("invalid value for property 'COMMENT'");
    wh.comment = p.value.value;
  },
};

function applyWarehouseProperties(wh: Warehouse, props: Property[]): void {
  for (const p of props) {
    const set = entryOf(WAREHOUSE_SETTERS, p.name);
    if (set) set(wh, p);
    else if (WAREHOUSE_PARAMETERS.has(p.name)) count(p);
    else throw invalidValue(`invalid property '${p.name}' for 'WAREHOUSE'`);
  }
  if (Number(wh.minClusterCount) > Number(wh.maxClusterCount)) {
    throw invalidValue('MIN_CLUSTER_COUNT must be less than or equal to MAX_CLUSTER_COUNT');
  }
}

/** A warehouse the role may see, else 002003 `Warehouse 'W' does not exist or not authorized.` */
export function resolveWarehouse(
  a: AccountState,
  name: string,
  session: SessionContext,
  bypass = false,
): Warehouse {
  const wh = a.warehouses.get(name);
  if (!wh || (!bypass && !a.anyPrivilege(session.role, 'WAREHOUSE', qualifiedName([name])))) {
    throw doesNotExist('Warehouse', name);
  }
  return wh;
}

/** The warehouse a login makes current: the requested one if it exists and the role may use it. */
export function sessionWarehouse(a: AccountState, requested: string | null, role: string): string | null {
  // A DEFAULT_WAREHOUSE given as a string ('wh') names the warehouse as an unquoted identifier would.
  const name = requested === null || a.warehouses.has(requested) ? requested : requested.toUpperCase();
  if (name === null || !a.warehouses.has(name)) return null;
  return a.usable(role, 'WAREHOUSE', qualifiedName([name])) ? name : null;
}

export const createWarehouse: Handler<'createWarehouse'> = (a, s, session) => {
  const name = s.name.name;
  // Defaults: STANDARD, XSMALL, AUTO_SUSPEND 600, AUTO_RESUME TRUE, INITIALLY_SUSPENDED FALSE,
  // one cluster, STANDARD scaling, query acceleration off with factor 8 (docs, "CREATE WAREHOUSE").
  const wh: Warehouse = {
    name,
    type: 'STANDARD',
    size: 'XSMALL',
    state: 'STARTED',
    autoSuspend: '600',
    autoResume: true,
    minClusterCount: '1',
    maxClusterCount: '1',
    scalingPolicy: 'STANDARD',
    enableQueryAcceleration: false,
    queryAccelerationMaxScaleFactor: '8',
    resourceMonitor: null,
    comment: null,
    createdOn: a.now(),
    uuid: String(100000 + a.warehouses.size + a.grants.length),
  };
  applyWarehouseProperties(wh, s.props);
  // CREATE WAREHOUSE needs the account privilege (SYSADMIN and above by default; notes, "Access control").
  if (!a.accountPrivilege(session.role, 'CREATE WAREHOUSE')) {
    throw insufficientPrivileges('account', a.accountName);
  }
  const key = qualifiedName([name]);
  const existing = a.warehouses.get(name);
  if (existing) {
    const existed = createOver(s, name);
    if (existed) return existed;
    if (!a.owns(session.role, 'WAREHOUSE', key)) throw insufficientPrivileges('warehouse', name);
    a.dropGrantsOn('WAREHOUSE', key);
  }
  a.warehouses.set(name, wh);
  a.addOwnership('WAREHOUSE', key, session.role);
  // A new warehouse becomes the session's current warehouse (docs, "CREATE WAREHOUSE", usage notes).
  session.warehouse = name;
  return created('Warehouse', name);
};

/**
 * ALTER WAREHOUSE w SET with CREATE WAREHOUSE's properties but INITIALLY_SUSPENDED, which only CREATE takes
 * (docs, "ALTER WAREHOUSE", objectProperties). Needs MODIFY on the warehouse, which OWNERSHIP implies (docs,
 * "Access control privileges", virtual warehouse privileges: MODIFY "enables altering any properties of a
 * warehouse"). All the properties apply, or none.
 */
export const alterWarehouse: Handler<'alterWarehouseSet'> = (a, s, session) => {
  const wh = unlessMissing(s.ifExists, () => resolveWarehouse(a, s.name.name, session));
  if (!wh) return ok();
  if (!a.hasPrivilege(session.role, 'MODIFY', 'WAREHOUSE', qualifiedName([wh.name]))) {
    throw insufficientPrivileges('warehouse', wh.name);
  }
  const initially = s.props.find((p) => p.name === 'INITIALLY_SUSPENDED');
  if (initially) throw invalidValue(`invalid property '${initially.name}' for 'WAREHOUSE'`);
  const draft: Warehouse = { ...wh };
  applyWarehouseProperties(draft, s.props);
  a.warehouses.set(wh.name, draft);
  return ok();
};

export const dropWarehouse: Handler<'dropWarehouse'> = (a, s, session) => {
  const wh = unlessMissing(s.ifExists, () => resolveWarehouse(a, s.name.name, session));
  if (!wh) return alreadyDropped(s.name.name);
  const key = qualifiedName([wh.name]);
  // DROP WAREHOUSE needs OWNERSHIP (docs, "DROP WAREHOUSE").
  if (!a.owns(session.role, 'WAREHOUSE', key)) throw insufficientPrivileges('warehouse', wh.name);
  a.warehouses.delete(wh.name);
  a.dropGrantsOn('WAREHOUSE', key);
  if (session.warehouse === wh.name) session.warehouse = null;
  return dropped(wh.name);
};

export function useWarehouse(a: AccountState, name: Ident, session: SessionContext): ResultSet {
  const wh = resolveWarehouse(a, name.name, session);
  // USE WAREHOUSE needs USAGE (OWNERSHIP implies it); code and wording of the refusal are ours.
  if (!a.usable(session.role, 'WAREHOUSE', qualifiedName([wh.name]))) {
    throw insufficientPrivileges('warehouse', wh.name);
  }
  session.warehouse = wh.name;
  return ok();
}

interface WarehouseRow {
  wh: Warehouse;
  owner: string;
  isDefault: boolean;
  isCurrent: boolean;
}

/** Cells that only a started warehouse fills (its cluster counts and percentages). */
const whenStarted = (r: WarehouseRow, value: string) => (r.wh.state === 'STARTED' ? value : '');

// Columns: the Terraform provider's warehouseDBRow (pkg/sdk/warehouses.go), then budget and
// owner_role_type (docs, "SHOW WAREHOUSES"), then the 2025_03 bundle's reserved columns.
const WAREHOUSE_COLUMNS: Column<WarehouseRow>[] = [
  text('name', (r) => r.wh.name),
  text('state', (r) => r.wh.state),
  text('type', (r) => r.wh.type),
  text('size', (r) => WAREHOUSE_SIZES.find(([k]) => k === r.wh.size)?.[2] ?? r.wh.size),
  fixed('min_cluster_count', (r) => r.wh.minClusterCount),
  fixed('max_cluster_count', (r) => r.wh.maxClusterCount),
  fixed('started_clusters', (r) => (r.wh.state === 'STARTED' ? r.wh.minClusterCount : '0')),
  fixed('running', () => '0'),
  fixed('queued', () => '0'),
  text('is_default', (r) => (r.isDefault ? 'Y' : 'N')),
  text('is_current', (r) => (r.isCurrent ? 'Y' : 'N')),
  fixed('auto_suspend', (r) => r.wh.autoSuspend),
  text('auto_resume', (r) => bool(r.wh.autoResume)),
  text('available', (r) => whenStarted(r, '100')),
  text('provisioning', (r) => whenStarted(r, '0')),
  text('quiescing', (r) => whenStarted(r, '0')),
  text('other', (r) => whenStarted(r, '0')),
  time('created_on', (r) => r.wh.createdOn),
  time('resumed_on', (r) => r.wh.createdOn),
  time('updated_on', (r) => r.wh.createdOn),
  text('owner', (r) => r.owner),
  text('comment', (r) => r.wh.comment ?? ''),
  text('enable_query_acceleration', (r) => bool(r.wh.enableQueryAcceleration)),
  fixed('query_acceleration_max_scale_factor', (r) => r.wh.queryAccelerationMaxScaleFactor),
  text('resource_monitor', (r) => r.wh.resourceMonitor ?? 'null'),
  fixed('actives', () => '0'),
  fixed('pendings', () => '0'),
  fixed('failed', () => '0'),
  fixed('suspended', () => '0'),
  text('uuid', (r) => r.wh.uuid),
  text('scaling_policy', (r) => r.wh.scalingPolicy),
  text('budget', () => null),
  text('owner_role_type', () => 'ROLE'),
  fixed('warehouse_credit_limit', () => null),
  text('target_statement_size', () => null),
  text('disabled_reasons', () => null),
];

export function showWarehouses(a: AccountState, like: string | null, session: SessionContext): ResultSet {
  const defaultWh = session.user ? (a.users.get(session.user)?.defaultWarehouse ?? null) : null;
  const rows = a.listed(a.warehouses.values(), 'WAREHOUSE', like, session.role).map((wh): WarehouseRow => ({
    wh,
    owner: a.ownerOf('WAREHOUSE', [wh.name]) ?? '',
    isDefault: defaultWh !== null && defaultWh === wh.name,
    isCurrent: session.warehouse === wh.name,
  }));
  return tabulate(WAREHOUSE_COLUMNS, rows);
}
