import { type AccessSpec, SpecError, sortIssues } from './model.js';
import { SYSTEM_ROLES } from './snowflake-catalog.js';
import { SpecContext, isDefined } from './context.js';
import { checkOwnership, checkRoleCycles, checkSharedIdentities } from './cross-checks.js';
import {
  buildDatabase,
  buildNetworkPolicy,
  buildRole,
  buildSecret,
  buildWarehouse,
  declareSecretName,
} from './objects.js';
import type { RawSpec } from './raw.js';
import { schemaIssues, validator } from './schema-issues.js';
import { buildUser } from './users.js';
import { type Locator, readSpecDocument } from './yaml.js';

/**
 * Loads an access spec: YAML with line numbers (yaml.ts), validated against schema/access-spec.schema.json
 * (schema-issues.ts), then checked for what a schema cannot say: Snowflake identifiers, unique names, references
 * that resolve, which user types may have a key or a workload identity, IP addresses and durations (objects.ts,
 * users.ts, cross-checks.ts). No network: objects the spec refers to without declaring them are marked
 * `declared: false` for the caller to look up in the account. Every problem is reported at once, one per line,
 * as `<file>:<line>: <path>: <what is wrong and how to fix it>`.
 */

/** Parses and checks an access spec. Throws SpecError (an ActionError, code `invalid-spec`) listing every problem. */
export function loadSpec(text: string, file: string): AccessSpec {
  const { data, locator } = readSpecDocument(text, file);
  const validate = validator();
  if (!validate(data)) throw new SpecError(schemaIssues(validate.errors ?? [], locator));
  return build(data as RawSpec, locator);
}

/** Turns the schema-valid document into the model, collecting every semantic problem. */
function build(raw: RawSpec, locator: Locator): AccessSpec {
  const ctx = new SpecContext(locator);
  // Names first, so that references can point forwards (a role granted before it is declared).
  const databases = (raw.databases ?? []).map((db, i) => buildDatabase(ctx, db, ['databases', i]));
  const warehouses = (raw.warehouses ?? []).map((wh, i) => buildWarehouse(ctx, wh, ['warehouses', i]));
  const networkPolicies = (raw.network_policies ?? []).map((np, i) =>
    buildNetworkPolicy(ctx, np, ['network_policies', i]),
  );
  const roleNames = (raw.roles ?? []).map((role, i) =>
    ctx.declare(ctx.roles, 'role', role.name, ['roles', i, 'name'], (name) =>
      SYSTEM_ROLES.includes(name)
        ? `is the Snowflake system role ${name}, which every account has. Do not declare it: grant it or refer to it by name`
        : undefined,
    ),
  );
  const userNames = (raw.users ?? []).map((user, i) =>
    ctx.declare(ctx.users, 'user', user.name, ['users', i, 'name']),
  );
  const secretNames = (raw.secrets ?? []).map((secret, i) => declareSecretName(ctx, secret.name, i));

  const roles = (raw.roles ?? []).map((role, i) => buildRole(ctx, role, roleNames[i], ['roles', i]));
  const users = (raw.users ?? []).map((user, i) => buildUser(ctx, user, userNames[i], ['users', i]));
  const secrets = (raw.secrets ?? []).map((secret, i) =>
    buildSecret(ctx, secret, secretNames[i], ['secrets', i]),
  );
  checkOwnership(ctx, roles, secrets);
  checkRoleCycles(ctx, roles);
  checkSharedIdentities(ctx, users);

  if (ctx.issues.length > 0) throw new SpecError(sortIssues(ctx.issues));
  return {
    file: locator.file,
    version: 1,
    databases: databases.filter(isDefined),
    warehouses: warehouses.filter(isDefined),
    networkPolicies: networkPolicies.filter(isDefined),
    roles: roles.filter(isDefined),
    users: users.filter(isDefined),
    secrets: secrets.filter(isDefined),
    warnings: sortIssues(ctx.warnings),
    source: locator.at([]),
  };
}
