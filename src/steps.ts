import { ActionError, carriedOver, messageOf } from './errors.js';

/**
 * Runs a job as named steps. A step that changes something registers its compensation; when a later step
 * fails, the compensations still armed run in reverse order and the run fails with the original error,
 * prefixed by the step's name. Each step logs one line with the decision it made, and its duration is kept
 * for the report.
 */
export interface StepTiming {
  step: string;
  ms: number;
  outcome: 'ok' | 'failed' | 'undone' | 'undo-failed';
}

export interface Compensation {
  /** What undoing does, for the log: "restore RSA_PUBLIC_KEY_2". */
  description: string;
  undo: () => Promise<void>;
  /** Set to false when undoing would be unsafe (e.g. a destination may already hold the new key). */
  armed: boolean;
  /** What a person can do when the undo itself fails. */
  manualFix?: string;
}

export class StepFailure extends ActionError {
  constructor(
    readonly step: string,
    readonly original: unknown,
    readonly rollback: string[],
  ) {
    super(`Step ${step} failed: ${messageOf(original)}`, carriedOver(original, ...rollback));
    this.name = 'StepFailure';
  }
}

export class StepRunner {
  readonly timings: StepTiming[] = [];
  private readonly compensations: { step: string; compensation: Compensation }[] = [];
  private current = '';

  constructor(
    private readonly log: (line: string) => void,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Runs `body`; its return value is logged as the step's decision. */
  async step<T>(name: string, body: () => Promise<{ result: T; note: string }>): Promise<T> {
    const start = this.now();
    this.current = name;
    try {
      const { result, note } = await body();
      this.timings.push({ step: name, ms: Math.round(this.now() - start), outcome: 'ok' });
      this.log(`${name}: ${note}`);
      return result;
    } catch (error) {
      this.timings.push({ step: name, ms: Math.round(this.now() - start), outcome: 'failed' });
      if (error instanceof StepFailure) throw error;
      const rollback = await this.compensate();
      throw new StepFailure(name, error, rollback);
    }
  }

  /**
   * Registers the undo of what the running step changes, before it changes it (so a change whose reply was
   * lost is still undone: undos check what is there). Returns the handle, so it can be disarmed.
   */
  onFailure(description: string, undo: () => Promise<void>, manualFix?: string): Compensation {
    const compensation: Compensation = { description, undo, armed: true, manualFix };
    this.compensations.push({ step: this.current, compensation });
    return compensation;
  }

  private async compensate(): Promise<string[]> {
    const notes: string[] = [];
    for (const { step, compensation } of [...this.compensations].reverse()) {
      if (!compensation.armed) continue;
      compensation.armed = false;
      const start = this.now();
      try {
        await compensation.undo();
        this.timings.push({ step: `undo ${step}`, ms: Math.round(this.now() - start), outcome: 'undone' });
        this.log(`undo ${step}: ${compensation.description}: done`);
        notes.push(`Rolled back: ${compensation.description}`);
      } catch (error) {
        this.timings.push({
          step: `undo ${step}`,
          ms: Math.round(this.now() - start),
          outcome: 'undo-failed',
        });
        const reason = messageOf(error);
        this.log(`undo ${step}: ${compensation.description}: FAILED: ${reason}`);
        notes.push(
          `Roll-back failed (${compensation.description}): ${reason}; ${compensation.manualFix ?? 'check what the step changed and undo it by hand'}`,
        );
      }
    }
    return notes;
  }
}
