/**
 * What Snowflake offers that a spec refers to: the object kinds a privilege entry may name, the privileges each
 * accepts, and the objects every account has. Checked against Snowflake's documentation, linked below.
 */

/** The object kinds a role's `privileges` entry may name, as the spec writes them. */
export const OBJECT_KINDS = [
  'account',
  'database',
  'schema',
  'warehouse',
  'user',
  'integration',
  'secret',
] as const;
export type ObjectKind = (typeof OBJECT_KINDS)[number];

/** The same kinds as Snowflake writes them in GRANT ... ON <type> and in SHOW GRANTS' `granted_on`. */
export type SnowflakeObjectType =
  'ACCOUNT' | 'DATABASE' | 'SCHEMA' | 'WAREHOUSE' | 'USER' | 'INTEGRATION' | 'SECRET';

export function snowflakeObjectType(kind: ObjectKind): SnowflakeObjectType {
  return kind.toUpperCase() as SnowflakeObjectType;
}

/** How many dot-separated parts a name of each kind has (0: the account has no name). */
export const NAME_PARTS: Record<ObjectKind, number> = {
  account: 0,
  database: 1,
  schema: 2,
  warehouse: 1,
  user: 1,
  integration: 1,
  secret: 3,
};

/**
 * The privileges each object type accepts, checked against Snowflake's documentation:
 * - GRANT <privileges> … TO ROLE, grammar of globalPrivileges, accountObjectPrivileges (per object type) and
 *   schemaPrivileges: https://docs.snowflake.com/en/sql-reference/sql/grant-privilege
 * - Access control privileges: https://docs.snowflake.com/en/user-guide/security-access-control-privileges
 * - MODIFY PROGRAMMATIC AUTHENTICATION METHODS on a user (to set its key or workload identity without owning it):
 *   https://docs.snowflake.com/en/user-guide/key-pair-auth#grant-the-privilege-to-assign-a-public-key-to-a-snowflake-user
 * - Secrets: CREATE SECRET on the schema, USAGE and OWNERSHIP on the secret
 *   (https://docs.snowflake.com/en/user-guide/api-authentication); READ on a secret, for Streamlit and
 *   Snowpark Container Services (https://docs.snowflake.com/en/developer-guide/streamlit/external-network-access).
 * OWNERSHIP is granted with GRANT OWNERSHIP (https://docs.snowflake.com/en/sql-reference/sql/grant-ownership) on
 * every type but the account. `ALL [PRIVILEGES]` is refused on purpose: a spec lists what it grants.
 * Snowflake adds privileges over time; an unknown name is an error that lists these, so extend them here.
 */
export const PRIVILEGES: Record<ObjectKind, readonly string[]> = {
  account: [
    'APPLY AGGREGATION POLICY',
    'APPLY AUTHENTICATION POLICY',
    'APPLY JOIN POLICY',
    'APPLY MASKING POLICY',
    'APPLY PACKAGES POLICY',
    'APPLY PASSWORD POLICY',
    'APPLY PROJECTION POLICY',
    'APPLY ROW ACCESS POLICY',
    'APPLY SESSION POLICY',
    'APPLY TAG',
    'ATTACH POLICY',
    'AUDIT',
    'BIND SERVICE ENDPOINT',
    'CREATE ACCOUNT',
    'CREATE APPLICATION',
    'CREATE APPLICATION PACKAGE',
    'CREATE COMPUTE POOL',
    'CREATE DATA EXCHANGE LISTING',
    'CREATE DATABASE',
    'CREATE EXTERNAL VOLUME',
    'CREATE FAILOVER GROUP',
    'CREATE INTEGRATION',
    'CREATE NETWORK POLICY',
    'CREATE REPLICATION GROUP',
    'CREATE ROLE',
    'CREATE SHARE',
    'CREATE USER',
    'CREATE WAREHOUSE',
    'EXECUTE ALERT',
    'EXECUTE DATA METRIC FUNCTION',
    'EXECUTE MANAGED ALERT',
    'EXECUTE MANAGED TASK',
    'EXECUTE TASK',
    'IMPORT SHARE',
    'MANAGE ACCOUNT SUPPORT CASES',
    'MANAGE EVENT SHARING',
    'MANAGE GRANTS',
    'MANAGE LISTING AUTO FULFILLMENT',
    'MANAGE ORGANIZATION SUPPORT CASES',
    'MANAGE USER SUPPORT CASES',
    'MANAGE WAREHOUSES',
    'MODIFY LOG LEVEL',
    'MODIFY SESSION LOG LEVEL',
    'MODIFY SESSION TRACE LEVEL',
    'MODIFY TRACE LEVEL',
    'MONITOR EXECUTION',
    'MONITOR USAGE',
    'OVERRIDE SHARE RESTRICTIONS',
    'READ SESSION',
    'RESOLVE ALL',
  ],
  database: [
    'APPLYBUDGET',
    'CREATE DATABASE ROLE',
    'CREATE SCHEMA',
    'IMPORTED PRIVILEGES',
    'MODIFY',
    'MONITOR',
    'USAGE',
    'OWNERSHIP',
  ],
  schema: [
    'ADD SEARCH OPTIMIZATION',
    'APPLYBUDGET',
    'CREATE AGGREGATION POLICY',
    'CREATE ALERT',
    'CREATE AUTHENTICATION POLICY',
    'CREATE DYNAMIC TABLE',
    'CREATE EVENT TABLE',
    'CREATE EXTERNAL TABLE',
    'CREATE FILE FORMAT',
    'CREATE FUNCTION',
    'CREATE ICEBERG TABLE',
    'CREATE IMAGE REPOSITORY',
    'CREATE MASKING POLICY',
    'CREATE MATERIALIZED VIEW',
    'CREATE NETWORK RULE',
    'CREATE PASSWORD POLICY',
    'CREATE PIPE',
    'CREATE PROCEDURE',
    'CREATE PROJECTION POLICY',
    'CREATE ROW ACCESS POLICY',
    'CREATE SECRET',
    'CREATE SEMANTIC VIEW',
    'CREATE SEQUENCE',
    'CREATE SERVICE',
    'CREATE SESSION POLICY',
    'CREATE SNAPSHOT',
    'CREATE STAGE',
    'CREATE STREAM',
    'CREATE STREAMLIT',
    'CREATE TABLE',
    'CREATE TAG',
    'CREATE TASK',
    'CREATE VIEW',
    'MODIFY',
    'MONITOR',
    'USAGE',
    'OWNERSHIP',
  ],
  warehouse: ['APPLYBUDGET', 'MODIFY', 'MONITOR', 'OPERATE', 'USAGE', 'OWNERSHIP'],
  user: ['MODIFY PROGRAMMATIC AUTHENTICATION METHODS', 'MONITOR', 'OWNERSHIP'],
  integration: ['USAGE', 'USE_ANY_ROLE', 'OWNERSHIP'],
  secret: ['USAGE', 'READ', 'OWNERSHIP'],
};

/**
 * Objects every Snowflake account has, which a spec may name without declaring them
 * (https://docs.snowflake.com/en/user-guide/security-access-control-overview#system-defined-roles,
 * https://docs.snowflake.com/en/sql-reference/snowflake-db). Every database also has PUBLIC and INFORMATION_SCHEMA.
 */
export const SYSTEM_ROLES: readonly string[] = [
  'ACCOUNTADMIN',
  'SECURITYADMIN',
  'USERADMIN',
  'SYSADMIN',
  'ORGADMIN',
  'PUBLIC',
];
export const SYSTEM_DATABASES: readonly string[] = ['SNOWFLAKE'];
export const IMPLICIT_SCHEMAS: readonly string[] = ['PUBLIC', 'INFORMATION_SCHEMA'];
