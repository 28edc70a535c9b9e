import { describe, expect, it } from "vitest";
import { createLinkCode, parseSigningKeys, verifyLinkCode } from "./link-code.server";

const OLD = parseSigningKeys("k1:first-secret-0123456789-0123456789-abcdef");
const ROTATED = parseSigningKeys("k2:second-secret-0123456789-0123456789-abcd,k1:first-secret-0123456789-0123456789-abcdef");
const ONLY_NEW = parseSigningKeys("k2:second-secret-0123456789-0123456789-abcd");

describe("shared-link codes", () => {
  it("identify the partner and the link, with 128 random bits", () => {
    const a = createLinkCode(OLD, { partnerNumber: 4100001 });
    const b = createLinkCode(OLD, { partnerNumber: 4100001 });
    expect(a.code).not.toBe(b.code);
    expect(Buffer.from(a.linkId, "base64url")).toHaveLength(16);
    expect(verifyLinkCode(OLD, a.code)).toEqual({ partnerNumber: 4100001, linkId: a.linkId });
  });

  it("refuse tampering with any character, truncation and junk", () => {
    // Many codes, every position, several replacement characters: one spelling per code is valid.
    for (let n = 0; n < 50; n++) {
      const { code } = createLinkCode(OLD, { partnerNumber: 4100001 });
      for (let i = 0; i < code.length; i++) {
        if (code[i] === ".") continue;
        for (const c of ["A", "B", "g", "w", "-", "_", "0"]) {
          const changed = code.slice(0, i) + c + code.slice(i + 1);
          if (changed !== code) expect(verifyLinkCode(OLD, changed), `${code} position ${i} → ${c}`).toBeNull();
        }
      }
    }
    const { code } = createLinkCode(OLD, { partnerNumber: 4100001 });
    expect(verifyLinkCode(OLD, code.slice(0, -1))).toBeNull();
    expect(verifyLinkCode(OLD, code.slice(0, code.lastIndexOf(".")))).toBeNull();
    expect(verifyLinkCode(OLD, "")).toBeNull();
    expect(verifyLinkCode(OLD, "not-a-code")).toBeNull();
  });

  it("cannot be moved to another partner", () => {
    const { code } = createLinkCode(OLD, { partnerNumber: 4100001 });
    expect(verifyLinkCode(OLD, code.replace(/^4100001\./, "4100002."))).toBeNull();
  });

  it("keep working after a key rotation, until the old key is retired", () => {
    const published = createLinkCode(OLD, { partnerNumber: 7 }).code;
    expect(verifyLinkCode(ROTATED, published)).not.toBeNull();
    const fresh = createLinkCode(ROTATED, { partnerNumber: 7 }).code;
    expect(fresh.split(".")[2]).toBe("k2");
    expect(verifyLinkCode(ONLY_NEW, fresh)).not.toBeNull();
    expect(verifyLinkCode(ONLY_NEW, published)).toBeNull();
  });
});
