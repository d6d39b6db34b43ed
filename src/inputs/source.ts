import * as core from '@actions/core';
import { ActionError, inputError } from '../errors.js';
import { parseDuration, splitList } from '../parse.js';

export interface InputSource {
  /** The raw input, '' when unset (as core.getInput returns it). */
  getInput(name: string): string;
  env: Readonly<Record<string, string | undefined>>;
  setSecret(value: string): void;
}

/** The inputs and environment of a real Actions run. */
export function actionsInputSource(): InputSource {
  return {
    getInput: (name) => core.getInput(name),
    env: process.env,
    setSecret: (value) => core.setSecret(value),
  };
}

/** Typed access to raw inputs; every parse error names the input. */
export class Inputs {
  constructor(private readonly source: InputSource) {}

  optional(name: string): string | undefined {
    const value = this.source.getInput(name).trim();
    return value === '' ? undefined : value;
  }

  required(name: string, what: string): string {
    const value = this.optional(name);
    if (value === undefined) throw inputError(name, 'is required', `Set it to ${what}`);
    return value;
  }

  boolean(name: string, fallback: boolean): boolean {
    const value = this.optional(name);
    if (value === undefined) return fallback;
    // The YAML 1.2 core schema booleans, as core.getBooleanInput accepts them.
    if (['true', 'True', 'TRUE'].includes(value)) return true;
    if (['false', 'False', 'FALSE'].includes(value)) return false;
    throw inputError(name, `is '${value}', which is not a boolean`, "Use 'true' or 'false'");
  }

  choice<T extends string>(name: string, allowed: readonly T[], fallback: T | undefined): T {
    const value = this.optionalChoice(name, allowed) ?? fallback;
    if (value === undefined) throw inputError(name, 'is required', `Set it to one of: ${allowed.join(', ')}`);
    return value;
  }

  /** One of `allowed`, or undefined when the input is not set. */
  optionalChoice<T extends string>(name: string, allowed: readonly T[]): T | undefined {
    const value = this.optional(name);
    if (value !== undefined && !(allowed as readonly string[]).includes(value)) {
      throw inputError(name, `is '${value}'`, `Use one of: ${allowed.join(', ')}`);
    }
    return value as T | undefined;
  }

  duration(name: string, fallback: string): number {
    return parseDuration(this.optional(name) ?? fallback, name);
  }

  list(name: string): string[] {
    return splitList(this.optional(name) ?? '');
  }
}

/**
 * Environment knobs that shorten the action's waits (the fault tests use them, so that a service that never
 * answers costs seconds, not minutes): SNOWFLAKE_KEYPAIR_ACTION_STATEMENT_DEADLINE_MS, how long a Snowflake
 * statement may take with the driver's retries (default 90 s); SNOWFLAKE_KEYPAIR_ACTION_GITHUB_TIMEOUT_MS,
 * how long one GitHub request may take (default 15 s).
 */
export function readMillisecondsKnob(env: InputSource['env'], name: string): number | undefined {
  return readWholeNumberKnob(env, name, {
    min: 1000,
    what: 'a number of milliseconds of at least 1000',
    hint: 'Unset it, or give a whole number such as 30000',
  });
}

/** An environment knob holding a whole number within bounds; undefined when unset. */
export function readWholeNumberKnob(
  env: InputSource['env'],
  name: string,
  rule: { min: number; max?: number; what: string; hint: string },
): number | undefined {
  const raw = env[name];
  if (!raw) return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < rule.min || value > (rule.max ?? Number.MAX_SAFE_INTEGER)) {
    throw new ActionError(`${name} is not ${rule.what}`, { code: 'invalid-environment', hint: rule.hint });
  }
  return value;
}
