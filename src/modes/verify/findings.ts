import type { VerifyConfig } from '../../config.js';
import { type Answer, type AccountReader, type Refusal, isRefusal } from '../../snowflake/account-reader.js';
import { type Placed, type SourceLocation, type SpecGrants, sourceOf } from '../../access-spec/model.js';

export type Severity = 'error' | 'warning';
export type ObjectType = 'network policy' | 'database' | 'schema' | 'warehouse' | 'role' | 'user' | 'secret';
export const OBJECT_TYPES: readonly ObjectType[] = [
  'network policy',
  'database',
  'schema',
  'warehouse',
  'role',
  'user',
  'secret',
];

export interface Finding {
  severity: Severity;
  objectType: ObjectType;
  objectName: string;
  check: string;
  /** What is wrong, in a sentence. */
  message: string;
  /** The SQL (or action) that fixes it. */
  fix: string;
  /**
   * The place in the spec it is about: the line of the field that differs (sourceOf), or of the element when
   * the spec leaves that field out; a grant's own list item.
   */
  source: SourceLocation;
}

export interface Check {
  objectType: ObjectType;
  objectName: string;
  check: string;
  result: 'pass' | Severity;
}

/** The object a check is about. */
export interface Subject {
  type: ObjectType;
  name: string;
}

/** What every check works with: the inputs, the account, and where its outcome goes. */
export interface Verification {
  config: VerifyConfig;
  reader: AccountReader;
  record: Findings;
  /** The spec's grants, expanded once (grantsOf). */
  grants: SpecGrants;
  /** The session's role, as a GRANT in a fix names it. */
  role: string;
  now: Date;
}

/** The checks made and the findings among them, in the order they are made; sorted by `outcome`. */
export class Findings {
  private readonly checks: Check[] = [];
  private readonly findings: Finding[] = [];

  pass(subject: Subject, check: string): void {
    this.checks.push({ objectType: subject.type, objectName: subject.name, check, result: 'pass' });
  }

  find(
    subject: Subject,
    check: string,
    severity: Severity,
    message: string,
    fix: string,
    source: SourceLocation,
  ): void {
    this.checks.push({ objectType: subject.type, objectName: subject.name, check, result: severity });
    this.findings.push({
      severity,
      objectType: subject.type,
      objectName: subject.name,
      check,
      message,
      fix,
      source,
    });
  }

  /** A read the role may not make: the check it was for fails, saying what the role lacks. */
  refused(subject: Subject, check: string, refusal: Refusal, needs: string, source: SourceLocation): void {
    this.find(
      subject,
      check,
      'error',
      `cannot check ${subject.type} ${subject.name}: ${refusal.statement} was refused (${refusal.code ?? 'no code'}: ${refusal.reason})`,
      `Run verify as a role that ${needs}`,
      source,
    );
  }

  /** `true` when the answer is usable; otherwise records the refusal and returns false. */
  usable<T>(
    answer: Answer<T>,
    subject: Subject,
    check: string,
    needs: string,
    source: SourceLocation,
  ): answer is T {
    if (!isRefusal(answer)) return true;
    this.refused(subject, check, answer, needs, source);
    return false;
  }

  compare(
    subject: Subject,
    check: string,
    expected: string | undefined,
    actual: string | undefined,
    fix: string,
    source: SourceLocation,
  ): void {
    if (expected === actual) this.pass(subject, check);
    else {
      this.find(
        subject,
        check,
        'error',
        `${check} of ${subject.type} ${subject.name} is ${actual ?? 'not set'}, the spec says ${expected ?? 'not set'}`,
        fix,
        source,
      );
    }
  }

  /**
   * Compares settings of one spec element, each on the line of its field: a setting the spec leaves out
   * (`expected` undefined) is not checked.
   */
  compareSettings<Field extends string>(
    subject: Subject,
    element: Placed<Field>,
    settings: { check: Field; expected: string | undefined; actual: string | undefined; fix: () => string }[],
  ): void {
    for (const { check, expected, actual, fix } of settings) {
      if (expected !== undefined)
        this.compare(subject, check, expected, actual, fix(), sourceOf(element, check));
    }
  }

  missing(subject: Subject, source: SourceLocation, create: string): void {
    this.find(
      subject,
      'exists',
      'error',
      `${subject.type} ${subject.name} does not exist (or the role cannot see it)`,
      `${create} (or run mode: setup with this spec)`,
      source,
    );
  }

  outcome(): { checks: Check[]; findings: Finding[]; errors: number; warnings: number; headline: string } {
    const order = (a: Finding, b: Finding): number =>
      a.source.line - b.source.line || a.check.localeCompare(b.check) || a.message.localeCompare(b.message);
    const findings = [...this.findings].sort(order);
    const checks = [...this.checks].sort(
      (a, b) =>
        OBJECT_TYPES.indexOf(a.objectType) - OBJECT_TYPES.indexOf(b.objectType) ||
        a.objectName.localeCompare(b.objectName) ||
        a.check.localeCompare(b.check),
    );
    const errors = findings.filter((f) => f.severity === 'error').length;
    const warnings = findings.length - errors;
    const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
    return {
      checks,
      findings,
      errors,
      warnings,
      headline: `${plural(errors, 'error')}, ${plural(warnings, 'warning')} in ${plural(checks.length, 'check')}`,
    };
  }
}
