/**
 * The one error type lower layers throw. main.ts renders it as "<what failed>: <why>. <what to do>",
 * so every message a user sees has the same three parts, and no layer prints on its own behalf.
 */
export interface ActionErrorDetails {
  /** Stable machine-readable code: a Snowflake error code, an HTTP status, or one of ours. */
  code?: string;
  /** The input whose value caused the error, when there is one. */
  input?: string;
  /** What the user can do about it. */
  hint?: string;
  /** The underlying error, kept for debug logs. Its message must not carry secrets. */
  cause?: unknown;
}

export class ActionError extends Error {
  readonly code?: string;
  readonly input?: string;
  readonly hint?: string;

  constructor(message: string, details: ActionErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'ActionError';
    this.code = details.code;
    this.input = details.input;
    this.hint = details.hint;
  }

  /** The full text shown to the user: what failed and why, then what to do. */
  render(): string {
    return this.hint ? sentences(this.message, this.hint) : this.message;
  }
}

/**
 * The text shown for any error: an ActionError rendered, anything else (a bug, a library failing in a way we
 * did not foresee) as "Unexpected error: <its message>", without its class name or stack (those go to the
 * debug log). One function, so the log line, the summary and the report say the same thing.
 */
export function renderError(error: unknown): string {
  if (error instanceof ActionError) return error.render();
  return `Unexpected error: ${messageOf(error)}`;
}

/** An error's message without its class name, or the thrown value as text. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * How an error is quoted inside another one's message: an ActionError by its message, anything else (a bug, a
 * library's error) as text with its class name, which tells it from ours.
 */
export function quotedReason(error: unknown): string {
  return error instanceof ActionError ? error.message : String(error);
}

/** Joins sentences with ". ", leaving out empty ones, without doubling a full stop a part already ends with. */
export function sentences(...parts: (string | undefined)[]): string {
  return parts
    .filter((part): part is string => part !== undefined && part !== '')
    .reduce((text, part) => (text === '' ? part : `${text}${/[.!?]$/.test(text) ? ' ' : '. '}${part}`), '');
}

/**
 * What an error that wraps `error` keeps of it: an ActionError's code, and its hint first, before `hints` of
 * the wrapper's own. The code is left out for anything else, so that a code the caller puts before this
 * stands in for it.
 */
export function carriedOver(error: unknown, ...hints: (string | undefined)[]): ActionErrorDetails {
  if (!(error instanceof ActionError)) return { hint: sentences(...hints) || undefined };
  return { code: error.code, hint: sentences(error.hint, ...hints) || undefined };
}

/**
 * An ActionError about `error`: its message says where (`message` is given how the error is quoted), and it
 * keeps the error's code and hint (see carriedOver), and the error itself as its cause.
 */
export function wrapError(
  error: unknown,
  message: (reason: string) => string,
  ...hints: (string | undefined)[]
): ActionError {
  return new ActionError(message(quotedReason(error)), { ...carriedOver(error, ...hints), cause: error });
}

/** An input that is missing or malformed: always names the input and how to fix it. */
export function inputError(input: string, problem: string, fix: string): ActionError {
  return new ActionError(`Input '${input}' ${problem}`, { code: 'invalid-input', input, hint: fix });
}

/** Whether a failed write may have stored the value anyway (a reply lost after the work was done). */
export type WriteOutcome = 'not-written' | 'unknown';

/** A failed write of the private key to a destination, saying whether it may have landed. */
export class WriteError extends ActionError {
  constructor(
    error: unknown,
    readonly outcome: WriteOutcome,
  ) {
    super(quotedReason(error), { ...carriedOver(error), cause: error });
    this.name = 'WriteError';
  }
}

/** A mode that failed part way, carrying how far it got, so outputs and the report can say what changed. */
export class ModeFailure<Result> extends ActionError {
  constructor(
    readonly original: unknown,
    readonly result: Result,
  ) {
    super(original instanceof ActionError ? original.message : renderError(original), {
      ...carriedOver(original),
      cause: original,
    });
    this.name = 'ModeFailure';
  }
}
