/**
 * Product key format (ADR 0011), shared by server and browser: 25 characters in five groups of
 * five, from an alphabet without look-alikes (no vowels, no 0/O, 1/I, 5/S), the last character
 * a Luhn mod N check character over the first 24, so a mistyped character or two swapped
 * neighbours are caught before any lookup.
 */
export const KEY_ALPHABET = "BCDFGHJKMPQRTVWXY2346789";
export const KEY_LENGTH = 25;
export const KEY_EXAMPLE = "XXXXX-XXXXX-XXXXX-XXXXX-XXXXX";
/** Limits of one CSV import (here, not in the server module: the import form shows them). */
export const IMPORT_MAX_BYTES = 1_000_000;
export const IMPORT_MAX_ROWS = 5_000;

const N = KEY_ALPHABET.length;

/** The check character of a 24-character key body (Luhn mod N). */
export function checkCharacter(body: string): string {
  let factor = 2;
  let sum = 0;
  for (let i = body.length - 1; i >= 0; i--) {
    const code = KEY_ALPHABET.indexOf(body[i]!);
    if (code < 0) throw new Error(`not a key character: ${body[i]}`);
    let addend = factor * code;
    factor = factor === 2 ? 1 : 2;
    addend = Math.floor(addend / N) + (addend % N);
    sum += addend;
  }
  return KEY_ALPHABET[(N - (sum % N)) % N]!;
}

/** Upper case, without spaces and hyphens. */
export function compactKey(input: string): string {
  return input.toUpperCase().replace(/[\s-]/g, "");
}

/** XXXXX-XXXXX-XXXXX-XXXXX-XXXXX. */
export function formatKey(compact: string): string {
  return compact.match(/.{1,5}/g)?.join("-") ?? compact;
}

export type KeyCheck = { ok: true; key: string; lastGroup: string } | { ok: false; reason: "format" | "characters" | "check"; message: string };

/** Checks a typed or imported key; on success `key` is its compact form. */
export function checkProductKey(input: string): KeyCheck {
  const key = compactKey(input ?? "");
  if (key.length !== KEY_LENGTH || !/^[A-Z0-9]+$/.test(key)) {
    return { ok: false, reason: "format", message: `A product key has 25 letters and digits in five groups of five (${KEY_EXAMPLE}).` };
  }
  const wrong = [...new Set([...key].filter((c) => !KEY_ALPHABET.includes(c)))];
  if (wrong.length) {
    return {
      ok: false,
      reason: "characters",
      message: `A product key never contains ${wrong.join(", ")}: check for look-alikes (product keys use only ${KEY_ALPHABET.replace(/\d+/, "")} and the digits 2346789).`,
    };
  }
  if (checkCharacter(key.slice(0, KEY_LENGTH - 1)) !== key[KEY_LENGTH - 1]) {
    return { ok: false, reason: "check", message: "This product key has a typo: its check character does not match. Compare it with the original character by character." };
  }
  return { ok: true, key, lastGroup: key.slice(KEY_LENGTH - 5) };
}

/** A new random key (tests, the demo seed and the operator's key tool), from a source of random bytes. */
export function generateProductKey(randomBytes: (n: number) => Uint8Array): string {
  const bytes = randomBytes(KEY_LENGTH - 1);
  // 256 is not a multiple of 24: reject the top values to stay uniform.
  let body = "";
  let i = 0;
  let pool = bytes;
  while (body.length < KEY_LENGTH - 1) {
    if (i >= pool.length) {
      pool = randomBytes(KEY_LENGTH);
      i = 0;
    }
    const b = pool[i++]!;
    if (b < 240) body += KEY_ALPHABET[b % N];
  }
  return formatKey(body + checkCharacter(body));
}
