import { describeCharacter } from '../snowflake/identifiers.js';
import { parseSecretName } from '../github/destinations.js';
import {
  type PlacementField,
  type PlacementFields,
  type PlacementProblem,
  type PlacementReporter,
  checkPlacement,
} from '../github/placement.js';
import { parseDuration } from '../parse.js';
import type {
  KeySpec,
  ObjectRef,
  SourceLocation,
  UserSpec,
  UserType,
  WorkloadIdentitySpec,
} from './model.js';
import type { RawKeySecret, RawUser } from './raw.js';
import { type SpecContext, optional } from './context.js';
import { CONTROL } from './schema-issues.js';
import type { Segment } from './yaml.js';

/** The spec's users: references to roles and objects, workload identity, and where each key goes. */

/** Snowflake keeps an OIDC SUBJECT of at most 255 characters (CREATE USER ... WORKLOAD_IDENTITY). */
const MAX_SUBJECT_LENGTH = 255;

export function buildUser(
  ctx: SpecContext,
  raw: RawUser,
  name: string | undefined,
  path: Segment[],
): UserSpec | undefined {
  const defaultRole =
    raw.default_role === undefined
      ? undefined
      : ctx.roleRef(raw.default_role, [...path, 'default_role'], 'named as default_role');
  const defaultWarehouse =
    raw.default_warehouse === undefined
      ? undefined
      : located(ctx, ctx.objectRef('warehouse', raw.default_warehouse, [...path, 'default_warehouse']), [
          ...path,
          'default_warehouse',
        ]);
  const defaultNamespace =
    raw.default_namespace === undefined
      ? undefined
      : namespaceRef(ctx, raw.default_namespace, [...path, 'default_namespace']);
  const roles = (raw.roles ?? []).flatMap((value, i) => {
    const ref = ctx.roleRef(value, [...path, 'roles', i], 'granted to this user');
    return ref === undefined ? [] : [ref];
  });
  let networkPolicy: UserSpec['networkPolicy'];
  if (raw.network_policy !== undefined) {
    const policyPath = [...path, 'network_policy'];
    const policy = ctx.identifier(raw.network_policy, policyPath);
    if (policy !== undefined && !ctx.networkPolicies.has(policy)) {
      ctx.problem(
        policyPath,
        `the network policy ${policy} is not declared in \`network_policies\`. Declare it there, with its allowed_ip_list, or correct the name`,
      );
    } else if (policy !== undefined) {
      networkPolicy = { name: policy, source: ctx.at(policyPath) };
    }
  }
  const workloadIdentity =
    raw.workload_identity === undefined
      ? undefined
      : buildWorkloadIdentity(ctx, raw.workload_identity, raw.type, [...path, 'workload_identity']);
  const key = raw.key === undefined ? undefined : buildKey(ctx, raw.key, raw.type, [...path, 'key']);
  if (
    defaultRole !== undefined &&
    defaultRole.name !== 'PUBLIC' &&
    raw.roles !== undefined &&
    !roles.some((role) => role.name === defaultRole.name)
  ) {
    ctx.warnings.push({
      ...ctx.at([...path, 'default_role']),
      message: `the default role ${defaultRole.name} is not among the roles granted to this user, so sessions cannot use it. Add it to \`roles\``,
    });
  }
  if (name === undefined) return undefined;
  return {
    name,
    type: raw.type,
    ...optional('defaultRole', defaultRole),
    ...optional('defaultWarehouse', defaultWarehouse),
    ...optional('defaultNamespace', defaultNamespace),
    roles,
    ...optional('networkPolicy', networkPolicy),
    ...optional('comment', raw.comment),
    ...optional('workloadIdentity', workloadIdentity),
    ...optional('key', key),
    ...ctx.placed(path, raw),
  };
}

function located(
  ctx: SpecContext,
  ref: ObjectRef | undefined,
  path: Segment[],
): (ObjectRef & { source: SourceLocation }) | undefined {
  return ref === undefined ? undefined : { ...ref, source: ctx.at(path) };
}

/** DEFAULT_NAMESPACE: `database` or `database.schema`. */
function namespaceRef(
  ctx: SpecContext,
  value: string,
  path: Segment[],
): (ObjectRef & { source: SourceLocation }) | undefined {
  const parts = countQualifiedParts(value) === 1 ? 1 : 2;
  if (countQualifiedParts(value) > 2) {
    ctx.problem(path, `${JSON.stringify(value)} has more than two parts. Write database or database.schema`);
    return undefined;
  }
  return located(ctx, ctx.objectRef(parts === 1 ? 'database' : 'schema', value, path), path);
}

function buildWorkloadIdentity(
  ctx: SpecContext,
  raw: NonNullable<RawUser['workload_identity']>,
  type: UserType,
  path: Segment[],
): WorkloadIdentitySpec | undefined {
  let valid = true;
  if (type !== 'SERVICE') {
    valid = false;
    ctx.problem(
      path,
      `is set on a ${type} user, but Snowflake accepts workload identity only on TYPE = SERVICE users. Set \`type: SERVICE\`, or remove workload_identity`,
    );
  }
  // The URL parser drops tabs and line breaks, so `new URL` alone would let them through into SQL and the
  // log (where a line break starts a new line, possibly a forged workflow command).
  const issuerControl = CONTROL.exec(raw.issuer);
  let issuer: URL | undefined;
  try {
    issuer = new URL(raw.issuer);
  } catch {
    issuer = undefined;
  }
  if (issuerControl) {
    valid = false;
    ctx.problem(
      [...path, 'issuer'],
      `holds the control character ${describeCharacter(issuerControl[0])}. Write the issuer URL on one line, e.g. https://token.actions.githubusercontent.com`,
    );
  } else if (issuer?.protocol !== 'https:') {
    valid = false;
    ctx.problem(
      [...path, 'issuer'],
      `${JSON.stringify(raw.issuer)} is not an https:// URL. For GitHub Actions write https://token.actions.githubusercontent.com`,
    );
  }
  const subject = raw.subject.trim();
  // eslint-disable-next-line no-control-regex
  if (subject === '' || subject.length > MAX_SUBJECT_LENGTH || /[\u0000-\u001f\u007f]/.test(subject)) {
    valid = false;
    ctx.problem(
      [...path, 'subject'],
      `should be the exact \`sub\` claim (1 to ${MAX_SUBJECT_LENGTH} characters, one line), e.g. repo:acme/app:environment:production`,
    );
  }
  const audiences = raw.audiences?.map((audience) => audience.trim());
  audiences?.forEach((audience, i) => {
    const control = CONTROL.exec(audience);
    if (audience === '' || control) {
      valid = false;
      ctx.problem(
        [...path, 'audiences', i],
        `${control ? `holds the control character ${describeCharacter(control[0])}` : 'is blank'}. Give the audience the token is issued for, on one line, e.g. snowflakecomputing.com`,
      );
    }
  });
  if (!valid) return undefined;
  return { issuer: raw.issuer, subject, ...optional('audiences', audiences), source: ctx.at(path) };
}

function buildKey(
  ctx: SpecContext,
  raw: NonNullable<RawUser['key']>,
  type: UserType,
  path: Segment[],
): KeySpec | undefined {
  if (type === 'PERSON') {
    ctx.problem(
      path,
      'is set on a PERSON user. The action manages key pairs of service users only: set `type: SERVICE` (or LEGACY_SERVICE), or remove the key block',
    );
    return undefined;
  }
  const secretPath = [...path, 'secret'];
  const secret = raw.secret;
  const name = ctx.parse([...secretPath, 'name'], (input) => parseSecretName(secret.name, input));
  const placement = checkPlacement(placementFields(secret), placementReporter(ctx, secret, secretPath));
  let maxAgeMs: number | undefined;
  if (raw.max_age !== undefined) {
    maxAgeMs = ctx.parse([...path, 'max_age'], (input) => parseDuration(raw.max_age ?? '', input));
    if (maxAgeMs === 0) {
      ctx.problem([...path, 'max_age'], 'is zero. Give the longest age a key may reach, e.g. 90d');
    }
  }
  if (name === undefined) return undefined;
  return {
    secret: { name, ...placement, source: ctx.at(secretPath) },
    ...optional('maxAgeMs', maxAgeMs),
    ...ctx.placed(path, raw),
  };
}

/** `key.secret` as the placement rules take it: a name or a list as a list, each name trimmed. */
function placementFields(secret: RawKeySecret): PlacementFields {
  const list = (value: string | string[] | undefined): string[] | undefined =>
    value === undefined ? undefined : (Array.isArray(value) ? value : [value]).map((item) => item.trim());
  return {
    organization: secret.organization?.trim(),
    repositories: list(secret.repository),
    environments: list(secret.environment),
    visibility: secret.visibility,
    selectedRepositories: secret.selected_repositories ?? [],
  };
}

/** The field of `key.secret` where each rule between its fields is reported, and what the report says. */
const PLACEMENT_ISSUES: Record<
  Exclude<PlacementProblem['rule'], 'outside-organization' | 'no-repository'>,
  [field: string, message: string]
> = {
  'organization-with-repository': [
    'organization',
    'is set together with repository or environment. A key goes either to an organization secret or to repository/environment secrets: remove one',
  ],
  'selected-visibility-without-list': [
    'visibility',
    "is 'selected' without selected_repositories. List the repositories that may read the secret, or choose private or all",
  ],
  'visibility-without-organization': [
    'visibility',
    'applies to organization secrets only. Remove it, or set organization',
  ],
  'list-without-selected-visibility': [
    'selected_repositories',
    'is set without `visibility: selected`. Set the visibility to selected, or remove the list',
  ],
};

/** Reports a placement problem on the field of `key.secret` that breaks the rule. */
function placementReporter(ctx: SpecContext, secret: RawKeySecret, secretPath: Segment[]): PlacementReporter {
  const fieldPath = (field: PlacementField, index: number): Segment[] => {
    switch (field) {
      case 'organization':
        return [...secretPath, 'organization'];
      case 'repository':
      case 'environment':
        // A single name, or a list of them.
        return Array.isArray(secret[field]) ? [...secretPath, field, index] : [...secretPath, field];
      case 'selectedRepositories':
        return [...secretPath, 'selected_repositories', index];
    }
  };
  return {
    parse: (field, index, parse) => ctx.parse(fieldPath(field, index), parse),
    problem: (problem) => {
      switch (problem.rule) {
        case 'outside-organization':
          return ctx.problem(
            fieldPath('selectedRepositories', problem.index),
            `is not a repository of ${problem.organization}. List repositories of ${problem.organization} only`,
          );
        case 'no-repository':
          // A spec's key without a repository goes to the repository of the workflow that runs setup.
          return;
        default: {
          const [field, message] = PLACEMENT_ISSUES[problem.rule];
          return ctx.problem([...secretPath, field], message);
        }
      }
    },
  };
}

/** How many dot-separated parts a Snowflake name has, dots inside double quotes not counting. */
function countQualifiedParts(name: string): number {
  let parts = 1;
  let quoted = false;
  for (const ch of name) {
    if (ch === '"') quoted = !quoted;
    else if (ch === '.' && !quoted) parts++;
  }
  return parts;
}
