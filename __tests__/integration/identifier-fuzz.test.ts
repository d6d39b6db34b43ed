// Property-based tests of identifier and string quoting (src/snowflake/identifiers.ts) against the Snowflake
// emulator, through the real snowflake-sdk: whatever name a user writes, the statement we build names exactly
// that object, and no name can change the statement it is placed in.
//
// Snowflake's rules (https://docs.snowflake.com/en/sql-reference/identifiers-syntax): a double-quoted
// identifier keeps its case and may hold any character, `""` standing for one `"`; unquoted identifiers are
// ASCII letters, digits, `_` and `$`, not starting with a digit, stored upper-cased; at most 255 characters
// either way. String constants
// (https://docs.snowflake.com/en/sql-reference/data-types-text#escape-sequences-in-single-quoted-string-constants)
// treat backslash as an escape character. Our own policy on top: names with control characters are refused
// (they cannot be typed on purpose, and they would make logs and SQL unreadable).

import fc from 'fast-check';
import { ActionError } from '../../src/errors.js';
import { type SnowflakeSession, snowflakeConnector } from '../../src/snowflake/connection.js';
import {
  quoteIdentifier,
  quoteString,
  resolveIdentifier,
  resolveQualifiedName,
} from '../../src/snowflake/identifiers.js';
import { SnowflakeControl } from '../emulators/snowflake/control.js';
import { type SnowflakeEmulator, startSnowflakeEmulator } from '../emulators/snowflake/server.js';
import { type TestKey, newKey } from '../harness/world.js';

/** Fixed, so that a failure replays; fast-check prints the seed and the shrunk counterexample on failure. */
const SEED = 20_260_307;
const NUM_RUNS = 300;
const ADMIN = 'FUZZ_ADMIN';
const context = { source: "input 'target-user'" };

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;
const characters = (text: string): number => Array.from(text).length;
/** What our rules accept, written down independently of the code under test. */
const acceptable = (name: string): boolean => name !== '' && !CONTROL.test(name) && characters(name) <= 255;
/** What quoteIdentifier takes, from Snowflake too: any name but the empty one, one holding NUL, or a too long one. */
const quotable = (name: string): boolean =>
  name !== '' && !name.includes('\u0000') && characters(name) <= 255;
/** How a user writes an exact, case-sensitive name: in double quotes, each `"` doubled. */
const asUserWritesIt = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/**
 * One character, biased towards what breaks quoting: quotes, backslashes, statement separators, comment
 * openers, blanks, dots, look-alikes (Cyrillic А, fullwidth ａ), a zero-width space, emoji (two UTF-16 units,
 * one character), lowercase, control characters; and any code point at all.
 */
const hostileUnit = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      '"',
      '""',
      "'",
      "''",
      '\\',
      '\\\\',
      ';',
      '--',
      '/*',
      '*/',
      '//',
      '$$',
      ' ',
      '.',
      '$',
      '_',
      '%',
      '\u200b',
      '\u0410',
      '\uff41',
      '\u{1f600}',
      '\u{1f3f3}\u{fe0f}\u200d\u{1f308}',
      'é',
      'ß',
      'i',
      'Z',
      '\t',
      '\n',
      '\r',
      '\u007f',
      '\u00a0',
      '\u2028',
    ),
  },
  { weight: 4, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
);
/** Short names mostly; some right around the 255-character limit, where our limit must agree with Snowflake's. */
const names = fc.oneof(
  { weight: 5, arbitrary: fc.string({ unit: hostileUnit, minLength: 0, maxLength: 24 }) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.integer({ min: 253, max: 258 }), fc.string({ unit: hostileUnit, minLength: 1, maxLength: 3 }))
      .map(([length, tail]) => 'x'.repeat(length - Array.from(tail).length) + tail),
  },
);
/** Names in the unquoted form; Snowflake's reserved words cannot be written unquoted, so none are made. */
const RESERVED = new Set(
  'ACCOUNT ALL ALTER AND ANY AS BETWEEN BY CASE CAST CHECK COLUMN CONNECT CONNECTION CONSTRAINT CREATE CROSS CURRENT CURRENT_DATE CURRENT_TIME CURRENT_TIMESTAMP CURRENT_USER DATABASE DELETE DISTINCT DROP ELSE EXISTS FALSE FOLLOWING FOR FROM FULL GRANT GROUP GSCLUSTER HAVING ILIKE IN INCREMENT INNER INSERT INTERSECT INTO IS ISSUE JOIN LATERAL LEFT LIKE LOCALTIME LOCALTIMESTAMP MINUS NATURAL NOT NULL OF ON OR ORDER ORGANIZATION QUALIFY REGEXP REVOKE RIGHT RLIKE ROW ROWS SAMPLE SCHEMA SELECT SET SOME START TABLE TABLESAMPLE THEN TO TRIGGER TRUE TRY_CAST UNION UNIQUE UPDATE USING VALUES VIEW WHEN WHENEVER WHERE WITH'.split(
    ' ',
  ),
);
const unquotedNames = fc
  .stringMatching(/^[A-Za-z_][A-Za-z0-9_$]{0,30}$/)
  .filter((name) => !RESERVED.has(name.toUpperCase()));

let emulator: SnowflakeEmulator;
let control: SnowflakeControl;
let session: SnowflakeSession;
let adminKey: TestKey;
const runs: Record<string, number> = {};

beforeAll(async () => {
  emulator = await startSnowflakeEmulator();
  control = new SnowflakeControl(emulator.url);
  adminKey = newKey();
  await control.sql(`CREATE USER ${ADMIN} TYPE = SERVICE RSA_PUBLIC_KEY = '${adminKey.publicBody}'`);
  await control.sql(`GRANT ROLE ACCOUNTADMIN TO USER ${ADMIN}`);
  const connect = snowflakeConnector({
    getIdToken: () => Promise.reject(new Error('this test logs in with a key')),
    allowWorkloadIdentityHost: () => undefined,
    setSecret: () => undefined,
  });
  session = await connect({
    account: emulator.account,
    url: emulator.url,
    user: ADMIN,
    role: 'ACCOUNTADMIN',
    credential: { kind: 'key-pair', privateKey: adminKey.privateKey },
  });
});

afterAll(async () => {
  await session?.close();
  await emulator?.close();
  console.log(
    `identifier fuzz: ${Object.entries(runs)
      .map(([property, count]) => `${count} runs of ${property}`)
      .join(', ')} (seed ${SEED})`,
  );
});

/** The role names SHOW ROLES lists, through the SDK. */
async function roleNames(): Promise<string[]> {
  return (await session.execute('SHOW ROLES')).map((row) => String(row.name));
}

/** The Snowflake error code a statement fails with, or 'ok'. */
async function outcome(sql: string): Promise<string> {
  try {
    await session.execute(sql);
    return 'ok';
  } catch (error) {
    return error instanceof ActionError ? String(error.code) : String(error);
  }
}

function count(property: string): void {
  runs[property] = (runs[property] ?? 0) + 1;
}

test('a quoted name names exactly that role: CREATE, SHOW and DROP agree with Snowflake; refused names are refused by both', async () => {
  const before = await roleNames();
  await fc.assert(
    fc.asyncProperty(names, async (name) => {
      count('quoted names');
      if (!acceptable(name)) {
        expect(() => resolveIdentifier(asUserWritesIt(name), context)).toThrow(ActionError);
        if (quotable(name)) {
          // A control character: refused from a user, but a name Snowflake may return (verify quotes it in a fix).
          expect(quoteIdentifier(name)).toBe(asUserWritesIt(name));
        } else {
          expect(() => quoteIdentifier(name)).toThrow(/refusing to quote/);
        }
        // Too long (and nothing else wrong): Snowflake refuses it too, so our limit is not stricter than its.
        if (name !== '' && !CONTROL.test(name)) {
          expect(await outcome(`CREATE ROLE ${asUserWritesIt(name)}`)).not.toBe('ok');
          expect(await roleNames()).toEqual(before);
        }
        return;
      }
      // What a user writes resolves to the name itself, and is quoted back to what the user wrote.
      expect(resolveIdentifier(asUserWritesIt(name), context)).toBe(name);
      expect(quoteIdentifier(name)).toBe(asUserWritesIt(name));
      // Already there (a system role written in its exact case): its presence must survive the round trip.
      const existed = before.includes(name);

      await session.execute(`CREATE ROLE IF NOT EXISTS ${quoteIdentifier(name)}`);
      const created = await roleNames();
      // Exactly one role more, named exactly `name`: nothing else was created, dropped or renamed.
      expect(created.filter((role) => !before.includes(role))).toEqual(existed ? [] : [name]);
      expect(before.filter((role) => !created.includes(role))).toEqual([]);
      if (existed) return;

      await session.execute(`DROP ROLE ${quoteIdentifier(name)}`);
      expect(await roleNames()).toEqual(before);
    }),
    { seed: SEED, numRuns: NUM_RUNS },
  );
});

test('an unquoted name resolves to what Snowflake stores for it', async () => {
  const before = await roleNames();
  await fc.assert(
    fc.asyncProperty(unquotedNames, async (name) => {
      count('unquoted names');
      const resolved = resolveIdentifier(name, context);
      if (before.includes(resolved)) return;
      // Written unquoted by hand, as a user would in a worksheet: Snowflake upper-cases it.
      await session.execute(`CREATE ROLE ${name}`);
      expect((await roleNames()).filter((role) => !before.includes(role))).toEqual([resolved]);
      // Our quoted form of the resolved name names the same role.
      await session.execute(`DROP ROLE ${quoteIdentifier(resolved)}`);
      expect(await roleNames()).toEqual(before);
    }),
    { seed: SEED, numRuns: Math.round(NUM_RUNS / 3) },
  );
});

test('a quoted string literal reaches Snowflake unchanged (COMMENT = ..., read back from SHOW ROLES)', async () => {
  const strings = fc.string({ unit: hostileUnit, minLength: 0, maxLength: 40 });
  let n = 0;
  await fc.assert(
    fc.asyncProperty(strings, async (value) => {
      count('string literals');
      if (value.includes('\u0000')) {
        expect(() => quoteString(value)).toThrow(/NUL/);
        return;
      }
      const role = `FUZZ_COMMENT_${n++}`;
      await session.execute(`CREATE ROLE ${quoteIdentifier(role)} COMMENT = ${quoteString(value)}`);
      const rows = (await session.execute('SHOW ROLES')).filter((row) => row.name === role);
      expect(rows.map((row) => row.comment)).toEqual([value]);
      await session.execute(`DROP ROLE ${quoteIdentifier(role)}`);
    }),
    { seed: SEED, numRuns: NUM_RUNS },
  );
});

test('qualified names: every part written quoted resolves to itself, dots and quotes inside included', () => {
  const part = names.filter(acceptable);
  fc.assert(
    fc.property(fc.tuple(part, part, part), (parts) => {
      count('qualified names');
      const written = parts.map(asUserWritesIt).join('.');
      expect(resolveQualifiedName(written, 3, { source: "input 'snowflake-secret'" })).toEqual(parts);
      // Our own SQL form reads back the same.
      expect(resolveQualifiedName(parts.map(quoteIdentifier).join('.'), 3, context)).toEqual(parts);
    }),
    { seed: SEED, numRuns: NUM_RUNS * 3 },
  );
});
