import { keyDestinations } from '../github/placement.js';
import type { RoleRef, RoleSpec, SecretSpec, SourceLocation, UserSpec } from './model.js';
import { type SpecContext, isDefined } from './context.js';

/** Checks across elements of the spec: what each element is right on its own but not together with others. */

/** An object has one owner: two roles declared as its owner cannot both be right. */
export function checkOwnership(
  ctx: SpecContext,
  roles: (RoleSpec | undefined)[],
  secrets: (SecretSpec | undefined)[],
): void {
  const owners = new Map<string, string>();
  const claim = (object: string, role: string, source: SourceLocation): void => {
    const owner = owners.get(object);
    if (owner === undefined) {
      owners.set(object, role);
    } else if (owner !== role) {
      ctx.issues.push({
        ...source,
        message: `gives OWNERSHIP of ${object} to ${role}, but the role ${owner} is already declared its owner; an object has one owner. Keep one`,
      });
    }
  };
  for (const role of roles.filter(isDefined)) {
    for (const entry of role.privileges) {
      const ownership = entry.privileges.find((privilege) => privilege.name === 'OWNERSHIP');
      if (ownership) claim(`${entry.object.type} ${entry.object.name}`, role.name, ownership.source);
    }
  }
  for (const secret of secrets.filter(isDefined)) {
    for (const grant of secret.grants) {
      const ownership = grant.privileges.find((privilege) => privilege.name === 'OWNERSHIP');
      if (ownership) claim(`SECRET ${secret.qualifiedName}`, grant.role.name, ownership.source);
    }
  }
}

/** Snowflake refuses a role grant that would make a cycle (a role granted, through others, to itself). */
export function checkRoleCycles(ctx: SpecContext, roles: (RoleSpec | undefined)[]): void {
  const granted = new Map<string, RoleRef[]>();
  for (const role of roles.filter(isDefined)) granted.set(role.name, role.roles);
  const reported = new Set<string>();
  for (const role of roles.filter(isDefined)) {
    for (const ref of role.roles) {
      // Does `ref` (granted to `role`) already hold `role`, directly or not?
      const seen = new Set<string>();
      const stack = [ref.name];
      while (stack.length > 0) {
        const current = stack.pop() ?? '';
        if (current === role.name) {
          const key = [role.name, ref.name].sort().join('\u0000');
          if (!reported.has(key)) {
            reported.add(key);
            ctx.issues.push({
              ...ref.source,
              message: `grants ${ref.name} to ${role.name}, but ${ref.name} already holds ${role.name} through its own roles; Snowflake refuses role grants that make a cycle. Remove one direction`,
            });
          }
          break;
        }
        if (seen.has(current)) continue;
        seen.add(current);
        for (const next of granted.get(current) ?? []) stack.push(next.name);
      }
    }
  }
}

/** Snowflake keeps an OIDC issuer and subject unique in the account (error 099706), and one secret per key. */
export function checkSharedIdentities(ctx: SpecContext, users: (UserSpec | undefined)[]): void {
  const identities = new Map<string, string>();
  const destinations = new Map<string, string>();
  for (const user of users.filter(isDefined)) {
    if (user.workloadIdentity) {
      const key = `${user.workloadIdentity.issuer}\u0000${user.workloadIdentity.subject}`;
      const other = identities.get(key);
      if (other !== undefined) {
        ctx.issues.push({
          ...user.workloadIdentity.source,
          message: `has the same issuer and subject as the user ${other}; Snowflake allows one user per OIDC issuer and subject. Give each user its own subject`,
        });
      } else {
        identities.set(key, user.name);
      }
    }
    if (user.key) {
      for (const destination of keyDestinations(user.key.secret, 'workflow/repository')) {
        const key = JSON.stringify(destination);
        const other = destinations.get(key);
        if (other !== undefined && other !== user.name) {
          ctx.issues.push({
            ...user.key.secret.source,
            message: `writes the same secret as the key of the user ${other}, so one private key would overwrite the other. Give each user's key its own secret name`,
          });
          break;
        }
        destinations.set(key, user.name);
      }
    }
  }
}
