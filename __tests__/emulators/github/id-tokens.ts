// The runner's OIDC token endpoint and the discovery documents behind it: job tokens signed for the request
// tokens the control plane registered, with the claims of a registered repository.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { IdTokenClaimsInput, LogEntry } from './control.js';
import { HttpError, sendJson } from './http.js';
import {
  buildClaims,
  jwks,
  newSigningKey,
  openIdConfiguration,
  signJwt,
  type OidcRepository,
  type SigningKey,
} from './oidc.js';
import type { GitHubState } from './state.js';

const ID_TOKEN_PATH = /^\/_apis\/distributedtask\/hubs\/Actions\/plans\/[^/]+\/jobs\/[^/]+\/idtoken$/;

export class IdTokenIssuer {
  private readonly signingKey: SigningKey = newSigningKey();
  /** ACTIONS_ID_TOKEN_REQUEST_TOKEN values, each with its id for the log and the job it stands for. */
  private readonly requestTokens = new Map<string, { id: string; claims: IdTokenClaimsInput }>();

  constructor(private readonly state: GitHubState) {}

  reset(): void {
    this.requestTokens.clear();
  }

  /** The registered repository `owner/name` as the claims need it; undefined when unknown. */
  repository(full: string): OidcRepository | undefined {
    const [owner, name] = full.split('/');
    const repo = owner && name ? this.state.repository(owner, name) : undefined;
    if (!repo) return undefined;
    return {
      owner: repo.owner,
      ownerId: repo.ownerId,
      name: repo.name,
      id: repo.id,
      visibility: repo.private ? 'private' : 'public',
      defaultBranch: repo.defaultBranch,
    };
  }

  mint(claims: IdTokenClaimsInput, audience: string | undefined): string {
    const repo = this.repository(claims.repository);
    if (!repo) throw new HttpError(400, `unknown repository ${claims.repository}`);
    return signJwt(buildClaims(repo, claims, audience, Math.floor(Date.now() / 1000)), this.signingKey);
  }

  /** Registers a request token for a job of a known repository; its id (given, or the next in order). */
  register(requestToken: string, claims: IdTokenClaimsInput, id: string | undefined): string {
    if (!this.repository(claims.repository))
      throw new HttpError(400, `unknown repository ${claims.repository}`);
    const assigned = id ?? `id-token-request-${this.requestTokens.size + 1}`;
    this.requestTokens.set(requestToken, { id: assigned, claims });
    return assigned;
  }

  /** Answers discovery, JWKS and token requests; false when the request is none of them. */
  handle(req: IncomingMessage, res: ServerResponse, url: URL, entry: LogEntry, base: string): boolean {
    if (req.method !== 'GET') return false;
    if (url.pathname === '/.well-known/openid-configuration') {
      sendJson(res, 200, openIdConfiguration(`${base}/.well-known/jwks`));
      return true;
    }
    if (url.pathname === '/.well-known/jwks') {
      sendJson(res, 200, jwks([this.signingKey]));
      return true;
    }
    if (!ID_TOKEN_PATH.test(url.pathname)) return false;
    // @actions/core's OidcClient sends "Authorization: Bearer <ACTIONS_ID_TOKEN_REQUEST_TOKEN>" and GETs
    // `${ACTIONS_ID_TOKEN_REQUEST_URL}&audience=<encoded audience>`, then reads `value` from the JSON.
    const m = /^bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
    const request = m ? this.requestTokens.get(m[1] as string) : undefined;
    if (!request) {
      sendJson(res, 401, { message: 'Unauthorized: the request token is missing, unknown or expired.' });
      return true;
    }
    entry.tokenId = request.id;
    const audience = url.searchParams.get('audience') || undefined;
    const value = this.mint(request.claims, audience);
    // The service answers {"count": <length>, "value": "<jwt>"} (clients model it as ActionsJWT{Count, Value}).
    sendJson(res, 200, { count: value.length, value });
    return true;
  }
}
