// Network policies and ALTER ACCOUNT SET/UNSET NETWORK_POLICY. Sources: README.md, "Network policies".
//
// Account-level objects whose only privilege modelled is OWNERSHIP (the creating role gets it).
// A role sees a policy it holds a privilege on, or every policy with MANAGE GRANTS (docs, "SHOW
// NETWORK POLICIES"); DESCRIBE, ALTER and DROP need OWNERSHIP ("or higher": the owner's hierarchy).

import { SfError, displayName, doesNotExist, insufficientPrivileges, invalidValue } from '../errors.js';
import { type NetworkPolicy, parseEntry, policyAllows } from '../network.js';
import type { Ident, Property } from '../statements.js';
import type { ResultSet, SessionContext } from './model.js';
import { type Column, fixed, tabulate, text, time } from './results.js';
import { unsetComment } from './property-values.js';
import { alreadyDropped, createOver, dropped, ok } from './status.js';
import { type AccountState, unlessMissing, type Handler } from './state.js';

/** A policy the role may see, else 002003 `Network policy 'P' does not exist or not authorized.` */
export function resolveNetworkPolicy(a: AccountState, name: string, session: SessionContext): NetworkPolicy {
  const policy = a.networkPolicies.get(name);
  const visible =
    policy !== undefined &&
    (a.manageGrants(session.role) || a.anyPrivilege(session.role, 'NETWORK_POLICY', name));
  if (!visible) throw doesNotExist('Network policy', name);
  return policy;
}

/** A policy the role owns (directly or through its hierarchy); 002003 or 003001 otherwise. */
function ownedNetworkPolicy(a: AccountState, name: string, session: SessionContext): NetworkPolicy {
  const policy = resolveNetworkPolicy(a, name, session);
  if (!a.owns(session.role, 'NETWORK_POLICY', policy.name)) {
    throw insufficientPrivileges('network policy', policy.name);
  }
  return policy;
}

/** The stored name a NETWORK_POLICY value names: an identifier as stored; a string as written, else upper-cased. */
export function networkPolicyRef(a: AccountState, p: Property): string {
  if (p.value.kind === 'ident' && p.value.parts.length === 1) return p.value.parts[0]!.name;
  if (p.value.kind === 'string') {
    const v = p.value.value;
    return a.networkPolicies.has(v) ? v : v.toUpperCase();
  }
  throw invalidValue(`invalid value for property '${p.name}'`);
}

/**
 * Setting a user's NETWORK_POLICY needs the policy to exist and the role to own it (docs, release
 * note "CREATE USER command: NETWORK_POLICY parameter must specify a valid network policy"; we apply
 * the same rule to ALTER USER, which also needs OWNERSHIP of the user).
 */
export function checkNetworkPolicyProperty(
  a: AccountState,
  props: Property[],
  session: SessionContext,
): void {
  for (const p of props) {
    if (p.name === 'NETWORK_POLICY') ownedNetworkPolicy(a, networkPolicyRef(a, p), session);
  }
}

/** ALLOWED_IP_LIST, BLOCKED_IP_LIST (IPv4 addresses or CIDR blocks) and COMMENT. Refusal wording is ours. */
function applyNetworkPolicyProperties(policy: NetworkPolicy, props: Property[]): void {
  for (const p of props) {
    switch (p.name) {
      case 'ALLOWED_IP_LIST':
      case 'BLOCKED_IP_LIST': {
        const list = p.value.kind === 'list' ? p.value.items : [p.value];
        const entries: string[] = [];
        for (const item of list) {
          if (item.kind !== 'string') throw invalidValue(`invalid value for property '${p.name}'`);
          if (!parseEntry(item.value)) {
            throw invalidValue(`invalid IP address or CIDR block '${item.value}' in ${p.name}`);
          }
          entries.push(item.value);
        }
        if (p.name === 'ALLOWED_IP_LIST') policy.allowed = entries;
        else policy.blocked = entries;
        break;
      }
      case 'COMMENT':
        if (p.value.kind !== 'string') throw invalidValue("invalid value for property 'COMMENT'");
        policy.comment = p.value.value;
        break;
      case 'ALLOWED_NETWORK_RULE_LIST':
      case 'BLOCKED_NETWORK_RULE_LIST':
        throw invalidValue(
          `${p.name} is not modelled by the emulator; use ALLOWED_IP_LIST / BLOCKED_IP_LIST`,
        );
      default:
        throw invalidValue(`invalid property '${p.name}' for 'NETWORK_POLICY'`);
    }
  }
}

/**
 * A policy assigned to the account or a user cannot be dropped or replaced (docs, "DROP NETWORK
 * POLICY"; behaviour change 2023_07 "Cannot drop active network policies"). Code and wording are ours.
 */
function refuseIfAttached(a: AccountState, policy: NetworkPolicy, command: string): void {
  const user = [...a.users.values()].find((u) => u.networkPolicy === policy.name);
  const where =
    a.accountNetworkPolicy === policy.name ? 'the account' : user ? `user ${displayName(user.name)}` : null;
  if (where !== null) {
    throw new SfError(
      '001008',
      '22023',
      `SQL compilation error:\nCannot ${command} network policy ${displayName(policy.name)}: it is currently assigned to ${where}.`,
    );
  }
}

export const createNetworkPolicy: Handler<'createNetworkPolicy'> = (a, s, session) => {
  // CREATE NETWORK POLICY: SECURITYADMIN and above, or the account privilege (docs).
  if (!a.accountPrivilege(session.role, 'CREATE NETWORK POLICY')) {
    throw insufficientPrivileges('account', a.accountName);
  }
  const name = s.name.name;
  const policy: NetworkPolicy = { name, allowed: [], blocked: [], comment: null, createdOn: a.now() };
  applyNetworkPolicyProperties(policy, s.props);
  const existing = a.networkPolicies.get(name);
  if (existing) {
    const existed = createOver(s, name);
    if (existed) return existed;
    if (!a.owns(session.role, 'NETWORK_POLICY', name)) throw insufficientPrivileges('network policy', name);
    refuseIfAttached(a, existing, 'replace');
    a.dropGrantsOn('NETWORK_POLICY', name);
  }
  a.networkPolicies.set(name, policy);
  a.addOwnership('NETWORK_POLICY', name, session.role);
  return ok();
};

export const alterNetworkPolicy: Handler<'alterNetworkPolicySet' | 'alterNetworkPolicyUnset'> = (
  a,
  s,
  session,
) => {
  const policy = unlessMissing(s.ifExists, () => ownedNetworkPolicy(a, s.name.name, session));
  if (!policy) return ok();
  const draft: NetworkPolicy = { ...policy };
  if (s.type === 'alterNetworkPolicySet') applyNetworkPolicyProperties(draft, s.props);
  else unsetComment(draft, s.names, 'NETWORK_POLICY');
  a.networkPolicies.set(policy.name, draft);
  return ok();
};

const IP_LIST_COLUMNS: Column<[string, string[]]>[] = [
  text('name', ([name]) => name),
  text('value', ([, entries]) => entries.join(',')),
];

export function descNetworkPolicy(a: AccountState, name: Ident, session: SessionContext): ResultSet {
  const policy = ownedNetworkPolicy(a, name.name, session);
  // `name, value` rows, one per list that has entries, joined by commas without spaces (docs,
  // "DESCRIBE NETWORK POLICY"; the Terraform provider's acceptance test sees exactly two rows for a
  // policy with both lists and a comment).
  const lists: [string, string[]][] = [
    ['ALLOWED_IP_LIST', policy.allowed],
    ['BLOCKED_IP_LIST', policy.blocked],
  ];
  return tabulate(
    IP_LIST_COLUMNS,
    lists.filter(([, entries]) => entries.length > 0),
  );
}

export const dropNetworkPolicy: Handler<'dropNetworkPolicy'> = (a, s, session) => {
  const policy = unlessMissing(s.ifExists, () => ownedNetworkPolicy(a, s.name.name, session));
  if (!policy) return alreadyDropped(s.name.name);
  refuseIfAttached(a, policy, 'drop');
  a.networkPolicies.delete(policy.name);
  a.dropGrantsOn('NETWORK_POLICY', policy.name);
  return dropped(policy.name);
};

// Columns: docs "SHOW NETWORK POLICIES" example and the Terraform provider's showNetworkPolicyDBRow.
// An unset comment reads '' (the Terraform provider's acceptance test after UNSET COMMENT).
const NETWORK_POLICY_COLUMNS: Column<NetworkPolicy>[] = [
  time('created_on', (np) => np.createdOn),
  text('name', (np) => np.name),
  text('comment', (np) => np.comment ?? ''),
  fixed('entries_in_allowed_ip_list', (np) => String(np.allowed.length)),
  fixed('entries_in_blocked_ip_list', (np) => String(np.blocked.length)),
  fixed('entries_in_allowed_network_rules', () => '0'),
  fixed('entries_in_blocked_network_rules', () => '0'),
];

export function showNetworkPolicies(
  a: AccountState,
  like: string | null,
  session: SessionContext,
): ResultSet {
  const policies = a.listed(a.networkPolicies.values(), 'NETWORK_POLICY', like, session.role);
  return tabulate(NETWORK_POLICY_COLUMNS, policies);
}

/**
 * ALTER ACCOUNT SET / UNSET NETWORK_POLICY: SECURITYADMIN or higher, or ATTACH POLICY on the account
 * (docs, "Network policies"). Snowflake refuses to activate a policy that blocks the requesting
 * address (live message quoted in README); the control plane has no address and is not checked.
 * Other account parameters are not modelled.
 */
export const alterAccount: Handler<'alterAccountSet' | 'alterAccountUnset'> = (a, s, session) => {
  const names = s.type === 'alterAccountSet' ? s.props.map((p) => p.name) : s.names;
  for (const name of names) {
    if (name !== 'NETWORK_POLICY') {
      throw invalidValue(`ALTER ACCOUNT ${name} is not modelled by the emulator (only NETWORK_POLICY)`);
    }
  }
  if (!a.closure(session.role).has('SECURITYADMIN') && !a.accountPrivilege(session.role, 'ATTACH POLICY')) {
    throw insufficientPrivileges('account', a.accountName);
  }
  if (s.type === 'alterAccountUnset') {
    a.accountNetworkPolicy = null;
    return ok();
  }
  const policy = resolveNetworkPolicy(a, networkPolicyRef(a, s.props[0]!), session);
  const ip = session.clientIp;
  if (ip !== undefined && !policyAllows(policy, ip)) {
    // Code is our guess; the wording is Snowflake's.
    throw new SfError(
      '001008',
      '22023',
      `Network policy ${policy.name} cannot be activated. Requestor IP address/Token, ${ip}, must be included in the allowed_ip_list or allowed network rules. To add the specific IP, execute command "ALTER NETWORK POLICY ${policy.name} SET ALLOWED_IP_LIST=('${ip}');". Similarly, a CIDR block of IP addresses can be added instead of the specific IP address.`,
    );
  }
  a.accountNetworkPolicy = policy.name;
  return ok();
};
