// Actions variables (https://docs.github.com/rest/actions/variables): listed, created, read, updated (renamed
// too) and deleted, in plain text.
import {
  type Ctx,
  checkValueSize,
  deleteNamed,
  nameParam,
  named,
  requestedVisibility,
  scopeOf,
  sendList,
  updatedVisibility,
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

export const listVariables = (ctx: Ctx): void =>
  sendList(ctx, 'variables', scopeOf(ctx).variables, (v) => variableBody(ctx, v));

export async function createVariable(ctx: Ctx): Promise<void> {
  const body = await readJsonObject(ctx.req);
  const name = validateName('Variable', requireString(body, 'name'));
  const value = requireString(body, 'value');
  checkValueSize('Variable', Buffer.byteLength(value));
  const visibility = requestedVisibility(ctx, body);
  const variables = scopeOf(ctx).variables;
  if (variables.has(name)) throw new HttpError(409, ALREADY_EXISTS);
  const now = timestamp();
  variables.set(name, {
    name,
    value,
    createdAt: now,
    updatedAt: now,
    ...visibility,
  });
  sendJson(ctx.res, 201, {}, ctx.headers);
}

export const getVariable = (ctx: Ctx): void =>
  sendJson(ctx.res, 200, variableBody(ctx, named(ctx, scopeOf(ctx).variables)), ctx.headers);

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
  checkValueSize('Variable', Buffer.byteLength(value));
  if (newName !== current && variables.has(newName)) throw new HttpError(409, ALREADY_EXISTS);
  const visibility = updatedVisibility(ctx, body, existing);
  variables.delete(current);
  variables.set(newName, {
    ...existing,
    name: newName,
    value,
    updatedAt: timestamp(),
    ...visibility,
  });
  sendEmpty(ctx.res, 204, ctx.headers);
}

export const deleteVariable = (ctx: Ctx): void => deleteNamed(ctx, scopeOf(ctx).variables);
