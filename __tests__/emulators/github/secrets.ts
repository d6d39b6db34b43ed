// Actions secrets (https://docs.github.com/rest/actions/secrets): a scope's public key, and its secrets listed,
// read (metadata only), written sealed to that key, and deleted.
import {
  type Ctx,
  checkValueSize,
  deleteNamed,
  named,
  requestedVisibility,
  scopeOf,
  sendList,
  validateName,
  visibilityBody,
} from './context.js';
import { HttpError, readJsonObject, requireString, sendEmpty, sendJson } from './http.js';
import { type Secret, openSealed, publicKeyBody, timestamp } from './state.js';

// Exact pattern GitHub quotes when encrypted_value is not standard base64 (github/rest-api-description#1688).
const BASE64_PATTERN = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{4})$/;

// "Bad request - validation failed due to an improperly encrypted secret", status 422
// (rollthecloudinc/hedge#256, integrations/terraform-provider-github#2315). GitHub's wording for a stale
// key_id is not documented; the value cannot be opened with the current key either, so the same answer.
const IMPROPERLY_ENCRYPTED = 'Bad request - validation failed due to an improperly encrypted secret';

const secretMeta = (ctx: Ctx, s: Secret) => ({
  name: s.name,
  created_at: s.createdAt,
  updated_at: s.updatedAt,
  ...visibilityBody(ctx, 'secrets', s),
});

export const getPublicKey = (ctx: Ctx): void =>
  sendJson(ctx.res, 200, publicKeyBody(scopeOf(ctx).key), ctx.headers);

export const listSecrets = (ctx: Ctx): void =>
  sendList(ctx, 'secrets', scopeOf(ctx).secrets, (s) => secretMeta(ctx, s));

export const getSecret = (ctx: Ctx): void =>
  sendJson(ctx.res, 200, secretMeta(ctx, named(ctx, scopeOf(ctx).secrets)), ctx.headers);

/** The value of a PUT body, opened with the scope's current key; refused as GitHub refuses it. */
function openValue(ctx: Ctx, encrypted: string, keyId: string): string {
  const key = scopeOf(ctx).key;
  if (keyId !== key.keyId) throw new HttpError(422, IMPROPERLY_ENCRYPTED);
  const opened = openSealed(key, Buffer.from(encrypted, 'base64'));
  if (!opened) throw new HttpError(422, IMPROPERLY_ENCRYPTED);
  checkValueSize('Secret', opened.length);
  return Buffer.from(opened).toString('utf8');
}

export async function putSecret(ctx: Ctx): Promise<void> {
  const name = validateName('Secret', String(ctx.params.name));
  const body = await readJsonObject(ctx.req);
  const encrypted = requireString(body, 'encrypted_value');
  const keyId = requireString(body, 'key_id');
  if (!BASE64_PATTERN.test(encrypted)) {
    throw new HttpError(422, `Invalid request.\n\n${encrypted} does not match ${BASE64_PATTERN.source}.`);
  }
  const visibility = requestedVisibility(ctx, body);
  const value = openValue(ctx, encrypted, keyId);
  const secrets = scopeOf(ctx).secrets;
  const now = timestamp();
  const existing = secrets.get(name);
  secrets.set(name, {
    name,
    value,
    keyId,
    createdAt: existing?.createdAt ?? now,
    updatedAt: now,
    ...visibility,
  });
  // 201 "Response when creating a secret" with an empty object, 204 "Response when updating a secret".
  if (existing) sendEmpty(ctx.res, 204, ctx.headers);
  else sendJson(ctx.res, 201, {}, ctx.headers);
}

export const deleteSecret = (ctx: Ctx): void => deleteNamed(ctx, scopeOf(ctx).secrets);
