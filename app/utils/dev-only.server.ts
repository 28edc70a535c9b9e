/**
 * What only a developer at this machine may see (the mail outbox holds every tenant's mail,
 * with activation and reset links): development mode, a loopback client, no proxy in between.
 */
import { BlockList, isIP } from "node:net";

const loopback = new BlockList();
loopback.addSubnet("127.0.0.0", 8, "ipv4");
loopback.addAddress("::1", "ipv6");

/** 127.0.0.0/8, ::1, and IPv4-mapped loopback (::ffff:127.x.y.z), as Node reports a socket's peer. */
export function isLoopbackAddress(ip: string | null | undefined): boolean {
  if (!ip) return false;
  const mapped = /^::ffff:/i.test(ip) ? ip.slice(7) : ip;
  if (isIP(mapped) === 4) return loopback.check(mapped, "ipv4");
  if (isIP(ip) === 6) return loopback.check(ip, "ipv6");
  return false;
}

/**
 * True when a development-only page may answer this request: NODE_ENV is development, the client
 * is on this machine's loopback, and the request did not come through a proxy (a forwarded
 * request's peer is the proxy, which may be local while the person is not; with TRUST_PROXY=1 a
 * client could claim a loopback X-Forwarded-For).
 */
export function servedToLocalDeveloper(nodeEnv: string, clientIp: string | null | undefined, headers: Headers): boolean {
  if (nodeEnv !== "development") return false;
  if (headers.has("x-forwarded-for") || headers.has("forwarded") || headers.has("x-real-ip")) return false;
  return isLoopbackAddress(clientIp);
}
