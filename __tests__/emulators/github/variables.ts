// Actions variables (https://docs.github.com/rest/actions/variables): listed, created, read, updated (renamed
// too) and deleted, in plain text.
import {
  type Ctx,
  VALUE_LIMIT_BYTES,
  nameParam,
  orgFields,
  orgVisibility,
  paginate,
  scopeOf,
  validateName,
  visibilityBody,
} from './context.js';
import { HttpError, readJsonObject, requireString, sendEmpty, sendJson } from './http.js';
import { type Variable, timestamp } from './state.js';

// POST on an existing name (or a rename onto one): 409 "Already exists - Variable already exists"
// (nexthink-oss/terraform-provider-github#12 quoting the API).
const ALREADY_EXISTS = 'Already exists - Variable already exists';

const variableBody = (ctx: Ctx, v: Variable) => ({
  name: v.name,
  value: v.value,
  created_at: v.createdAt,
  updated_at: v.updatedAt,
  ...visibilityBody(ctx, 'variables', v),
});

function checkVariableValue(value: string): void {
  // Limit documented as 48 KB per variable; the wording is the emulator's own.
  if (Buffer.byteLength(value) > VALUE_LIMIT_BYTES) {
    throw new HttpError(422, 'Variable value is too large (48 KB maximum).');
  }
}

export function listVariables(ctx: Ctx): void {
  const all = [...scopeOf(ctx).variables.values()].sort((a, b) => a.name.localeCompare(b.name));
  const page = paginate(ctx, all).map((v) => variableBody(ctx, v));
  sendJson(ctx.res, 200, { total_count: all.length, variables: page }, ctx.headers);
}

export async function createVariable(ctx: Ctx): Promise<void> {
  const body = await readJsonObject(ctx.req);
  const name = validateName('Variable', requireString(body, 'name'));
  const value = requireString(body, 'value');
  checkVariableValue(value);
  const vis = ctx.org ? orgVisibility(body, true) : {};
  const variables = scopeOf(ctx).variables;
  if (variables.has(name)) throw new HttpError(409, ALREADY_EXISTS);
  const now = timestamp();
  variables.set(name, {
    name,
    value,
    createdAt: now,
    updatedAt: now,
    ...(ctx.org ? orgFields(vis.visibility, vis.ids) : {}),
  });
  sendJson(ctx.res, 201, {}, ctx.headers);
}

export function getVariable(ctx: Ctx): void {
  const v = scopeOf(ctx).variables.get(nameParam(ctx));
  if (!v) throw new HttpError(404, 'Not Found');
  sendJson(ctx.res, 200, variableBody(ctx, v), ctx.headers);
}

export async function updateVariable(ctx: Ctx): Promise<void> {
  const variables = scopeOf(ctx).variables;
  const current = nameParam(ctx);
  const existing = variables.get(current);
  // There is no upsert: PATCH on a missing variable is 404 (shared notes; the endpoint has no 201).
  if (!existing) throw new HttpError(404, 'Not Found');
  const body = await readJsonObject(ctx.req);
  const newName =
    body.name === undefined || body.name === null
      ? current
      : validateName('Variable', requireString(body, 'name'));
  const value =
    body.value === undefined || body.value === null ? existing.value : requireString(body, 'value');
  checkVariableValue(value);
  if (newName !== current && variables.has(newName)) throw new HttpError(409, ALREADY_EXISTS);
  const vis = ctx.org ? orgVisibility(body, false) : {};
  variables.delete(current);
  variables.set(newName, {
    ...existing,
    name: newName,
    value,
    updatedAt: timestamp(),
    ...(ctx.org
      ? orgFields(vis.visibility ?? existing.visibility, vis.ids ?? existing.selectedRepositoryIds)
      : {}),
  });
  sendEmpty(ctx.res, 204, ctx.headers);
}

export function deleteVariable(ctx: Ctx): void {
  if (!scopeOf(ctx).variables.delete(nameParam(ctx))) throw new HttpError(404, 'Not Found');
  sendEmpty(ctx.res, 204, ctx.headers);
}
