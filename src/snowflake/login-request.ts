import type { KeyObject } from 'node:crypto';
import type { Credential, LoginRequest } from './connection.js';

/**
 * A login as the inputs describe it (config.ts's SnowflakeLogin, which sits above this layer): a key pair
 * as the parsed key, any other method as it is sent.
 */
export interface ConfiguredLogin extends Omit<LoginRequest, 'credential' | 'readsTimes'> {
  method: Exclude<Credential, { kind: 'key-pair' }> | { kind: 'key-pair'; privateKey: { key: KeyObject } };
}

/** The connection's view of the configured login. */
export function loginRequest(login: ConfiguredLogin): LoginRequest {
  const { method, ...rest } = login;
  const credential: Credential =
    method.kind === 'key-pair' ? { kind: 'key-pair', privateKey: method.privateKey.key } : method;
  return { ...rest, credential };
}
