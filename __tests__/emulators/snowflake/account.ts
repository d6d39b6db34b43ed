// The account: its state (account/state.ts) and the statements that read and change it, one module per
// kind of object under account/. Behaviour and sources are listed in README.md.

import type { Statement } from './statements.js';
import type { ResultSet, SessionContext } from './account/model.js';
import {
  createDatabase,
  createSchema,
  dropDatabase,
  showDatabases,
  showSchemas,
  useDatabase,
  useSchema,
} from './account/databases.js';
import {
  grantObjectOwnership,
  grantObjectPrivileges,
  grantOwnership,
  grantPrivileges,
  grantRole,
  showGrants,
  showGrantsOnObject,
} from './account/grants.js';
import {
  alterAccount,
  alterNetworkPolicy,
  createNetworkPolicy,
  descNetworkPolicy,
  dropNetworkPolicy,
  showNetworkPolicies,
} from './account/network-policies.js';
import { addPat, findPatBySecret, removePat, showPats } from './account/pats.js';
import { createRole, dropRole, showRoles, useRole } from './account/roles.js';
import {
  allSecrets,
  alterSecret,
  createSecret,
  descSecret,
  dropSecret,
  showSecrets,
} from './account/secrets.js';
import { alterSessionSet, alterSessionUnset, select, showParameters } from './account/session.js';
import { AccountState, type Handler } from './account/state.js';
import { alterUserSet, alterUserUnset, createUser, descUser, dropUser, showUsers } from './account/users.js';
import {
  alterWarehouse,
  createWarehouse,
  dropWarehouse,
  sessionWarehouse,
  showWarehouses,
  useWarehouse,
} from './account/warehouses.js';

/** The module function that runs each statement. */
const HANDLERS: { [K in Statement['type']]: Handler<K> } = {
  createUser,
  alterUserSet,
  alterUserUnset,
  dropUser,
  descUser: (a, s, session) => descUser(a, s.name, session),
  showUsers: (a, s, session) => showUsers(a, s.like, session),
  addPat,
  removePat,
  showPats: (a, s, session) => showPats(a, s.user, session),
  createRole,
  dropRole,
  showRoles: (a, s, session) => showRoles(a, s.like, session),
  grantRole,
  revokeRole: grantRole,
  grantOwnership,
  grantPrivileges,
  revokePrivileges: grantPrivileges,
  showGrants,
  useRole: (a, s, session) => useRole(a, s.role, session),
  alterSessionSet: (_a, s, session) => alterSessionSet(s.props, session),
  alterSessionUnset: (_a, s, session) => alterSessionUnset(s.names, session),
  select,
  useDatabase: (a, s, session) => useDatabase(a, s.name, session),
  useSchema: (a, s, session) => useSchema(a, s.name, session),
  createDatabase,
  createSchema,
  dropDatabase,
  showDatabases: (a, s, session) => showDatabases(a, s.like, session),
  showSchemas: (a, s, session) => showSchemas(a, s.like, s.in, session),
  createSecret,
  alterSecretSet: alterSecret,
  alterSecretUnset: alterSecret,
  descSecret: (a, s, session) => descSecret(a, s.name, session),
  dropSecret,
  showSecrets: (a, s, session) => showSecrets(a, s.like, s.in, session),
  grantObjectOwnership,
  grantObjectPrivileges,
  revokeObjectPrivileges: grantObjectPrivileges,
  showGrantsOnObject,
  createNetworkPolicy,
  alterNetworkPolicySet: alterNetworkPolicy,
  alterNetworkPolicyUnset: alterNetworkPolicy,
  descNetworkPolicy: (a, s, session) => descNetworkPolicy(a, s.name, session),
  dropNetworkPolicy,
  showNetworkPolicies: (a, s, session) => showNetworkPolicies(a, s.like, session),
  alterAccountSet: alterAccount,
  alterAccountUnset: alterAccount,
  createWarehouse,
  alterWarehouseSet: alterWarehouse,
  dropWarehouse,
  showWarehouses: (a, s, session) => showWarehouses(a, s.like, session),
  useWarehouse: (a, s, session) => useWarehouse(a, s.name, session),
  showParameters: (a, s, session) => showParameters(a, s.like, s.in, session),
};

export class Account extends AccountState {
  execute(statement: Statement, session: SessionContext): ResultSet {
    const handler = HANDLERS[statement.type] as Handler<Statement['type']>;
    return handler(this, statement, session);
  }

  /** The warehouse a login makes current: the requested one if it exists and the role may use it. */
  sessionWarehouse(requested: string | null, role: string): string | null {
    return sessionWarehouse(this, requested, role);
  }

  /** The token whose secret this is, if any (compared by SHA-256; the secret itself is not kept). */
  findPatBySecret(secret: string): ReturnType<typeof findPatBySecret> {
    return findPatBySecret(this, secret);
  }

  /** Every secret with its value, for the control plane (`GET /__emulator/secrets`). */
  allSecrets(): ReturnType<typeof allSecrets> {
    return allSecrets(this);
  }
}
