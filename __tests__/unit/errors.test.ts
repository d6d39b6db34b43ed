import { ActionError, ModeFailure, renderError, sentences } from '../../src/errors.js';

test('what failed, then what to do, without a doubled full stop', () => {
  expect(new ActionError('Login failed', { hint: 'Check the key' }).render()).toBe(
    'Login failed. Check the key',
  );
  expect(new ActionError('JWT token is invalid.', { hint: 'Check the key' }).render()).toBe(
    'JWT token is invalid. Check the key',
  );
  expect(sentences('Is it set?', '', 'Set it')).toBe('Is it set? Set it');
});

test('an error that is not ours reads the same in the log, the summary and the report', () => {
  const bug = new TypeError('invalid publicKey length');
  expect(renderError(bug)).toBe('Unexpected error: invalid publicKey length');
  expect(renderError('text')).toBe('Unexpected error: text');
  expect(new ModeFailure(bug, {}).render()).toBe(renderError(bug));
  expect(renderError(new ActionError('x', { hint: 'y' }))).toBe('x. y');
});
