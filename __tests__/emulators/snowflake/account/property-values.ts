// Reading a property's value (`NAME = value` in CREATE/ALTER) as the kind the property takes. A value
// of another kind is refused with 001008 `invalid value for property 'NAME'`.

import { invalidValue } from '../errors.js';
import type { Property } from '../statements.js';

export const invalidValueOf = (p: Property) => invalidValue(`invalid value for property '${p.name}'`);

/** A string literal. */
export function stringValue(p: Property): string {
  if (p.value.kind === 'string') return p.value.value;
  throw invalidValueOf(p);
}

/** A string literal, or an identifier (its dotted parts as stored). */
export function nameOrString(p: Property): string {
  if (p.value.kind === 'string') return p.value.value;
  if (p.value.kind === 'ident') return p.value.parts.map((x) => x.name).join('.');
  throw invalidValueOf(p);
}

/** TRUE / FALSE, also as the strings 'true' / 'false' in any case. */
export function flagValue(p: Property): boolean {
  if (p.value.kind === 'bool') return p.value.value;
  if (p.value.kind === 'string' && /^(true|false)$/i.test(p.value.value)) {
    return p.value.value.toLowerCase() === 'true';
  }
  throw invalidValueOf(p);
}

/** A number, as written. */
export function numberValue(p: Property): string {
  if (p.value.kind === 'number') return p.value.value;
  throw invalidValueOf(p);
}

/** ALTER … UNSET where only COMMENT can be unset (docs, "ALTER SECRET", "ALTER NETWORK POLICY"). */
export function unsetComment(
  draft: { comment: string | null },
  names: string[],
  kind: 'SECRET' | 'NETWORK_POLICY',
): void {
  for (const name of names) {
    if (name !== 'COMMENT') throw invalidValue(`invalid property '${name}' for '${kind}'`);
    draft.comment = null;
  }
}
