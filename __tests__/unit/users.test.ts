import { parseSnowflakeUtcTime } from '../../src/snowflake/users.js';

test.each([
  ['2020-10-08 01:33:13.43', '2020-10-08T01:33:13.430Z'],
  ['2020-10-08 01:33:13.0', '2020-10-08T01:33:13.000Z'],
  ['2020-10-08 01:33:13', '2020-10-08T01:33:13.000Z'],
  ['2026-01-31 23:59:59.999', '2026-01-31T23:59:59.999Z'],
])('%s is read as UTC', (text, iso) => {
  expect(parseSnowflakeUtcTime(text)?.toISOString()).toBe(iso);
});

test.each([undefined, '', 'null', '1969-12-31 23:59:59.999', '292278994-08-17 07:12:55.807', 'yesterday'])(
  '%j (unset, a sentinel or not a time) gives undefined',
  (text) => {
    expect(parseSnowflakeUtcTime(text)).toBeUndefined();
  },
);
