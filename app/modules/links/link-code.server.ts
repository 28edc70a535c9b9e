/**
 * Codes in shared links (trial invitations, purchase offers, reseller invitations).
 *
 *   <partner number>.<link id>.<key id>.<signature>
 *
 * The partner number is the advisor code that identifies the partner; the link id carries 128
 * random bits; the signature is HMAC-SHA256 over the rest with the key named by the key id,
 * truncated to 128 bits. Codes travel publicly: they identify, they do not authorise (nothing is
 * granted without the customer's sign-in). Several keys verify, the first signs, so keys rotate
 * without breaking published links.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

export interface SigningKey {
  id: string;
  secret: string;
}

/** Parses LINK_SIGNING_KEYS ("kid:secret,kid:secret"). */
export function parseSigningKeys(value: string): SigningKey[] {
  return value.split(",").map((pair) => {
    const at = pair.indexOf(":");
    return { id: pair.slice(0, at), secret: pair.slice(at + 1) };
  });
}

const sign = (key: SigningKey, payload: string) => createHmac("sha256", key.secret).update(payload).digest().subarray(0, 16);

export function createLinkCode(keys: SigningKey[], { partnerNumber }: { partnerNumber: number }) {
  const key = keys[0];
  if (!key) throw new Error("no link signing key");
  const linkId = randomBytes(16).toString("base64url");
  const payload = `${partnerNumber}.${linkId}.${key.id}`;
  return { code: `${payload}.${sign(key, payload).toString("base64url")}`, linkId };
}

const CODE = /^([1-9][0-9]{0,9})\.([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{1,16})\.([A-Za-z0-9_-]{22})$/;

/** The partner number and link id of a genuine code, or null for anything tampered, truncated or unknown. */
export function verifyLinkCode(keys: SigningKey[], code: string): { partnerNumber: number; linkId: string } | null {
  const m = CODE.exec(code);
  if (!m) return null;
  const [, partner, linkId, keyId, signature] = m as unknown as [string, string, string, string, string];
  const key = keys.find((k) => k.id === keyId);
  if (!key) return null;
  // Compare the canonical text, not decoded bytes: base64url's last character carries spare bits,
  // so decoding would accept several spellings of one signature.
  const expected = Buffer.from(sign(key, `${partner}.${linkId}.${keyId}`).toString("base64url"));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  return { partnerNumber: Number(partner), linkId };
}
