import type { PrivilegeGrant, RoleSpec, SourceLocation, UserSpec } from '../../access-spec/model.js';
import { sourceOf } from '../../access-spec/model.js';
import { isRefusal } from '../../snowflake/account-reader.js';
import { type LiveGrant } from '../../snowflake/model.js';
import {
  createRoleStatement,
  grantPrivilegeStatement,
  grantRoleStatement,
  revokePrivilegeStatement,
  revokeRoleStatement,
} from '../../snowflake/statements.js';
import type { Subject, Verification } from './findings.js';

/** Roles, and what is granted to roles and users: each grant of the spec, and in strict mode no other. */

export async function checkRoleExists({ reader, record }: Verification, role: RoleSpec): Promise<void> {
  const subject: Subject = { type: 'role', name: role.name };
  const all = await reader.roles();
  const needs = 'may see the role (it is granted the role, or has MANAGE GRANTS)';
  if (!record.usable(all, subject, 'exists', needs, role.source)) return;
  if (all.has(role.name)) record.pass(subject, 'exists');
  else record.missing(subject, role.source, createRoleStatement(role));
}

/** The privileges and roles granted to one role: one SHOW GRANTS TO ROLE, every spec grant judged against it. */
export async function checkGrantsTo(verification: Verification, role: string): Promise<void> {
  const { config, reader, record, grants } = verification;
  const declared = config.spec.roles.find((r) => r.name === role);
  const roles = await reader.roles();
  // A missing declared role is reported once, by checkRoleExists; its grants cannot exist.
  if (isRefusal(roles) || !roles.has(role)) return;
  const privileges = grants.privileges.filter((g) => g.role === role);
  const granted = grants.roles.filter((g) => g.granteeType === 'ROLE' && g.grantee === role);
  const live = await reader.grantsToRole(role);
  if (isRefusal(live)) {
    record.refused(
      { type: 'role', name: role },
      'grants',
      live,
      `has MANAGE GRANTS (SECURITYADMIN has it: GRANT MANAGE GRANTS ON ACCOUNT TO ROLE ${verification.role}), or is granted role ${role}`,
      declared?.source ?? privileges[0]?.source ?? granted[0]?.source ?? config.spec.source,
    );
    return;
  }
  // Each live grant a declared one matches; in strict mode, the others are findings.
  const matched = new Set<LiveGrant>();
  const expect = (
    found: LiveGrant | undefined,
    subject: Subject,
    check: string,
    lacking: string,
    fix: () => string,
    source: SourceLocation,
  ): void => {
    if (found) {
      matched.add(found);
      record.pass(subject, check);
    } else record.find(subject, check, 'error', lacking, fix(), source);
  };
  for (const grant of privileges) {
    expect(
      live.find((l) => l.privilege === grant.privilege && l.on === grant.on && l.name === (grant.name ?? '')),
      grantSubject(grant),
      `${grant.privilege} on ${describeOn(grant)} to ${role}`,
      `role ${role} lacks ${grant.privilege} on ${describeOn(grant)}`,
      () => grantPrivilegeStatement(grant),
      grant.source,
    );
  }
  for (const grant of granted) {
    expect(
      live.find((l) => l.on === 'ROLE' && l.privilege === 'USAGE' && l.name === grant.role),
      { type: 'role', name: role },
      `role ${grant.role} granted to ${role}`,
      `role ${grant.role} is not granted to role ${role}`,
      () => grantRoleStatement(grant),
      grant.source,
    );
  }
  if (config.strict && declared) {
    checkUndeclaredGrants(
      verification,
      role,
      declared,
      live.filter((l) => !matched.has(l)),
    );
  }
}

/** Strict: a grant to a declared role that the spec does not declare. */
function checkUndeclaredGrants(
  { record }: Verification,
  role: string,
  declared: RoleSpec,
  extras: LiveGrant[],
): void {
  const subject: Subject = { type: 'role', name: role };
  if (extras.length === 0) record.pass(subject, 'no undeclared grants');
  for (const extra of extras) {
    const isRole = extra.on === 'ROLE' && extra.privilege === 'USAGE';
    record.find(
      subject,
      isRole
        ? `undeclared role ${extra.name}`
        : `undeclared ${extra.privilege} on ${extra.on.toLowerCase()} ${extra.name}`.trim(),
      'error',
      isRole
        ? `role ${extra.name} is granted to role ${role}, which the spec does not declare (strict)`
        : `role ${role} has ${extra.privilege} on ${extra.on.toLowerCase()}${extra.name ? ` ${extra.name}` : ''}, which the spec does not declare (strict)`,
      `${isRole ? revokeRoleStatement(extra.name, 'ROLE', role) : revokePrivilegeStatement(role, extra)}, or declare it in the spec`,
      sourceOf(declared, isRole ? 'roles' : 'privileges'),
    );
  }
}

/** The roles granted to a user: each the spec grants, and in strict mode no other. */
export async function checkRolesOfUser(
  { config, reader, record, grants }: Verification,
  user: UserSpec,
  needs: string,
): Promise<void> {
  const subject: Subject = { type: 'user', name: user.name };
  const live = await reader.rolesOfUser(user.name);
  if (!record.usable(live, subject, 'roles', needs, sourceOf(user, 'roles'))) return;
  const liveRoles = live.map((role) => role.name);
  const declared = grants.roles.filter((g) => g.granteeType === 'USER' && g.grantee === user.name);
  for (const grant of declared) {
    const check = `role ${grant.role} granted`;
    if (liveRoles.includes(grant.role)) record.pass(subject, check);
    else {
      record.find(
        subject,
        check,
        'error',
        `role ${grant.role} is not granted to user ${user.name}`,
        grantRoleStatement(grant),
        grant.source,
      );
    }
  }
  if (!config.strict) return;
  const extras = liveRoles.filter((role) => !declared.some((g) => g.role === role));
  if (extras.length === 0) record.pass(subject, 'no undeclared roles');
  for (const role of extras) {
    record.find(
      subject,
      `undeclared role ${role}`,
      'error',
      `role ${role} is granted to user ${user.name}, which the spec does not declare (strict)`,
      `${revokeRoleStatement(role, 'USER', user.name)}, or declare it in the spec`,
      sourceOf(user, 'roles'),
    );
  }
}

function grantSubject(grant: PrivilegeGrant): Subject {
  return grant.on === 'SECRET'
    ? { type: 'secret', name: grant.name ?? '' }
    : { type: 'role', name: grant.role };
}

function describeOn(grant: PrivilegeGrant): string {
  return grant.on === 'ACCOUNT' ? 'the account' : `${grant.on.toLowerCase()} ${grant.name ?? ''}`;
}
