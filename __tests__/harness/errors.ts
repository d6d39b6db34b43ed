import { ActionError } from '../../src/errors.js';

/** The text a user would see for the error `fn` throws (message and hint); fails when it does not throw. */
export function errorText(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    return error instanceof ActionError ? error.render() : String(error);
  }
  throw new Error('expected an error');
}

/** What a promise rejects with; fails when it resolves. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

/** The ActionError a promise rejects with; fails when it resolves or rejects with anything else. */
export async function actionErrorOf(promise: Promise<unknown>): Promise<ActionError> {
  const error = await rejectionOf(promise);
  if (!(error instanceof ActionError)) throw new Error(`expected an ActionError, got ${String(error)}`);
  return error;
}
