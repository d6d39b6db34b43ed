import { quoteIdentifier, quoteString, resolveIdentifier } from '../../src/snowflake/identifiers.js';

const ctx = { source: "input 'target-user'" };

describe('resolveIdentifier', () => {
  test.each([
    ['segment_user', 'SEGMENT_USER'],
    ['  Key_Rotator$1 ', 'KEY_ROTATOR$1'],
    ['_x', '_X'],
    ['"my-user"', 'my-user'],
    ['"Quoted ""name"""', 'Quoted "name"'],
    ['"a.b"', 'a.b'],
  ])('%s resolves to %s', (input, expected) => {
    expect(resolveIdentifier(input, ctx)).toBe(expected);
  });

  test.each([
    ['', /is empty/],
    ['1abc', /not a valid unquoted/],
    ['a b', /not a valid unquoted/],
    ['x; DROP USER y', /not a valid unquoted/],
    ['x"--', /not a valid unquoted/],
    ['"unterminated', /without a closing one/],
    ['"a"b"', /lone double quote/],
    ['""', /empty quoted name/],
    ['"a\nb"', /control character/],
    ['ＡＤＭＩＮ', /not a valid unquoted/],
    ['A'.repeat(256), /longer than Snowflake's limit of 255/],
  ])('%j is refused', (input, message) => {
    expect(() => resolveIdentifier(input, ctx)).toThrow(message);
    expect(() => resolveIdentifier(input, ctx)).toThrow(/input 'target-user'/);
  });
});

describe('quoting', () => {
  test('identifiers are always double-quoted with inner quotes doubled', () => {
    expect(quoteIdentifier('SEGMENT_USER')).toBe('"SEGMENT_USER"');
    expect(quoteIdentifier('a"b')).toBe('"a""b"');
  });

  test('a resolved name round-trips through quoting', () => {
    for (const name of ['"x""y"', '"Mixed Case"', 'plain']) {
      const resolved = resolveIdentifier(name, ctx);
      expect(resolveIdentifier(quoteIdentifier(resolved), ctx)).toBe(resolved);
    }
  });

  test('string literals escape quotes and backslashes', () => {
    expect(quoteString("it's")).toBe("'it\\'s'");
    expect(quoteString('a\\b')).toBe("'a\\\\b'");
  });
});
