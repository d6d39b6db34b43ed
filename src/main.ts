import * as core from '@actions/core';
import { ActionError, ModeFailure } from './errors.js';
import {
  type Config,
  type GitHubSettings,
  type InputSource,
  actionsInputSource,
  readConfig,
} from './inputs.js';
import { SecretWriter } from './github/secrets.js';
import type { ModeDependencies } from './modes/key-install.js';
import { type RotationResult, rotate } from './modes/rotate.js';
import { type SetupResult, setup } from './modes/setup.js';
import { type VerifyResult, verify } from './modes/verify.js';
import { writeReport } from './report/report.js';
import { failureSummary, rotationSummary, setupSummary, verifySummary } from './report/summary.js';
import { type SnowflakeConnector, snowflakeConnector } from './snowflake/connection.js';
import { SpecError } from './spec/load.js';
import { allowWorkloadIdentityHost } from './runtime.js';

/** The collaborators of a run; tests replace them to control time, Snowflake and GitHub. */
export interface Dependencies {
  inputs: InputSource;
  connect: SnowflakeConnector;
  secretWriter: (settings: GitHubSettings) => SecretWriter;
  now: () => Date;
}

export function defaultDependencies(): Dependencies {
  return {
    inputs: actionsInputSource(),
    connect: snowflakeConnector({
      getIdToken: (audience) => core.getIDToken(audience),
      allowWorkloadIdentityHost,
    }),
    secretWriter: (settings) => new SecretWriter(settings),
    now: () => new Date(),
  };
}

type Result = RotationResult | SetupResult | VerifyResult;

/**
 * Reads the inputs, runs the mode, writes outputs, summary and report, also for a run that failed part
 * way (so `changed` and the report say what it did). The one place errors are shown.
 */
export async function run(deps: Dependencies = defaultDependencies()): Promise<void> {
  try {
    const config = readConfig(deps.inputs);
    for (const warning of config.warnings) core.warning(warning);
    if (config.mode === 'setup' || config.mode === 'verify') {
      for (const issue of config.spec?.warnings ?? []) {
        core.warning(`${issue.path}: ${issue.message}`, {
          file: issue.file,
          startLine: issue.line,
          title: 'Access spec',
        });
      }
    }
    if (config.targetUser) core.setOutput('user', config.targetUser);
    core.setOutput('account', config.snowflake.account);
    let result: Result;
    let failure: ModeFailure<Result> | undefined;
    try {
      result = await runMode(config, deps);
    } catch (error) {
      if (!(error instanceof ModeFailure)) throw error;
      failure = error as ModeFailure<Result>;
      result = failure.result;
    }
    const reportPath = await writeReport(config.reportDirectory, result, deps.now());
    writeOutputs(result, reportPath);
    await core.summary.addRaw(summaryOf(result)).write();
    if (result.mode === 'verify' && !failure) {
      annotateFindings(result);
      if (result.errors > 0) {
        core.setFailed(
          `Verify found drift: ${result.headline}. The account does not match ${result.spec}: each error above names the spec line and the statement that fixes it`,
        );
      }
    }
    if (failure) {
      if (failure.original instanceof SpecError) {
        for (const issue of failure.original.issues) {
          core.error(`${issue.path}: ${issue.message}`, {
            file: issue.file,
            startLine: issue.line,
            title: 'Access spec',
          });
        }
      }
      core.setFailed(failure.render());
    }
  } catch (error) {
    const message = render(error);
    // A spec's problems also go on its own lines, where a pull request shows them.
    if (error instanceof SpecError) {
      for (const issue of error.issues) {
        core.error(`${issue.path}: ${issue.message}`, {
          file: issue.file,
          startLine: issue.line,
          title: 'Invalid access spec',
        });
      }
    }
    core.setFailed(message);
    if (error instanceof Error && error.cause !== undefined) core.debug(`Cause: ${String(error.cause)}`);
    await core.summary
      .addRaw(failureSummary(message))
      .write()
      .catch(() => undefined);
  }
}

function runMode(config: Config, deps: Dependencies): Promise<Result> {
  const log = (line: string): void => core.info(line);
  if (config.mode === 'verify') return verify(config, { connect: deps.connect, now: deps.now, log });
  const modeDeps: ModeDependencies = {
    connect: deps.connect,
    secretWriter: deps.secretWriter(config.github),
    now: deps.now,
    setSecret: (value) => deps.inputs.setSecret(value),
    log,
    warn: (line) => core.warning(line),
  };
  return config.mode === 'rotate' ? rotate(config, modeDeps) : setup(config, modeDeps);
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
    if (finding.severity === 'error') core.error(text, properties);
    else core.warning(text, properties);
  }
}

function writeOutputs(result: Result, reportPath: string): void {
  core.setOutput('user', result.user);
  if (result.mode === 'verify') {
    core.setOutput('drift', String(result.errors));
    core.setOutput('changed', 'false');
    core.setOutput('report', reportPath);
    return;
  }
  const slot = result.mode === 'rotate' ? result.choice?.slot : result.slot;
  core.setOutput('slot', slot ?? '');
  if (result.mode === 'rotate') {
    core.setOutput('previous-fingerprint', result.choice?.inUse?.fingerprint ?? '');
    core.setOutput('replaced-fingerprint', result.choice?.replaced.fingerprint ?? '');
  }
  core.setOutput('fingerprint', result.fingerprint ?? '');
  core.setOutput('rotated-at', result.rotatedAt ?? '');
  core.setOutput('changed', String(result.changed));
  core.setOutput(
    'secrets-written',
    result.destinations
      .filter((d) => d.result === 'created' || d.result === 'updated' || d.result === 'unconfirmed')
      .map((d) => d.destination)
      .join('\n'),
  );
  core.setOutput('report', reportPath);
}

function render(error: unknown): string {
  if (error instanceof ActionError) return error.render();
  // Anything else is a bug or an unexpected library failure; its message is all we have.
  return `Unexpected error: ${error instanceof Error ? error.message : String(error)}`;
}
