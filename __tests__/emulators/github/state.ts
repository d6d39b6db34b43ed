// The emulator's model of GitHub: repositories with environments, organizations, tokens, and per-scope
// Actions secrets (sealed with a real Curve25519 key pair per scope) and variables.
import { randomInt } from 'node:crypto';
import sodium from 'libsodium-wrappers';
import type {
  AccessLevel,
  RepositorySpec,
  SecretScopeRef,
  StoredSecret,
  StoredVariable,
  TokenPermissions,
  TokenSpec,
} from './control.js';

export type Visibility = 'all' | 'private' | 'selected';

export interface Environment {
  name: string;
  id: number;
  createdAt: string;
  updatedAt: string;
}

export interface Repository {
  owner: string;
  ownerId: number;
  ownerType: 'Organization' | 'User';
  name: string;
  id: number;
  private: boolean;
  defaultBranch: string;
  createdAt: string;
  environments: Map<string, Environment>;
}

export interface Organization {
  login: string;
  id: number;
  createdAt: string;
}

export interface Token {
  id: string;
  secret: string;
  type: 'fine-grained' | 'installation';
  permissions: TokenPermissions;
  repositories: Set<string> | 'all';
  organizations: Set<string>;
}

export interface KeyPair {
  keyId: string;
  publicKey: Uint8Array;
  privateKey: Uint8Array;
}

export interface Secret {
  name: string;
  value: string;
  keyId: string;
  createdAt: string;
  updatedAt: string;
  visibility?: Visibility;
  selectedRepositoryIds?: number[];
}

export interface Variable {
  name: string;
  value: string;
  createdAt: string;
  updatedAt: string;
  visibility?: Visibility;
  selectedRepositoryIds?: number[];
}

export interface Scope {
  ref: SecretScopeRef;
  /** Current key pair; earlier ones are forgotten when rotated, so their key_id is stale. */
  key: KeyPair;
  secrets: Map<string, Secret>;
  variables: Map<string, Variable>;
}

/** GitHub timestamps are ISO 8601 in UTC without fractions: 2019-08-10T14:59:22Z. */
export function timestamp(date = new Date()): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function newKeyPair(): KeyPair {
  const pair = sodium.crypto_box_keypair();
  // GitHub's key ids are decimal strings such as "568250167242549743".
  const keyId = `${randomInt(100_000_000, 999_999_999)}${randomInt(100_000_000, 999_999_999)}`;
  return { keyId, publicKey: pair.publicKey, privateKey: pair.privateKey };
}

export function publicKeyBody(key: KeyPair): { key_id: string; key: string } {
  return { key_id: key.keyId, key: sodium.to_base64(key.publicKey, sodium.base64_variants.ORIGINAL) };
}

/** Opens a sealed box (crypto_box_seal); null when it does not open with this key pair. */
export function openSealed(key: KeyPair, sealed: Uint8Array): Uint8Array | null {
  try {
    return sodium.crypto_box_seal_open(sealed, key.publicKey, key.privateKey);
  } catch {
    return null;
  }
}

export function seal(key: KeyPair, value: string): string {
  return sodium.to_base64(
    sodium.crypto_box_seal(sodium.from_string(value), key.publicKey),
    sodium.base64_variants.ORIGINAL,
  );
}

const lc = (s: string): string => s.toLowerCase();

export function levelSatisfies(granted: AccessLevel | undefined, needed: AccessLevel): boolean {
  const rank = { read: 1, write: 2, admin: 3 } as const;
  return granted !== undefined && rank[granted] >= rank[needed];
}

export class GitHubState {
  readonly repositories = new Map<string, Repository>();
  readonly organizations = new Map<string, Organization>();
  readonly tokens = new Map<string, Token>();
  private readonly scopes = new Map<string, Scope>();
  private nextId = 100_000;
  private nextTokenId = 1;

  private id(): number {
    return ++this.nextId;
  }

  reset(): void {
    this.repositories.clear();
    this.organizations.clear();
    this.tokens.clear();
    this.scopes.clear();
  }

  addOrganization(login: string, id?: number): Organization {
    const existing = this.organizations.get(lc(login));
    if (existing) return existing;
    const org = { login, id: id ?? this.id(), createdAt: timestamp() };
    this.organizations.set(lc(login), org);
    // Repositories registered before their organization now belong to it.
    for (const repo of this.repositories.values()) {
      if (lc(repo.owner) === lc(login)) {
        repo.ownerType = 'Organization';
        repo.ownerId = org.id;
      }
    }
    return org;
  }

  addRepository(spec: RepositorySpec): Repository {
    const key = `${lc(spec.owner)}/${lc(spec.repo)}`;
    let repo = this.repositories.get(key);
    if (!repo) {
      const org = this.organizations.get(lc(spec.owner));
      const sameOwner = [...this.repositories.values()].find((r) => lc(r.owner) === lc(spec.owner));
      repo = {
        owner: spec.owner,
        ownerId: org?.id ?? sameOwner?.ownerId ?? this.id(),
        ownerType: org ? 'Organization' : 'User',
        name: spec.repo,
        id: spec.id ?? this.id(),
        private: spec.private ?? true,
        defaultBranch: spec.defaultBranch ?? 'main',
        createdAt: timestamp(),
        environments: new Map(),
      };
      this.repositories.set(key, repo);
    }
    for (const env of spec.environments ?? []) this.addEnvironment(repo, env);
    return repo;
  }

  addEnvironment(repo: Repository, name: string): Environment {
    // Environment names are case-insensitive on GitHub.
    const existing = repo.environments.get(lc(name));
    if (existing) return existing;
    const now = timestamp();
    const env = { name, id: this.id(), createdAt: now, updatedAt: now };
    repo.environments.set(lc(name), env);
    return env;
  }

  repository(owner: string, name: string): Repository | undefined {
    return this.repositories.get(`${lc(owner)}/${lc(name)}`);
  }

  repositoryById(id: number): Repository | undefined {
    return [...this.repositories.values()].find((r) => r.id === id);
  }

  organization(login: string): Organization | undefined {
    return this.organizations.get(lc(login));
  }

  addToken(spec: TokenSpec): Token {
    const id = spec.id ?? `token-${this.nextTokenId++}`;
    const token: Token = {
      id,
      secret: spec.token,
      type: spec.type ?? (spec.token.startsWith('ghs_') ? 'installation' : 'fine-grained'),
      // Every fine-grained token and app installation has read access to metadata.
      permissions: { metadata: 'read', ...spec.permissions },
      repositories: spec.repositories === 'all' ? 'all' : new Set((spec.repositories ?? []).map(lc)),
      organizations: new Set((spec.organizations ?? []).map(lc)),
    };
    for (const [tid, t] of this.tokens) if (t.secret === spec.token || tid === id) this.tokens.delete(tid);
    this.tokens.set(id, token);
    return token;
  }

  tokenBySecret(secret: string): Token | undefined {
    return [...this.tokens.values()].find((t) => t.secret === secret);
  }

  canReach(token: Token, repo: Repository): boolean {
    return token.repositories === 'all' || token.repositories.has(`${lc(repo.owner)}/${lc(repo.name)}`);
  }

  static scopeKey(ref: SecretScopeRef): string {
    switch (ref.scope) {
      case 'repository':
        return `repo:${lc(ref.owner)}/${lc(ref.repo)}`;
      case 'environment':
        return `env:${lc(ref.owner)}/${lc(ref.repo)}:${lc(ref.environment)}`;
      case 'organization':
        return `org:${lc(ref.org)}`;
    }
  }

  /** The scope's secrets, variables and key pair, created on first use (as GitHub has a key per scope). */
  scope(ref: SecretScopeRef): Scope {
    const key = GitHubState.scopeKey(ref);
    let scope = this.scopes.get(key);
    if (!scope) {
      scope = { ref, key: newKeyPair(), secrets: new Map(), variables: new Map() };
      this.scopes.set(key, scope);
    }
    return scope;
  }

  /** Resolves a control-plane scope reference against registered repositories, environments, orgs. */
  resolveRef(ref: SecretScopeRef): { ref: SecretScopeRef } | { error: string } {
    if (ref.scope === 'organization') {
      const org = this.organization(ref.org);
      return org
        ? { ref: { scope: 'organization', org: org.login } }
        : { error: `unknown organization ${ref.org}` };
    }
    const repo = this.repository(ref.owner, ref.repo);
    if (!repo) return { error: `unknown repository ${ref.owner}/${ref.repo}` };
    if (ref.scope === 'repository')
      return { ref: { scope: 'repository', owner: repo.owner, repo: repo.name } };
    const env = repo.environments.get(lc(ref.environment));
    if (!env) return { error: `unknown environment ${ref.environment} in ${repo.owner}/${repo.name}` };
    return { ref: { scope: 'environment', owner: repo.owner, repo: repo.name, environment: env.name } };
  }

  rotate(ref: SecretScopeRef): KeyPair {
    const scope = this.scope(ref);
    scope.key = newKeyPair();
    return scope.key;
  }

  private describe(
    ref: SecretScopeRef,
  ): Pick<StoredSecret, 'scope' | 'owner' | 'repo' | 'environment' | 'org'> {
    return { ...ref };
  }

  /** A secret or variable as the control plane shows it: its scope, then its fields (a secret's key_id too). */
  private stored(ref: SecretScopeRef, item: Variable, keyId?: { key_id: string }): StoredVariable {
    return {
      ...this.describe(ref),
      name: item.name,
      value: item.value,
      ...keyId,
      created_at: item.createdAt,
      updated_at: item.updatedAt,
      ...(item.visibility ? { visibility: item.visibility } : {}),
      ...(item.selectedRepositoryIds ? { selected_repository_ids: [...item.selectedRepositoryIds] } : {}),
    };
  }

  allSecrets(): StoredSecret[] {
    return [...this.scopes.values()].flatMap((scope) =>
      [...scope.secrets.values()].map((s) => this.stored(scope.ref, s, { key_id: s.keyId }) as StoredSecret),
    );
  }

  allVariables(): StoredVariable[] {
    return [...this.scopes.values()].flatMap((scope) =>
      [...scope.variables.values()].map((v) => this.stored(scope.ref, v)),
    );
  }
}
