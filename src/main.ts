import * as core from '@actions/core';
import { ActionError, ModeFailure, messageOf, renderError } from './errors.js';
import type { Config } from './config.js';
import { readConfig } from './inputs/read-config.js';
import { type InputSource, actionsInputSource } from './inputs/source.js';
import { SecretWriter } from './github/secrets.js';
import { maskSecret, redact } from './mask.js';
import type { ModeDependencies } from './modes/context.js';
import { type RotationResult, rotate } from './modes/rotate.js';
import { type SetupResult, setup } from './modes/setup.js';
import { type VerifyResult, verify } from './modes/verify.js';
import { writeReport } from './report/report.js';
import { failureSummary, rotationSummary, setupSummary, verifySummary } from './report/summary.js';
import { snowflakeConnector } from './snowflake/connection.js';
import { type SpecIssue, SpecError } from './access-spec/model.js';
import { allowWorkloadIdentityHost } from './runtime.js';

type Result = RotationResult | SetupResult | VerifyResult;

/** The title of the error annotation of a run that failed in a mode. */
const FAILURE_TITLES: Record<Result['mode'], string> = {
  rotate: 'Snowflake key rotation failed',
  setup: 'Snowflake setup failed',
  verify: 'Snowflake verify failed',
};

/** Whether a phase's group of log lines is open (see out.phase). */
let groupOpen = false;

/**
 * The action's only way to print: every line, annotation, failure and summary passes through redact(), so a
 * secret quoted back by Snowflake, GitHub or a library (an error echoing the request) is never shown, even in
 * a form the runner's masker was not given.
 */
const out = {
  // A log line is one line: a line break in a value (a name Snowflake returned, a server's message) would let
  // the text after it start a workflow command (`::error::`, `::add-mask::`), which the runner obeys only at
  // the start of a line. Annotations and groups need no such care: @actions/core escapes their line breaks.
  info: (line: string): void => core.info(oneLine(redact(line))),
  debug: (line: string): void => core.debug(redact(line)),
  warning: (text: string, properties?: core.AnnotationProperties): void =>
    core.warning(redact(text), annotation(properties)),
  error: (text: string, properties?: core.AnnotationProperties): void =>
    core.error(redact(text), annotation(properties)),
  /**
   * Fails the step (exit code 1) with one error annotation whose title says what failed, so every failure of
   * the action reads the same way in the Actions UI: the title, then what failed and why, then what to do.
   */
  setFailed: (text: string, title: string): void => {
    core.error(redact(text), annotation({ title }));
    process.exitCode = core.ExitCode.Failure;
  },
  setOutput: (name: string, value: string): void => core.setOutput(name, redact(value)),
  summary: (markdown: string): Promise<unknown> => core.summary.addRaw(redact(markdown)).write(),
  /** One collapsible group of log lines per phase of the run; the Actions log cannot nest them. */
  phase: (title: string): void => {
    if (groupOpen) core.endGroup();
    core.startGroup(redact(title));
    groupOpen = true;
  },
  /** Ends the last phase, so that the outcome (errors, failure) is printed outside every group. */
  endPhase: (): void => {
    if (groupOpen) core.endGroup();
    groupOpen = false;
  },
};

/**
 * An annotation's title and file, redacted like its message. They may hold names from the spec or from
 * Snowflake. They need no other escaping: @actions/core writes them as workflow-command properties, escaping
 * `%`, line breaks, `:` and `,` so that no value can end the property or the command
 * (https://github.com/actions/toolkit/blob/main/packages/core/src/command.ts, escapeProperty), and GitHub shows
 * an annotation's title and message as plain text: unlike a check run's summary and text, which "support
 * Markdown", they are plain strings (https://docs.github.com/en/rest/checks/runs#create-a-check-run).
 */
function annotation(
  properties: core.AnnotationProperties | undefined,
): core.AnnotationProperties | undefined {
  if (!properties) return undefined;
  return {
    ...properties,
    ...(properties.title === undefined ? {} : { title: redact(properties.title) }),
    ...(properties.file === undefined ? {} : { file: redact(properties.file) }),
  };
}

/** Line breaks shown as `\n`, so that the text stays on one log line. */
function oneLine(text: string): string {
  return text.replace(/\r\n|\r|\n/g, '\\n');
}

/**
 * Reads the inputs, runs the mode, writes outputs, summary and report, also for a run that failed part
 * way (so `changed` and the report say what it did). The one place errors are shown.
 */
export async function run(): Promise<void> {
  try {
    const inputs = actionsInputSource();
    const config = await readRunConfig(inputs);
    let result: Result;
    let failure: ModeFailure<Result> | undefined;
    try {
      result = await runMode(config, inputs);
    } catch (error) {
      if (!(error instanceof ModeFailure)) throw error;
      failure = error as ModeFailure<Result>;
      result = failure.result;
    } finally {
      out.endPhase();
    }
    await showOutcome(config, result, failure);
  } catch (error) {
    await failRun(error);
  }
}

/** The validated inputs (the spec's warnings on its lines), with the outputs known before the mode runs. */
async function readRunConfig(inputs: InputSource): Promise<Config> {
  // The runner's token for its OIDC endpoint travels in a request header: if an error quotes the request
  // back, it must be redacted like the inputs.
  maskSecret(inputs.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN, (value) => inputs.setSecret(value));
  // The YAML parser and the schema validator are loaded only for a run with a spec: a rotation starts
  // without them (npm run bench, cold start).
  const parseSpec = inputs.getInput('spec').trim()
    ? (await import('./access-spec/load.js')).loadSpec
    : undefined;
  const config = readConfig(inputs, parseSpec);
  for (const warning of config.warnings) out.warning(warning);
  if (config.mode === 'setup' || config.mode === 'verify') {
    annotateSpecIssues(config.spec?.warnings ?? [], out.warning, 'Access spec');
  }
  if (config.targetUser) out.setOutput('user', config.targetUser);
  out.setOutput('account', config.snowflake.account);
  return config;
}

/** The report, outputs and job summary of a mode that ran, then its findings and failure, if any. */
async function showOutcome(config: Config, result: Result, failure?: ModeFailure<Result>): Promise<void> {
  const reportPath = await writeReportOrWarn(config.reportDirectory, result, new Date());
  writeOutputs(result, reportPath);
  await writeSummaryOrWarn(summaryOf(result));
  if (result.mode === 'verify' && !failure) {
    annotateFindings(result);
    if (result.errors > 0) {
      out.setFailed(
        `Verify found drift: ${result.headline}. The account does not match ${result.spec}: each error above names the spec line and the statement that fixes it`,
        FAILURE_TITLES.verify,
      );
    }
  }
  if (failure) {
    if (failure.original instanceof SpecError) {
      annotateSpecIssues(failure.original.issues, out.error, 'Invalid access spec');
    }
    out.setFailed(failure.render(), FAILURE_TITLES[result.mode]);
    debugStack(failure);
  }
}

/** A run that failed outside its mode: reading the inputs or the spec, or showing the outcome. */
async function failRun(error: unknown): Promise<void> {
  const message = renderError(error);
  // A spec's problems also go on its own lines, where a pull request shows them.
  if (error instanceof SpecError) annotateSpecIssues(error.issues, out.error, 'Invalid access spec');
  out.setFailed(
    message,
    // A mode's failures are shown by showOutcome: ours here come from reading the inputs and the spec.
    error instanceof SpecError
      ? 'Invalid access spec'
      : error instanceof ActionError
        ? 'Invalid input'
        : 'Snowflake key pair action failed',
  );
  if (error instanceof Error && error.cause !== undefined) out.debug(`Cause: ${String(error.cause)}`);
  debugStack(error);
  await out.summary(failureSummary(message)).catch(() => undefined);
}

/** Each issue of the access spec as an annotation on its own line. */
function annotateSpecIssues(
  issues: readonly SpecIssue[],
  annotate: (text: string, properties: core.AnnotationProperties) => void,
  title: string,
): void {
  for (const issue of issues) {
    annotate(`${issue.path}: ${issue.message}`, { file: issue.file, startLine: issue.line, title });
  }
}

/**
 * The JSON report is a record of the run, not part of it: when it cannot be written (RUNNER_TEMP missing, not
 * a directory, full), the run keeps its outcome, its outputs and its summary, and says so in a warning. The
 * `report` output is then empty. Written redacted, like everything else.
 */
async function writeReportOrWarn(directory: string, result: Result, now: Date): Promise<string> {
  try {
    return await writeReport(directory, redactStrings(result) as object, now);
  } catch (error) {
    out.warning(
      `Could not write the JSON report to ${directory} (${messageOf(error)}). ` +
        'The run itself is not affected: its outputs and job summary are complete, and the report output is empty. ' +
        'Check that RUNNER_TEMP is a writable directory',
      { title: 'Report not written' },
    );
    return '';
  }
}

/** Like the report, the job summary is a record: failing to write it must not hide how the run went. */
async function writeSummaryOrWarn(markdown: string): Promise<void> {
  try {
    await out.summary(markdown);
  } catch (error) {
    out.warning(`Could not write the job summary (${messageOf(error)}). The run itself is not affected`, {
      title: 'Summary not written',
    });
  }
}

/** A copy of a JSON-like value with every string redacted (dates and other toJSON values kept as they are). */
function redactStrings(value: unknown): unknown {
  if (typeof value === 'string') return redact(value);
  if (Array.isArray(value)) return value.map(redactStrings);
  if (value === null || typeof value !== 'object' || 'toJSON' in value) return value;
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, redactStrings(item)]));
}

/**
 * The stack of an error that is not one of ours (a bug, or a library failing in a way we did not foresee),
 * found under the errors that wrap it, for the debug log only: the user sees its message, a maintainer can
 * ask for the rest (ACTIONS_STEP_DEBUG).
 */
function debugStack(error: unknown): void {
  let current = error;
  for (let depth = 0; current instanceof Error && depth < 8; depth++) {
    if (!(current instanceof ActionError)) {
      if (current.stack) out.debug(`Stack of the unexpected error: ${current.stack}`);
      return;
    }
    current = (current as { original?: unknown }).original ?? current.cause;
  }
}

/** Runs the mode with its collaborators: the Snowflake driver, GitHub (for the modes that write), the clock, `out`. */
function runMode(config: Config, inputs: InputSource): Promise<Result> {
  const connect = snowflakeConnector({
    getIdToken: (audience) => core.getIDToken(audience),
    allowWorkloadIdentityHost,
    setSecret: (value) => core.setSecret(value),
  });
  const now = (): Date => new Date();
  const log = (line: string): void => out.info(line);
  const phase = (title: string): void => out.phase(title);
  if (config.mode === 'verify') return verify(config, { connect, now, log, phase });
  const deps: ModeDependencies = {
    connect,
    secretWriter: new SecretWriter(config.github),
    now,
    setSecret: (value) => inputs.setSecret(value),
    log,
    phase,
    warn: (line) => out.warning(line),
  };
  return config.mode === 'rotate' ? rotate(config, deps) : setup(config, deps);
}

function summaryOf(result: Result): string {
  switch (result.mode) {
    case 'rotate':
      return rotationSummary(result);
    case 'setup':
      return setupSummary(result);
    case 'verify':
      return verifySummary(result);
  }
}

/** Each finding on the spec line it is about, where a pull request shows it. */
function annotateFindings(result: VerifyResult): void {
  for (const finding of result.findings) {
    const properties = {
      file: finding.source.file,
      startLine: finding.source.line,
      title: `Snowflake ${finding.objectType} ${finding.objectName}`,
    };
    const text = `${finding.message}. Fix: ${finding.fix}`;
    if (finding.severity === 'error') out.error(text, properties);
    else out.warning(text, properties);
  }
}

function writeOutputs(result: Result, reportPath: string): void {
  out.setOutput('user', result.user);
  if (result.mode === 'verify') {
    out.setOutput('drift', String(result.errors));
    out.setOutput('changed', 'false');
    out.setOutput('report', reportPath);
    return;
  }
  const slot = result.mode === 'rotate' ? result.choice?.slot : result.slot;
  out.setOutput('slot', slot ?? '');
  if (result.mode === 'rotate') {
    out.setOutput('previous-fingerprint', result.choice?.inUse?.fingerprint ?? '');
    out.setOutput('replaced-fingerprint', result.choice?.replaced.fingerprint ?? '');
  }
  out.setOutput('fingerprint', result.fingerprint ?? '');
  out.setOutput('rotated-at', result.rotatedAt ?? '');
  out.setOutput('changed', String(result.changed));
  out.setOutput(
    'secrets-written',
    result.destinations
      .filter((d) => d.result === 'created' || d.result === 'updated' || d.result === 'unconfirmed')
      .map((d) => d.destination)
      .join('\n'),
  );
  out.setOutput('report', reportPath);
}
