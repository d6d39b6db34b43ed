// The statements the emulator runs, as the parser (sql.ts) produces them.

import type { Token } from './lexer.js';

export interface Ident {
  /** The stored name: upper-cased when written unquoted, exact when quoted. */
  name: string;
  quoted: boolean;
}

export type Value =
  | { kind: 'string'; value: string }
  | { kind: 'number'; value: string }
  | { kind: 'bool'; value: boolean }
  | { kind: 'null' }
  | { kind: 'ident'; parts: Ident[] }
  | { kind: 'list'; items: Value[] }
  | { kind: 'props'; props: Property[] };

export interface Property {
  /** Property names are keywords: always upper-cased. */
  name: string;
  value: Value;
  token: Token;
}

export type Expr =
  /** A function call; `args` holds its string literal arguments (the only kind of argument modelled). */
  | { kind: 'fn'; name: string; args?: string[] }
  | { kind: 'string'; value: string }
  | { kind: 'number'; value: string }
  | { kind: 'bool'; value: boolean }
  | { kind: 'null' };

export type ObjectType = 'USER' | 'ROLE';

/** Databases, warehouses and the schema-level objects the emulator models. */
export type SecurableType = 'DATABASE' | 'SCHEMA' | 'SECRET' | 'WAREHOUSE';

/** Where SHOW PARAMETERS looks: `IN SESSION`, `IN ACCOUNT`, `IN USER [u]`; null without IN. */
export type ParameterScope =
  | { kind: 'SESSION' }
  | { kind: 'ACCOUNT' }
  | { kind: 'USER'; name: Ident | null }
  | { kind: 'OTHER'; word: string }
  | null;

/** Where SHOW SECRETS looks: `IN ACCOUNT`, `IN DATABASE [d]`, `IN SCHEMA [s]`, or the default. */
export type ShowScope =
  | { kind: 'ACCOUNT' }
  | { kind: 'DATABASE'; name: Ident[] | null }
  | { kind: 'SCHEMA'; name: Ident[] | null }
  | null;

export type Statement =
  | { type: 'createUser'; orReplace: boolean; ifNotExists: boolean; name: Ident; props: Property[] }
  | { type: 'alterUserSet'; ifExists: boolean; name: Ident; props: Property[] }
  | { type: 'alterUserUnset'; ifExists: boolean; name: Ident; props: Token[] }
  | { type: 'dropUser'; ifExists: boolean; name: Ident }
  /**
   * `ALTER USER [IF EXISTS] [u] ADD {PROGRAMMATIC ACCESS TOKEN | PAT} [IF NOT EXISTS] t [props]`; `user` null:
   * the session's user (https://docs.snowflake.com/en/sql-reference/sql/alter-user-add-programmatic-access-token).
   */
  | {
      type: 'addPat';
      ifExists: boolean;
      user: Ident | null;
      ifNotExists: boolean;
      name: Ident;
      props: Property[];
    }
  /**
   * `ALTER USER [IF EXISTS] [u] REMOVE {PROGRAMMATIC ACCESS TOKEN | PAT} [IF EXISTS] t`
   * (https://docs.snowflake.com/en/sql-reference/sql/alter-user-remove-programmatic-access-token).
   */
  | { type: 'removePat'; ifExists: boolean; user: Ident | null; tokenIfExists: boolean; name: Ident }
  /**
   * `SHOW USER {PROGRAMMATIC ACCESS TOKENS | PATS} [FOR USER u]`
   * (https://docs.snowflake.com/en/sql-reference/sql/show-user-programmatic-access-tokens).
   */
  | { type: 'showPats'; user: Ident | null }
  | { type: 'descUser'; name: Ident }
  | { type: 'showUsers'; like: string | null }
  | { type: 'createRole'; orReplace: boolean; ifNotExists: boolean; name: Ident; comment: string | null }
  | { type: 'dropRole'; ifExists: boolean; name: Ident }
  | { type: 'showRoles'; like: string | null }
  | { type: 'grantRole'; role: Ident; granteeType: ObjectType; grantee: Ident }
  | { type: 'revokeRole'; role: Ident; granteeType: ObjectType; grantee: Ident }
  | {
      type: 'grantOwnership';
      onType: ObjectType | 'NETWORK_POLICY';
      on: Ident;
      to: Ident;
      currentGrants: 'COPY' | 'REVOKE' | null;
    }
  | {
      type: 'grantPrivileges';
      privileges: string[];
      onType: 'USER' | 'ACCOUNT';
      on: Ident | null;
      to: Ident;
      withGrantOption: boolean;
    }
  | {
      type: 'revokePrivileges';
      privileges: string[];
      onType: 'USER' | 'ACCOUNT';
      on: Ident | null;
      from: Ident;
    }
  | {
      type: 'showGrants';
      mode: 'toUser' | 'toRole' | 'ofRole' | 'onUser' | 'onRole' | 'onAccount' | 'onNetworkPolicy';
      name: Ident | null;
    }
  | { type: 'useRole'; role: Ident }
  | { type: 'useDatabase'; name: Ident }
  | { type: 'useSchema'; name: Ident[] }
  | {
      type: 'createDatabase' | 'createSchema';
      orReplace: boolean;
      ifNotExists: boolean;
      /** One part for a database; one or two (`d.s`) for a schema. */
      name: Ident[];
      props: Property[];
    }
  | { type: 'showDatabases'; like: string | null }
  /** `DROP DATABASE [IF EXISTS] d [CASCADE | RESTRICT]` (https://docs.snowflake.com/en/sql-reference/sql/drop-database). */
  | { type: 'dropDatabase'; ifExists: boolean; name: Ident }
  | { type: 'showSchemas'; like: string | null; in: ShowScope }
  | { type: 'createSecret'; orReplace: boolean; ifNotExists: boolean; name: Ident[]; props: Property[] }
  | { type: 'alterSecretSet'; ifExists: boolean; name: Ident[]; props: Property[] }
  | { type: 'alterSecretUnset'; ifExists: boolean; name: Ident[]; names: string[] }
  | { type: 'descSecret'; name: Ident[] }
  | { type: 'dropSecret'; ifExists: boolean; name: Ident[] }
  | { type: 'showSecrets'; like: string | null; in: ShowScope }
  | {
      type: 'grantObjectOwnership';
      objectType: SecurableType;
      on: Ident[];
      to: Ident;
      currentGrants: 'COPY' | 'REVOKE' | null;
    }
  | {
      type: 'grantObjectPrivileges';
      privileges: string[];
      objectType: SecurableType;
      on: Ident[];
      to: Ident;
      withGrantOption: boolean;
    }
  | {
      type: 'revokeObjectPrivileges';
      privileges: string[];
      objectType: SecurableType;
      on: Ident[];
      from: Ident;
    }
  | { type: 'showGrantsOnObject'; objectType: SecurableType; on: Ident[] }
  | {
      type: 'createNetworkPolicy';
      orReplace: boolean;
      ifNotExists: boolean;
      name: Ident;
      props: Property[];
    }
  | { type: 'alterNetworkPolicySet'; ifExists: boolean; name: Ident; props: Property[] }
  | { type: 'alterNetworkPolicyUnset'; ifExists: boolean; name: Ident; names: string[] }
  | { type: 'descNetworkPolicy'; name: Ident }
  | { type: 'dropNetworkPolicy'; ifExists: boolean; name: Ident }
  | { type: 'showNetworkPolicies'; like: string | null }
  | {
      type: 'createWarehouse';
      orReplace: boolean;
      ifNotExists: boolean;
      name: Ident;
      props: Property[];
    }
  | { type: 'alterWarehouseSet'; ifExists: boolean; name: Ident; props: Property[] }
  | { type: 'dropWarehouse'; ifExists: boolean; name: Ident }
  | { type: 'showWarehouses'; like: string | null }
  | { type: 'useWarehouse'; name: Ident }
  | { type: 'showParameters'; like: string | null; in: ParameterScope }
  | { type: 'alterAccountSet'; props: Property[] }
  | { type: 'alterAccountUnset'; names: string[] }
  | { type: 'alterSessionSet'; props: Property[] }
  | { type: 'alterSessionUnset'; names: string[] }
  | { type: 'select'; columns: { expr: Expr; label: string }[] };

export interface ParsedStatement {
  statement: Statement;
  /** The statement's own text, as the client sent it, without the separator. */
  text: string;
}
