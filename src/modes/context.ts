import { ModeFailure, renderError } from '../errors.js';
import type { SnowflakeLogin } from '../config.js';
import type { SecretWriter } from '../github/secrets.js';
import type { SnowflakeConnector, SnowflakeSession } from '../snowflake/connection.js';
import { loginRequest } from '../snowflake/login-request.js';
import type { UserState } from '../snowflake/users.js';
import type { StepRunner } from '../steps.js';

/**
 * What every mode shares: the collaborators main.ts hands it, the login that opens its session, and how a
 * user's key slots read in the log.
 */

/**
 * What a mode needs from the outside world: the Snowflake driver, the GitHub writer and the clock, and the
 * printing of main.ts (a mode never prints on its own: everything it says goes through main.ts's redact()).
 */
export interface ModeDependencies {
  connect: SnowflakeConnector;
  secretWriter: SecretWriter;
  now: () => Date;
  setSecret: (value: string) => void;
  log: (line: string) => void;
  /** Starts a group of log lines (a phase of the run, collapsed in the Actions log); ends the previous one. */
  phase: (title: string) => void;
  warn: (line: string) => void;
}

/**
 * Logs in (a step of its own), runs a mode's body in that session and closes it. A failure is rethrown as a
 * ModeFailure carrying the mode's result so far, so outputs and the report can say what was done.
 */
export async function inSession<Result extends { error?: string }>(
  runner: StepRunner,
  login: SnowflakeLogin,
  deps: Pick<ModeDependencies, 'connect'>,
  result: Result,
  body: (session: SnowflakeSession) => Promise<Result>,
): Promise<Result> {
  let session: SnowflakeSession | undefined;
  try {
    const opened = await runner.step('login', async () => ({
      result: await deps.connect(loginRequest(login)),
      note: `logged in to ${login.account} as ${login.user ?? 'the workload identity user'} (${login.method.kind})`,
    }));
    session = opened;
    return await body(opened);
  } catch (error) {
    result.error = renderError(error);
    throw new ModeFailure(error, result);
  } finally {
    await session?.close();
  }
}

/** Both key slots of a user, for the log: fingerprint and when each was set, or empty. */
export function describeSlots(state: UserState): string {
  return Object.values(state.slots)
    .map(
      (slot) =>
        `${slot.slot} ${slot.fingerprint ? `${slot.fingerprint} (set ${slot.lastSetAt?.toISOString() ?? 'at an unknown time'})` : 'empty'}`,
    )
    .join(', ');
}
