import type { EchoEncoding } from '../emulators/echo.js';
import { expectNoLeaks } from '../harness/leak-scan.js';
import type { ActionRun } from '../harness/run-action.js';
import { ADMIN, ADMIN_ROLE, type TestKey, World } from '../harness/world.js';
import { useProvisionedWorld } from '../harness/world-hooks.js';

/**
 * A server, or a proxy in front of it, answering with an error that quotes the request back: every credential
 * the run holds must stay hidden in every form it can come back in (issue 17, item 2: the Snowflake session
 * token echoed in request headers as JSON, `Token=\"…\"`, was printed). The credentials are the ones the Snowflake
 * driver holds after login (session and master tokens, never inputs of the action, read from the emulator after
 * the run), the JWT it signs for a key-pair login, and the inputs (an OAuth token, the GitHub token). The forms:
 * JSON-escaped once and twice, URL- and form-encoded, base64, wrapped across lines, inside a quoted SQL error.
 *
 * Each run is dist/index.js against both emulators, with step debug logging on (the driver's log too), and
 * fails before anything changes; each test asserts the exit status, the message (which step and statement
 * failed, with the server's words, the credential replaced by `***`), that nothing changed in Snowflake or
 * GitHub, and that no form of any credential is anywhere the run wrote (the harness's scan with the world's
 * secrets, and again with the tokens Snowflake issued).
 */

let world: World;
let adminKey: TestKey;
let firstKey: TestKey;
useProvisionedWorld((started) => ({ world, adminKey, firstKey } = started));

const DEBUG = { ACTIONS_STEP_DEBUG: 'true', RUNNER_DEBUG: '1' };

const rotation = (overrides: Record<string, string | undefined> = {}): Record<string, string | undefined> =>
  world.rotateInputs(adminKey, { 'current-private-key': firstKey.pem, ...overrides });

/** Nothing changed: no statement but reads ran in Snowflake, no secret was written to GitHub. */
async function expectNothingChanged(): Promise<void> {
  expect(await world.changes()).toEqual([]);
  expect(await world.gh.secrets()).toEqual([]);
}

/**
 * No form of any session or master token Snowflake handed out during the run is anywhere the run wrote. They
 * exist only inside the run, so the harness's own scan (with the world's secrets) could not name them.
 */
async function expectNoIssuedTokenLeaks(run: ActionRun): Promise<void> {
  const issued = await world.sf.issuedTokens();
  // The run logged in: there were tokens to find.
  expect(issued.length).toBeGreaterThan(0);
  const tokens = Object.fromEntries(
    issued.flatMap((t, i) => [
      [`session token ${i + 1}`, t.sessionToken],
      [`master token ${i + 1}`, t.masterToken],
    ]),
  );
  expectNoLeaks(run, tokens);
  // The action registered each with the runner's masker, as soon as it had them.
  for (const token of Object.values(tokens)) expect(run.masked).toContain(token);
}

/** What the failing statement's message must read like: the step, the statement, Snowflake's words, then the echo. */
const statementFailure = (echoed: string): RegExp =>
  new RegExp(
    `^Step read-target failed: Snowflake statement DESC USER "SVC_LOADER" failed \\(000603: SQL execution internal error: Processing aborted .*${echoed}\\)$`,
    's',
  );

describe('Snowflake answering a statement with an error that quotes the request or the session back', () => {
  test.each<[string, 'headers' | 'session', EchoEncoding, string]>([
    // The instance: the headers as JSON, the Authorization header's quotes escaped once.
    [
      'the session token in headers as JSON (Token=\\"…\\")',
      'headers',
      'json',
      String.raw`Request headers: \{"accept":"application/snowflake",.*"authorization":"\*\*\*\\"",.*"connection":"keep-alive"\}`,
    ],
    [
      'the session token in headers as JSON inside a JSON string (Token=\\\\\\"…\\\\\\")',
      'headers',
      'json-string',
      String.raw`Request headers: "\{\\"accept\\":\\"application/snowflake\\",.*\\"authorization\\":\\"\*\*\*\\\\\\"\\",.*\}"`,
    ],
    [
      'the session token in headers URL-encoded',
      'headers',
      'url',
      String.raw`Request headers: %7B%22accept%22%3A%22application%2Fsnowflake%22.*%22authorization%22%3A%22\*\*\*%5C%22%22.*%7D`,
    ],
    [
      'the session token in headers form-encoded (Snowflake+Token%3D%22…%22)',
      'headers',
      'form',
      String.raw`Request headers: accept=application%2Fsnowflake&.*&authorization=\*\*\*%22&.*connection=keep-alive`,
    ],
    ['the session token in headers as base64', 'headers', 'base64', String.raw`Request headers: \*\*\*`],
    [
      'the session token in headers wrapped across lines',
      'headers',
      'wrapped',
      String.raw`Request headers: \{"accept":"application/snowflake",.*\*\*\*.*"connection":"keep-alive"\}`,
    ],
    [
      'the session token inside a quoted SQL error',
      'headers',
      'sql-quoted',
      String.raw`Request headers: '\{"accept":"application/snowflake",.*"authorization":"\*\*\*\\"",.*\}'`,
    ],
    [
      'the session and master tokens the server holds, as JSON',
      'session',
      'json',
      String.raw`Session: \{"sessionId":"\d+","sessionToken":"\*\*\*","masterToken":"\*\*\*"\}`,
    ],
    [
      'the session and master tokens wrapped across lines',
      'session',
      'wrapped',
      String.raw`Session: \{"sessionId":"\d+",.*\*\*\*.*\}`,
    ],
    ['the session and master tokens as base64', 'session', 'base64', String.raw`Session: \*\*\*`],
  ])('%s: the run fails, says which statement, and shows no token', async (_name, echo, echoAs, echoed) => {
    await world.sf.fault({
      on: 'query',
      match: '^DESC USER',
      action: 'sql-error',
      code: '000603',
      echo,
      echoAs,
    });
    const run = await world.run(rotation(), { env: DEBUG });
    expect(run.exitCode).toBe(1);
    expect(run.errors).toEqual([expect.stringMatching(statementFailure(echoed))]);
    // The echo reached the action: Snowflake answered the statement with it.
    expect((await world.sf.log()).filter((e) => e.fault === 'sql-error').map((e) => e.sql)).toEqual([
      'DESC USER "SVC_LOADER"',
    ]);
    await expectNothingChanged();
    await expectNoIssuedTokenLeaks(run);
  });
});

describe('Snowflake refusing a login with an error that quotes the login request back', () => {
  test.each<[string, EchoEncoding, string]>([
    [
      'the key-pair JWT the driver signed, as JSON',
      'json',
      String.raw`Request: \{"method":"POST",.*"TOKEN":"\*\*\*".*\}`,
    ],
    ['the key-pair JWT the driver signed, as base64', 'base64', String.raw`Request: \*\*\*`],
    [
      'the key-pair JWT the driver signed, URL-encoded',
      'url',
      String.raw`Request: %7B%22method%22%3A%22POST%22.*%22TOKEN%22%3A%22\*\*\*%22.*%7D`,
    ],
  ])('%s: the run fails, names the user, and shows no JWT', async (_name, echoAs, echoed) => {
    await world.sf.fault({ on: 'login', match: `^${ADMIN}$`, action: 'sql-error', echo: 'request', echoAs });
    const run = await world.run(rotation(), { env: DEBUG });
    expect(run.exitCode).toBe(1);
    expect(run.errors).toEqual([
      expect.stringMatching(
        new RegExp(
          `^Step login failed: Snowflake login of user ${ADMIN} at .* failed \\(390100: Incorrect username or password was specified\\. ${echoed}\\)\\. Check 'account', 'user' and the credential; the user may not exist$`,
          's',
        ),
      ),
    ]);
    // A JWT was sent: the scan (which looks for any signed JWT, also in decoded base64) had something to find.
    const logins = (await world.sf.log()).filter((e) => e.kind === 'login');
    expect(logins.map((e) => [e.authenticator, e.fault])).toEqual([['SNOWFLAKE_JWT', 'sql-error']]);
    await expectNothingChanged();
  });

  test('an OAuth token with + / = in it, form-encoded in the echoed request: not shown', async () => {
    // Opaque access tokens are often base64: `+`, `/` and `=` are percent-encoded in a form.
    const token = 'oauth/opaque+token+0123456789abcdefABCDEF==';
    world.secrets['oauth token'] = token;
    await world.sf.registerToken({ type: 'oauth', token, user: ADMIN, role: ADMIN_ROLE });
    await world.sf.fault({
      on: 'login',
      match: `^${ADMIN}$`,
      action: 'sql-error',
      echo: 'request',
      echoAs: 'form',
    });
    const run = await world.run(rotation({ 'private-key': undefined, 'oauth-token': token }), { env: DEBUG });
    expect(run.exitCode).toBe(1);
    expect(run.errors).toEqual([
      expect.stringMatching(
        /^Step login failed: Snowflake login of user KEY_ROTATOR at .* failed \(390100: .*Request: method=POST&url=.*&body\.data\.AUTHENTICATOR=OAUTH&.*body\.data\.TOKEN=\*\*\*.*\)\. Check 'account', 'user' and the credential/s,
      ),
    ]);
    await expectNothingChanged();
  });
});

describe('GitHub answering with an error that quotes the request back', () => {
  test.each<[string, EchoEncoding, string]>([
    ['as JSON', 'json', String.raw`\{"method":"GET",.*"authorization":"\*\*\*",.*\}`],
    ['as base64', 'base64', String.raw`\*\*\*`],
    ['URL-encoded', 'url', String.raw`%7B%22method%22%3A%22GET%22.*%22authorization%22%3A%22\*\*\*%22.*%7D`],
    ['wrapped across lines', 'wrapped', String.raw`\{"method":"GET",.*\*\*\*.*\}`],
  ])(
    'the public-key request answered 500 quoting the request %s: the token is not shown',
    async (_name, echoAs, echoed) => {
      await world.gh.fault({ match: '/secrets/public-key$', action: 'http-500', echo: 'request', echoAs });
      const run = await world.run(rotation(), { env: DEBUG });
      expect(run.exitCode).toBe(1);
      expect(run.errors).toEqual([
        expect.stringMatching(
          new RegExp(`^Step prepare-destinations failed: GitHub answered 500 .*public key.*${echoed}`, 's'),
        ),
      ]);
      await expectNothingChanged();
      await expectNoIssuedTokenLeaks(run);
    },
  );
});
