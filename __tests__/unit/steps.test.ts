import { ActionError } from '../../src/errors.js';
import { StepFailure, StepRunner } from '../../src/steps.js';

test('steps log their decision; a failure runs armed compensations in reverse and keeps the original error', async () => {
  const log: string[] = [];
  const undone: string[] = [];
  const runner = new StepRunner((line) => log.push(line));
  await runner.step('one', async () => {
    runner.onFailure('undo one', async () => void undone.push('one'));
    return { result: 1, note: 'did one' };
  });
  const disarmed = await runner.step('two', async () => ({
    result: runner.onFailure('undo two', async () => void undone.push('two')),
    note: 'did two',
  }));
  await runner.step('three', async () => {
    runner.onFailure('undo three', async () => void undone.push('three'));
    return { result: 3, note: 'did three' };
  });
  disarmed.armed = false;
  const failure = await runner
    .step('four', async () => {
      throw new ActionError('it broke', { code: 'X1', hint: 'do this' });
    })
    .catch((error: unknown) => error);
  expect(failure).toBeInstanceOf(StepFailure);
  expect((failure as StepFailure).render()).toBe(
    'Step four failed: it broke. do this. Rolled back: undo three. Rolled back: undo one',
  );
  expect((failure as StepFailure).code).toBe('X1');
  expect(undone).toEqual(['three', 'one']);
  expect(log).toEqual([
    'one: did one',
    'two: did two',
    'three: did three',
    'undo three: undo three: done',
    'undo one: undo one: done',
  ]);
  expect(runner.timings.map((t) => `${t.step}:${t.outcome}`)).toEqual([
    'one:ok',
    'two:ok',
    'three:ok',
    'four:failed',
    'undo three:undone',
    'undo one:undone',
  ]);
});

test('a failing compensation is reported, not hidden', async () => {
  const runner = new StepRunner(() => undefined);
  await runner.step('set', async () => {
    runner.onFailure(
      'restore the slot',
      async () => {
        throw new Error('network down');
      },
      'run ALTER USER x UNSET RSA_PUBLIC_KEY_2 yourself',
    );
    return { result: undefined, note: '' };
  });
  const failure = (await runner
    .step('next', async () => Promise.reject(new Error('boom')))
    .catch((e: unknown) => e)) as StepFailure;
  expect(failure.render()).toMatch(
    /Step next failed: boom. Roll-back failed \(restore the slot\): network down; run ALTER USER x UNSET RSA_PUBLIC_KEY_2 yourself$/,
  );
});
