import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { checkCharacter, checkProductKey, compactKey, generateProductKey, KEY_ALPHABET } from "./key-format";

const newKey = () => generateProductKey((n) => randomBytes(n));

describe("product key format", () => {
  it("generates keys of five groups of five from the alphabet that pass their own check", () => {
    for (let i = 0; i < 200; i++) {
      const key = newKey();
      expect(key).toMatch(new RegExp(`^[${KEY_ALPHABET}]{5}(-[${KEY_ALPHABET}]{5}){4}$`));
      const checked = checkProductKey(key);
      expect(checked).toEqual({ ok: true, key: compactKey(key), lastGroup: key.slice(-5) });
    }
  });

  it("accepts a key typed in lower case, with spaces or without hyphens", () => {
    const key = newKey();
    for (const typed of [key.toLowerCase(), key.replaceAll("-", " "), key.replaceAll("-", ""), ` ${key} `]) {
      expect(checkProductKey(typed).ok, typed).toBe(true);
    }
  });

  it("catches every single mistyped character", () => {
    const key = compactKey(newKey());
    for (let i = 0; i < key.length; i++) {
      for (const c of KEY_ALPHABET) {
        if (c === key[i]) continue;
        const typo = key.slice(0, i) + c + key.slice(i + 1);
        expect(checkProductKey(typo), `${i}:${c}`).toMatchObject({ ok: false, reason: "check" });
      }
    }
  });

  it("catches swapped neighbours, except the one pair Luhn mod N cannot tell apart", () => {
    const first = KEY_ALPHABET[0]!;
    const last = KEY_ALPHABET[KEY_ALPHABET.length - 1]!;
    let checkedSwaps = 0;
    for (let n = 0; n < 50; n++) {
      const key = compactKey(newKey());
      for (let i = 0; i < key.length - 1; i++) {
        const [a, b] = [key[i]!, key[i + 1]!];
        if (a === b || (new Set([a, b]).has(first) && new Set([a, b]).has(last))) continue;
        const swapped = key.slice(0, i) + b + a + key.slice(i + 2);
        expect(checkProductKey(swapped).ok, `${key} ${i}`).toBe(false);
        checkedSwaps++;
      }
    }
    expect(checkedSwaps).toBeGreaterThan(1000);
  });

  it("names what is wrong: length, look-alike characters, or the check character", () => {
    expect(checkProductKey("ABCDE-FGHIJ")).toMatchObject({ ok: false, reason: "format" });
    expect(checkProductKey("")).toMatchObject({ ok: false, reason: "format" });
    const key = compactKey(newKey());
    const withO = `O${key.slice(1)}`;
    const result = checkProductKey(withO);
    expect(result).toMatchObject({ ok: false, reason: "characters" });
    expect(!result.ok && result.message).toContain("never contains O");
    expect(checkProductKey(`${key.slice(0, 24)}${key[24] === "B" ? "C" : "B"}`)).toMatchObject({ ok: false, reason: "check" });
  });

  it("computes the check character over the first 24 characters only", () => {
    const key = compactKey(newKey());
    expect(checkCharacter(key.slice(0, 24))).toBe(key[24]);
  });
});
