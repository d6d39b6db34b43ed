import type { SourceLocation, UserSpec } from '../../access-spec/model.js';
import { sourceOf } from '../../access-spec/model.js';
import type { LiveUser } from '../../snowflake/account-reader.js';
import {
  alterUserSetStatement,
  alterUserUnsetStatement,
  createUserStatement,
  unsetKeySlotStatement,
  workloadIdentityStatement,
} from '../../snowflake/statements.js';
import { type KeySlot, SLOTS } from '../../snowflake/model.js';
import type { Subject, Verification } from './findings.js';
import { checkRolesOfUser } from './grants.js';

/** Users: their settings as SHOW USERS shows them, then what needs a read of its own (policy, roles, keys). */

export const DAY_MS = 86_400_000;
/** A key older than this share of its maximum age is a warning: time to rotate. */
const WARN_SHARE = 0.8;

export async function checkUser(verification: Verification, user: UserSpec): Promise<void> {
  const { config, reader, record } = verification;
  const subject: Subject = { type: 'user', name: user.name };
  const all = await reader.allUsers();
  if (!record.usable(all, subject, 'exists', 'may run SHOW USERS', user.source)) return;
  const live = all.get(user.name);
  if (!live) {
    record.missing(subject, user.source, createUserStatement(user));
    return;
  }
  record.pass(subject, 'exists');
  if (!live.visible) {
    record.find(
      subject,
      'readable',
      'error',
      `cannot check user ${user.name}: SHOW USERS hides its properties from the session's role, which neither owns it (the owner is ${live.owner ?? 'unknown'}) nor has MANAGE GRANTS`,
      `Run verify as a role that owns the user or inherits its owner${ownerGrant(verification, live)}, or has MANAGE GRANTS`,
      user.source,
    );
    return;
  }
  checkTypeAndPassword(verification, user, live);
  checkDefaults(verification, user, live);
  const ownerNeeds = `owns user ${user.name} or inherits its owner${ownerGrant(verification, live)}`;
  const reads: Promise<void>[] = [];
  if (user.networkPolicy) reads.push(checkNetworkPolicyOfUser(verification, user, ownerNeeds));
  if (user.roles.length > 0 || config.strict) reads.push(checkRolesOfUser(verification, user, ownerNeeds));
  checkWorkloadIdentity(verification, user, live);
  if (user.key) reads.push(checkKeys(verification, user, ownerNeeds));
  else checkNoUndeclaredKey(verification, user, live);
  if (config.keyUser === user.name)
    reads.push(checkHeldKey(verification, user.name, user.key?.source ?? user.source));
  await Promise.all(reads);
}

/** ` (GRANT ROLE <owner> TO ROLE <session's role>)` when SHOW USERS names the owner. */
function ownerGrant({ role }: Verification, live: LiveUser): string {
  return live.owner ? ` (GRANT ROLE ${live.owner} TO ROLE ${role})` : '';
}

function checkTypeAndPassword({ record }: Verification, user: UserSpec, live: LiveUser): void {
  const subject: Subject = { type: 'user', name: user.name };
  const hasPassword = live.hasPassword === true;
  const unsetPassword = alterUserUnsetStatement(user.name, 'PASSWORD');
  const typeFix = [
    ...(hasPassword && user.type === 'SERVICE' ? [unsetPassword] : []),
    alterUserSetStatement(user.name, { property: 'TYPE', value: user.type }),
  ].join('; ');
  record.compare(subject, 'type', user.type, live.type, typeFix, sourceOf(user, 'type'));
  if (user.type !== 'SERVICE') return;
  if (!hasPassword) record.pass(subject, 'no password');
  else {
    record.find(
      subject,
      'no password',
      'error',
      `user ${user.name} has a password; the spec declares it a SERVICE user, which signs in with a key pair or workload identity only`,
      unsetPassword,
      // `type: SERVICE` is what rules the password out.
      sourceOf(user, 'type'),
    );
  }
}

function checkDefaults({ record }: Verification, user: UserSpec, live: LiveUser): void {
  const { defaultRole, defaultWarehouse, defaultNamespace } = user;
  record.compareSettings({ type: 'user', name: user.name }, user, [
    {
      check: 'default_role',
      expected: defaultRole?.name,
      actual: live.defaultRole,
      fix: () => alterUserSetStatement(user.name, { property: 'DEFAULT_ROLE', value: defaultRole!.name }),
    },
    {
      check: 'default_warehouse',
      expected: defaultWarehouse?.name,
      actual: live.defaultWarehouse,
      fix: () =>
        alterUserSetStatement(user.name, { property: 'DEFAULT_WAREHOUSE', value: defaultWarehouse!.parts }),
    },
    {
      check: 'default_namespace',
      expected: defaultNamespace?.name,
      actual: live.defaultNamespace,
      fix: () =>
        alterUserSetStatement(user.name, { property: 'DEFAULT_NAMESPACE', value: defaultNamespace!.parts }),
    },
  ]);
}

async function checkNetworkPolicyOfUser(
  { reader, record }: Verification,
  user: UserSpec,
  needs: string,
): Promise<void> {
  const policy = user.networkPolicy!;
  const subject: Subject = { type: 'user', name: user.name };
  const source = sourceOf(user, 'network_policy');
  const value = await reader.userNetworkPolicy(user.name);
  if (!record.usable(value, subject, 'network_policy', needs, source)) return;
  record.compare(
    subject,
    'network_policy',
    policy.name,
    value,
    alterUserSetStatement(user.name, { property: 'NETWORK_POLICY', value: policy.name }),
    source,
  );
}

function checkWorkloadIdentity({ config, record }: Verification, user: UserSpec, live: LiveUser): void {
  const subject: Subject = { type: 'user', name: user.name };
  const source = sourceOf(user, 'workload_identity');
  if (user.workloadIdentity) {
    if (live.hasWorkloadIdentity === true) record.pass(subject, 'workload_identity');
    else {
      record.find(
        subject,
        'workload_identity',
        'error',
        `user ${user.name} has no workload identity; the spec declares one (issuer ${user.workloadIdentity.issuer}, subject ${user.workloadIdentity.subject})`,
        workloadIdentityStatement(user.name, user.workloadIdentity),
        source,
      );
    }
  } else if (config.strict && live.hasWorkloadIdentity === true) {
    record.find(
      subject,
      'workload_identity',
      'error',
      `user ${user.name} has a workload identity, which the spec does not declare (strict)`,
      `${alterUserUnsetStatement(user.name, 'WORKLOAD_IDENTITY')}, or declare it in the spec`,
      source,
    );
  }
}

/** Strict: a user without a key block has no key. */
function checkNoUndeclaredKey({ config, record }: Verification, user: UserSpec, live: LiveUser): void {
  if (!config.strict || live.hasKey !== true) return;
  record.find(
    { type: 'user', name: user.name },
    'no undeclared key',
    'error',
    `user ${user.name} has a public key registered, but the spec declares no key block for it (strict)`,
    `${SLOTS.map((slot) => unsetKeySlotStatement(user.name, slot)).join('; ')}, or declare a key block`,
    sourceOf(user, 'key'),
  );
}

/** A user with a key block: a key is registered, and none is older than its maximum age. */
async function checkKeys(verification: Verification, user: UserSpec, needs: string): Promise<void> {
  const { reader, record } = verification;
  const key = user.key!;
  const subject: Subject = { type: 'user', name: user.name };
  const state = await reader.describeUser(user.name);
  if (!record.usable(state, subject, 'key registered', needs, key.source)) return;
  const set = SLOTS.map((slot) => state.slots[slot]).filter((slot) => slot.fingerprint);
  if (set.length === 0) {
    record.find(
      subject,
      'key registered',
      'error',
      `user ${user.name} has no public key registered; the spec declares a key for it`,
      `Run mode: setup with this spec: it gives ${user.name} its first key and stores the private key in ${key.secret.name}`,
      key.source,
    );
    return;
  }
  record.pass(subject, 'key registered');
  for (const slot of set) checkKeyAge(verification, user, slot, set);
}

function checkKeyAge(
  { config, record, now }: Verification,
  user: UserSpec,
  slot: KeySlot,
  set: KeySlot[],
): void {
  const key = user.key!;
  const subject: Subject = { type: 'user', name: user.name };
  const maxAgeMs = key.maxAgeMs ?? config.maxKeyAgeMs;
  const maxDays = formatDays(maxAgeMs);
  const limit = key.maxAgeMs !== undefined ? `its max_age of ${maxDays}` : `max-key-age ${maxDays}`;
  // On the max_age line when the spec sets one; with the max-key-age input, on the key block's line.
  const source = sourceOf(key, 'max_age');
  const check = `age of ${slot.slot}`;
  const described = `${slot.slot} of user ${user.name} (${slot.fingerprint})`;
  if (!slot.lastSetAt) {
    record.find(
      subject,
      check,
      'warning',
      `${described}: Snowflake does not say when it was set, so its age against ${limit} is unknown`,
      `Rotate it to start a known age: mode: rotate with target-user: ${user.name}`,
      source,
    );
    return;
  }
  const ageMs = now.getTime() - slot.lastSetAt.getTime();
  const ageText = `set ${formatDays(ageMs)} ago (${slot.lastSetAt.toISOString()})`;
  const fix = (): string => retireOrRotate(user.name, slot, set, maxAgeMs, now);
  if (ageMs > maxAgeMs) {
    record.find(subject, check, 'error', `${described} was ${ageText}, older than ${limit}`, fix(), source);
  } else if (ageMs >= maxAgeMs * WARN_SHARE) {
    record.find(
      subject,
      check,
      'warning',
      `${described} was ${ageText}: it passes ${limit} in ${formatDays(maxAgeMs - ageMs)}`,
      fix(),
      source,
    );
  } else record.pass(subject, check);
}

/** `current-private-key`: the key the workflows hold is registered in one of the user's slots. */
export async function checkHeldKey(
  { config, reader, record }: Verification,
  userName: string,
  source: SourceLocation,
): Promise<void> {
  const held = config.currentPrivateKey;
  if (!held) return;
  const subject: Subject = { type: 'user', name: userName };
  const check = 'held key registered';
  const state = await reader.describeUser(userName);
  if (!record.usable(state, subject, check, `owns user ${userName} or inherits its owner`, source)) return;
  const slots = SLOTS.map((s) => state.slots[s]);
  if (slots.some((s) => s.fingerprint === held.fingerprint)) {
    record.pass(subject, check);
    return;
  }
  const registered = slots.filter((s) => s.fingerprint).map((s) => `${s.slot} ${s.fingerprint}`);
  record.find(
    subject,
    check,
    'error',
    `the key in current-private-key (${held.fingerprint}) is not registered on user ${userName}, so workflows holding it cannot log in (registered: ${registered.length > 0 ? registered.join(', ') : 'none'})`,
    `Give ${userName} a new key and store it where the workflows read it: mode: rotate with target-user: ${userName} (force: true if both slots are in use)`,
    source,
  );
}

/**
 * An old key in one slot while the other holds a key within its age: the workflows have most likely moved to
 * the newer key, so the old one can go. Otherwise the user needs a new key first.
 */
function retireOrRotate(user: string, slot: KeySlot, set: KeySlot[], maxAgeMs: number, now: Date): string {
  const newer = set.find(
    (other) =>
      other.slot !== slot.slot &&
      other.lastSetAt &&
      slot.lastSetAt &&
      other.lastSetAt > slot.lastSetAt &&
      now.getTime() - other.lastSetAt.getTime() < maxAgeMs,
  );
  return newer
    ? `${unsetKeySlotStatement(user, slot.slot)} once no workflow holds that key (${newer.slot} has a newer one)`
    : `Rotate it: mode: rotate with target-user: ${user} (and retire-previous: true once the new key is in use)`;
}

function formatDays(ms: number): string {
  const days = ms / DAY_MS;
  return days >= 1 ? `${Math.floor(days)}d` : `${Math.max(0, Math.round(ms / 3_600_000))}h`;
}
