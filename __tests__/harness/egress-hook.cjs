// Preloaded into the action's process (`node --require egress-hook.cjs dist/index.js`) by runAction's
// `recordConnections` option. Records every outbound TCP connection attempt (net.Socket#connect, which
// net.connect, tls.connect, http/https agents and fetch (undici) all go through) and every DNS lookup
// (dns.lookup, dns.promises.lookup, and the dns.resolve* family) as one JSON line each in the file named by
// EGRESS_RECORD_FILE. It only observes: arguments, return values and errors pass through unchanged, and a
// failure to record is swallowed.
'use strict';
// A preload for `node --require` is CommonJS.
/* eslint-disable @typescript-eslint/no-require-imports */

const fs = require('node:fs');
const net = require('node:net');
const dns = require('node:dns');

const file = process.env.EGRESS_RECORD_FILE;

function record(entry) {
  if (!file) return;
  try {
    fs.appendFileSync(file, `${JSON.stringify(entry)}\n`);
  } catch {
    // Recording must never change what the process does.
  }
}

/**
 * Socket#connect accepts (options[, cb]), (port[, host][, cb]), (path[, cb]), and, from net.connect, an
 * already-normalised [options, cb] array as its only argument.
 */
function target(args) {
  let list = args;
  if (list.length === 1 && Array.isArray(list[0])) list = list[0];
  const first = list[0];
  if (first !== null && typeof first === 'object') {
    if (first.path !== undefined && first.port === undefined) return { path: String(first.path) };
    return { host: first.host === undefined ? 'localhost' : String(first.host), port: Number(first.port) };
  }
  if (typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first))) {
    return { host: typeof list[1] === 'string' ? list[1] : 'localhost', port: Number(first) };
  }
  if (typeof first === 'string') return { path: first };
  return { host: 'unknown' };
}

const originalConnect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function connect(...args) {
  try {
    record({ kind: 'connect', ...target(args) });
  } catch {
    // as above
  }
  return originalConnect.apply(this, args);
};

/** Wraps fn so calls with a host name are recorded; keeps fn's symbol properties (util.promisify uses one). */
function wrapLookup(owner, name, kind) {
  const original = owner[name];
  if (typeof original !== 'function') return;
  const wrapped = function (...args) {
    record({ kind, host: String(args[0]) });
    return original.apply(this, args);
  };
  for (const key of Reflect.ownKeys(original)) {
    if (typeof key === 'symbol')
      Object.defineProperty(wrapped, key, Object.getOwnPropertyDescriptor(original, key));
  }
  Object.defineProperty(wrapped, 'name', { value: original.name });
  owner[name] = wrapped;
}

for (const owner of [dns, dns.promises]) {
  wrapLookup(owner, 'lookup', 'lookup');
  for (const name of ['resolve', 'resolve4', 'resolve6', 'resolveAny']) wrapLookup(owner, name, 'resolve');
}
