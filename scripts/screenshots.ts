/**
 * `npm run screenshots`: the job summaries users see in the Actions tab, as pictures for the README.
 * Runs the bundled action (dist/index.js, as the runner runs it: build first) against the embedded emulators:
 *   - rotate:        a scheduled rotation passing the key the workflows hold (and rotate-details: the same,
 *                    its details blocks opened);
 *   - rotate-failed: a rotation whose token may read but not write secrets: refused at the write, rolled back;
 *   - setup:         setup from Segment's access spec (examples/segment-reverse-etl.yml);
 *   - verify:        verify of the same spec after someone revoked a grant by hand (drift);
 *   - failure:       a run stopped by an input error before any mode started.
 * Each summary is converted from GitHub-flavoured Markdown to HTML (marked, as GitHub would: tables, details,
 * code, inline HTML), styled close to GitHub's job summary, and rendered with headless Chromium (Debian's
 * `chromium` package) into docs/images/summary-<name>.png, with the HTML and the Markdown next to it.
 * Usage: npm run screenshots [-- name ...]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Marked } from 'marked';
import * as prettier from 'prettier';
import { type ActionRun, REPO_ROOT } from '../__tests__/harness/run-action.js';
import { findLeaks } from '../__tests__/harness/leak-scan.js';
import { World, newKey } from '../__tests__/harness/world.js';

const OUT = join(REPO_ROOT, 'docs', 'images');
const WIDTH = 1000;

function findChromium(): string {
  for (const name of [process.env.CHROMIUM, 'chromium', 'chromium-browser', 'google-chrome']) {
    if (!name) continue;
    const found = spawnSync('sh', ['-c', `command -v "${name}"`], { encoding: 'utf8' });
    if (found.status === 0 && found.stdout.trim() !== '') return found.stdout.trim();
  }
  console.error(
    'npm run screenshots needs headless Chromium, and found none on PATH (tried chromium, chromium-browser, google-chrome; set CHROMIUM to its path).\n' +
      'On Debian or Ubuntu: sudo apt-get install -y chromium fonts-noto-color-emoji',
  );
  process.exit(1);
}

/** GitHub's job summary: its Markdown rendered in the run page's body font, in a bordered box. */
const STYLE = `
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; background: #f6f8fa; font-family: -apple-system, BlinkMacSystemFont, "Segoe UI", "Noto Sans", Helvetica, Arial, sans-serif, "Apple Color Emoji", "Segoe UI Emoji", "Noto Color Emoji"; font-size: 14px; line-height: 1.5; color: #1f2328; }
.frame { margin: 16px; background: #ffffff; border: 1px solid #d1d9e0; border-radius: 6px; }
.frame > header { padding: 12px 16px; border-bottom: 1px solid #d1d9e0; font-weight: 600; font-size: 14px; }
.frame > header span { color: #59636e; font-weight: 400; }
.markdown-body { padding: 16px 24px 8px; overflow-wrap: break-word; }
.markdown-body > *:first-child { margin-top: 0 !important; }
.markdown-body h3 { font-size: 1.25em; font-weight: 600; line-height: 1.25; margin: 24px 0 16px; }
.markdown-body h4 { font-size: 1em; font-weight: 600; line-height: 1.25; margin: 24px 0 16px; }
.markdown-body p, .markdown-body blockquote, .markdown-body table, .markdown-body details { margin: 0 0 16px; }
.markdown-body blockquote { padding: 0 1em; color: #59636e; border-left: 0.25em solid #d1d9e0; }
.markdown-body code { padding: 0.2em 0.4em; font-size: 85%; white-space: break-spaces; background: #818b981f; border-radius: 6px; font-family: ui-monospace, SFMono-Regular, "SF Mono", Menlo, Consolas, "Liberation Mono", monospace; }
.markdown-body table { display: block; width: max-content; max-width: 100%; overflow: auto; border-spacing: 0; border-collapse: collapse; font-variant: tabular-nums; }
.markdown-body table th { font-weight: 600; }
.markdown-body table th, .markdown-body table td { padding: 6px 13px; border: 1px solid #d1d9e0; }
.markdown-body table tr { background: #ffffff; border-top: 1px solid #d1d9e0b3; }
.markdown-body table tr:nth-child(2n) { background: #f6f8fa; }
.markdown-body summary { cursor: pointer; display: list-item; }
.markdown-body strong { font-weight: 600; }
`;

function toHtml(title: string, markdown: string): string {
  // GitHub-flavoured Markdown, with inline HTML (details, code with a title) passed through, as GitHub does
  // after its sanitizer (which keeps these elements and attributes).
  const marked = new Marked({ gfm: true, breaks: false });
  const body = marked.parse(markdown, { async: false });
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${title}</title><style>${STYLE}</style></head>
<body><div class="frame"><header>snowflake-keypair-action summary <span>· ${title}</span></header>
<article class="markdown-body">
${body}</article></div></body></html>
`;
}

/**
 * Renders the page at the height of its content: a first pass (a copy of the page that writes its height into
 * the DOM, read with --dump-dom) measures it, the second takes the screenshot.
 */
function screenshot(chromium: string, htmlPath: string, pngPath: string): void {
  const profile = mkdtempSync(join(tmpdir(), 'screenshots-chromium-'));
  const measure = join(profile, 'measure.html');
  writeFileSync(measure, measuringPage(readFileSync(htmlPath, 'utf8')));
  try {
    const common = [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--hide-scrollbars',
      '--force-device-scale-factor=1',
      `--user-data-dir=${profile}`,
    ];
    const height = Number(
      execFileSync(chromium, [...common, '--virtual-time-budget=2000', '--dump-dom', `file://${measure}`], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }).match(/data-height="(\d+)"/)?.[1] ?? '1600',
    );
    execFileSync(
      chromium,
      [...common, `--window-size=${WIDTH},${height + 16}`, `--screenshot=${pngPath}`, `file://${htmlPath}`],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
}

/** A copy of the page that writes its own height into the DOM, for --dump-dom to report. */
function measuringPage(html: string): string {
  return html.replace(
    '</body>',
    `<script>document.body.setAttribute('data-height', String(Math.ceil(document.querySelector('.frame').getBoundingClientRect().bottom)));</script></body>`,
  );
}

const chromium = findChromium();
try {
  readFileSync(join(REPO_ROOT, 'dist', 'index.js'));
} catch {
  console.error('dist/index.js is missing: run npm run build first');
  process.exit(1);
}

const wanted = new Set(process.argv.slice(2));
const runs: { name: string; title: string; run: ActionRun; expected: boolean; open?: boolean }[] = [];
const world = await World.start();
try {
  const adminKey = newKey();
  const firstKey = newKey();
  await world.provision(adminKey, firstKey);

  // A token that may read secrets but not write them: the rotation fails at the write and is rolled back.
  const readOnly = 'ghs_readonly0123456789abcdefghijklmnop';
  world.secrets['read-only token'] = readOnly;
  await world.gh.addToken({
    token: readOnly,
    type: 'installation',
    permissions: { secrets: 'read' },
    repositories: ['acme/app'],
  });
  const failed = await world.run(
    world.rotateInputs(adminKey, { 'current-private-key': firstKey.pem, 'github-token': readOnly }),
  );
  runs.push({
    name: 'rotate-failed',
    title: 'a rotation refused at the secret write, rolled back',
    run: failed,
    expected: failed.exitCode === 1,
  });

  const rotated = await world.run(world.rotateInputs(adminKey, { 'current-private-key': firstKey.pem }));
  runs.push({
    name: 'rotate',
    title: 'scheduled rotation',
    run: rotated,
    expected: rotated.exitCode === 0,
  });
  // The same summary with its details blocks opened: full fingerprints and step timings.
  runs.push({
    name: 'rotate-details',
    title: 'scheduled rotation, details opened',
    run: rotated,
    expected: rotated.exitCode === 0,
    open: true,
  });

  // The rotation above stored SVC_LOADER's key in SNOWFLAKE_PRIVATE_KEY: Segment's key goes under its own name.
  const { files, inputs: specInputs } = await world.segmentSpec(adminKey, 'SEGMENT_PRIVATE_KEY');
  const applied = await world.run(specInputs('setup'), { files });
  runs.push({
    name: 'setup',
    title: 'setup of examples/segment-reverse-etl.yml',
    run: applied,
    expected: applied.exitCode === 0,
  });

  await world.sf.sql('REVOKE CREATE SCHEMA ON DATABASE SEGMENT_REVERSE_ETL FROM ROLE SEGMENT_REVERSE_ETL');
  await world.sf.sql('REVOKE USAGE ON WAREHOUSE SEGMENT_REVERSE_ETL FROM ROLE SEGMENT_REVERSE_ETL');
  const drifted = await world.run(specInputs('verify'), { files });
  runs.push({
    name: 'verify',
    title: 'verify after grants were revoked by hand',
    run: drifted,
    expected: drifted.exitCode === 1 && Number(drifted.outputs.drift) > 0,
  });

  const badInput = await world.run(world.rotateInputs(adminKey, { 'grace-period': 'two days' }));
  runs.push({
    name: 'failure',
    title: 'a run stopped by an input error',
    run: badInput,
    expected: badInput.exitCode === 1,
  });

  for (const { run } of runs) {
    const leaks = findLeaks(run, world.secrets);
    if (leaks.length > 0) throw new Error(`LEAK: ${leaks.map((l) => `${l.what} in ${l.where}`).join('; ')}`);
  }
} finally {
  await world.close();
}

mkdirSync(OUT, { recursive: true });
let ok = true;
for (const { name, title, run, expected, open } of runs) {
  if (wanted.size > 0 && !wanted.has(name)) continue;
  if (!expected) {
    console.error(`${name}: the run did not go as expected (exit ${run.exitCode}):\n${run.visibleLog}`);
    ok = false;
    continue;
  }
  // Times and fingerprints differ on every run; the pictures only need to look like a real one.
  const markdown = run.summary;
  const base = join(OUT, `summary-${name}`);
  // Opened only in the picture: a reader clicks the summary line to see the same.
  const html = toHtml(title, open ? markdown.replace(/<details>/g, '<details open>') : markdown);
  if (!open) writeFileSync(`${base}.md`, markdown);
  // Formatted as the repository formats everything (npm run lint checks docs/ too).
  const options = (await prettier.resolveConfig(`${base}.html`)) ?? {};
  writeFileSync(`${base}.html`, await prettier.format(html, { ...options, parser: 'html' }));
  screenshot(chromium, `${base}.html`, `${base}.png`);
  console.log(`docs/images/summary-${name}.png (${title})`);
}
if (!ok) process.exitCode = 1;
