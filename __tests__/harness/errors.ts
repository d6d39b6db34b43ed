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

export async function asyncErrorText(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return error instanceof ActionError ? error.render() : String(error);
  }
  throw new Error('expected an error');
}
