import { Ajv, type ErrorObject } from 'ajv';
import schema from '../../schema/access-spec.schema.json' with { type: 'json' };
import { describeCharacter } from '../snowflake/identifiers.js';
import { type SpecIssue, sortIssues } from './model.js';
import { type Locator, type Segment, formatPath } from './yaml.js';

/** The JSON Schema check of the access spec, with ajv's errors reworded to say what to write instead. */

/** A control character: a field that is one line must not hold one. */
// eslint-disable-next-line no-control-regex
export const CONTROL = /[\u0000-\u001f\u007f]/;

// Compiled once, on first use. The schema is draft-07, which the default Ajv class handles without extra
// packages. Strict mode, with union types allowed (`repository` is a string or a list); `verbose` gives each
// error its schema and data, for messages that list the allowed fields.
let compiled: ReturnType<Ajv['compile']> | undefined;
export function validator(): ReturnType<Ajv['compile']> {
  compiled ??= new Ajv({ allErrors: true, verbose: true, strict: true, allowUnionTypes: true }).compile(
    schema,
  );
  return compiled;
}

/** ajv's errors, reworded to say what is wrong and what to write instead. */
export function schemaIssues(errors: ErrorObject[], locator: Locator): SpecIssue[] {
  const issues: SpecIssue[] = [];
  const seen = new Set<string>();
  for (const error of errors) {
    // `if` only reports that its `then`/`else` failed; that branch's own error says why.
    if (error.keyword === 'if') continue;
    const { at, message } = schemaIssue(error);
    const key = `${formatPath(at)}\u0000${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    issues.push({ ...locator.at(at), message });
  }
  return sortIssues(issues);
}

/** One ajv error: the path it is about, and what to write instead. */
function schemaIssue(error: ErrorObject): { at: Segment[]; message: string } {
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
  return { at, message };
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
export function suggestion(value: string, allowed: readonly string[]): string {
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
