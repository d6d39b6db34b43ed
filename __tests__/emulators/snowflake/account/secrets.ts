// SECRET objects (schema-level): statements and their results. Values are never shown by DESC or SHOW.
// Sources: README.md, "Databases, schemas and secrets".

import { doesNotExist, insufficientPrivileges, invalidValue, qualifiedName } from '../errors.js';
import type { Ident, Property, ShowScope } from '../statements.js';
import type { GenericSecretSpelling, ResultSet, Secret, SessionContext } from './model.js';
import { objectPath, resolveSchema, scopeSchemas } from './databases.js';
import { stringValue, unsetComment } from './property-values.js';
import { type Column, likeFilter, tabulate, text, time } from './results.js';
import { alreadyDropped, createOver, created, dropped, ok } from './status.js';
import { type AccountState, unlessMissing, type Handler } from './state.js';

const pathOf = (x: Secret): [string, string, string] => [x.database, x.schema, x.name];

/** A secret in a usable schema on which the role holds any privilege. */
export function resolveSecret(
  a: AccountState,
  path: [string, string, string],
  session: SessionContext,
  bypass = false,
): Secret {
  const schema = resolveSchema(a, path[0], path[1], session, bypass);
  const secret = schema.secrets.get(path[2]);
  if (!secret || (!bypass && !a.anyPrivilege(session.role, 'SECRET', qualifiedName(path)))) {
    throw doesNotExist('Secret', path);
  }
  return secret;
}

/**
 * Applies SECRET properties to a draft. TYPE = GENERIC_STRING takes SECRET_STRING, TYPE = PASSWORD
 * takes USERNAME and PASSWORD (docs, "CREATE SECRET"); both take COMMENT. OAUTH2, CLOUD_PROVIDER_TOKEN
 * and SYMMETRIC_KEY secrets are not modelled. Wording of these refusals is ours (README).
 */
function applySecretProperties(secret: Secret, props: Property[]): void {
  const allowed = secret.type === 'GENERIC_STRING' ? ['SECRET_STRING'] : ['USERNAME', 'PASSWORD'];
  for (const p of props) {
    if (p.name === 'COMMENT') secret.comment = stringValue(p);
    else if (!allowed.includes(p.name)) {
      throw invalidValue(`invalid property '${p.name}' for 'SECRET' of TYPE = ${secret.type}`);
    } else if (p.name === 'SECRET_STRING') secret.secretString = stringValue(p);
    else if (p.name === 'USERNAME') secret.username = stringValue(p);
    else secret.password = stringValue(p);
  }
}

/** CREATE SECRET's TYPE: GENERIC_STRING or PASSWORD, as a keyword or a string. */
function secretType(props: Property[]): Secret['type'] {
  const typeProp = props.find((p) => p.name === 'TYPE');
  const typeName =
    typeProp?.value.kind === 'ident'
      ? typeProp.value.parts.map((x) => x.name).join('.')
      : typeProp?.value.kind === 'string'
        ? typeProp.value.value.toUpperCase()
        : '';
  if (typeName !== 'GENERIC_STRING' && typeName !== 'PASSWORD') {
    if (typeProp === undefined) throw invalidValue("missing required property 'TYPE' for 'SECRET'");
    throw invalidValue(`invalid value ['${typeName}'] for parameter 'TYPE'`);
  }
  return typeName;
}

export const createSecret: Handler<'createSecret'> = (a, s, session) => {
  const path = objectPath(a, s.name, session, 'CREATE SECRET');
  const secret: Secret = {
    name: path[2],
    database: path[0],
    schema: path[1],
    type: secretType(s.props),
    secretString: null,
    username: null,
    password: null,
    comment: null,
    createdOn: a.now(),
  };
  applySecretProperties(
    secret,
    s.props.filter((p) => p.name !== 'TYPE'),
  );
  if (secret.type === 'GENERIC_STRING' && secret.secretString === null) {
    throw invalidValue("missing required property 'SECRET_STRING' for 'SECRET' of TYPE = GENERIC_STRING");
  }
  // CREATE SECRET needs CREATE SECRET on the schema and USAGE on the database and schema
  // (notes, "Secrets"); OWNERSHIP of the schema implies CREATE SECRET.
  const schema = resolveSchema(a, path[0], path[1], session);
  if (!a.hasPrivilege(session.role, 'CREATE SECRET', 'SCHEMA', qualifiedName([path[0], path[1]]))) {
    throw insufficientPrivileges('schema', path[1]);
  }
  const key = qualifiedName(path);
  const existing = schema.secrets.get(path[2]);
  if (existing) {
    const existed = createOver(s, path[2]);
    if (existed) return existed;
    // Replacing drops the old secret, which needs OWNERSHIP of it; its grants go with it.
    if (!a.owns(session.role, 'SECRET', key)) throw insufficientPrivileges('secret', path[2]);
    a.dropGrantsOn('SECRET', key);
  }
  schema.secrets.set(secret.name, secret);
  a.addOwnership('SECRET', key, session.role);
  return created('Secret', secret.name);
};

export const alterSecret: Handler<'alterSecretSet' | 'alterSecretUnset'> = (a, s, session) => {
  const path = objectPath(a, s.name, session, 'ALTER SECRET');
  const secret = unlessMissing(s.ifExists, () => resolveSecret(a, path, session));
  if (!secret) return ok();
  // ALTER SECRET needs OWNERSHIP (notes, "Secrets"); no MODIFY privilege exists for secrets.
  if (!a.owns(session.role, 'SECRET', qualifiedName(path)))
    throw insufficientPrivileges('secret', secret.name);
  const draft: Secret = { ...secret };
  if (s.type === 'alterSecretSet') applySecretProperties(draft, s.props);
  else unsetComment(draft, s.names, 'SECRET');
  a.databases.get(path[0])!.schemas.get(path[1])!.secrets.set(secret.name, draft);
  return ok();
};

interface SecretRow {
  secret: Secret;
  owner: string;
  /** How DESC SECRET spells the type (GenericSecretSpelling). */
  type: Secret['type'] | GenericSecretSpelling;
}

/** The columns DESC SECRET and SHOW SECRETS begin with. */
const SECRET_COLUMNS: Column<SecretRow>[] = [
  time('created_on', (r) => r.secret.createdOn),
  text('name', (r) => r.secret.name),
  text('schema_name', (r) => r.secret.schema),
  text('database_name', (r) => r.secret.database),
  text('owner', (r) => r.owner),
  text('comment', (r) => r.secret.comment),
  text('secret_type', (r) => r.type),
];

// Columns: docs "DESCRIBE SECRET" and the Terraform provider's secrets integration test. The type of a
// generic string secret is spelled as the options say (GenericSecretSpelling). The value (SECRET_STRING,
// PASSWORD) is never returned.
const DESC_SECRET_COLUMNS: Column<SecretRow>[] = [
  ...SECRET_COLUMNS,
  text('username', (r) => r.secret.username),
  text('oauth_access_token_expiry_time', () => null),
  text('oauth_refresh_token_expiry_time', () => null),
  text('oauth_scopes', () => null),
  text('integration_name', () => null),
];

export function descSecret(a: AccountState, name: Ident[], session: SessionContext): ResultSet {
  const path = objectPath(a, name, session, 'DESCRIBE SECRET');
  const secret = resolveSecret(a, path, session);
  const key = qualifiedName(path);
  // DESCRIBE SECRET needs USAGE on the secret (docs, "DESCRIBE SECRET"); READ alone is not enough.
  if (!a.usable(session.role, 'SECRET', key)) throw insufficientPrivileges('secret', secret.name);
  const type =
    secret.type === 'GENERIC_STRING' ? (a.options.descSecretGenericType ?? 'GENERIC_STRING') : secret.type;
  return tabulate(DESC_SECRET_COLUMNS, [{ secret, owner: a.owner('SECRET', key) ?? '', type }]);
}

export const dropSecret: Handler<'dropSecret'> = (a, s, session) => {
  const path = objectPath(a, s.name, session, 'DROP');
  const secret = unlessMissing(s.ifExists, () => resolveSecret(a, path, session));
  if (!secret) return alreadyDropped(path[2]);
  const key = qualifiedName(path);
  // DROP SECRET needs OWNERSHIP (docs, "DROP SECRET").
  if (!a.owns(session.role, 'SECRET', key)) throw insufficientPrivileges('secret', secret.name);
  a.databases.get(path[0])!.schemas.get(path[1])!.secrets.delete(secret.name);
  a.dropGrantsOn('SECRET', key);
  return dropped(secret.name);
};

// Columns: docs "SHOW SECRETS" (notes, "Secrets").
const SHOW_SECRET_COLUMNS: Column<SecretRow>[] = [
  ...SECRET_COLUMNS,
  text('oauth_scopes', () => null),
  text('owner_role_type', () => 'ROLE'),
];

export function showSecrets(
  a: AccountState,
  like: string | null,
  scope: ShowScope,
  session: SessionContext,
): ResultSet {
  const manage = a.manageGrants(session.role);
  const rows = scopeSchemas(a, scope, session, 'SHOW SECRETS')
    .filter(
      (sc) =>
        manage ||
        sc.name === 'INFORMATION_SCHEMA' ||
        a.usable(session.role, 'SCHEMA', qualifiedName([sc.database, sc.name])),
    )
    .flatMap((sc) => [...sc.secrets.values()])
    .filter((x) => manage || a.anyPrivilege(session.role, 'SECRET', qualifiedName(pathOf(x))))
    .filter(likeFilter(like))
    .sort((x, y) => {
      const kx = pathOf(x).join('\u0000');
      const ky = pathOf(y).join('\u0000');
      return kx < ky ? -1 : kx > ky ? 1 : 0;
    })
    .map((secret): SecretRow => ({
      secret,
      owner: a.ownerOf('SECRET', pathOf(secret)) ?? '',
      type: secret.type,
    }));
  return tabulate(SHOW_SECRET_COLUMNS, rows);
}

/** Every secret with its value, for the control plane (`GET /__emulator/secrets`). */
export function allSecrets(a: AccountState): (Secret & { fullName: string; owner: string | null })[] {
  const out: (Secret & { fullName: string; owner: string | null })[] = [];
  for (const db of a.databases.values()) {
    for (const schema of db.schemas.values()) {
      for (const secret of schema.secrets.values()) {
        const fullName = qualifiedName(pathOf(secret));
        out.push({ ...secret, fullName, owner: a.owner('SECRET', fullName) });
      }
    }
  }
  return out;
}
