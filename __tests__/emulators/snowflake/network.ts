// Network policies: IPv4 addresses and CIDR ranges, and the rule a login is judged by. Sources are
// in README.md ("Network policies").

/** A network policy as CREATE/ALTER NETWORK POLICY leave it. Lists keep the order they were given in. */
export interface NetworkPolicy {
  name: string;
  allowed: string[];
  blocked: string[];
  comment: string | null;
  createdOn: Date;
}

/** `a.b.c.d` as an unsigned 32-bit number, or null when it is not a dotted-quad IPv4 address. */
export function parseIpv4(text: string): number | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  let value = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return null;
    const n = Number(part);
    if (n > 255) return null;
    value = value * 256 + n;
  }
  return value;
}

/** An ALLOWED_IP_LIST / BLOCKED_IP_LIST entry: an IPv4 address or an IPv4 CIDR block (`/0` to `/32`). */
export function parseEntry(entry: string): { base: number; bits: number } | null {
  const slash = entry.indexOf('/');
  const address = parseIpv4(slash < 0 ? entry : entry.slice(0, slash));
  if (address === null) return null;
  if (slash < 0) return { base: address, bits: 32 };
  const suffix = entry.slice(slash + 1);
  if (!/^\d{1,2}$/.test(suffix) || Number(suffix) > 32) return null;
  return { base: address, bits: Number(suffix) };
}

function inRange(address: number, entry: string): boolean {
  const parsed = parseEntry(entry);
  if (!parsed) return false;
  if (parsed.bits === 0) return true;
  const size = 2 ** (32 - parsed.bits);
  return Math.floor(address / size) === Math.floor(parsed.base / size);
}

/**
 * The client address as a network policy sees it: IPv4-mapped IPv6 (`::ffff:127.0.0.1`, what Node
 * reports on dual-stack sockets) becomes the IPv4 address; anything else is kept as it is.
 */
export function normalizeClientIp(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  return mapped ? mapped[1]! : ip;
}

/**
 * Whether a policy lets `ip` in: the blocked list wins over the allowed list, and an address that the
 * allowed list does not cover is refused (an empty allowed list refuses every address). Network
 * policies know IPv4 only, so any other address is refused.
 */
export function policyAllows(policy: NetworkPolicy, ip: string): boolean {
  const address = parseIpv4(normalizeClientIp(ip));
  if (address === null) return false;
  if (policy.blocked.some((entry) => inRange(address, entry))) return false;
  return policy.allowed.some((entry) => inRange(address, entry));
}
