// Network policies through the real snowflake-sdk: statements, access control and enforcement at login.

import { codeAndMessage, connect, failure } from './helpers.js';
import { control, emulator, keyA, login, useEmulator } from './fixture.js';

useEmulator();

describe('network policies', () => {
  // Every test leaves no account policy and no client-ip override behind: other blocks log in from
  // 127.0.0.1 with no policy in force.
  afterEach(async () => {
    await control.clientIp(null);
    await control.sql('ALTER ACCOUNT UNSET NETWORK_POLICY');
  });

  beforeAll(async () => {
    await control.sql(`CREATE USER np_user TYPE = SERVICE RSA_PUBLIC_KEY = '${keyA.publicBody}'`);
    await control.sql("CREATE USER np_person PASSWORD = 'pw-1' TYPE = PERSON");
    await control.sql('GRANT ROLE SECURITYADMIN TO USER np_user');
    for (const [name, allowed, blocked] of [
      ['np_runners', "'203.0.113.0/24'", "'203.0.113.66'"],
      ['np_local', "'127.0.0.1'", null],
      ['np_open', "'0.0.0.0/0'", null],
    ] as const) {
      const blockedList = blocked ? ` BLOCKED_IP_LIST = (${blocked})` : '';
      await control.sql(
        `CREATE NETWORK POLICY ${name} ALLOWED_IP_LIST = (${allowed})${blockedList}`,
        'SECURITYADMIN',
      );
    }
  });

  const keyLogin = (extra: Record<string, unknown> = {}) => login('np_user', keyA, extra);

  it('CREATE / DESC / SHOW / ALTER / DROP NETWORK POLICY with the documented shapes', async () => {
    const session = await keyLogin({ role: 'SECURITYADMIN' });
    expect(
      await session.query(
        "CREATE NETWORK POLICY np_shape ALLOWED_IP_LIST = ('192.168.0.0/24', '10.0.0.1') BLOCKED_IP_LIST = ('192.168.0.99') COMMENT = 'ci'",
      ),
    ).toEqual([{ status: 'Statement executed successfully.' }]);
    expect(await session.query('DESC NETWORK POLICY np_shape')).toEqual([
      { name: 'ALLOWED_IP_LIST', value: '192.168.0.0/24,10.0.0.1' },
      { name: 'BLOCKED_IP_LIST', value: '192.168.0.99' },
    ]);
    const shown = await session.query("SHOW NETWORK POLICIES LIKE 'np_shape'");
    expect(Object.keys(shown[0]!)).toEqual([
      'created_on',
      'name',
      'comment',
      'entries_in_allowed_ip_list',
      'entries_in_blocked_ip_list',
      'entries_in_allowed_network_rules',
      'entries_in_blocked_network_rules',
    ]);
    expect(shown[0]).toMatchObject({
      name: 'NP_SHAPE',
      comment: 'ci',
      entries_in_allowed_ip_list: 2,
      entries_in_blocked_ip_list: 1,
      entries_in_allowed_network_rules: 0,
    });
    expect(shown[0]!.created_on).toBeInstanceOf(Date);

    await session.query("ALTER NETWORK POLICY np_shape SET BLOCKED_IP_LIST = () COMMENT = 'changed'");
    expect(await session.query('DESC NETWORK POLICY np_shape')).toEqual([
      { name: 'ALLOWED_IP_LIST', value: '192.168.0.0/24,10.0.0.1' },
    ]);
    await session.query('ALTER NETWORK POLICY np_shape UNSET COMMENT');
    expect((await session.query("SHOW NETWORK POLICIES LIKE 'NP_SHAPE'"))[0]).toMatchObject({ comment: '' });

    expect(
      (await failure(session.query("CREATE NETWORK POLICY np_shape ALLOWED_IP_LIST = ('1.2.3.4')"))).code,
    ).toBe('002002');
    expect(
      await session.query("CREATE NETWORK POLICY IF NOT EXISTS np_shape ALLOWED_IP_LIST = ('1.2.3.4')"),
    ).toEqual([{ status: 'NP_SHAPE already exists, statement succeeded.' }]);
    await session.query("CREATE OR REPLACE NETWORK POLICY np_shape ALLOWED_IP_LIST = ('1.2.3.4')");
    expect(await session.query('DESC NETWORK POLICY np_shape')).toEqual([
      { name: 'ALLOWED_IP_LIST', value: '1.2.3.4' },
    ]);
    for (const bad of ["'1.2.3'", "'1.2.3.4/33'", "'::1'", "'300.1.1.1'"]) {
      expect(
        (await failure(session.query(`CREATE NETWORK POLICY np_bad ALLOWED_IP_LIST = (${bad})`))).code,
      ).toBe('001008');
    }
    expect(await session.query('DROP NETWORK POLICY np_shape')).toEqual([
      { status: 'NP_SHAPE successfully dropped.' },
    ]);
    expect(await session.query('DROP NETWORK POLICY IF EXISTS np_shape')).toEqual([
      { status: 'Drop statement executed successfully (NP_SHAPE already dropped).' },
    ]);
    expect(await codeAndMessage(session.query('DESC NETWORK POLICY np_shape'))).toEqual([
      '002003',
      "SQL compilation error:\nNetwork policy 'NP_SHAPE' does not exist or not authorized.",
    ]);
    await session.close();
  });

  it('needs CREATE NETWORK POLICY to create, OWNERSHIP to describe, alter or drop; GRANT OWNERSHIP moves it', async () => {
    // USERADMIN has neither CREATE NETWORK POLICY nor MANAGE GRANTS.
    const refused = await failure(
      control.sql("CREATE NETWORK POLICY np_ua ALLOWED_IP_LIST = ('1.2.3.4')", 'USERADMIN'),
    );
    expect(refused.code).toBe('003001');
    expect(refused.message).toMatch(
      /^SQL access control error:\nInsufficient privileges to operate on account /,
    );
    // A role without any privilege on a policy does not see it.
    expect((await failure(control.sql('DESC NETWORK POLICY np_runners', 'USERADMIN'))).code).toBe('002003');
    expect(await control.sql('SHOW NETWORK POLICIES', 'USERADMIN')).toEqual([]);
    // ACCOUNTADMIN is above the owner (SECURITYADMIN).
    expect(await control.sql('DESC NETWORK POLICY np_runners')).toEqual([
      { name: 'ALLOWED_IP_LIST', value: '203.0.113.0/24' },
      { name: 'BLOCKED_IP_LIST', value: '203.0.113.66' },
    ]);

    await control.sql('CREATE ROLE np_admin');
    await control.sql('GRANT CREATE NETWORK POLICY ON ACCOUNT TO ROLE np_admin');
    await control.sql("CREATE NETWORK POLICY np_owned ALLOWED_IP_LIST = ('1.2.3.4')", 'NP_ADMIN');
    expect(
      (await control.sql('SHOW GRANTS ON NETWORK POLICY np_owned')).map((g) => [
        g.privilege,
        g.granted_on,
        g.grantee_name,
      ]),
    ).toEqual([['OWNERSHIP', 'NETWORK_POLICY', 'NP_ADMIN']]);
    await control.sql('GRANT OWNERSHIP ON NETWORK POLICY np_owned TO ROLE USERADMIN', 'NP_ADMIN');
    expect((await failure(control.sql('DESC NETWORK POLICY np_owned', 'NP_ADMIN'))).code).toBe('002003');
    expect(await control.sql('DESC NETWORK POLICY np_owned', 'USERADMIN')).toHaveLength(1);
    await control.sql('DROP NETWORK POLICY np_owned', 'USERADMIN');
  });

  it('refuses a key-pair login from outside the account policy with 390422, and logs the code and address', async () => {
    await control.sql('ALTER ACCOUNT SET NETWORK_POLICY = np_runners');
    await control.clearLog();
    const refused = await failure(keyLogin());
    expect(refused.code).toBe('390422');
    expect(refused.message).toBe(
      'Incoming request with IP/Token 127.0.0.1 is not allowed to access Snowflake. Contact your account administrator.',
    );
    // Pretend to be a runner inside the allowed range.
    await control.clientIp('203.0.113.7');
    const session = await keyLogin();
    await session.close();
    // The blocked list wins over the allowed range it falls in.
    await control.clientIp('203.0.113.66');
    expect((await failure(keyLogin())).message).toMatch(/^Incoming request with IP\/Token 203\.0\.113\.66 /);
    const logins = (await control.log()).filter((e) => e.kind === 'login');
    expect(logins.map((e) => [e.user, e.ok, e.code, e.clientIp])).toEqual([
      ['np_user', false, '390422', '127.0.0.1'],
      ['NP_USER', true, null, '203.0.113.7'],
      ['np_user', false, '390422', '203.0.113.66'],
    ]);
    expect(logins[0]!.message).toBe('network policy NP_RUNNERS does not allow 127.0.0.1');
  });

  it("applies the user's policy instead of the account's, for every authenticator; 0.0.0.0/0 allows all", async () => {
    await control.sql('ALTER ACCOUNT SET NETWORK_POLICY = np_runners');
    await control.registerToken({ type: 'oauth', token: 'np-oauth', user: 'NP_PERSON' });
    const passwordLogin = () =>
      connect({
        accessUrl: emulator.url,
        account: emulator.account,
        username: 'np_person',
        password: 'pw-1',
      });
    const oauthLogin = () =>
      connect({
        accessUrl: emulator.url,
        account: emulator.account,
        username: 'np_person',
        authenticator: 'OAUTH',
        token: 'np-oauth',
      });
    for (const attempt of [keyLogin, passwordLogin, oauthLogin]) {
      expect((await failure(attempt())).code).toBe('390422');
    }
    // User-level policies override the account's, in both directions.
    await control.sql('ALTER USER np_user SET NETWORK_POLICY = np_local');
    await control.sql('ALTER USER np_person SET NETWORK_POLICY = np_open');
    for (const attempt of [keyLogin, passwordLogin, oauthLogin]) await (await attempt()).close();
    await control.clientIp('198.51.100.1');
    expect((await failure(keyLogin())).code).toBe('390422');
    await (await passwordLogin()).close();
    await control.sql('ALTER USER np_user UNSET NETWORK_POLICY');
    await control.sql('ALTER USER np_person UNSET NETWORK_POLICY');
    await control.sql('ALTER ACCOUNT UNSET NETWORK_POLICY');
    // No policy anywhere: every address is welcome again.
    await (await keyLogin()).close();
  });

  it('a PAT needs a network policy (390432) unless registered with networkPolicyRequired: false', async () => {
    await control.registerToken({ type: 'pat', token: 'np-pat-default', user: 'NP_USER' });
    await control.registerToken({
      type: 'pat',
      token: 'np-pat-relaxed',
      user: 'NP_USER',
      networkPolicyRequired: false,
    });
    await control.registerToken({
      type: 'pat',
      token: 'np-pat-not-enforced',
      user: 'NP_USER',
      networkPolicyEvaluation: 'NOT_ENFORCED',
    });
    const patLogin = (token: string) =>
      connect({
        accessUrl: emulator.url,
        account: emulator.account,
        username: 'np_user',
        authenticator: 'PROGRAMMATIC_ACCESS_TOKEN',
        token,
      });
    const refused = await failure(patLogin('np-pat-default'));
    expect([refused.code, refused.message]).toEqual(['390432', 'Fail : Network policy is required.']);
    await (await patLogin('np-pat-relaxed')).close();
    await (await patLogin('np-pat-not-enforced')).close();

    // With an account policy the default PAT works from inside it and is refused from outside.
    await control.sql('ALTER ACCOUNT SET NETWORK_POLICY = np_runners');
    expect((await failure(patLogin('np-pat-default'))).code).toBe('390422');
    expect((await failure(patLogin('np-pat-relaxed'))).code).toBe('390422');
    // NOT_ENFORCED: the policy is not evaluated for PAT logins at all.
    await (await patLogin('np-pat-not-enforced')).close();
    await control.clientIp('203.0.113.7');
    await (await patLogin('np-pat-default')).close();
    // The credential comes first: an unknown PAT is 394400 wherever it comes from.
    expect((await failure(patLogin('np-pat-unknown'))).code).toBe('394400');
  });

  it('ALTER USER SET NETWORK_POLICY needs OWNERSHIP of the user and of the policy', async () => {
    await control.sql('CREATE ROLE np_user_owner');
    await control.sql('CREATE USER np_owned_user', 'USERADMIN');
    await control.sql('GRANT OWNERSHIP ON USER np_owned_user TO ROLE np_user_owner');
    // Owns the user, not the policy.
    const noPolicy = await failure(
      control.sql('ALTER USER np_owned_user SET NETWORK_POLICY = np_local', 'NP_USER_OWNER'),
    );
    expect(noPolicy.code).toBe('002003');
    await control.sql('GRANT OWNERSHIP ON NETWORK POLICY np_local TO ROLE np_user_owner', 'SECURITYADMIN');
    await control.sql('ALTER USER np_owned_user SET NETWORK_POLICY = np_local', 'NP_USER_OWNER');
    // Owns the policy (through the hierarchy), not the user: SECURITYADMIN does not inherit NP_USER_OWNER.
    expect(
      (await failure(control.sql('ALTER USER np_owned_user UNSET NETWORK_POLICY', 'SECURITYADMIN'))).code,
    ).toBe('003001');
    // A policy in use cannot be dropped or replaced.
    const drop = await failure(control.sql('DROP NETWORK POLICY np_local', 'NP_USER_OWNER'));
    expect(drop.message).toMatch(/currently assigned to user NP_OWNED_USER/);
    await control.sql('ALTER USER np_owned_user UNSET NETWORK_POLICY', 'NP_USER_OWNER');
    await control.sql('GRANT OWNERSHIP ON NETWORK POLICY np_local TO ROLE SECURITYADMIN', 'NP_USER_OWNER');
    // A policy that does not exist.
    expect((await failure(control.sql('CREATE USER np_x NETWORK_POLICY = no_such_policy'))).message).toBe(
      "SQL compilation error:\nNetwork policy 'NO_SUCH_POLICY' does not exist or not authorized.",
    );
  });

  it('ALTER ACCOUNT SET NETWORK_POLICY needs SECURITYADMIN and refuses to lock out the requester', async () => {
    expect((await failure(control.sql('ALTER ACCOUNT SET NETWORK_POLICY = np_open', 'USERADMIN'))).code).toBe(
      '003001',
    );
    const session = await keyLogin({ role: 'SECURITYADMIN' });
    const lockout = await failure(session.query('ALTER ACCOUNT SET NETWORK_POLICY = np_runners'));
    expect(lockout.message).toMatch(
      /^Network policy NP_RUNNERS cannot be activated\. Requestor IP address\/Token, 127\.0\.0\.1, must be included/,
    );
    await session.query('ALTER ACCOUNT SET NETWORK_POLICY = np_local');
    // Assigned to the account: cannot be dropped.
    expect((await failure(session.query('DROP NETWORK POLICY np_local'))).message).toMatch(
      /currently assigned to the account/,
    );
    await session.query('ALTER ACCOUNT UNSET NETWORK_POLICY');
    await session.close();
  });
});
