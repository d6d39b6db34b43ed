// The control plane under /__emulator (its client is control.ts): what exists, what was written (decrypted),
// the request log and timings, faults, latency, OIDC request tokens, and reset. No authentication.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type {
  IdTokenClaimsInput,
  LogEntry,
  RepositorySpec,
  SecretScopeRef,
  TimedRequest,
  TokenSpec,
} from './control.js';
import { orgFields } from './context.js';
import { type ArmedFault, armFault } from './faults.js';
import { HttpError, readJsonObject, sendJson } from './http.js';
import type { IdTokenIssuer } from './id-tokens.js';
import { type GitHubState, type Visibility, openSealed, publicKeyBody, seal, timestamp } from './state.js';

/** What the control plane reads and sets: the model, and the server's faults, latency, log and timings. */
export interface EmulatorRuntime {
  readonly state: GitHubState;
  readonly idTokens: IdTokenIssuer;
  faults: ArmedFault[];
  latencyMs: number;
  log: LogEntry[];
  /** Every non-control request, timed from arrival to the end of its response (GET /__emulator/requests). */
  requests: TimedRequest[];
}

type Body = Record<string, unknown>;
/** An endpoint's reply body (200); undefined answers `{}`. */
type Endpoint = (body: Body, runtime: EmulatorRuntime) => unknown;

function requireFields(body: Body, fields: string[]): void {
  for (const f of fields) {
    if (typeof body[f] !== 'string' || body[f] === '')
      throw new HttpError(400, `"${f}" (string) is required`);
  }
}

function resolveRef(state: GitHubState, body: Body): SecretScopeRef {
  const resolved = state.resolveRef(body as unknown as SecretScopeRef);
  if ('error' in resolved) throw new HttpError(400, resolved.error);
  return resolved.ref;
}

function requireClaims(body: Body): IdTokenClaimsInput {
  const claims = body.claims as IdTokenClaimsInput | undefined;
  if (!claims || typeof claims.repository !== 'string') {
    throw new HttpError(400, '"claims.repository" (owner/repo) is required');
  }
  return claims;
}

/** A secret stored as if a client had written it, at `updated_at` (an ISO 8601 time) or now. */
function storeSecret(body: Body, { state }: EmulatorRuntime): void {
  requireFields(body, ['name', 'value']);
  const ref = resolveRef(state, body);
  const scope = state.scope(ref);
  const name = String(body.name).toUpperCase();
  if (body.updated_at !== undefined && Number.isNaN(Date.parse(String(body.updated_at)))) {
    throw new HttpError(400, '"updated_at" must be an ISO 8601 time');
  }
  const now = timestamp(body.updated_at === undefined ? undefined : new Date(String(body.updated_at)));
  const org = ref.scope === 'organization';
  const visibility = org ? ((body.visibility as Visibility | undefined) ?? 'private') : undefined;
  // Sealed and opened like a client-written value, so the stored key_id is the scope's current one.
  const opened = openSealed(scope.key, Buffer.from(seal(scope.key, String(body.value)), 'base64'));
  scope.secrets.set(name, {
    name,
    value: Buffer.from(opened as Uint8Array).toString('utf8'),
    keyId: scope.key.keyId,
    createdAt: scope.secrets.get(name)?.createdAt ?? now,
    updatedAt: now,
    ...(org ? orgFields(visibility, body.selected_repository_ids as number[] | undefined) : {}),
  });
}

function addEnvironment(body: Body, { state }: EmulatorRuntime): unknown {
  requireFields(body, ['owner', 'repo', 'environment']);
  const repo = state.repository(String(body.owner), String(body.repo));
  if (!repo) throw new HttpError(400, `unknown repository ${String(body.owner)}/${String(body.repo)}`);
  return { id: state.addEnvironment(repo, String(body.environment)).id };
}

function addToken(body: Body, { state }: EmulatorRuntime): unknown {
  requireFields(body, ['token']);
  if (typeof body.permissions !== 'object' || body.permissions === null) {
    throw new HttpError(400, '"permissions" (object) is required');
  }
  return { id: state.addToken(body as unknown as TokenSpec).id };
}

function reset(_body: Body, runtime: EmulatorRuntime): void {
  runtime.state.reset();
  runtime.idTokens.reset();
  runtime.faults = [];
  runtime.latencyMs = 0;
  runtime.log = [];
  runtime.requests = [];
}

const ENDPOINTS = new Map<string, Endpoint>([
  [
    'POST /repositories',
    (body, { state }) => {
      requireFields(body, ['owner', 'repo']);
      const repo = state.addRepository(body as unknown as RepositorySpec);
      return { id: repo.id, owner_id: repo.ownerId };
    },
  ],
  ['POST /environments', addEnvironment],
  [
    'POST /organizations',
    (body, { state }) => {
      requireFields(body, ['org']);
      return { id: state.addOrganization(String(body.org), body.id as number | undefined).id };
    },
  ],
  ['POST /tokens', addToken],
  ['GET /secrets', (_body, { state }) => state.allSecrets()],
  ['POST /secrets', storeSecret],
  ['GET /variables', (_body, { state }) => state.allVariables()],
  ['POST /public-keys', (body, { state }) => publicKeyBody(state.scope(resolveRef(state, body)).key)],
  ['POST /public-keys/rotate', (body, { state }) => publicKeyBody(state.rotate(resolveRef(state, body)))],
  ['GET /log', (_body, runtime) => runtime.log],
  ['GET /requests', (_body, runtime) => runtime.requests],
  ['DELETE /requests', (_body, runtime) => void (runtime.requests = [])],
  ['DELETE /log', (_body, runtime) => void (runtime.log = [])],
  ['POST /faults', (body, runtime) => void runtime.faults.push(armFault(body))],
  ['DELETE /faults', (_body, runtime) => void (runtime.faults = [])],
  ['POST /latency', (body, runtime) => void (runtime.latencyMs = Math.max(0, Number(body.ms) || 0))],
  [
    'POST /id-token-requests',
    (body, { idTokens }) => {
      requireFields(body, ['requestToken']);
      const claims = requireClaims(body);
      const id = typeof body.id === 'string' ? body.id : undefined;
      return { id: idTokens.register(String(body.requestToken), claims, id) };
    },
  ],
  [
    'POST /id-tokens',
    (body, { idTokens }) => {
      const claims = requireClaims(body);
      return { token: idTokens.mint(claims, typeof body.audience === 'string' ? body.audience : undefined) };
    },
  ],
  ['POST /reset', reset],
]);

/** DELETE /tokens/:token revokes a token; the other endpoints are ENDPOINTS'. */
function endpointFor(method: string, path: string): Endpoint | undefined {
  const endpoint = ENDPOINTS.get(`${method} ${path}`);
  if (endpoint) return endpoint;
  const revoke = /^\/tokens\/([^/]+)$/.exec(path);
  if (method !== 'DELETE' || !revoke) return undefined;
  return (_body, { state }) => void state.tokens.delete(decodeURIComponent(revoke[1] as string));
}

export async function handleControl(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  runtime: EmulatorRuntime,
): Promise<void> {
  const method = req.method ?? 'GET';
  const path = url.pathname.slice('/__emulator'.length);
  const body = method === 'POST' ? await readJsonObject(req) : {};
  const endpoint = endpointFor(method, path);
  if (!endpoint) throw new HttpError(404, `unknown control-plane endpoint ${method} ${path}`);
  sendJson(res, 200, endpoint(body, runtime) ?? {});
}
