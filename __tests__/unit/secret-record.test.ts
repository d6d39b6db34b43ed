import { commentRecording, readKeyHolder } from '../../src/snowflake/secrets.js';

/**
 * The record of whose key a Snowflake secret holds, in its COMMENT: written in a fixed form, read back for any
 * user name Snowflake allows, and never at the cost of what someone else wrote in the comment.
 */

const FP_A = `SHA256:${'A'.repeat(43)}=`;
const FP_B = `SHA256:${'b/+9'.repeat(10)}xyz=`;

test('the record names the user as a quoted identifier and the fingerprint', () => {
  expect(commentRecording('', { user: 'SVC_LOADER', fingerprint: FP_A })).toBe(
    `snowflake-keypair-action: private key of user "SVC_LOADER", ${FP_A}`,
  );
});

test.each([
  'SVC_LOADER',
  'svc loader',
  'a "quoted", user',
  'x", SHA256:forged',
  'ünïcode_用户',
  '", SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=',
])('a user named %j reads back exactly', (user) => {
  const comment = commentRecording('', { user, fingerprint: FP_B });
  expect(readKeyHolder(comment)).toEqual({ user, fingerprint: FP_B });
});

test("what someone else wrote is kept; this action's earlier records are replaced, not piled up", () => {
  const first = commentRecording('Loader key, read by the ingest procedure', {
    user: 'SVC_LOADER',
    fingerprint: FP_A,
  });
  expect(first).toBe(
    `Loader key, read by the ingest procedure snowflake-keypair-action: private key of user "SVC_LOADER", ${FP_A}`,
  );
  const second = commentRecording(first, { user: 'SVC_LOADER', fingerprint: FP_B });
  expect(second).toBe(
    `Loader key, read by the ingest procedure snowflake-keypair-action: private key of user "SVC_LOADER", ${FP_B}`,
  );
  // A person's note written after the record survives too, and the record moves to the end.
  const edited = `${second} (rotated monthly)`;
  expect(commentRecording(edited, { user: 'SVC_OTHER', fingerprint: FP_A })).toBe(
    `Loader key, read by the ingest procedure (rotated monthly) snowflake-keypair-action: private key of user "SVC_OTHER", ${FP_A}`,
  );
});

test.each([
  ['', undefined],
  ['Loader key', undefined],
  // Not this action's form: no quotes, a short fingerprint, another prefix.
  [`snowflake-keypair-action: private key of user SVC_LOADER, ${FP_A}`, undefined],
  ['snowflake-keypair-action: private key of user "SVC_LOADER", SHA256:short=', undefined],
  [`private key of user "SVC_LOADER", ${FP_A}`, undefined],
  // Two records (a comment pasted together by hand): the last one counts.
  [
    `snowflake-keypair-action: private key of user "A", ${FP_A} snowflake-keypair-action: private key of user "B", ${FP_B}`,
    { user: 'B', fingerprint: FP_B },
  ],
])('%j records %j', (comment, holder) => {
  expect(readKeyHolder(comment)).toEqual(holder);
});
