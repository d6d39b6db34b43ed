import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expectNoLeaks } from '../harness/leak-scan.js';
import { type Connection, runAction } from '../harness/run-action.js';
import { type TestKey, World, newKey } from '../harness/world.js';

/**
 * No traffic beyond loopback: dist/index.js, run with egress-hook.cjs preloaded, rotates a key against the
 * emulators, and every TCP connection attempt and DNS lookup its process made goes to 127.0.0.1/localhost.
 * snowflake-sdk on its own probes cloud metadata endpoints (169.254.169.254, metadata.google.internal, AWS
 * STS) to detect the platform; the action turns that off, and this test holds it to that. The switches must be
 * set before the SDK's module body runs, from whatever entry point: the bundle, and the action run from source
 * the way @github/local-action runs it (RunOptions.fromSource).
 */

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);
const METADATA =
  /169\.254\.169\.254|metadata\.google\.internal|sts\.[a-z0-9-]*\.?amazonaws\.com|fd00:ec2::254/i;

const portOf = (url: string): number => Number(new URL(url).port);
/**
 * tsx, which runs the action from source, tries its own IPC pipe (`<tmpdir>/tsx-<uid>/<pid>.pipe`, a Unix socket
 * to the tsx command line, absent here): local, not egress.
 */
const isTsxPipe = (c: Connection): boolean => /^unix:.*\/tsx-\d+\/\d+\.pipe$/.test(c.host);
const show = (c: Connection): string => `${c.kind} ${c.host}${c.port === undefined ? '' : `:${c.port}`}`;

const ENTRY_POINTS = [
  ['dist/index.js', false],
  ['src/main.ts run from source', true],
] as const;

test.each(ENTRY_POINTS)(
  '%s: a rotation connects and looks up only loopback hosts, and the hook saw both emulators',
  async (_entry, fromSource) => {
    const world = await World.start();
    try {
      const adminKey: TestKey = newKey();
      const firstKey: TestKey = newKey();
      await world.provision(adminKey, firstKey);
      const run = await world.run(world.rotateInputs(adminKey, { 'current-private-key': firstKey.pem }), {
        recordConnections: true,
        fromSource,
      });
      expect(run.errors).toEqual([]);
      expect(run.exitCode).toBe(0);

      // The hook really records: both emulators were reached through it.
      const connects = run.connections.filter((c) => c.kind === 'connect' && !isTsxPipe(c));
      const ports = new Set(connects.map((c) => c.port));
      expect(ports).toContain(portOf(world.snowflake.url));
      expect(ports).toContain(portOf(world.github.url));

      const beyondLoopback = run.connections.filter((c) => !LOOPBACK.has(c.host) && !isTsxPipe(c));
      expect(beyondLoopback.map(show)).toEqual([]);
      expect(run.connections.filter((c) => METADATA.test(c.host)).map(show)).toEqual([]);
      // Every TCP connection went to one of the two emulators, nowhere else on the machine either.
      expect([...ports].sort()).toEqual([portOf(world.snowflake.url), portOf(world.github.url)].sort());
      // The rotation masked the key it generated; the leak scan looks for it everywhere too.
      expect(run.masked.length).toBeGreaterThan(0);
      expectNoLeaks(run, world.secrets);
      // The key really changed: the run was the whole rotation, not an early exit.
      expect(await world.secretValue('SNOWFLAKE_PRIVATE_KEY')).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    } finally {
      await world.close();
    }
  },
);

test.each(ENTRY_POINTS)(
  '%s: a run refused for its inputs, which loads the driver but never logs in, makes no connection and no lookup at all',
  async (_entry, fromSource) => {
    // The driver's probes start while its module loads, whether or not a login follows.
    const run = await runAction({
      inputs: { mode: 'verify', account: 'xy12345', user: 'KEY_ROTATOR', 'private-key': newKey().pem },
      recordConnections: true,
      fromSource,
      timeoutMs: 60_000,
    });
    expect(run.exitCode).toBe(1);
    expect(run.errors).toEqual([expect.stringMatching(/^Input 'spec' is required with 'mode: verify'\./)]);
    expect(run.connections.filter((c) => !isTsxPipe(c)).map(show)).toEqual([]);
  },
);

test('the hook records a probe of the cloud metadata address, and DNS lookups, without changing behaviour', async () => {
  const script = join(await mkdtemp(join(tmpdir(), 'egress-')), 'probe.mjs');
  await writeFile(
    script,
    `import net from 'node:net';
import dns from 'node:dns';
import { promisify } from 'node:util';
// What a metadata probe does: a TCP connection to the link-local metadata address, given up quickly.
await new Promise((resolve) => {
  const socket = net.connect({ host: '169.254.169.254', port: 80, timeout: 300 });
  socket.on('connect', () => socket.destroy());
  socket.on('timeout', () => socket.destroy());
  socket.on('error', () => {});
  socket.on('close', resolve);
});
// Lookups through every entry point; the wrapped functions still answer as before.
const viaPromisify = await promisify(dns.lookup)('localhost');
const viaPromises = await dns.promises.lookup('localhost');
console.log('lookup ' + JSON.stringify([typeof viaPromisify.address, typeof viaPromises.address]));
// Recorded when asked, before any answer: the process does not wait for this one.
dns.lookup('metadata.google.internal', () => {});
process.exit(0);
`,
  );
  const run = await runAction({ inputs: {}, entry: script, recordConnections: true, timeoutMs: 30_000 });
  expect(run.exitCode).toBe(0);
  expect(run.stdout).toContain('lookup ["string","string"]');
  expect(run.connections).toEqual(
    expect.arrayContaining([
      { kind: 'connect', host: '169.254.169.254', port: 80 },
      { kind: 'lookup', host: 'localhost' },
      { kind: 'lookup', host: 'metadata.google.internal' },
    ]),
  );
  expect(run.connections.filter((c) => c.kind === 'lookup' && c.host === 'localhost')).toHaveLength(2);
  expect(run.connections.filter((c) => !LOOPBACK.has(c.host)).map(show)).toEqual([
    'connect 169.254.169.254:80',
    'lookup metadata.google.internal',
  ]);

  // Without the option nothing is preloaded and nothing is recorded.
  const plain = await runAction({ inputs: {}, entry: script, timeoutMs: 30_000 });
  expect(plain.exitCode).toBe(0);
  expect(plain.connections).toEqual([]);
});

/**
 * A proxy that refuses everything and writes down what was tried: CONNECT tunnels (HTTPS) and absolute-URI
 * requests (HTTP). The runner's proxy variables point at it, so traffic that honours them lands here.
 */
async function refusingProxy(): Promise<{ url: string; tried: string[]; close: () => Promise<void> }> {
  const tried: string[] = [];
  const server = createServer((req, res) => {
    tried.push(`${req.method ?? ''} ${req.url ?? ''}`);
    res.writeHead(403).end();
  });
  server.on('connect', (req, socket) => {
    tried.push(`CONNECT ${req.url ?? ''}`);
    socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    tried,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

test('behind a proxy that refuses everything: a rotation against the emulators completes and nothing tried the proxy', async () => {
  const world = await World.start();
  const proxy = await refusingProxy();
  try {
    const adminKey: TestKey = newKey();
    const firstKey: TestKey = newKey();
    await world.provision(adminKey, firstKey);
    const proxyEnv = {
      HTTPS_PROXY: proxy.url,
      HTTP_PROXY: proxy.url,
      https_proxy: proxy.url,
      http_proxy: proxy.url,
    };
    const run = await world.run(world.rotateInputs(adminKey, { 'current-private-key': firstKey.pem }), {
      env: proxyEnv,
      recordConnections: true,
    });
    expect(run.errors).toEqual([]);
    expect(run.exitCode).toBe(0);
    // Snowflake and GitHub are on loopback, which never goes through a proxy; nothing else was tried at all.
    expect(proxy.tried).toEqual([]);
    const ports = new Set(run.connections.filter((c) => c.kind === 'connect').map((c) => c.port));
    expect([...ports].sort()).toEqual([portOf(world.snowflake.url), portOf(world.github.url)].sort());
    expectNoLeaks(run, world.secrets);

    // The proxy is honoured where it applies: Snowflake's and GitHub's real hosts go through it (and are
    // refused here), and no connection goes anywhere else directly.
    const remote = await world.run(
      world.rotateInputs(adminKey, {
        'current-private-key': firstKey.pem,
        account: 'xy12345',
        'snowflake-url': 'https://xy12345.snowflakecomputing.com',
      }),
      { env: { ...proxyEnv, GITHUB_API_URL: 'https://api.github.com' }, recordConnections: true },
    );
    expect(remote.exitCode).not.toBe(0);
    expect(remote.errors.join('\n')).toMatch(/Step login failed/);
    expect(proxy.tried).toContainEqual('CONNECT xy12345.snowflakecomputing.com:443');
    expect(
      proxy.tried.every((t) => /^CONNECT (xy12345\.snowflakecomputing\.com|api\.github\.com):443$/.test(t)),
    ).toBe(true);
    const direct = remote.connections.filter((c) => c.kind === 'connect' && c.port !== portOf(proxy.url));
    expect(direct.map(show)).toEqual([]);
    expectNoLeaks(remote, world.secrets);
  } finally {
    await proxy.close();
    await world.close();
  }
});
