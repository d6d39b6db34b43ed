import type { DatabaseSpec, NetworkPolicySpec, SecretSpec, WarehouseSpec } from '../../access-spec/model.js';
import { sourceOf } from '../../access-spec/model.js';
import type { Answer } from '../../snowflake/account-reader.js';
import {
  alterNetworkPolicyListStatement,
  alterWarehouseStatement,
  createDatabaseStatement,
  createNetworkPolicyStatement,
  createSchemaStatement,
  createSecretStatement,
  createWarehouseStatement,
} from '../../snowflake/statements.js';
import type { Subject, Verification } from './findings.js';

/** The account objects of the spec other than roles and users: each exists, with the spec's settings. */

export async function checkNetworkPolicy(
  { reader, record }: Verification,
  policy: NetworkPolicySpec,
): Promise<void> {
  const subject: Subject = { type: 'network policy', name: policy.name };
  const needs = 'owns the network policy or has MANAGE GRANTS (SECURITYADMIN has it)';
  const all = await reader.networkPolicies();
  if (!record.usable(all, subject, 'exists', needs, policy.source)) return;
  if (!all.has(policy.name)) {
    record.missing(subject, policy.source, createNetworkPolicyStatement(policy));
    return;
  }
  record.pass(subject, 'exists');
  const lists = await reader.networkPolicy(policy.name);
  if (!record.usable(lists, subject, 'allowed_ip_list', 'owns the network policy', policy.source)) return;
  const same = (a: string[], b: string[]): boolean =>
    a.length === b.length && [...a].sort().join(',') === [...b].sort().join(',');
  for (const [check, list, expected, actual] of [
    ['allowed_ip_list', 'ALLOWED_IP_LIST', policy.allowedIpList, lists.allowed],
    ['blocked_ip_list', 'BLOCKED_IP_LIST', policy.blockedIpList, lists.blocked],
  ] as const) {
    // A list the spec leaves out is checked as empty, and shown on the policy's line.
    if (same(expected, actual)) record.pass(subject, check);
    else {
      record.find(
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

/** The database, and the schemas the spec declares in it. */
export async function checkDatabase({ reader, record }: Verification, database: DatabaseSpec): Promise<void> {
  const subject: Subject = { type: 'database', name: database.name };
  const all = await reader.databases();
  if (!record.usable(all, subject, 'exists', 'has USAGE on the database', database.source)) return;
  if (!all.has(database.name)) {
    record.missing(subject, database.source, createDatabaseStatement(database));
    return;
  }
  record.pass(subject, 'exists');
  if (database.schemas.length === 0) return;
  const schemas = await reader.schemas(database.name);
  for (const schema of database.schemas) {
    const schemaSubject: Subject = { type: 'schema', name: `${schema.database}.${schema.name}` };
    if (!record.usable(schemas, schemaSubject, 'exists', 'has USAGE on the database', schema.source))
      continue;
    if (schemas.has(schema.name)) record.pass(schemaSubject, 'exists');
    else record.missing(schemaSubject, schema.source, createSchemaStatement(schema));
  }
}

export async function checkWarehouse(
  { reader, record }: Verification,
  warehouse: WarehouseSpec,
): Promise<void> {
  const subject: Subject = { type: 'warehouse', name: warehouse.name };
  const all = await reader.warehouses();
  const needs = 'has a privilege on the warehouse (USAGE or MONITOR)';
  if (!record.usable(all, subject, 'exists', needs, warehouse.source)) return;
  const live = all.get(warehouse.name);
  if (!live) {
    record.missing(subject, warehouse.source, createWarehouseStatement(warehouse));
    return;
  }
  record.pass(subject, 'exists');
  const alter = (property: string, value: string) => (): string =>
    alterWarehouseStatement(warehouse.name, property, value);
  // 0 and NULL both mean "never" (CREATE WAREHOUSE, AUTO_SUSPEND).
  const suspend =
    warehouse.autoSuspend === null || warehouse.autoSuspend === 0 ? null : warehouse.autoSuspend;
  record.compareSettings(subject, warehouse, [
    {
      check: 'size',
      expected: warehouse.size,
      actual: live.size,
      fix: alter('WAREHOUSE_SIZE', `'${warehouse.size}'`),
    },
    {
      check: 'type',
      expected: warehouse.type,
      actual: live.type,
      fix: alter('WAREHOUSE_TYPE', `'${warehouse.type}'`),
    },
    {
      check: 'auto_suspend',
      expected: suspend === undefined ? undefined : suspend === null ? 'never' : String(suspend),
      actual: live.autoSuspend === null ? 'never' : String(live.autoSuspend),
      fix: alter('AUTO_SUSPEND', suspend === null ? 'NULL' : String(suspend)),
    },
    {
      check: 'auto_resume',
      expected: warehouse.autoResume === undefined ? undefined : String(warehouse.autoResume),
      actual: live.autoResume === undefined ? undefined : String(live.autoResume),
      fix: alter('AUTO_RESUME', warehouse.autoResume ? 'TRUE' : 'FALSE'),
    },
  ]);
}

/** A secret exists when its database, its schema and itself do; each read may be refused on its own. */
export async function checkSecret({ reader, record }: Verification, secret: SecretSpec): Promise<void> {
  const subject: Subject = { type: 'secret', name: secret.qualifiedName };
  const usable = <T>(answer: Answer<T>, needs: string): answer is T =>
    record.usable(answer, subject, 'exists', needs, secret.source);
  const missing = (): void => record.missing(subject, secret.source, createSecretStatement(secret));
  const databaseNeeds = `has USAGE on database ${secret.database}`;
  const databases = await reader.databases();
  if (!usable(databases, databaseNeeds)) return;
  if (!databases.has(secret.database)) return missing();
  const schemas = await reader.schemas(secret.database);
  if (!usable(schemas, databaseNeeds)) return;
  if (!schemas.has(secret.schema)) return missing();
  const secrets = await reader.secrets(secret.database, secret.schema);
  const secretNeeds = `has USAGE on ${secret.database} and ${secret.database}.${secret.schema} and a privilege on the secret`;
  if (!usable(secrets, secretNeeds)) return;
  if (secrets.has(secret.name)) record.pass(subject, 'exists');
  else missing();
}
