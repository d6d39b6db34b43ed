// Databases and schemas: names resolved against the session, visibility, and their statements.
// Sources: README.md, "Databases, schemas and secrets".
//
// Visibility follows Snowflake's rule that objects a role has no privilege on "do not exist or
// are not authorized" (002003), and that operating on a schema object needs USAGE on its database
// and schema (docs, e.g. "DESCRIBE SECRET: Access control requirements"). OWNERSHIP implies every
// privilege. MANAGE GRANTS does not give access to objects, but lets GRANT and SHOW resolve them.

import { doesNotExist, insufficientPrivileges, invalidValue, noCurrent, qualifiedName } from '../errors.js';
import type { Ident, Property, ShowScope } from '../statements.js';
import type { Database, ResultSet, Schema, SessionContext } from './model.js';
import { type Column, likeFilter, tabulate, text, time } from './results.js';
import { alreadyDropped, createOver, created, dropped, ok } from './status.js';
import type { AccountState, Handler } from './state.js';

/** The current database, or 090105 naming the statement (`Cannot perform CREATE SECRET.`). */
function currentDatabase(a: AccountState, session: SessionContext, command: string): string {
  if (session.database === null || !a.databases.has(session.database)) throw noCurrent('database', command);
  return session.database;
}

function currentSchema(a: AccountState, session: SessionContext, command: string): [string, string] {
  const db = currentDatabase(a, session, command);
  if (session.schema === null) throw noCurrent('schema', command);
  return [db, session.schema];
}

/** `s` or `d.s` against the session's current database. */
export function schemaPath(
  a: AccountState,
  parts: Ident[],
  session: SessionContext,
  command: string,
): [string, string] {
  if (parts.length === 2) return [parts[0]!.name, parts[1]!.name];
  return [currentDatabase(a, session, command), parts[0]!.name];
}

/** `n`, `s.n` or `d.s.n` against the session's current database and schema. */
export function objectPath(
  a: AccountState,
  parts: Ident[],
  session: SessionContext,
  command: string,
): [string, string, string] {
  if (parts.length === 3) return [parts[0]!.name, parts[1]!.name, parts[2]!.name];
  if (parts.length === 2) return [currentDatabase(a, session, command), parts[0]!.name, parts[1]!.name];
  return [...currentSchema(a, session, command), parts[0]!.name];
}

/**
 * A database the role may see (any privilege, or MANAGE GRANTS when `bypass`), or one it may use
 * (`usage`: USAGE or OWNERSHIP). Otherwise 002003 `Database 'D' does not exist or not authorized.`
 */
export function resolveDatabase(
  a: AccountState,
  name: string,
  session: SessionContext,
  need: 'visible' | 'usage',
  bypass = false,
): Database {
  const db = a.databases.get(name);
  const key = qualifiedName([name]);
  const found =
    db &&
    (bypass ||
      (need === 'usage'
        ? a.usable(session.role, 'DATABASE', key)
        : a.anyPrivilege(session.role, 'DATABASE', key)));
  if (!found) throw doesNotExist('Database', [name]);
  return db;
}

/** A schema whose database and schema the role may use (INFORMATION_SCHEMA: everyone with the database). */
export function resolveSchema(
  a: AccountState,
  dbName: string,
  name: string,
  session: SessionContext,
  bypass = false,
): Schema {
  const db = resolveDatabase(a, dbName, session, 'usage', bypass);
  const schema = db.schemas.get(name);
  const found =
    schema &&
    (bypass ||
      name === 'INFORMATION_SCHEMA' ||
      a.usable(session.role, 'SCHEMA', qualifiedName([dbName, name])));
  if (!found) throw doesNotExist('Schema', [dbName, name]);
  return schema;
}

function removeSchema(a: AccountState, schema: Schema): void {
  for (const secret of schema.secrets.values()) {
    a.dropGrantsOn('SECRET', qualifiedName([secret.database, secret.schema, secret.name]));
  }
  a.dropGrantsOn('SCHEMA', qualifiedName([schema.database, schema.name]));
  a.databases.get(schema.database)?.schemas.delete(schema.name);
}

function removeDatabase(a: AccountState, db: Database): void {
  for (const schema of [...db.schemas.values()]) removeSchema(a, schema);
  a.dropGrantsOn('DATABASE', qualifiedName([db.name]));
  a.databases.delete(db.name);
}

function newSchema(a: AccountState, database: string, name: string, comment: string | null): Schema {
  return { name, database, comment, createdOn: a.now(), secrets: new Map() };
}

/** COMMENT (and DATA_RETENTION_TIME_IN_DAYS, accepted and ignored) for CREATE DATABASE / SCHEMA. */
function containerComment(props: Property[], kind: 'DATABASE' | 'SCHEMA'): string | null {
  let comment: string | null = null;
  for (const p of props) {
    if (p.name === 'COMMENT' && p.value.kind === 'string') comment = p.value.value;
    else if (p.name === 'DATA_RETENTION_TIME_IN_DAYS' && p.value.kind === 'number') continue;
    else throw invalidValue(`invalid property '${p.name}' for '${kind}'`);
  }
  return comment;
}

export function useDatabase(a: AccountState, name: Ident, session: SessionContext): ResultSet {
  const db = resolveDatabase(a, name.name, session, 'usage');
  session.database = db.name;
  // USE DATABASE makes PUBLIC the current schema when the database has one (docs, "USE DATABASE").
  session.schema = db.schemas.has('PUBLIC') ? 'PUBLIC' : null;
  return ok();
}

export function useSchema(a: AccountState, name: Ident[], session: SessionContext): ResultSet {
  const [dbName, schemaName] = schemaPath(a, name, session, 'USE SCHEMA');
  resolveSchema(a, dbName, schemaName, session);
  session.database = dbName;
  session.schema = schemaName;
  return ok();
}

export const createDatabase: Handler<'createDatabase' | 'createSchema'> = (a, s, session) => {
  const name = s.name[0]!.name;
  const comment = containerComment(s.props, 'DATABASE');
  // CREATE DATABASE needs the account privilege (SYSADMIN and above by default; notes, "Access control").
  if (!a.accountPrivilege(session.role, 'CREATE DATABASE')) {
    throw insufficientPrivileges('account', a.accountName);
  }
  const existing = a.databases.get(name);
  if (existing) {
    const existed = createOver(s, name);
    if (existed) return existed;
    if (!a.owns(session.role, 'DATABASE', qualifiedName([name]))) {
      throw insufficientPrivileges('database', name);
    }
    removeDatabase(a, existing);
  }
  // A new database has the schemas PUBLIC and INFORMATION_SCHEMA (notes, "Objects"); the creating
  // role owns the database and PUBLIC; INFORMATION_SCHEMA has no owner.
  const db: Database = { name, comment, createdOn: a.now(), schemas: new Map() };
  db.schemas.set('PUBLIC', newSchema(a, name, 'PUBLIC', null));
  db.schemas.set('INFORMATION_SCHEMA', newSchema(a, name, 'INFORMATION_SCHEMA', null));
  a.databases.set(name, db);
  a.addOwnership('DATABASE', qualifiedName([name]), session.role);
  a.addOwnership('SCHEMA', qualifiedName([name, 'PUBLIC']), session.role);
  // Creating a database makes it (and its PUBLIC schema) current (docs, "CREATE DATABASE", usage notes).
  session.database = name;
  session.schema = 'PUBLIC';
  return created('Database', name);
};

/**
 * DROP DATABASE [IF EXISTS] d: needs OWNERSHIP; drops the schemas and the objects in them with every grant on
 * them (docs, https://docs.snowflake.com/en/sql-reference/sql/drop-database; UNDROP and Time Travel are not
 * modelled). A database the role cannot see answers as a missing one: 002003 `Database 'D' does not exist or
 * not authorized.` (notes, "Common codes"; the message verified in README, "Errors").
 */
export const dropDatabase: Handler<'dropDatabase'> = (a, s, session) => {
  const name = s.name.name;
  const key = qualifiedName([name]);
  const db = a.databases.get(name);
  const visible =
    db !== undefined && (a.anyPrivilege(session.role, 'DATABASE', key) || a.manageGrants(session.role));
  if (!db || !visible) {
    if (s.ifExists) return alreadyDropped(name);
    throw doesNotExist('Database', [name]);
  }
  if (!a.owns(session.role, 'DATABASE', key)) throw insufficientPrivileges('database', name);
  removeDatabase(a, db);
  // The dropping session no longer has a current database (our choice); other sessions keep the name, and
  // anything they run in it answers as for a missing database.
  if (session.database === name) {
    session.database = null;
    session.schema = null;
  }
  return dropped(name);
};

export const createSchema: Handler<'createDatabase' | 'createSchema'> = (a, s, session) => {
  const [dbName, name] = schemaPath(a, s.name, session, 'CREATE SCHEMA');
  const comment = containerComment(s.props, 'SCHEMA');
  const db = resolveDatabase(a, dbName, session, 'visible');
  // CREATE SCHEMA needs CREATE SCHEMA on the database (OWNERSHIP implies it).
  if (!a.hasPrivilege(session.role, 'CREATE SCHEMA', 'DATABASE', qualifiedName([dbName]))) {
    throw insufficientPrivileges('database', dbName);
  }
  const key = qualifiedName([dbName, name]);
  const existing = db.schemas.get(name);
  if (existing) {
    const existed = createOver(s, name, name !== 'INFORMATION_SCHEMA');
    if (existed) return existed;
    if (!a.owns(session.role, 'SCHEMA', key)) throw insufficientPrivileges('schema', name);
    removeSchema(a, existing);
  }
  db.schemas.set(name, newSchema(a, dbName, name, comment));
  a.addOwnership('SCHEMA', key, session.role);
  // Creating a schema makes it current (docs, "CREATE SCHEMA", usage notes).
  session.database = dbName;
  session.schema = name;
  return created('Schema', name);
};

interface DatabaseRow {
  db: Database;
  owner: string;
  isDefault: boolean;
  isCurrent: boolean;
}

// Columns: the Terraform provider's databaseRow (pkg/sdk/databases.go) and the docs' SHOW DATABASES.
const DATABASE_COLUMNS: Column<DatabaseRow>[] = [
  time('created_on', (r) => r.db.createdOn),
  text('name', (r) => r.db.name),
  text('is_default', (r) => (r.isDefault ? 'Y' : 'N')),
  text('is_current', (r) => (r.isCurrent ? 'Y' : 'N')),
  text('origin', () => ''),
  text('owner', (r) => r.owner),
  text('comment', (r) => r.db.comment),
  text('options', () => ''),
  text('retention_time', () => '1'),
  text('kind', () => 'STANDARD'),
  text('budget', () => null),
  text('owner_role_type', () => 'ROLE'),
];

export function showDatabases(a: AccountState, like: string | null, session: SessionContext): ResultSet {
  const defaultDb = session.user
    ? (a.users.get(session.user)?.defaultNamespace?.split('.')[0] ?? null)
    : null;
  const rows = a.listed(a.databases.values(), 'DATABASE', like, session.role).map((db): DatabaseRow => ({
    db,
    owner: a.ownerOf('DATABASE', [db.name]) ?? '',
    isDefault: defaultDb !== null && defaultDb.toUpperCase() === db.name.toUpperCase(),
    isCurrent: session.database === db.name,
  }));
  return tabulate(DATABASE_COLUMNS, rows);
}

/**
 * The schemas a SHOW command covers: `IN SCHEMA` one, `IN DATABASE` a database's, `IN ACCOUNT`
 * all; without IN, the current database when there is one, else the account (docs, "SHOW SECRETS").
 */
export function scopeSchemas(
  a: AccountState,
  scope: ShowScope,
  session: SessionContext,
  command: string,
): Schema[] {
  const manage = a.manageGrants(session.role);
  const visibleDbs = () =>
    [...a.databases.values()].filter(
      (d) => manage || a.usable(session.role, 'DATABASE', qualifiedName([d.name])),
    );
  const visibleSchemas = (d: Database) =>
    [...d.schemas.values()].filter(
      (sc) =>
        manage ||
        sc.name === 'INFORMATION_SCHEMA' ||
        a.anyPrivilege(session.role, 'SCHEMA', qualifiedName([d.name, sc.name])),
    );
  // `IN DATABASE` / `IN SCHEMA` without a name and without a current database have no effect
  // (docs, "SHOW SECRETS").
  if (scope !== null && scope.kind !== 'ACCOUNT' && scope.name === null && session.database === null) {
    scope = null;
  }
  if (scope?.kind === 'SCHEMA') {
    const [dbName, name] =
      scope.name === null ? currentSchema(a, session, command) : schemaPath(a, scope.name, session, command);
    return [resolveSchema(a, dbName, name, session, manage)];
  }
  if (scope?.kind === 'DATABASE' || (scope === null && session.database !== null)) {
    const dbName =
      scope?.kind === 'DATABASE' && scope.name !== null
        ? scope.name[0]!.name
        : currentDatabase(a, session, command);
    return visibleSchemas(resolveDatabase(a, dbName, session, 'usage', manage));
  }
  return visibleDbs().flatMap(visibleSchemas);
}

interface SchemaRow {
  schema: Schema;
  owner: string | null;
  isCurrent: boolean;
}

// Columns: the Terraform provider's schemaDBRow (pkg/sdk/schemas.go).
const SCHEMA_COLUMNS: Column<SchemaRow>[] = [
  time('created_on', (r) => r.schema.createdOn),
  text('name', (r) => r.schema.name),
  text('is_default', () => 'N'),
  text('is_current', (r) => (r.isCurrent ? 'Y' : 'N')),
  text('database_name', (r) => r.schema.database),
  text('owner', (r) => r.owner ?? ''),
  text('comment', (r) =>
    r.schema.name === 'INFORMATION_SCHEMA'
      ? 'Views describing the contents of schemas in this database'
      : r.schema.comment,
  ),
  text('options', () => ''),
  text('retention_time', () => '1'),
  text('owner_role_type', (r) => (r.owner === null ? '' : 'ROLE')),
];

export function showSchemas(
  a: AccountState,
  like: string | null,
  scope: ShowScope,
  session: SessionContext,
): ResultSet {
  const rows = scopeSchemas(a, scope, session, 'SHOW SCHEMAS')
    .filter(likeFilter(like))
    .sort((x, y) =>
      x.database === y.database ? (x.name < y.name ? -1 : 1) : x.database < y.database ? -1 : 1,
    )
    .map((schema): SchemaRow => ({
      schema,
      owner: a.ownerOf('SCHEMA', [schema.database, schema.name]),
      isCurrent: session.database === schema.database && session.schema === schema.name,
    }));
  return tabulate(SCHEMA_COLUMNS, rows);
}
