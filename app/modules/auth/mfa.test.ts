import { describe, expect, it } from "vitest";
import { normaliseCode, totpCode, totpStepOf } from "./mfa.server";

// RFC 6238 Appendix B, SHA-1: the secret "12345678901234567890" (ASCII) in base32. The RFC lists
// 8-digit codes; a 6-digit code is the same truncated value modulo 10^6, its last six digits.
const RFC_SECRET = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
const VECTORS: [number, string][] = [
  [59, "94287082"],
  [1111111109, "07081804"],
  [1111111111, "14050471"],
  [1234567890, "89005924"],
  [2000000000, "69279037"],
  [20000000000, "65353130"],
];

describe("TOTP (RFC 6238)", () => {
  it.each(VECTORS)("at %i s the code is the RFC's, last six digits of %s", (seconds, eight) => {
    expect(totpCode(RFC_SECRET, seconds * 1000)).toBe(eight.slice(2));
    expect(totpStepOf(RFC_SECRET, eight.slice(2), seconds * 1000)).toBe(Math.floor(seconds / 30));
  });

  it("accepts one step of clock drift either way, and no more", () => {
    const now = 1_111_111_111_000;
    const step = Math.floor(now / 30_000);
    expect(totpStepOf(RFC_SECRET, totpCode(RFC_SECRET, now - 30_000), now)).toBe(step - 1);
    expect(totpStepOf(RFC_SECRET, totpCode(RFC_SECRET, now + 30_000), now)).toBe(step + 1);
    expect(totpStepOf(RFC_SECRET, totpCode(RFC_SECRET, now - 60_000), now)).toBeNull();
    expect(totpStepOf(RFC_SECRET, totpCode(RFC_SECRET, now + 60_000), now)).toBeNull();
  });

  it("refuses anything but six digits", () => {
    const now = 59_000;
    for (const bad of ["", "28708", "2870822", "28708a", " 287082", "２８７０８２"]) expect(totpStepOf(RFC_SECRET, bad, now)).toBeNull();
  });

  it("reads a code as people type or paste it", () => {
    expect(normaliseCode(" 287 082 ")).toBe("287082");
    expect(normaliseCode("ABCDE-FGHJK")).toBe("abcdefghjk");
  });
});
