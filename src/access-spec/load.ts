import { Ajv, type ErrorObject } from 'ajv';
import { LineCounter, isAlias, isMap, isScalar, isSeq, parseDocument, type Document, type Node } from 'yaml';
import schema from '../../schema/access-spec.schema.json' with { type: 'json' };
import { ActionError } from '../errors.js';
import { parseSecretName } from '../github/destinations.js';
import {
  type PlacementField,
  type PlacementFields,
  type PlacementReporter,
  checkPlacement,
  keyDestinations,
} from '../github/placement.js';
import { parseDuration } from '../parse.js';
import { describeCharacter, resolveIdentifier, resolveQualifiedName } from '../snowflake/identifiers.js';
import {
  IMPLICIT_SCHEMAS,
  NAME_PARTS,
  PRIVILEGES,
  SYSTEM_DATABASES,
  SYSTEM_ROLES,
  snowflakeObjectType,
  type AccessSpec,
  type DatabaseSpec,
  type KeySpec,
  type NetworkPolicySpec,
  type Placed,
  type ObjectKind,
  type ObjectRef,
  type PrivilegeName,
  type PrivilegeSpec,
  type RoleRef,
  type RoleSpec,
  type SecretSpec,
  type SecretType,
  type SourceLocation,
  MAX_SPEC_BYTES,
  SpecError,
  type SpecIssue,
  type UserSpec,
  type UserType,
  type WarehouseSize,
  type WarehouseSpec,
  type WarehouseType,
  type WorkloadIdentitySpec,
} from './model.js';

/**
 * Loads an access spec: YAML with line numbers (`yaml`'s parseDocument + LineCounter), validated against
 * schema/access-spec.schema.json (ajv), then checked for what a schema cannot say: Snowflake identifiers, unique
 * names, references that resolve, which user types may have a key or a workload identity, IP addresses and
 * durations. No network: objects the spec refers to without declaring them are marked `declared: false` for the
 * caller to look up in the account. Every problem is reported at once, one per line, as
 * `<file>:<line>: <path>: <what is wrong and how to fix it>`.
 */

/**
 * Aliases (`*anchor`) may be used, a few times: yaml counts each alias by the size of what it expands to, so this
 * refuses "billion laughs" documents long before they cost memory (https://eemeli.org/yaml/#tojs-options).
 */
export const MAX_ALIAS_COUNT = 50;
/** Characters a YAML file cannot hold (C0 and C1 controls other than tab, line feed, carriage return and NEL), and U+FFFD. */
// eslint-disable-next-line no-control-regex
const NOT_YAML_TEXT = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u0084\u0086-\u009f\ufffd]/;
type Segment = string | number;

/** `roles[0].privileges[1].privileges`; `(root)` for the document itself. */
export function formatPath(path: readonly Segment[]): string {
  if (path.length === 0) return '(root)';
  return path
    .map((segment, index) =>
      typeof segment === 'number' ? `[${segment}]` : index === 0 ? segment : `.${segment}`,
    )
    .join('');
}

// Compiled once, on first use. The schema is draft-07, which the default Ajv class handles without extra
// packages. Strict mode, with union types allowed (`repository` is a string or a list); `verbose` gives each
// error its schema and data, for messages that list the allowed fields.
let compiled: ReturnType<Ajv['compile']> | undefined;
function validator(): ReturnType<Ajv['compile']> {
  compiled ??= new Ajv({ allErrors: true, verbose: true, strict: true, allowUnionTypes: true }).compile(
    schema,
  );
  return compiled;
}

/** Parses and checks an access spec. Throws SpecError (an ActionError, code `invalid-spec`) listing every problem. */
export function loadSpec(text: string, file: string): AccessSpec {
  const size = Buffer.byteLength(text, 'utf8');
  if (size > MAX_SPEC_BYTES) {
    throw new SpecError([
      {
        file,
        line: 1,
        path: '(root)',
        message: `the file is ${size} bytes, more than the limit of ${MAX_SPEC_BYTES} bytes (1 MiB) for an access spec. Split it, or check that this is the right file`,
      },
    ]);
  }
  // YAML is text: characters outside its printable set (https://yaml.org/spec/1.2.2/#51-character-set) mean
  // a binary file, or one in another encoding (U+FFFD is what reading invalid UTF-8 leaves). The parser would
  // take such a file for a single value; say what it is instead.
  const notText = NOT_YAML_TEXT.exec(text);
  if (notText) {
    const found = notText[0];
    throw new SpecError([
      {
        file,
        line: text.slice(0, notText.index).split('\n').length,
        path: '(yaml)',
        message: `the file ${found === '\ufffd' ? 'holds bytes that are not UTF-8 text' : `holds the control character ${describeCharacter(found)}`}, so it is not a YAML text file. Check that 'spec' names the access spec, saved as UTF-8`,
      },
    ]);
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const locator = new Locator(doc, lineCounter, file);
  const syntax = [...doc.errors, ...doc.warnings].map((error) => ({
    file,
    line: error.linePos?.[0].line ?? lineCounter.linePos(error.pos[0]).line,
    path: '(yaml)',
    message: `${firstLine(error.message)}. Fix the YAML syntax here`,
  }));
  if (doc.errors.length > 0) throw new SpecError(syntax);

  if (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null)) {
    throw new SpecError([
      { file, line: 1, path: '(root)', message: 'the spec is empty. Start it with `version: 1`' },
    ]);
  }
  if (!isMap(doc.contents)) {
    throw new SpecError([
      {
        file,
        line: locator.line([]),
        path: '(root)',
        message: `the spec is ${isSeq(doc.contents) ? 'a list' : 'a single value'}, not a mapping. Write it as keys such as \`version: 1\`, \`roles:\` and \`users:\` at the top level`,
      },
    ]);
  }

  // Messages below quote the file's fields and values. A mapping without `version` is some other YAML file of
  // the repository (a workflow, a config with credentials in it): say only that it is not a spec.
  // A docker-compose or dependabot file has a `version` too, but a string ('3.8') or 2 under `updates:`; an
  // access spec's is a whole number (another one than 1 is a spec for another release, and the schema says so).
  const version = doc.contents.items.find((pair) => isScalar(pair.key) && pair.key.value === 'version');
  if (!version || !isScalar(version.value) || !Number.isInteger(version.value.value)) {
    throw new SpecError([
      {
        file,
        line: 1,
        path: '(root)',
        message:
          "'version: 1' is required at the top level: without it the file is not read as an access spec, and nothing else in it is checked or quoted. Check that 'spec' names the access spec, and start it with `version: 1`",
      },
    ]);
  }

  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    throw new SpecError([
      {
        file,
        line: locator.firstAliasLine() ?? 1,
        path: '(yaml)',
        message: `the YAML aliases expand too far (${error instanceof Error ? firstLine(error.message) : String(error)}). Write the repeated parts out instead of aliasing them`,
      },
    ]);
  }

  const validate = validator();
  if (!validate(data)) {
    const issues = schemaIssues(validate.errors ?? [], locator);
    throw new SpecError(issues);
  }
  return new Builder(data as RawSpec, locator).build();
}

function firstLine(text: string): string {
  return (text.split('\n')[0] ?? '').replace(/[.\s]+$/, '');
}

/** Finds the line of a path in the YAML document: the line of the key for a field, of the item for a list item. */
class Locator {
  constructor(
    private readonly doc: Document,
    private readonly lineCounter: LineCounter,
    readonly file: string,
  ) {}

  line(path: readonly Segment[]): number {
    let node: unknown = this.doc.contents;
    let line = this.lineOf(node) ?? 1;
    for (const segment of path) {
      if (isAlias(node)) node = node.resolve(this.doc);
      if (typeof segment === 'string' && isMap(node)) {
        const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === segment);
        if (!pair) break;
        line = this.lineOf(pair.key) ?? line;
        node = pair.value;
      } else if (typeof segment === 'number' && isSeq(node)) {
        const item = node.items[segment];
        if (item === undefined) break;
        line = this.lineOf(item) ?? line;
        node = item;
      } else {
        break;
      }
    }
    return line;
  }

  at(path: readonly Segment[]): SourceLocation {
    return { file: this.file, line: this.line(path), path: formatPath(path) };
  }

  firstAliasLine(): number | undefined {
    let found: number | undefined;
    const visit = (node: unknown): void => {
      if (found !== undefined) return;
      if (isAlias(node)) {
        found = this.lineOf(node);
      } else if (isMap(node)) {
        for (const pair of node.items) {
          visit(pair.key);
          visit(pair.value);
        }
      } else if (isSeq(node)) {
        for (const item of node.items) visit(item);
      }
    };
    visit(this.doc.contents);
    return found;
  }

  private lineOf(node: unknown): number | undefined {
    const offset = (node as Node | null | undefined)?.range?.[0];
    return offset === undefined ? undefined : this.lineCounter.linePos(offset).line;
  }
}

/** ajv's errors, reworded to say what is wrong and what to write instead. */
function schemaIssues(errors: ErrorObject[], locator: Locator): SpecIssue[] {
  const issues: SpecIssue[] = [];
  const seen = new Set<string>();
  for (const error of errors) {
    // `if` only reports that its `then`/`else` failed; that branch's own error says why.
    if (error.keyword === 'if') continue;
    const path = instancePath(error.instancePath);
    let message: string;
    let at = path;
    const params = error.params as Record<string, unknown>;
    switch (error.keyword) {
      case 'additionalProperties': {
        const field = String(params.additionalProperty);
        at = [...path, field];
        const allowed = Object.keys(
          ((error.parentSchema as { properties?: object } | undefined)?.properties ?? {}) as object,
        );
        message = `unknown field '${field}'. ${allowed.length > 0 ? `The fields allowed here are: ${allowed.join(', ')}` : 'Remove it'}${suggestion(field, allowed)}`;
        break;
      }
      case 'required': {
        const field = String(params.missingProperty);
        message = `'${field}' is required here. Add it`;
        break;
      }
      case 'type': {
        const expected = String(params.type).split(',').map(typeName).join(' or ');
        message = `should be ${expected}, not ${describeValue(error.data)}`;
        break;
      }
      case 'enum': {
        const allowed = (params.allowedValues as unknown[]).map(String);
        message = `is ${describeValue(error.data)}. Use one of: ${allowed.join(', ')}${suggestion(String(error.data), allowed)}`;
        break;
      }
      case 'const':
        message =
          path.join('.') === 'version'
            ? `is ${describeValue(error.data)}, but this version of the action reads access specs of version 1. Write \`version: 1\``
            : `should be ${JSON.stringify(params.allowedValue)}`;
        break;
      case 'false schema': {
        const field = path[path.length - 1];
        message =
          field === 'name'
            ? "is not used with 'on: account' (the account has no name). Remove it"
            : 'is not allowed here. Remove it';
        break;
      }
      case 'minItems':
        message = 'is an empty list. List at least one item, or remove the field';
        break;
      case 'minLength':
        message = 'is empty. Give a value, or remove the field';
        break;
      case 'maxLength':
        message = `is ${Array.from(String(error.data)).length} characters, more than the limit of ${String(params.limit)}. Shorten it`;
        break;
      case 'pattern': {
        // The schema's one pattern keeps comments on one line: name the character that breaks it.
        const control = typeof error.data === 'string' ? CONTROL.exec(error.data) : null;
        message = control
          ? `holds the control character ${describeCharacter(control[0])} at position ${Array.from(String(error.data).slice(0, control.index)).length + 1}. Write it on one line, without line breaks, tabs or other control characters (it must match pattern ${String(params.pattern)})`
          : `${describeValue(error.data)} does not have the form this field takes (${String(params.pattern)})`;
        break;
      }
      case 'minimum':
        message = `is ${describeValue(error.data)}, less than ${String(params.limit)}. Give a number of at least ${String(params.limit)}`;
        break;
      default:
        message = `${error.message ?? 'is invalid'}. Check it against schema/access-spec.schema.json`;
    }
    const key = `${formatPath(at)}\u0000${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    issues.push({ ...locator.at(at), message });
  }
  return sortIssues(issues);
}

function instancePath(pointer: string): Segment[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part));
}

function typeName(type: string): string {
  switch (type) {
    case 'object':
      return 'a mapping';
    case 'array':
      return 'a list';
    case 'integer':
      return 'a whole number';
    case 'null':
      return 'null';
    default:
      return `a ${type}`;
  }
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`;
  return `${typeof value === 'number' && !Number.isInteger(value) ? 'the number' : `the ${typeof value}`} ${String(value)}`;
}

/** ` (did you mean 'x'?)` for a near miss: a wrong case, `-` for `_`, or one letter off. */
function suggestion(value: string, allowed: readonly string[]): string {
  const normal = (text: string): string => text.toLowerCase().replace(/[-_\s]/g, '');
  const match =
    allowed.find((candidate) => normal(candidate) === normal(value)) ??
    allowed.find((candidate) => editDistance(candidate.toLowerCase(), value.toLowerCase()) <= 2);
  return match === undefined ? '' : ` (did you mean '${match}'?)`;
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3;
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        (previous[j] ?? 0) + 1,
        (current[j - 1] ?? 0) + 1,
        (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

function sortIssues(issues: SpecIssue[]): SpecIssue[] {
  return issues
    .map((issue, index) => ({ issue, index }))
    .sort((a, b) => a.issue.line - b.issue.line || a.index - b.index)
    .map(({ issue }) => issue);
}

// The shapes the schema guarantees once it has validated the document.
interface RawSpec {
  version: 1;
  databases?: { name: string; comment?: string; schemas?: string[] }[];
  warehouses?: {
    name: string;
    size?: WarehouseSize;
    type?: WarehouseType;
    auto_suspend?: number | null;
    auto_resume?: boolean;
    comment?: string;
  }[];
  network_policies?: {
    name: string;
    allowed_ip_list?: string[];
    blocked_ip_list?: string[];
    comment?: string;
  }[];
  roles?: {
    name: string;
    comment?: string;
    privileges?: { on: ObjectKind; name?: string; privileges: string[] }[];
    roles?: string[];
  }[];
  users?: RawUser[];
  secrets?: {
    name: string;
    type: SecretType;
    comment?: string;
    grants?: { role: string; privileges: string[] }[];
  }[];
}

type RawKeySecret = NonNullable<RawUser['key']>['secret'];

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

interface RawUser {
  name: string;
  type: UserType;
  default_role?: string;
  default_warehouse?: string;
  default_namespace?: string;
  roles?: string[];
  network_policy?: string;
  comment?: string;
  workload_identity?: { issuer: string; subject: string; audiences?: string[] };
  key?: {
    secret: {
      name: string;
      repository?: string | string[];
      environment?: string | string[];
      organization?: string;
      visibility?: 'all' | 'private' | 'selected';
      selected_repositories?: string[];
    };
    max_age?: string;
  };
}

const IPV4_OCTET = '(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const IPV4_CIDR = new RegExp(`^${IPV4_OCTET}(\\.${IPV4_OCTET}){3}(/(3[0-2]|[12]?\\d))?$`);
/** A control character: a field that is one line must not hold one. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;
/** Snowflake keeps an OIDC SUBJECT of at most 255 characters (CREATE USER ... WORKLOAD_IDENTITY). */
const MAX_SUBJECT_LENGTH = 255;

/** Turns the schema-valid document into the model, collecting every semantic problem. */
class Builder {
  private readonly issues: SpecIssue[] = [];
  private readonly warnings: SpecIssue[] = [];
  private readonly databases = new Map<string, Set<string>>();
  private readonly warehouses = new Set<string>();
  private readonly networkPolicies = new Set<string>();
  private readonly roles = new Set<string>();
  private readonly users = new Set<string>();
  private readonly secrets = new Set<string>();

  constructor(
    private readonly raw: RawSpec,
    private readonly locator: Locator,
  ) {}

  build(): AccessSpec {
    // Names first, so that references can point forwards (a role granted before it is declared).
    const databases = (this.raw.databases ?? []).map((db, i) => this.database(db, ['databases', i]));
    const warehouses = (this.raw.warehouses ?? []).map((wh, i) => this.warehouse(wh, ['warehouses', i]));
    const networkPolicies = (this.raw.network_policies ?? []).map((np, i) =>
      this.networkPolicy(np, ['network_policies', i]),
    );
    const roleNames = (this.raw.roles ?? []).map((role, i) =>
      this.declare(this.roles, 'role', role.name, ['roles', i, 'name'], (name) =>
        SYSTEM_ROLES.includes(name)
          ? `is the Snowflake system role ${name}, which every account has. Do not declare it: grant it or refer to it by name`
          : undefined,
      ),
    );
    const userNames = (this.raw.users ?? []).map((user, i) =>
      this.declare(this.users, 'user', user.name, ['users', i, 'name']),
    );
    const secretNames = (this.raw.secrets ?? []).map((secret, i) => this.secretName(secret.name, i));

    const roles = (this.raw.roles ?? []).map((role, i) => this.role(role, roleNames[i], ['roles', i]));
    const users = (this.raw.users ?? []).map((user, i) => this.user(user, userNames[i], ['users', i]));
    const secrets = (this.raw.secrets ?? []).map((secret, i) =>
      this.secret(secret, secretNames[i], ['secrets', i]),
    );
    this.checkOwnership(roles, secrets);
    this.checkRoleCycles(roles);
    this.checkSharedIdentities(users);

    if (this.issues.length > 0) throw new SpecError(sortIssues(this.issues));
    return {
      file: this.locator.file,
      version: 1,
      databases: databases.filter(isDefined),
      warehouses: warehouses.filter(isDefined),
      networkPolicies: networkPolicies.filter(isDefined),
      roles: roles.filter(isDefined),
      users: users.filter(isDefined),
      secrets: secrets.filter(isDefined),
      warnings: sortIssues(this.warnings),
      source: this.locator.at([]),
    };
  }

  // --- problems and names -------------------------------------------------------------------------------

  private problem(path: readonly Segment[], message: string): void {
    this.issues.push({ ...this.locator.at(path), message });
  }

  private at(path: readonly Segment[]): SourceLocation {
    return this.locator.at(path);
  }

  /**
   * Where an element is and where each field it writes is: the one place an element's sources are made, so
   * that every finding about a field can be shown on that field's line (sourceOf in model.ts).
   */
  private placed<Field extends string>(
    path: readonly Segment[],
    raw: Partial<Record<Field, unknown>>,
  ): Placed<Field> {
    const fields: Partial<Record<Field, SourceLocation>> = {};
    for (const field of Object.keys(raw) as Field[]) fields[field] = this.at([...path, field]);
    return { source: this.at(path), fields };
  }

  /** resolveIdentifier, with its message reworded as `<file>:<line>: <path>: ...`. */
  private identifier(value: string, path: readonly Segment[]): string | undefined {
    return this.reuseIdentifierRules(value, path, (context) => resolveIdentifier(value, context));
  }

  private qualified(value: string, parts: number, path: readonly Segment[]): string[] | undefined {
    return this.reuseIdentifierRules(value, path, (context) => resolveQualifiedName(value, parts, context));
  }

  private reuseIdentifierRules<T>(
    value: string,
    path: readonly Segment[],
    resolve: (context: { source: string }) => T,
  ): T | undefined {
    const location = this.at(path);
    const source = `${location.file}:${location.line}: ${location.path}`;
    try {
      return resolve({ source });
    } catch (error) {
      if (!(error instanceof ActionError)) throw error;
      const prefix = `The Snowflake name in ${source} `;
      const problem = error.message.startsWith(prefix)
        ? `the name ${JSON.stringify(value)} ${error.message.slice(prefix.length)}`
        : error.message;
      // In YAML, "x" is just the string x: a case-sensitive Snowflake name needs its quotes inside the string.
      const yamlHint = /not a valid unquoted/.test(problem)
        ? ` (in YAML, keep the double quotes inside single quotes: '"${value.replace(/"/g, '""')}"')`
        : '';
      this.problem(path, `${problem}. ${error.hint ?? 'Fix the name'}${yamlHint}`);
      return undefined;
    }
  }

  /** Resolves a declared name and records it, refusing a second declaration of the same name. */
  private declare(
    names: Set<string>,
    kind: string,
    value: string,
    path: readonly Segment[],
    refuse?: (name: string) => string | undefined,
  ): string | undefined {
    const name = this.identifier(value, path);
    if (name === undefined) return undefined;
    const refusal = refuse?.(name);
    if (refusal !== undefined) {
      this.problem(path, refusal);
      return undefined;
    }
    if (names.has(name)) {
      this.problem(
        path,
        `declares the ${kind} ${name} a second time (names are compared after Snowflake's rules: unquoted names are upper-cased). Merge the two entries or rename one`,
      );
      return undefined;
    }
    names.add(name);
    return name;
  }

  /** Calls one of the input parsers (parse.ts, github/destinations.ts), rewording its `Input '...'` message for a spec field. */
  private parse<T>(path: readonly Segment[], parse: (input: string) => T): T | undefined {
    const marker = '\u0001spec-field\u0001';
    try {
      return parse(marker);
    } catch (error) {
      if (!(error instanceof ActionError)) throw error;
      const message = error.message.replace(`Input '${marker}' `, '').replace(marker, formatPath(path));
      this.problem(path, `${message}. ${error.hint ?? ''}`.trim());
      return undefined;
    }
  }

  // --- objects ------------------------------------------------------------------------------------------

  private database(
    raw: NonNullable<RawSpec['databases']>[number],
    path: Segment[],
  ): DatabaseSpec | undefined {
    const name = this.declare(
      new Set(this.databases.keys()),
      'database',
      raw.name,
      [...path, 'name'],
      (resolved) =>
        SYSTEM_DATABASES.includes(resolved)
          ? `is the Snowflake system database ${resolved}, which every account has. Do not declare it`
          : undefined,
    );
    if (name === undefined) return undefined;
    const schemaNames = new Set<string>();
    this.databases.set(name, schemaNames);
    const schemas = (raw.schemas ?? []).flatMap((value, i) => {
      const schemaPath = [...path, 'schemas', i];
      const schemaName = this.declare(schemaNames, `schema of ${name}`, value, schemaPath);
      return schemaName === undefined
        ? []
        : [{ database: name, name: schemaName, source: this.at(schemaPath) }];
    });
    return { name, ...optional('comment', raw.comment), schemas, ...this.placed(path, raw) };
  }

  private warehouse(
    raw: NonNullable<RawSpec['warehouses']>[number],
    path: Segment[],
  ): WarehouseSpec | undefined {
    const name = this.declare(this.warehouses, 'warehouse', raw.name, [...path, 'name']);
    if (name === undefined) return undefined;
    return {
      name,
      ...optional('size', raw.size),
      ...optional('type', raw.type),
      // AUTO_SUSPEND = 0 and NULL both mean never (CREATE WAREHOUSE); SHOW WAREHOUSES reports null.
      ...(raw.auto_suspend === undefined ? {} : { autoSuspend: raw.auto_suspend || null }),
      ...optional('autoResume', raw.auto_resume),
      ...optional('comment', raw.comment),
      ...this.placed(path, raw),
    };
  }

  private networkPolicy(
    raw: NonNullable<RawSpec['network_policies']>[number],
    path: Segment[],
  ): NetworkPolicySpec | undefined {
    const name = this.declare(this.networkPolicies, 'network policy', raw.name, [...path, 'name']);
    const addresses = (field: 'allowed_ip_list' | 'blocked_ip_list'): string[] => {
      const result: string[] = [];
      (raw[field] ?? []).forEach((value, i) => {
        const address = value.trim();
        if (!IPV4_CIDR.test(address)) {
          this.problem(
            [...path, field, i],
            `${JSON.stringify(value)} is not an IPv4 address with an optional CIDR suffix. Write it like 52.25.130.38 or 34.223.203.0/28 (Snowflake network policies take IPv4 only)`,
          );
        } else if (!result.includes(address)) {
          result.push(address);
        }
      });
      return result;
    };
    const allowedIpList = addresses('allowed_ip_list');
    const blockedIpList = addresses('blocked_ip_list');
    if ((raw.allowed_ip_list ?? []).length === 0 && (raw.blocked_ip_list ?? []).length === 0) {
      this.problem(
        path,
        'declares no addresses. List the addresses to allow in allowed_ip_list (and any to refuse in blocked_ip_list)',
      );
    }
    if (name === undefined) return undefined;
    return {
      name,
      allowedIpList,
      blockedIpList,
      ...optional('comment', raw.comment),
      ...this.placed(path, raw),
    };
  }

  private role(
    raw: NonNullable<RawSpec['roles']>[number],
    name: string | undefined,
    path: Segment[],
  ): RoleSpec | undefined {
    const privileges = (raw.privileges ?? []).flatMap((entry, i) => {
      const spec = this.privilegeEntry(entry, [...path, 'privileges', i]);
      return spec === undefined ? [] : [spec];
    });
    const roles = (raw.roles ?? []).flatMap((value, i) => {
      const ref = this.roleRef(value, [...path, 'roles', i], 'granted to this role');
      if (ref !== undefined && ref.name === name) {
        this.problem([...path, 'roles', i], `grants the role ${name} to itself. Remove it`);
        return [];
      }
      return ref === undefined ? [] : [ref];
    });
    if (name === undefined) return undefined;
    return { name, ...optional('comment', raw.comment), privileges, roles, ...this.placed(path, raw) };
  }

  private privilegeEntry(
    raw: { on: ObjectKind; name?: string; privileges: string[] },
    path: Segment[],
  ): PrivilegeSpec | undefined {
    const object = this.objectRef(raw.on, raw.name, [...path, 'name']);
    const privileges = this.privilegeNames(raw.privileges, raw.on, [...path, 'privileges']);
    if (object === undefined || privileges === undefined) return undefined;
    return { on: raw.on, object, privileges, source: this.at(path) };
  }

  /** Upper-cased, single-spaced, de-duplicated, each checked against the object type's privileges. */
  private privilegeNames(
    values: string[],
    kind: ObjectKind,
    path: Segment[],
    allowed: readonly string[] = PRIVILEGES[kind],
  ): PrivilegeName[] | undefined {
    const result: PrivilegeName[] = [];
    let valid = true;
    values.forEach((value, i) => {
      const name = value.trim().replace(/\s+/g, ' ').toUpperCase();
      if (!allowed.includes(name)) {
        valid = false;
        const why =
          name === 'OWNERSHIP' && kind === 'account'
            ? 'OWNERSHIP cannot be granted on the account'
            : name === 'ALL' || name === 'ALL PRIVILEGES'
              ? 'ALL is not accepted: the spec lists each privilege it grants'
              : `${JSON.stringify(value)} is not a privilege Snowflake grants on ${kind === 'account' ? 'the account' : `a ${kind}`}`;
        this.problem([...path, i], `${why}. Use one of: ${allowed.join(', ')}${suggestion(name, allowed)}`);
      } else if (!result.some((privilege) => privilege.name === name)) {
        result.push({ name, source: this.at([...path, i]) });
      }
    });
    return valid ? result : undefined;
  }

  /** The object a privilege entry names, with whether the spec (or Snowflake itself) provides it. */
  private objectRef(kind: ObjectKind, value: string | undefined, path: Segment[]): ObjectRef | undefined {
    const type = snowflakeObjectType(kind);
    if (kind === 'account') return { type, parts: [], name: '', declared: true, system: true };
    const parts = this.qualified(value ?? '', NAME_PARTS[kind], path);
    if (parts === undefined) return undefined;
    const [first = '', second = ''] = parts;
    let declared = false;
    let system = false;
    switch (kind) {
      case 'database':
        declared = this.databases.has(first);
        system = SYSTEM_DATABASES.includes(first);
        break;
      case 'schema':
        declared =
          this.databases.has(first) &&
          ((this.databases.get(first)?.has(second) ?? false) || IMPLICIT_SCHEMAS.includes(second));
        system = SYSTEM_DATABASES.includes(first);
        break;
      case 'warehouse':
        declared = this.warehouses.has(first);
        break;
      case 'user':
        declared = this.users.has(first);
        break;
      case 'secret':
        declared = this.secrets.has(parts.join('.'));
        break;
      case 'integration':
        // The spec does not declare integrations: they are created by hand (or by Snowflake) and looked up live.
        break;
    }
    return { type, parts, name: parts.join('.'), declared, system };
  }

  /** A role reference: it must be declared in `roles` or be a system role. */
  private roleRef(value: string, path: Segment[], what: string): RoleRef | undefined {
    const name = this.identifier(value, path);
    if (name === undefined) return undefined;
    const declared = this.roles.has(name);
    const system = SYSTEM_ROLES.includes(name);
    if (!declared && !system) {
      this.problem(
        path,
        `the role ${name} ${what} is not declared in \`roles\` and is not a Snowflake system role (${SYSTEM_ROLES.join(', ')}). Declare it under \`roles:\`, or correct the name`,
      );
      return undefined;
    }
    return { name, declared, system, source: this.at(path) };
  }

  private secretName(value: string, index: number): string[] | undefined {
    const path = ['secrets', index, 'name'];
    const parts = this.qualified(value, 3, path);
    if (parts === undefined) return undefined;
    const qualified = parts.join('.');
    if (this.secrets.has(qualified)) {
      this.problem(
        path,
        `declares the secret ${qualified} a second time. Merge the two entries or rename one`,
      );
      return undefined;
    }
    this.secrets.add(qualified);
    return parts;
  }

  private secret(
    raw: NonNullable<RawSpec['secrets']>[number],
    parts: string[] | undefined,
    path: Segment[],
  ): SecretSpec | undefined {
    const grants = (raw.grants ?? []).flatMap((grant, i) => {
      const grantPath = [...path, 'grants', i];
      const role = this.roleRef(grant.role, [...grantPath, 'role'], 'given privileges on this secret');
      const privileges = this.privilegeNames(grant.privileges, 'secret', [...grantPath, 'privileges']);
      if (role === undefined || privileges === undefined) return [];
      return [{ role, privileges, source: this.at(grantPath) }];
    });
    if (parts === undefined) return undefined;
    const [database = '', schema = '', name = ''] = parts;
    const schemaDeclared =
      (this.databases.get(database)?.has(schema) ?? false) ||
      (this.databases.has(database) && IMPLICIT_SCHEMAS.includes(schema));
    return {
      database,
      schema,
      name,
      qualifiedName: parts.join('.'),
      type: raw.type,
      ...optional('comment', raw.comment),
      grants,
      schemaDeclared,
      ...this.placed(path, raw),
    };
  }

  // --- users --------------------------------------------------------------------------------------------

  private user(raw: RawUser, name: string | undefined, path: Segment[]): UserSpec | undefined {
    const defaultRole =
      raw.default_role === undefined
        ? undefined
        : this.roleRef(raw.default_role, [...path, 'default_role'], 'named as default_role');
    const defaultWarehouse =
      raw.default_warehouse === undefined
        ? undefined
        : this.located(this.objectRef('warehouse', raw.default_warehouse, [...path, 'default_warehouse']), [
            ...path,
            'default_warehouse',
          ]);
    const defaultNamespace =
      raw.default_namespace === undefined
        ? undefined
        : this.namespace(raw.default_namespace, [...path, 'default_namespace']);
    const roles = (raw.roles ?? []).flatMap((value, i) => {
      const ref = this.roleRef(value, [...path, 'roles', i], 'granted to this user');
      return ref === undefined ? [] : [ref];
    });
    let networkPolicy: UserSpec['networkPolicy'];
    if (raw.network_policy !== undefined) {
      const policyPath = [...path, 'network_policy'];
      const policy = this.identifier(raw.network_policy, policyPath);
      if (policy !== undefined && !this.networkPolicies.has(policy)) {
        this.problem(
          policyPath,
          `the network policy ${policy} is not declared in \`network_policies\`. Declare it there, with its allowed_ip_list, or correct the name`,
        );
      } else if (policy !== undefined) {
        networkPolicy = { name: policy, source: this.at(policyPath) };
      }
    }
    const workloadIdentity =
      raw.workload_identity === undefined
        ? undefined
        : this.workloadIdentity(raw.workload_identity, raw.type, [...path, 'workload_identity']);
    const key = raw.key === undefined ? undefined : this.key(raw.key, raw.type, [...path, 'key']);
    if (
      defaultRole !== undefined &&
      defaultRole.name !== 'PUBLIC' &&
      raw.roles !== undefined &&
      !roles.some((role) => role.name === defaultRole.name)
    ) {
      this.warnings.push({
        ...this.at([...path, 'default_role']),
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
      ...this.placed(path, raw),
    };
  }

  private located(
    ref: ObjectRef | undefined,
    path: Segment[],
  ): (ObjectRef & { source: SourceLocation }) | undefined {
    return ref === undefined ? undefined : { ...ref, source: this.at(path) };
  }

  /** DEFAULT_NAMESPACE: `database` or `database.schema`. */
  private namespace(value: string, path: Segment[]): (ObjectRef & { source: SourceLocation }) | undefined {
    const parts = countQualifiedParts(value) === 1 ? 1 : 2;
    if (countQualifiedParts(value) > 2) {
      this.problem(
        path,
        `${JSON.stringify(value)} has more than two parts. Write database or database.schema`,
      );
      return undefined;
    }
    return this.located(this.objectRef(parts === 1 ? 'database' : 'schema', value, path), path);
  }

  private workloadIdentity(
    raw: NonNullable<RawUser['workload_identity']>,
    type: UserType,
    path: Segment[],
  ): WorkloadIdentitySpec | undefined {
    let valid = true;
    if (type !== 'SERVICE') {
      valid = false;
      this.problem(
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
      this.problem(
        [...path, 'issuer'],
        `holds the control character ${describeCharacter(issuerControl[0])}. Write the issuer URL on one line, e.g. https://token.actions.githubusercontent.com`,
      );
    } else if (issuer?.protocol !== 'https:') {
      valid = false;
      this.problem(
        [...path, 'issuer'],
        `${JSON.stringify(raw.issuer)} is not an https:// URL. For GitHub Actions write https://token.actions.githubusercontent.com`,
      );
    }
    const subject = raw.subject.trim();
    // eslint-disable-next-line no-control-regex
    if (subject === '' || subject.length > MAX_SUBJECT_LENGTH || /[\u0000-\u001f\u007f]/.test(subject)) {
      valid = false;
      this.problem(
        [...path, 'subject'],
        `should be the exact \`sub\` claim (1 to ${MAX_SUBJECT_LENGTH} characters, one line), e.g. repo:acme/app:environment:production`,
      );
    }
    const audiences = raw.audiences?.map((audience) => audience.trim());
    audiences?.forEach((audience, i) => {
      const control = CONTROL.exec(audience);
      if (audience === '' || control) {
        valid = false;
        this.problem(
          [...path, 'audiences', i],
          `${control ? `holds the control character ${describeCharacter(control[0])}` : 'is blank'}. Give the audience the token is issued for, on one line, e.g. snowflakecomputing.com`,
        );
      }
    });
    if (!valid) return undefined;
    return { issuer: raw.issuer, subject, ...optional('audiences', audiences), source: this.at(path) };
  }

  private key(raw: NonNullable<RawUser['key']>, type: UserType, path: Segment[]): KeySpec | undefined {
    if (type === 'PERSON') {
      this.problem(
        path,
        'is set on a PERSON user. The action manages key pairs of service users only: set `type: SERVICE` (or LEGACY_SERVICE), or remove the key block',
      );
      return undefined;
    }
    const secretPath = [...path, 'secret'];
    const secret = raw.secret;
    const name = this.parse([...secretPath, 'name'], (input) => parseSecretName(secret.name, input));
    const placement = checkPlacement(placementFields(secret), this.placementReporter(secret, secretPath));
    let maxAgeMs: number | undefined;
    if (raw.max_age !== undefined) {
      maxAgeMs = this.parse([...path, 'max_age'], (input) => parseDuration(raw.max_age ?? '', input));
      if (maxAgeMs === 0) {
        this.problem([...path, 'max_age'], 'is zero. Give the longest age a key may reach, e.g. 90d');
      }
    }
    if (name === undefined) return undefined;
    return {
      secret: { name, ...placement, source: this.at(secretPath) },
      ...optional('maxAgeMs', maxAgeMs),
      ...this.placed(path, raw),
    };
  }

  /** Reports a placement problem on the field of `key.secret` that breaks the rule. */
  private placementReporter(secret: RawKeySecret, secretPath: Segment[]): PlacementReporter {
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
      parse: (field, index, parse) => this.parse(fieldPath(field, index), parse),
      problem: (problem) => {
        switch (problem.rule) {
          case 'organization-with-repository':
            return this.problem(
              [...secretPath, 'organization'],
              'is set together with repository or environment. A key goes either to an organization secret or to repository/environment secrets: remove one',
            );
          case 'selected-visibility-without-list':
            return this.problem(
              [...secretPath, 'visibility'],
              "is 'selected' without selected_repositories. List the repositories that may read the secret, or choose private or all",
            );
          case 'visibility-without-organization':
            return this.problem(
              [...secretPath, 'visibility'],
              'applies to organization secrets only. Remove it, or set organization',
            );
          case 'list-without-selected-visibility':
            return this.problem(
              [...secretPath, 'selected_repositories'],
              'is set without `visibility: selected`. Set the visibility to selected, or remove the list',
            );
          case 'outside-organization':
            return this.problem(
              fieldPath('selectedRepositories', problem.index),
              `is not a repository of ${problem.organization}. List repositories of ${problem.organization} only`,
            );
          case 'no-repository':
            // A spec's key without a repository goes to the repository of the workflow that runs setup.
            return;
        }
      },
    };
  }

  // --- checks across elements ---------------------------------------------------------------------------

  /** An object has one owner: two roles declared as its owner cannot both be right. */
  private checkOwnership(roles: (RoleSpec | undefined)[], secrets: (SecretSpec | undefined)[]): void {
    const owners = new Map<string, string>();
    const claim = (object: string, role: string, source: SourceLocation): void => {
      const owner = owners.get(object);
      if (owner === undefined) {
        owners.set(object, role);
      } else if (owner !== role) {
        this.issues.push({
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
  private checkRoleCycles(roles: (RoleSpec | undefined)[]): void {
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
              this.issues.push({
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
  private checkSharedIdentities(users: (UserSpec | undefined)[]): void {
    const identities = new Map<string, string>();
    const destinations = new Map<string, string>();
    for (const user of users.filter(isDefined)) {
      if (user.workloadIdentity) {
        const key = `${user.workloadIdentity.issuer}\u0000${user.workloadIdentity.subject}`;
        const other = identities.get(key);
        if (other !== undefined) {
          this.issues.push({
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
            this.issues.push({
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

function isDefined<T>(value: T | undefined): value is T {
  return value !== undefined;
}

/** `{ [key]: value }` when the value is defined, `{}` otherwise (so absent fields stay absent). */
function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
