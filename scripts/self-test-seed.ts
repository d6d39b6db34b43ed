/**
 * The self-test workflow's helper (.github/workflows/self-test.yml): there, on a real GitHub runner, the action
 * runs as `uses: ./` against the emulators that `npm run emulators` started in an earlier step.
 *
 *   tsx scripts/self-test-seed.ts seed     provisions both emulators, writes the step's outputs
 *   tsx scripts/self-test-seed.ts proxy    the GitHub API interceptor (runs in the background)
 *   tsx scripts/self-test-seed.ts check    checks what a rotate or setup run stored
 *
 * Why an interceptor: the action sends its GitHub requests to GITHUB_API_URL, and on a runner that variable is
 * set by the runner for every action step, after the step's own `env:` (a `uses:` step cannot point it
 * anywhere else). So the requests go to the real API host (api.github.com), through HTTPS_PROXY, which the
 * action honours for GitHub requests. `proxy` is that proxy: it answers CONNECT to the API host with a TLS
 * certificate for that host from a throwaway CA (trusted by the action's process through NODE_EXTRA_CA_CERTS,
 * set on the step), and hands the decrypted requests to the GitHub emulator. A CONNECT to any other host is
 * refused, so nothing of the run reaches a real service.
 *
 * Inputs (environment): SNOWFLAKE_EMULATOR_URL and GITHUB_EMULATOR_URL (the JSON line of `npm run emulators`),
 * GITHUB_REPOSITORY and GITHUB_API_URL (set by the runner), RUNNER_TEMP, GITHUB_OUTPUT.
 * Outputs of `seed`: admin-key, service-key, github-token (each masked with `::add-mask::` before it is
 * written), ca-file. Key material is never printed.
 */
import { execFileSync } from 'node:child_process';
import { createHash, createPublicKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { TLSSocket } from 'node:tls';
import { GitHubControl } from '../__tests__/emulators/github/control.js';
import { SnowflakeControl } from '../__tests__/emulators/snowflake/control.js';

export const ADMIN = 'KEY_ROTATOR';
export const ADMIN_ROLE = 'ROTATOR_ROLE';
export const SERVICE_USER = 'SVC_LOADER';
const TWO_DAYS_MS = 48 * 3_600_000;

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

/** The directory for the CA and certificate, kept between the steps of the job. */
function tlsDirectory(): string {
  return join(process.env.RUNNER_TEMP || '/tmp', 'self-test-tls');
}

/** The host the action's GitHub requests go to. */
function apiHost(): string {
  return new URL(process.env.GITHUB_API_URL || 'https://api.github.com').hostname;
}

/** `::add-mask::` for every line of a value: the runner registers one line per command. */
function mask(value: string): void {
  for (const line of value.split('\n'))
    if (line.trim().length >= 4) process.stdout.write(`::add-mask::${line}\n`);
}

/** Appends `name` to GITHUB_OUTPUT in the runner's multi-line form. */
function output(name: string, value: string): void {
  const delimiter = `EOF_${randomBytes(16).toString('hex')}`;
  appendFileSync(required('GITHUB_OUTPUT'), `${name}<<${delimiter}\n${value}\n${delimiter}\n`);
}

function newKey(): { pem: string; publicBody: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    pem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicBody: publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
  };
}

/** A throwaway CA and a certificate for the API host signed by it (OpenSSL, as on every runner image). */
function makeCertificate(): { caFile: string } {
  const dir = tlsDirectory();
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = (name: string): string => join(dir, name);
  // OpenSSL's progress dots go to stderr: shown only when it fails. Nothing it writes is key material.
  const openssl = (...args: string[]): void => {
    try {
      execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    } catch (error) {
      throw new Error(`openssl ${args[0]} failed: ${String((error as { stderr?: Buffer }).stderr ?? error)}`);
    }
  };
  openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '1',
    '-subj',
    '/CN=self-test interceptor CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign',
    '-keyout',
    file('ca.key'),
    '-out',
    file('ca.pem'),
  );
  openssl(
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-subj',
    `/CN=${apiHost()}`,
    '-keyout',
    file('host.key'),
    '-out',
    file('host.csr'),
  );
  writeFileSync(file('host.ext'), `subjectAltName=DNS:${apiHost()}\nextendedKeyUsage=serverAuth\n`);
  openssl(
    'x509',
    '-req',
    '-in',
    file('host.csr'),
    '-CA',
    file('ca.pem'),
    '-CAkey',
    file('ca.key'),
    '-CAcreateserial',
    '-days',
    '1',
    '-extfile',
    file('host.ext'),
    '-out',
    file('host.pem'),
  );
  return { caFile: file('ca.pem') };
}

/**
 * Both emulators as the self-test's runs need them: the admin KEY_ROTATOR (a fresh key; ACCOUNTADMIN too, for
 * `setup` of the example spec) whose role owns SVC_LOADER, which has a key set two days ago; this repository
 * with a `production` environment; an App-like token that may write its secrets.
 */
async function seed(): Promise<void> {
  const sf = new SnowflakeControl(required('SNOWFLAKE_EMULATOR_URL'));
  const gh = new GitHubControl(required('GITHUB_EMULATOR_URL'));
  const repository = required('GITHUB_REPOSITORY');
  const [owner = '', repo = ''] = repository.split('/');
  const adminKey = newKey();
  const serviceKey = newKey();
  const token = `ghs_selftest${randomBytes(15).toString('hex')}`;
  // Masked before anything else can print them.
  mask(adminKey.pem);
  mask(serviceKey.pem);
  mask(token);

  await sf.sql(`CREATE ROLE ${ADMIN_ROLE}`);
  await sf.sql(
    `CREATE USER ${ADMIN} TYPE = SERVICE DEFAULT_ROLE = ${ADMIN_ROLE} RSA_PUBLIC_KEY = '${adminKey.publicBody}'`,
  );
  await sf.sql(`GRANT ROLE ${ADMIN_ROLE} TO USER ${ADMIN}`);
  await sf.sql(`GRANT ROLE ${ADMIN_ROLE} TO ROLE SECURITYADMIN`);
  await sf.sql(`GRANT ROLE ACCOUNTADMIN TO USER ${ADMIN}`);
  await sf.clock(-TWO_DAYS_MS);
  await sf.sql(`CREATE USER ${SERVICE_USER} TYPE = SERVICE RSA_PUBLIC_KEY = '${serviceKey.publicBody}'`);
  await sf.clock(0);
  await sf.sql(`GRANT OWNERSHIP ON USER ${SERVICE_USER} TO ROLE ${ADMIN_ROLE}`);
  await gh.addRepository({ owner, repo, environments: ['production'] });
  await gh.addToken({
    token,
    type: 'installation',
    permissions: { secrets: 'write', environments: 'write' },
    repositories: [repository],
  });

  const { caFile } = makeCertificate();
  output('admin-key', adminKey.pem);
  output('service-key', serviceKey.pem);
  output('github-token', token);
  output('ca-file', caFile);
  console.log(
    `Provisioned: ${ADMIN} (role ${ADMIN_ROLE}, ACCOUNTADMIN) owns ${SERVICE_USER}; ${repository} with environment production; a token with Secrets: write. GitHub requests to ${apiHost()} are answered by the emulator through the interceptor.`,
  );
}

/** The interceptor; prints `{"url": "http://127.0.0.1:PORT"}` once it listens. Runs until killed. */
async function proxy(): Promise<void> {
  const github = new URL(required('GITHUB_EMULATOR_URL'));
  const host = apiHost();
  const key = readFileSync(join(tlsDirectory(), 'host.key'));
  const cert = readFileSync(join(tlsDirectory(), 'host.pem'));
  const server = createServer((_, response) => {
    response.writeHead(403).end('only CONNECT to the GitHub API host\n');
  });
  server.on('connect', (request: IncomingMessage, client: Socket, head: Buffer) => {
    const [targetHost, targetPort = '443'] = (request.url ?? '').split(':');
    if (targetHost !== host || targetPort !== '443') {
      console.error(`refused CONNECT ${request.url ?? ''}`);
      client.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    if (head.length > 0) client.unshift(head);
    const tls = new TLSSocket(client, { isServer: true, key, cert });
    const upstream = connect(Number(github.port), github.hostname);
    tls.pipe(upstream).pipe(tls);
    const close = (): void => {
      tls.destroy();
      upstream.destroy();
    };
    tls.on('error', close);
    upstream.on('error', close);
    client.on('error', close);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${port}` })}\n`);
  const stop = (): void => {
    server.close();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

/**
 * Checks a run's outputs against the emulators: CHECK_SECRET (the secret's name) holds a private key whose
 * fingerprint is CHECK_FINGERPRINT (the run's output) and is registered on CHECK_USER. Prints fingerprints only.
 */
async function check(): Promise<void> {
  const sf = new SnowflakeControl(required('SNOWFLAKE_EMULATOR_URL'));
  const gh = new GitHubControl(required('GITHUB_EMULATOR_URL'));
  const [owner, repo] = required('GITHUB_REPOSITORY').split('/');
  const name = required('CHECK_SECRET');
  const user = required('CHECK_USER');
  const fingerprint = required('CHECK_FINGERPRINT');
  const stored = (await gh.secrets()).find(
    (s) => s.name === name.toUpperCase() && s.owner === owner && s.repo === repo && !s.environment,
  );
  if (!stored) throw new Error(`no secret ${name} was stored in ${owner}/${repo}`);
  const storedFingerprint = fingerprintOf(stored.value);
  const rows = await sf.sql(`DESC USER ${user}`);
  const registered = rows
    .filter((row) => /^RSA_PUBLIC_KEY(_2)?_FP$/.test(String(row.property)))
    .map((row) => String(row.value));
  console.log(
    `${name} holds ${storedFingerprint}; ${user} has ${registered.join(', ')}; the run says ${fingerprint}`,
  );
  if (storedFingerprint !== fingerprint) throw new Error(`${name} does not hold the key the run reported`);
  if (!registered.includes(fingerprint)) throw new Error(`${user} does not have the key the run reported`);
}

/** `SHA256:` + base64 of the SHA-256 of the public key's DER, as Snowflake shows it. */
function fingerprintOf(pem: string): string {
  const der = createPublicKey(pem).export({ type: 'spki', format: 'der' });
  return `SHA256:${createHash('sha256').update(der).digest('base64')}`;
}

const command = process.argv[2];
const commands: Record<string, () => Promise<void>> = { seed, proxy, check };
const run = command ? commands[command] : undefined;
if (!run) {
  console.error('usage: tsx scripts/self-test-seed.ts seed|proxy|check');
  process.exit(2);
}
try {
  await run();
} catch (error) {
  console.log(`::error::self-test ${command}: ${(error as Error).message}`);
  process.exit(1);
}
