import { describe, expect, it } from "vitest";
import { redirectRefusal, safeRedirect } from "./safe-redirect";

const HOME = "/partner";

/** Where a browser would go from a page of this origin with `Location: to`. */
const browserTarget = (to: string) => new URL(to, "https://pd.example.com/signin");

describe("safeRedirect: only same-origin paths", () => {
  it.each([
    "/partner/staff",
    "/customer",
    "/l/AbC-123_x?lead=tok",
    "/partner/customers?q=bake%20shop&sort=name&dir=asc",
    "/partner/customers?q=caf%C3%A9", // non-ASCII arrives percent-encoded
    "/a/./b/../c",
    "/",
  ])("follows %j", (to) => {
    expect(redirectRefusal(to)).toBeNull();
    expect(safeRedirect(to, HOME)).toBe(to);
    expect(browserTarget(to).origin).toBe("https://pd.example.com");
  });

  const refused: [string, unknown, string][] = [
    ["nothing", undefined, "not-a-string"],
    ["null", null, "not-a-string"],
    ["an uploaded file", new File(["x"], "x.txt"), "not-a-string"],
    ["an empty string", "", "empty"],
    ["an absolute URL", "https://evil.example/x", "not-a-path"],
    ["a scheme without slashes", "javascript:alert(1)", "not-a-path"],
    ["a relative path", "partner", "not-a-path"],
    ["a protocol-relative URL", "//evil.example/x", "protocol-relative"],
    ["three slashes", "///evil.example", "protocol-relative"],
    ["TAB between the slashes", "/\t/evil.example", "control-character"],
    ["CR between the slashes", "/\r/evil.example", "control-character"],
    ["LF between the slashes", "/\n/evil.example", "control-character"],
    ["CR LF (header injection)", "/partner\r\nSet-Cookie: x=1", "control-character"],
    ["NUL", "/partner\u0000", "control-character"],
    ["ESC", "/\u001b/evil.example", "control-character"],
    ["DEL", "/\u007f/evil.example", "control-character"],
    ["a C1 control (NEL)", "/\u0085/evil.example", "control-character"],
    ["a backslash after the slash", "/\\evil.example", "backslash"],
    ["a backslash later", "/partner\\..\\x", "backslash"],
    ["an encoded slash (lower case)", "/%2fevil.example", "encoded-slash-or-backslash"],
    ["an encoded slash (upper case)", "/%2Fevil.example", "encoded-slash-or-backslash"],
    ["an encoded backslash (lower case)", "/%5cevil.example", "encoded-slash-or-backslash"],
    ["an encoded backslash (upper case)", "/%5Cevil.example", "encoded-slash-or-backslash"],
    ["an encoded TAB", "/%09/evil.example", "encoded-control-character"],
    ["an encoded CR LF", "/partner%0d%0aX: y", "encoded-control-character"],
    ["a space", "/ /evil.example", "unicode-space-or-format"],
    ["a no-break space", "/\u00a0/evil.example", "unicode-space-or-format"],
    ["an ideographic space", "/\u3000/evil.example", "unicode-space-or-format"],
    ["an em space", "/\u2003/evil.example", "unicode-space-or-format"],
    ["a line separator", "/\u2028/evil.example", "unicode-space-or-format"],
    ["a zero-width space", "/\u200b/evil.example", "unicode-space-or-format"],
    ["a zero-width joiner", "/\u200d/evil.example", "unicode-space-or-format"],
    ["a byte-order mark", "/\ufeff/evil.example", "unicode-space-or-format"],
    ["a right-to-left override", "/\u202e/evil.example", "unicode-space-or-format"],
    ["a soft hyphen", "/\u00ad/evil.example", "unicode-space-or-format"],
    ["a fullwidth solidus", "/\uff0fevil.example", "non-ascii"],
    ["any other non-ASCII", "/café", "non-ascii"],
    ["a very long path", `/${"a".repeat(5000)}`, "too-long"],
  ];

  it.each(refused)("refuses %s", (_name, to, reason) => {
    expect(redirectRefusal(to)).toBe(reason);
    expect(safeRedirect(to as string, HOME)).toBe(HOME);
  });

  it("refuses what a browser would take to another host (the reason the rules exist)", () => {
    // The WHATWG URL parser strips TAB/CR/LF and reads "\" as "/": each of these leaves the origin.
    for (const to of ["/\t/evil.example", "/\n/evil.example", "/\\evil.example", "/\\/evil.example"]) {
      expect(browserTarget(to).host).toBe("evil.example");
      expect(safeRedirect(to, HOME)).toBe(HOME);
    }
  });
});
