/**
 * What must happen before snowflake-sdk is evaluated. snowflake/connection.ts, the only module that loads the
 * SDK, imports this module first; ESM evaluates imports in order, so these switches are in place when the SDK's
 * module body runs, whichever entry point loaded the action (dist/index.js, or src/main.ts from source).
 * index.ts imports it first of all, so that the key generation below starts before anything else loads.
 */
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEarlyKeyGeneration } from './keys.js';

// First of all, so that it runs while everything else loads.
startEarlyKeyGeneration(process.env);

// The SDK probes cloud metadata endpoints (169.254.169.254, metadata.google.internal, AWS STS) at load time
// to report the platform, which on a runner costs seconds and talks to hosts we never meant to contact.
process.env.SNOWFLAKE_DISABLE_PLATFORM_DETECTION = 'true';
// Bundled, the SDK's optional native addon cannot load; trying costs time and sends a telemetry event.
process.env.SNOWFLAKE_DISABLE_MINICORE = '1';
// An in-band telemetry event describing the connection's shape, sent after every login; we send none.
process.env.SF_TELEMETRY_DISABLE_CONNECTION_SHAPE = 'true';

// The SDK reads __dirname (getDriverDirectory); an ESM bundle has none, so give it the bundle's directory.
const globals = globalThis as { __dirname?: string };
globals.__dirname ??= dirname(fileURLToPath(import.meta.url));

/**
 * snowflake-sdk sends a workload-identity token only to hosts under Snowflake's domains, unless
 * SNOWFLAKE_WIF_ALLOWED_HOST_SUFFIXES lists more (read at each login). `snowflake-url` accepts plain http only
 * for loopback addresses, so this is called for a local emulator and nothing else.
 */
export function allowWorkloadIdentityHost(host: string): void {
  const current = (process.env.SNOWFLAKE_WIF_ALLOWED_HOST_SUFFIXES ?? '').split(',').filter(Boolean);
  if (!current.includes(host)) process.env.SNOWFLAKE_WIF_ALLOWED_HOST_SUFFIXES = [...current, host].join(',');
}
