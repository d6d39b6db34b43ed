import { ActionError, inputError } from '../errors.js';
import type { LoginMethod, SnowflakeLogin } from '../config.js';
import { exportPkcs8, parsePrivateKey } from '../keys.js';
import { maskSecret } from '../mask.js';
import { splitList } from '../parse.js';
import type { ProxySettings } from '../snowflake/login-request.js';
import { describeCharacter, resolveIdentifier } from '../snowflake/identifiers.js';
import { type InputSource, type Inputs, readMillisecondsKnob } from './source.js';

/** The Snowflake login inputs: account, URL, user and role, the one login method, and the runner's proxy. */

const ACCOUNT_IDENTIFIER = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+){0,2}$/;
const SNOWFLAKE_HOST_SUFFIX = /\.snowflakecomputing\.(com|cn)$/i;

/** Parses `account`, recognising a pasted URL or host name and showing the identifier to use instead. */
export function parseAccount(value: string): string {
  let candidate = value.trim();
  const pastedUrl = /^[a-z]+:\/\//i.test(candidate);
  if (pastedUrl || SNOWFLAKE_HOST_SUFFIX.test(candidate)) {
    const host = pastedUrl ? safeHost(candidate) : candidate;
    const identifier = host?.replace(SNOWFLAKE_HOST_SUFFIX, '');
    const suggestion =
      identifier && ACCOUNT_IDENTIFIER.test(identifier) ? `account: ${identifier}` : undefined;
    throw inputError(
      'account',
      `is a ${pastedUrl ? 'URL' : 'host name'}, not an account identifier`,
      suggestion
        ? `Use '${suggestion}'${pastedUrl ? ", and put a PrivateLink or custom URL in 'snowflake-url'" : ''}`
        : "Use the account identifier (orgname-accountname), and put the URL in 'snowflake-url'",
    );
  }
  candidate = candidate.replace(/\/+$/, '');
  if (!ACCOUNT_IDENTIFIER.test(candidate)) {
    const stray = Array.from(candidate).findIndex((ch) => !/^[A-Za-z0-9_.-]$/.test(ch));
    throw inputError(
      'account',
      `is not a Snowflake account identifier${stray < 0 ? ' (its dots do not separate up to three names)' : `: it has ${describeCharacter(Array.from(candidate)[stray] ?? '')} at position ${stray + 1}`}`,
      "Use orgname-accountname (from SELECT CURRENT_ORGANIZATION_NAME() || '-' || CURRENT_ACCOUNT_NAME()) or locator.region",
    );
  }
  return candidate;
}

function safeHost(url: string): string | undefined {
  try {
    return new URL(url).hostname;
  } catch {
    return undefined;
  }
}

const LOOPBACK_HOSTS = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i;

/** `snowflake-url`: any https URL; http only to loopback, so that no token or JWT crosses a network in clear. */
export function parseSnowflakeUrl(value: string | undefined, account: string): string {
  // Account names may hold '_', which host names may not: Snowflake's URLs use '-' instead.
  if (!value) return `https://${account.toLowerCase().replace(/_/g, '-')}.snowflakecomputing.com`;
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw inputError(
      'snowflake-url',
      'is not a URL',
      'Give a base URL like https://myorg-myaccount.privatelink.snowflakecomputing.com',
    );
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw inputError('snowflake-url', `uses '${url.protocol}'`, 'Use an https:// URL');
  }
  if (url.protocol === 'http:' && !LOOPBACK_HOSTS.test(url.hostname)) {
    throw inputError(
      'snowflake-url',
      `is plain http to ${url.hostname}, which would send login tokens unencrypted`,
      'Use https://; plain http is allowed only to a loopback address (127.0.0.1, localhost) such as a local emulator',
    );
  }
  if (
    url.username ||
    url.password ||
    url.search ||
    url.hash ||
    (url.pathname !== '/' && url.pathname !== '')
  ) {
    throw inputError(
      'snowflake-url',
      'has a path, query or credentials',
      'Give only the scheme, host and port',
    );
  }
  return url.origin;
}

export function readSnowflakeLogin(inputs: Inputs, source: InputSource): SnowflakeLogin {
  const account = parseAccount(
    inputs.required('account', 'the Snowflake account identifier, e.g. myorg-myaccount'),
  );
  const url = parseSnowflakeUrl(inputs.optional('snowflake-url'), account);
  const method = readLoginMethod(inputs, source);
  const userInput =
    method.kind === 'workload-identity'
      ? inputs.optional('user')
      : inputs.required('user', 'the login name of the Snowflake user that runs the statements');
  const user = userInput === undefined ? undefined : resolveIdentifier(userInput, { source: "input 'user'" });
  const roleInput = inputs.optional('role');
  const role = roleInput ? resolveIdentifier(roleInput, { source: "input 'role'" }) : undefined;
  if (method.kind === 'workload-identity') checkWorkloadIdentityHost(url, source.env);
  return {
    account,
    url,
    user,
    role,
    method,
    proxy: readProxy(source.env, url, source.setSecret),
    statementDeadlineMs: readMillisecondsKnob(source.env, 'SNOWFLAKE_KEYPAIR_ACTION_STATEMENT_DEADLINE_MS'),
  };
}

/**
 * snowflake-sdk sends a workload-identity token only to Snowflake's own domains (and hosts listed in
 * SNOWFLAKE_WIF_ALLOWED_HOST_SUFFIXES): say so before the login, instead of a refusal that reads like a wrong
 * subject. Loopback (a local emulator) is allowed by the connector.
 */
function checkWorkloadIdentityHost(url: string, env: InputSource['env']): void {
  const { protocol, hostname } = new URL(url);
  if (protocol === 'http:') return;
  const suffixes = [
    '.snowflakecomputing.com',
    '.snowflakecomputing.cn',
    ...(env.SNOWFLAKE_WIF_ALLOWED_HOST_SUFFIXES ?? '').split(','),
  ]
    .map((suffix) => suffix.trim().toLowerCase())
    .filter(Boolean);
  if (!suffixes.some((suffix) => hostname.toLowerCase().endsWith(suffix))) {
    throw inputError(
      'snowflake-url',
      `points at ${hostname}, where snowflake-sdk will not send a workload-identity token`,
      "Use the account's snowflakecomputing.com host (PrivateLink hosts end in privatelink.snowflakecomputing.com), or list the host's domain in the SNOWFLAKE_WIF_ALLOWED_HOST_SUFFIXES environment variable",
    );
  }
}

const LOGIN_INPUTS = [
  'private-key',
  'workload-identity',
  'oauth-token',
  'programmatic-access-token',
] as const;

/** Exactly one of the four login methods; the rest of their inputs must not be given alone. */
function readLoginMethod(inputs: Inputs, source: InputSource): LoginMethod {
  const workloadIdentity = inputs.boolean('workload-identity', false);
  const given = LOGIN_INPUTS.filter((name) =>
    name === 'workload-identity' ? workloadIdentity : inputs.optional(name) !== undefined,
  );
  const howToChoose =
    "Give exactly one of 'private-key', 'workload-identity: true', 'oauth-token' or 'programmatic-access-token'";
  if (given.length > 1) {
    throw inputError(given[1] ?? '', `is set together with '${given[0]}'`, howToChoose);
  }
  if (inputs.optional('private-key-passphrase') !== undefined && given[0] !== 'private-key') {
    throw inputError(
      'private-key-passphrase',
      "is set without 'private-key'",
      "Remove it, or log in with 'private-key'",
    );
  }
  if (inputs.optional('oidc-audience') !== undefined && !workloadIdentity) {
    throw inputError(
      'oidc-audience',
      "is set without 'workload-identity: true'",
      "Remove it, or set 'workload-identity: true'",
    );
  }
  switch (given[0]) {
    case 'private-key': {
      const privateKey = parsePrivateKey(
        inputs.optional('private-key') ?? '',
        inputs.optional('private-key-passphrase'),
        {
          key: 'private-key',
          passphrase: 'private-key-passphrase',
        },
      );
      // The SDK gets the key decrypted, as PKCS#8: mask that form too before it exists anywhere else.
      maskSecret(exportPkcs8(privateKey.key), source.setSecret);
      return { kind: 'key-pair', privateKey };
    }
    case 'workload-identity':
      // The runner sets these only for jobs with `permissions: id-token: write`.
      if (!source.env.ACTIONS_ID_TOKEN_REQUEST_URL || !source.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN) {
        throw inputError(
          'workload-identity',
          "is 'true', but this job cannot request an OIDC token (ACTIONS_ID_TOKEN_REQUEST_URL is not set)",
          'Add `permissions: id-token: write` to the workflow or the job',
        );
      }
      return {
        kind: 'workload-identity',
        audience: inputs.optional('oidc-audience') ?? 'snowflakecomputing.com',
      };
    case 'oauth-token':
      return { kind: 'oauth', token: inputs.optional('oauth-token') ?? '' };
    case 'programmatic-access-token':
      return { kind: 'programmatic-access-token', token: inputs.optional('programmatic-access-token') ?? '' };
    default:
      throw inputError(
        'private-key',
        'and the other login inputs are all empty: there is no way to log in to Snowflake',
        howToChoose,
      );
  }
}

/**
 * The runner's proxy variables, applied explicitly (the SDK's own environment lookup is turned off, so a
 * proxy never applies by accident, and loopback URLs never go through one).
 */
export function readProxy(
  env: InputSource['env'],
  snowflakeUrl: string,
  setSecret: (value: string) => void,
): ProxySettings | undefined {
  const raw = env.HTTPS_PROXY || env.https_proxy || env.HTTP_PROXY || env.http_proxy;
  if (!raw) return undefined;
  const target = new URL(snowflakeUrl);
  if (LOOPBACK_HOSTS.test(target.hostname)) return undefined;
  const noProxy = env.NO_PROXY || env.no_proxy;
  if (noProxy && hostMatchesNoProxy(target.hostname, noProxy)) return undefined;
  let proxy: URL;
  try {
    proxy = new URL(raw.includes('://') ? raw : `http://${raw}`);
  } catch {
    throw new ActionError('The HTTPS_PROXY environment variable is not a URL', {
      code: 'invalid-proxy',
      hint: 'Set it to http://host:port, or unset it',
    });
  }
  const protocol = proxy.protocol === 'https:' ? 'https' : 'http';
  const password = proxy.password ? decodeURIComponent(proxy.password) : undefined;
  maskSecret(password, setSecret);
  return {
    protocol,
    host: proxy.hostname,
    port: Number(proxy.port || (protocol === 'https' ? 443 : 80)),
    user: proxy.username ? decodeURIComponent(proxy.username) : undefined,
    password,
    noProxy,
  };
}

function hostMatchesNoProxy(host: string, noProxy: string): boolean {
  return splitList(noProxy).some((entry) => {
    if (entry === '*') return true;
    const suffix = entry.replace(/^\*?\.?/, '').toLowerCase();
    return host.toLowerCase() === suffix || host.toLowerCase().endsWith(`.${suffix}`);
  });
}
