// A user's properties as CREATE USER / ALTER USER SET and UNSET change them, and the rules a user must
// still satisfy afterwards. Behaviour and sources are listed in README.md ("Users and keys").

import { createHash, createPublicKey } from 'node:crypto';
import { SfError, invalidValue } from '../errors.js';
import type { Property, Value } from '../statements.js';
import type { User, WorkloadIdentity } from './model.js';
import { networkPolicyRef } from './network-policies.js';
import { flagValue, invalidValueOf, nameOrString, numberValue, stringValue } from './property-values.js';
import { entryOf } from './results.js';
import type { AccountState } from './state.js';

/** Parses an `RSA_PUBLIC_KEY` value: base64 DER SPKI of an RSA key of at least 2048 bits. */
export function parsePublicKey(value: string): { body: string; fingerprint: string } {
  const body = value.replace(/\s+/g, '');
  // Wording of this refusal is not confirmed (README); the 2048-bit minimum is documented.
  const reject = (reason: string) =>
    new SfError(
      '001008',
      '22023',
      `SQL compilation error:\nNew public key rejected by current policy. reason: ${reason}`,
    );
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(body)) throw reject('Invalid public key');
  const der = Buffer.from(body, 'base64');
  let key;
  try {
    key = createPublicKey({ key: der, format: 'der', type: 'spki' });
  } catch {
    throw reject('Invalid public key');
  }
  if (key.asymmetricKeyType !== 'rsa') throw reject('Invalid public key');
  if ((key.asymmetricKeyDetails?.modulusLength ?? 0) < 2048) throw reject('Invalid public key size');
  return { body, fingerprint: `SHA256:${createHash('sha256').update(der).digest('base64')}` };
}

export function hashPassword(password: string): string {
  return createHash('sha256').update(password, 'utf8').digest('hex');
}

// Session parameters a user object may carry as defaults; accepted and ignored.
const USER_SESSION_PARAMETERS = new Set([
  'TIMEZONE',
  'QUERY_TAG',
  'STATEMENT_TIMEOUT_IN_SECONDS',
  'ABORT_DETACHED_QUERY',
  'AUTOCOMMIT',
  'MULTI_STATEMENT_COUNT',
]);

type Setter = (user: User, p: Property, a: AccountState) => void;

/** How each property CREATE USER and ALTER USER SET take sets the user. */
const USER_SETTERS: Record<string, Setter> = {
  PASSWORD: (user, p, a) => {
    user.passwordHash = hashPassword(stringValue(p));
    user.passwordSetAt = a.now();
  },
  // Login names are case-insensitive: Snowflake stores them upper-cased (the Terraform
  // provider's acceptance tests assert `strings.ToUpper(loginName)`).
  LOGIN_NAME: (user, p) => (user.loginName = nameOrString(p).toUpperCase()),
  DISPLAY_NAME: (user, p) => (user.displayName = stringValue(p)),
  FIRST_NAME: (user, p) => (user.firstName = stringValue(p)),
  MIDDLE_NAME: (user, p) => (user.middleName = stringValue(p)),
  LAST_NAME: (user, p) => (user.lastName = stringValue(p)),
  EMAIL: (user, p) => (user.email = stringValue(p)),
  COMMENT: (user, p) => (user.comment = stringValue(p)),
  DISABLED: (user, p) => (user.disabled = flagValue(p)),
  MUST_CHANGE_PASSWORD: (user, p) => (user.mustChangePassword = flagValue(p)),
  DAYS_TO_EXPIRY: (user, p) => (user.daysToExpiry = numberValue(p)),
  MINS_TO_UNLOCK: (user, p) => (user.minsToUnlock = numberValue(p)),
  MINS_TO_BYPASS_MFA: (_user, p) => void numberValue(p),
  DEFAULT_ROLE: (user, p) => (user.defaultRole = nameOrString(p)),
  DEFAULT_WAREHOUSE: (user, p) => (user.defaultWarehouse = nameOrString(p)),
  DEFAULT_NAMESPACE: (user, p) => (user.defaultNamespace = nameOrString(p)),
  DEFAULT_SECONDARY_ROLES: (user, p) => {
    if (p.value.kind !== 'list') throw invalidValueOf(p);
    user.defaultSecondaryRoles = JSON.stringify(
      p.value.items.map((v) => (v.kind === 'string' ? v.value.toUpperCase() : '')),
    );
  },
  NETWORK_POLICY: (user, p, a) => (user.networkPolicy = networkPolicyRef(a, p)),
  TYPE: (user, p) => {
    if (p.value.kind === 'null') {
      user.type = null;
      return;
    }
    const t = nameOrString(p).toUpperCase();
    if (t !== 'PERSON' && t !== 'SERVICE' && t !== 'LEGACY_SERVICE') {
      throw invalidValue(`invalid value ['${t}'] for parameter 'TYPE'`);
    }
    user.type = t;
  },
  RSA_PUBLIC_KEY: (user, p, a) => setKey(user, 1, p, a),
  RSA_PUBLIC_KEY_2: (user, p, a) => setKey(user, 2, p, a),
  WORKLOAD_IDENTITY: (user, p) => (user.workloadIdentity = parseWorkloadIdentity(p.value)),
};

function setKey(user: User, slot: 1 | 2, p: Property, a: AccountState): void {
  const { body, fingerprint } = parsePublicKey(stringValue(p));
  user.keys[slot] = { body, fingerprint, setAt: a.now() };
}

/** What ALTER USER UNSET puts back for each property it takes. */
const USER_UNSETTERS: Record<string, (user: User) => void> = {
  PASSWORD: (user) => {
    user.passwordHash = null;
    user.passwordSetAt = null;
  },
  LOGIN_NAME: (user) => (user.loginName = user.name.toUpperCase()),
  DISPLAY_NAME: (user) => (user.displayName = null),
  FIRST_NAME: (user) => (user.firstName = null),
  MIDDLE_NAME: (user) => (user.middleName = null),
  LAST_NAME: (user) => (user.lastName = null),
  EMAIL: (user) => (user.email = null),
  COMMENT: (user) => (user.comment = null),
  TYPE: (user) => (user.type = null),
  DEFAULT_ROLE: (user) => (user.defaultRole = null),
  DEFAULT_WAREHOUSE: (user) => (user.defaultWarehouse = null),
  DEFAULT_NAMESPACE: (user) => (user.defaultNamespace = null),
  DEFAULT_SECONDARY_ROLES: (user) => (user.defaultSecondaryRoles = null),
  DISABLED: (user) => (user.disabled = false),
  MUST_CHANGE_PASSWORD: (user) => (user.mustChangePassword = false),
  DAYS_TO_EXPIRY: (user) => (user.daysToExpiry = null),
  MINS_TO_UNLOCK: (user) => (user.minsToUnlock = null),
  RSA_PUBLIC_KEY: (user) => (user.keys[1] = null),
  RSA_PUBLIC_KEY_2: (user) => (user.keys[2] = null),
  WORKLOAD_IDENTITY: (user) => (user.workloadIdentity = null),
  NETWORK_POLICY: (user) => (user.networkPolicy = null),
};

export function unsetProperty(user: User, name: string): void {
  const unset = entryOf(USER_UNSETTERS, name);
  if (unset) unset(user);
  else if (!USER_SESSION_PARAMETERS.has(name)) throw invalidValue(`invalid property '${name}' for 'USER'`);
}

/** Sets the properties on `user` (a draft), then checks the rules the whole user must meet. */
export function applyProperties(a: AccountState, user: User, props: Property[], userName: string): void {
  for (const p of props) {
    const set = entryOf(USER_SETTERS, p.name);
    if (set) set(user, p, a);
    // RSA_PUBLIC_KEY_FP and friends are read-only: Snowflake answers
    // `invalid property 'RSA_PUBLIC_KEY_FP' for 'USER'` (Terraform provider acceptance tests).
    else if (!USER_SESSION_PARAMETERS.has(p.name))
      throw invalidValue(`invalid property '${p.name}' for 'USER'`);
  }
  checkUser(a, user, userName);
}

function checkUser(a: AccountState, user: User, userName: string): void {
  // Service users cannot have a password ("User management: Types of users"). The code and
  // wording of this refusal are not documented; see README.
  if (user.type === 'SERVICE' && user.passwordHash !== null) {
    throw new SfError(
      '001008',
      '22023',
      "SQL compilation error:\nProperty 'PASSWORD' is not supported for users with TYPE = SERVICE.",
    );
  }
  if (!user.workloadIdentity) return;
  // Workload identity federation is only for service users (notes, "Access control").
  if (user.type !== 'SERVICE') {
    throw new SfError(
      '001008',
      '22023',
      'SQL compilation error:\nWORKLOAD_IDENTITY can only be set for users with TYPE = SERVICE.',
    );
  }
  const w = user.workloadIdentity;
  for (const other of a.users.values()) {
    if (other.name === userName) continue;
    const o = other.workloadIdentity;
    // An ISSUER+SUBJECT pair must be unique in the account: 099706 (notes). Wording is ours.
    if (o && o.issuer === w.issuer && o.subject === w.subject) {
      throw new SfError(
        '099706',
        '42710',
        `SQL execution error:\nA workload identity with issuer '${w.issuer}' and subject '${w.subject}' already exists in the account.`,
      );
    }
  }
}

function parseWorkloadIdentity(value: Value): WorkloadIdentity {
  if (value.kind !== 'props') throw invalidValue("invalid value for property 'WORKLOAD_IDENTITY'");
  const get = (name: string) => value.props.find((p) => p.name === name)?.value;
  const type = get('TYPE');
  const typeName = type?.kind === 'ident' ? type.parts[0]!.name : type?.kind === 'string' ? type.value : '';
  if (typeName.toUpperCase() !== 'OIDC') {
    // AWS, AZURE and GCP attestations are out of scope for this emulator.
    throw invalidValue(`invalid value ['${typeName}'] for parameter 'WORKLOAD_IDENTITY.TYPE'`);
  }
  for (const p of value.props) {
    if (!['TYPE', 'ISSUER', 'SUBJECT', 'OIDC_AUDIENCE_LIST'].includes(p.name)) {
      throw invalidValue(`invalid property '${p.name}' for 'WORKLOAD_IDENTITY'`);
    }
  }
  const issuer = get('ISSUER');
  const subject = get('SUBJECT');
  if (issuer?.kind !== 'string' || subject?.kind !== 'string') {
    throw invalidValue('WORKLOAD_IDENTITY of TYPE = OIDC requires ISSUER and SUBJECT');
  }
  // SUBJECT is matched exactly and is at most 255 characters (notes, "Workload identity federation").
  if (subject.value.length > 255) throw invalidValue("invalid value for property 'SUBJECT'");
  const list = get('OIDC_AUDIENCE_LIST');
  let audiences: string[] | null = null;
  if (list) {
    if (list.kind !== 'list' || list.items.some((v) => v.kind !== 'string')) {
      throw invalidValue("invalid value for property 'OIDC_AUDIENCE_LIST'");
    }
    audiences = list.items.map((v) => (v as { value: string }).value);
    if (audiences.length === 0) audiences = null;
  }
  return { type: 'OIDC', issuer: issuer.value, subject: subject.value, audiences };
}
