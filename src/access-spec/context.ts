import { ActionError } from '../errors.js';
import { resolveIdentifier, resolveQualifiedName } from '../snowflake/identifiers.js';
import { type ObjectRef, type Placed, type RoleRef, type SourceLocation, type SpecIssue } from './model.js';
import {
  IMPLICIT_SCHEMAS,
  NAME_PARTS,
  SYSTEM_DATABASES,
  SYSTEM_ROLES,
  snowflakeObjectType,
  type ObjectKind,
} from './snowflake-catalog.js';
import { type Locator, type Segment, formatPath } from './yaml.js';

/**
 * What building the model from the schema-valid document shares: the problems and warnings found so far, the
 * names declared (so that references resolve, also forwards), and the helpers that place and resolve a field.
 */
export class SpecContext {
  readonly issues: SpecIssue[] = [];
  readonly warnings: SpecIssue[] = [];
  readonly databases = new Map<string, Set<string>>();
  readonly warehouses = new Set<string>();
  readonly networkPolicies = new Set<string>();
  readonly roles = new Set<string>();
  readonly users = new Set<string>();
  readonly secrets = new Set<string>();

  constructor(readonly locator: Locator) {}

  problem(path: readonly Segment[], message: string): void {
    this.issues.push({ ...this.locator.at(path), message });
  }

  at(path: readonly Segment[]): SourceLocation {
    return this.locator.at(path);
  }

  /**
   * Where an element is and where each field it writes is: the one place an element's sources are made, so
   * that every finding about a field can be shown on that field's line (sourceOf in model.ts).
   */
  placed<Field extends string>(
    path: readonly Segment[],
    raw: Partial<Record<Field, unknown>>,
  ): Placed<Field> {
    const fields: Partial<Record<Field, SourceLocation>> = {};
    for (const field of Object.keys(raw) as Field[]) fields[field] = this.at([...path, field]);
    return { source: this.at(path), fields };
  }

  /** resolveIdentifier, with its message reworded as `<file>:<line>: <path>: ...`. */
  identifier(value: string, path: readonly Segment[]): string | undefined {
    return this.reuseIdentifierRules(value, path, (context) => resolveIdentifier(value, context));
  }

  qualified(value: string, parts: number, path: readonly Segment[]): string[] | undefined {
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
  declare(
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
  parse<T>(path: readonly Segment[], parse: (input: string) => T): T | undefined {
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

  /** The object a privilege entry names, with whether the spec (or Snowflake itself) provides it. */
  objectRef(kind: ObjectKind, value: string | undefined, path: Segment[]): ObjectRef | undefined {
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
  roleRef(value: string, path: Segment[], what: string): RoleRef | undefined {
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
}

export function isDefined<T>(value: T | undefined): value is T {
  return value !== undefined;
}

/** `{ [key]: value }` when the value is defined, `{}` otherwise (so absent fields stay absent). */
export function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
