import {
  checkFiles,
  checkWorkflow,
  formatFinding,
  workflowFiles,
  type Finding,
} from '../../scripts/check-workflows.js';

/**
 * scripts/check-workflows.ts (`npm run lint:workflows`, a CI step): actionlint plus the security habits. One bad
 * workflow per rule, each failing with the rule, the line and the fix; then the repository's own workflows pass.
 */

const CHECKOUT = 'actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2';

/** A workflow that passes every check; each test breaks one thing in it. */
function workflow(parts: { on?: string; permissions?: string; steps?: string } = {}): string {
  return [
    'name: test',
    parts.on ?? 'on: push',
    parts.permissions ?? 'permissions:\n  contents: read',
    'jobs:',
    '  build:',
    '    runs-on: ubuntu-latest',
    '    steps:',
    parts.steps ?? `      - uses: ${CHECKOUT}\n      - run: npm test`,
    '',
  ].join('\n');
}

async function findings(text: string): Promise<Finding[]> {
  return checkWorkflow(text, 'bad.yml');
}

/** The one finding of `rule`, formatted as the CLI prints it. */
async function only(text: string, rule: string): Promise<string> {
  const found = await findings(text);
  expect(found.map((f) => f.rule)).toEqual([rule]);
  return formatFinding(found[0] as Finding);
}

test('a workflow following every habit passes', async () => {
  expect(await findings(workflow())).toEqual([]);
  expect(
    await findings(
      workflow({
        steps: [
          `      - uses: ${CHECKOUT}`,
          '      - uses: ./',
          '      - uses: docker://alpine@sha256:' + 'a'.repeat(64),
          '      - env:',
          '          TOKEN: ${{ secrets.TOKEN }}',
          '          TITLE: ${{ github.event.head_commit.message }}',
          '        run: echo "$TITLE" && test -n "$TOKEN" && echo ${{ github.sha }}',
        ].join('\n'),
      }),
    ),
  ).toEqual([]);
});

describe('pinned-sha', () => {
  test('a tag', async () => {
    expect(await only(workflow({ steps: '      - uses: actions/checkout@v4' }), 'pinned-sha')).toBe(
      'bad.yml:9: [pinned-sha] `uses: actions/checkout@v4` is not pinned by a commit SHA: a tag or branch can be moved to other code. Use `actions/checkout@<40-hex commit SHA> # v4` (the commit the release tag points to)',
    );
  });

  test('a branch, and a short SHA', async () => {
    const text = workflow({
      steps: '      - uses: org/action@main\n      - uses: org/other@11bd719 # v1.0.0',
    });
    const found = await findings(text);
    expect(found.map((f) => [f.rule, f.line])).toEqual([
      ['pinned-sha', 9],
      ['pinned-sha', 10],
    ]);
    expect(found[1]?.message).toMatch(/org\/other@<40-hex commit SHA>/);
  });

  test('a SHA without the release it is', async () => {
    expect(
      await only(
        workflow({ steps: '      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683' }),
        'pinned-sha',
      ),
    ).toMatch(/^bad\.yml:9: .*does not say which release it is\. Add the tag as a comment: .*# vX\.Y\.Z/);
  });

  test('a Docker image by tag', async () => {
    expect(await only(workflow({ steps: '      - uses: docker://alpine:3.20' }), 'pinned-sha')).toMatch(
      /^bad\.yml:9: .*docker:\/\/alpine:3\.20.*Pin it by digest: `docker:\/\/IMAGE@sha256:<digest>`/,
    );
  });
});

describe('permissions', () => {
  test('no workflow-level block', async () => {
    expect(await only(workflow({ permissions: '' }), 'permissions')).toMatch(
      /^bad\.yml:1: \[permissions\] no workflow-level `permissions:` block.*Add `permissions: \{ contents: read \}` at the top level/,
    );
  });

  test('write-all, at workflow and at job level', async () => {
    expect(await only(workflow({ permissions: 'permissions: write-all' }), 'permissions')).toBe(
      'bad.yml:3: [permissions] `permissions: write-all` gives the token every write permission. List only what the job needs, e.g. `permissions: { contents: read }`',
    );
    const jobLevel = workflow().replace('    runs-on:', '    permissions: write-all\n    runs-on:');
    expect(await only(jobLevel, 'permissions')).toMatch(/^bad\.yml:7: .*write-all/);
  });
});

describe('run-expression', () => {
  test('a secret in a one-line script', async () => {
    expect(
      await only(
        workflow({ steps: '      - run: echo ${{ secrets.API_TOKEN }} | docker login --password-stdin' }),
        'run-expression',
      ),
    ).toBe(
      'bad.yml:9: [run-expression] `${{ secrets.API_TOKEN }}` inside `run:` pastes a secret into the script file before the shell reads it (where it can be echoed, or break the quoting). Pass it through `env:` (`env: { VALUE: ${{ secrets.API_TOKEN }} }`) and use "$VALUE" in the script',
    );
  });

  test('event data on its own line of a block script', async () => {
    const text = workflow({
      steps: '      - run: |\n          echo start\n          echo "${{ github.event.issue.title }}"',
    });
    const found = (await findings(text)).filter((f) => f.rule === 'run-expression');
    expect(found.map(formatFinding)).toEqual([
      expect.stringMatching(
        /^bad\.yml:11: \[run-expression\] `\$\{\{ github\.event\.issue\.title \}\}` inside `run:` pastes event data.*Pass it through `env:`/,
      ),
    ]);
  });

  test('a workflow input, and a secret looked up by index inside a longer expression', async () => {
    const text = workflow({
      on: 'on:\n  workflow_dispatch:\n    inputs:\n      name: { type: string }',
      steps: "      - run: echo ${{ inputs.name }} ${{ format('{0}', secrets['KEY']) }}",
    });
    const found = (await findings(text)).filter((f) => f.rule === 'run-expression');
    expect(found.map((f) => [f.line, f.message.split(' inside')[0]])).toEqual([
      [12, '`${{ inputs.name }}`'],
      [12, "`${{ format('{0}', secrets['KEY']) }}`"],
    ]);
    expect(found[0]?.message).toMatch(/a workflow input, which whoever runs the workflow chooses/);
  });
  test('all secrets at once, and the branch name of a pull request', async () => {
    const text = workflow({
      steps: '      - run: echo ${{ toJSON(secrets) }} ${{ github.head_ref }}',
    });
    const found = (await findings(text)).filter((f) => f.rule === 'run-expression');
    expect(found.map((f) => f.message.split(' inside')[0])).toEqual([
      '`${{ toJSON(secrets) }}`',
      '`${{ github.head_ref }}`',
    ]);
    expect(found[0]?.message).toMatch(/pastes a secret/);
    expect(found[1]?.message).toMatch(/the pull request's branch name/);
  });
});

describe('pull-request-target', () => {
  test.each([
    ['a mapping', 'on:\n  pull_request_target:\n    types: [opened]', 3],
    ['a list', 'on: [push, pull_request_target]', 2],
    ['a single trigger', 'on: pull_request_target', 2],
  ])('as %s', async (_, on, line) => {
    expect(await only(workflow({ on }), 'pull-request-target')).toMatch(
      new RegExp(
        `^bad\\.yml:${line}: \\[pull-request-target\\] the pull_request_target trigger .*Use \`pull_request\``,
      ),
    );
  });
});

test('actionlint: an unknown context and a missing runs-on are reported with their lines', async () => {
  const text = workflow({ steps: '      - run: echo "${{ foo.bar }}"' }).replace(
    '    runs-on: ubuntu-latest\n',
    '',
  );
  const found = await findings(text);
  expect(found.map((f) => [f.rule, f.line])).toEqual([
    ['actionlint:syntax-check', 6],
    ['actionlint:expression', 8],
  ]);
  expect(found[0]?.message).toMatch(/"runs-on" section is missing/);
  expect(found[1]?.message).toMatch(/undefined variable "foo"/);
});

test('not YAML: one finding, no crash', async () => {
  const found = await findings('on: [push\njobs: {');
  expect(found.length).toBeGreaterThan(0);
  expect(found.some((f) => f.rule === 'yaml')).toBe(true);
});

test("the repository's workflows (examples and its own) pass", async () => {
  const files = await workflowFiles();
  expect(files).toEqual(
    expect.arrayContaining([
      'examples/workflows/rotate-matrix.yml',
      'examples/workflows/scheduled-rotation.yml',
      'examples/workflows/setup-first-deploy.yml',
      'examples/workflows/verify-pr.yml',
      '.github/workflows/ci.yml',
      '.github/workflows/check-dist.yml',
      '.github/workflows/self-test.yml',
    ]),
  );
  expect((await checkFiles(files)).map(formatFinding)).toEqual([]);
});
