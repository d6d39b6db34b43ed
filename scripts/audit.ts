import { spawnSync } from 'node:child_process';

/**
 * `npm run audit`: npm audit of the production dependencies (what dist/ bundles), failing on a high or
 * critical advisory. Some registries (mirrors, proxies) do not offer npm's advisory endpoint; then there is
 * no verdict, which is said plainly. It fails too with AUDIT_REQUIRED=true (for CI that has the endpoint).
 */

interface AuditReport {
  statusCode?: number;
  message?: string;
  error?: { summary?: string };
  metadata?: { vulnerabilities?: Record<string, number> };
  vulnerabilities?: Record<string, { severity: string; via: unknown[] }>;
}

const audit = spawnSync('npm', ['audit', '--omit=dev', '--json'], { encoding: 'utf8' });
let report: AuditReport;
try {
  report = JSON.parse(audit.stdout) as AuditReport;
} catch {
  report = { message: (audit.stderr || audit.stdout || 'no output').trim().split('\n')[0] };
}

const counts = report.metadata?.vulnerabilities;
if (!counts) {
  const reason = report.message ?? report.error?.summary ?? `npm audit exited ${audit.status}`;
  const line = `npm audit gave no verdict: the registry did not answer the advisory query (${reason})`;
  if (process.env.AUDIT_REQUIRED === 'true') {
    console.error(line);
    process.exit(1);
  }
  console.log(`${line}. Not counted as a pass; set AUDIT_REQUIRED=true where the endpoint is reachable.`);
  process.exit(0);
}

const serious = Object.entries(report.vulnerabilities ?? {}).filter(([, v]) =>
  ['high', 'critical'].includes(v.severity),
);
console.log(
  `npm audit (production dependencies): ${Object.entries(counts)
    .map(([severity, n]) => `${n} ${severity}`)
    .join(', ')}`,
);
if (serious.length > 0) {
  console.error(
    `High or critical advisories in: ${serious.map(([name, v]) => `${name} (${v.severity})`).join(', ')}`,
  );
  process.exit(1);
}
