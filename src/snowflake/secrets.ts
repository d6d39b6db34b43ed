import { ActionError } from '../errors.js';
import { type SnowflakeSession, StatementError } from './connection.js';
import { quoteIdentifier, quoteString } from './identifiers.js';

/**
 * Snowflake SECRET objects (https://docs.snowflake.com/en/sql-reference/sql/alter-secret) that also hold the
 * private key, for code running inside Snowflake. Only GENERIC_STRING secrets, and only existing ones:
 * creating secrets is provisioning, not rotation.
 *
 * The value travels in the text of ALTER SECRET (Snowflake documents no bind variables for it). Snowflake
 * redacts sensitive values of syntactically valid statements in query history
 * (https://docs.snowflake.com/en/release-notes/bcr-bundles/2023_01/bcr-936); the statement is always valid,
 * because the value is a quoted literal.
 */
export interface SnowflakeSecretName {
  database: string;
  schema: string;
  name: string;
}

export function describeSnowflakeSecret(secret: SnowflakeSecretName): string {
  return `snowflake-secret:${secret.database}.${secret.schema}.${secret.name}`;
}

function qualified(secret: SnowflakeSecretName): string {
  return [secret.database, secret.schema, secret.name].map(quoteIdentifier).join('.');
}

/** Checks, before anything changes, that the secret exists, is visible and holds a generic string. */
export async function checkSnowflakeSecret(
  session: SnowflakeSession,
  secret: SnowflakeSecretName,
): Promise<void> {
  let rows;
  try {
    rows = await session.execute(`DESC SECRET ${qualified(secret)}`);
  } catch (error) {
    throw translate(error, secret);
  }
  const type = String(rows[0]?.secret_type ?? '');
  if (type !== 'GENERIC_STRING') {
    throw new ActionError(
      `Snowflake secret ${qualified(secret)} is of type ${type || 'unknown'}, not GENERIC_STRING`,
      {
        code: 'snowflake-secret-type',
        input: 'snowflake-secret',
        hint: `Name a secret created with TYPE = GENERIC_STRING, e.g. CREATE SECRET ${qualified(secret)} TYPE = GENERIC_STRING SECRET_STRING = ''`,
      },
    );
  }
}

export async function setSnowflakeSecret(
  session: SnowflakeSession,
  secret: SnowflakeSecretName,
  value: string,
): Promise<void> {
  try {
    await session.execute(`ALTER SECRET ${qualified(secret)} SET SECRET_STRING = ${quoteString(value)}`, {
      sensitive: true,
    });
  } catch (error) {
    throw translate(error, secret);
  }
}

function translate(error: unknown, secret: SnowflakeSecretName): unknown {
  if (!(error instanceof StatementError)) return error;
  const name = qualified(secret);
  if (error.snowflakeCode === '002003') {
    return new ActionError(
      `Snowflake secret ${name} does not exist, or the session's role may not see it (002003)`,
      {
        code: '002003',
        input: 'snowflake-secret',
        hint: `Create it (CREATE SECRET ${name} TYPE = GENERIC_STRING SECRET_STRING = '') and grant the role USAGE on its database and schema and OWNERSHIP of it`,
      },
    );
  }
  if (error.snowflakeCode === '003001') {
    return new ActionError(
      `The session's role may not change Snowflake secret ${name} (003001: ${error.reason})`,
      {
        code: '003001',
        input: 'snowflake-secret',
        hint: `ALTER SECRET needs OWNERSHIP: GRANT OWNERSHIP ON SECRET ${name} TO ROLE <role> COPY CURRENT GRANTS`,
      },
    );
  }
  return error;
}
