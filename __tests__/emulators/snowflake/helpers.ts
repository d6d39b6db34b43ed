// Test helpers: RSA keys and promise wrappers around the real snowflake-sdk.

import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import snowflake from 'snowflake-sdk';

snowflake.configure({ logLevel: 'OFF' });

export interface TestKey {
  privateKey: KeyObject;
  privatePem: string;
  /** The base64 body of the SPKI DER, as ALTER USER ... SET RSA_PUBLIC_KEY takes it. */
  publicBody: string;
}

export function makeKey(): TestKey {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    privateKey,
    privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicBody: publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
  };
}

export interface SdkError extends Error {
  code?: string | number;
  sqlState?: string;
}

export interface Session {
  query(sql: string): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

/** Connects with the real SDK; rejects with the SDK's error when the login is refused. */
export async function connect(options: Record<string, unknown>): Promise<Session> {
  const connection = snowflake.createConnection({
    // Fail fast: the emulator answers at once, and refused logins are not retried anyway.
    sfRetryMaxLoginRetries: 0,
    ...options,
  } as snowflake.ConnectionOptions);
  await new Promise<void>((resolve, reject) => connection.connect((err) => (err ? reject(err) : resolve())));
  return {
    query: (sqlText: string) =>
      new Promise((resolve, reject) =>
        connection.execute({
          sqlText,
          complete: (err, _stmt, rows) =>
            err ? reject(err) : resolve((rows ?? []) as Record<string, unknown>[]),
        }),
      ),
    close: () => new Promise<void>((resolve) => connection.destroy(() => resolve())),
  };
}

export async function connectWithKey(
  url: string,
  account: string,
  user: string,
  key: TestKey,
  extra: Record<string, unknown> = {},
) {
  return connect({
    accessUrl: url,
    account,
    username: user,
    authenticator: 'SNOWFLAKE_JWT',
    privateKey: key.privatePem,
    ...extra,
  });
}

/** The SDK's error for a refused login or failed statement. */
export async function failure(p: Promise<unknown>): Promise<SdkError> {
  try {
    await p;
  } catch (e) {
    return e as SdkError;
  }
  throw new Error('expected a failure');
}

/** The code and message of a refused login or failed statement. */
export async function codeAndMessage(p: Promise<unknown>): Promise<[SdkError['code'], string]> {
  const e = await failure(p);
  return [e.code, e.message];
}

/** The code, SQL state and message of a failed statement. */
export async function codeStateAndMessage(
  p: Promise<unknown>,
): Promise<[SdkError['code'], string | undefined, string]> {
  const e = await failure(p);
  return [e.code, e.sqlState, e.message];
}
