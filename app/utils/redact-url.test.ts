import { describe, expect, it } from "vitest";
import { randomBytes } from "node:crypto";

const randomToken = () => randomBytes(32).toString("base64url");
import { redactTokens } from "./redact-url";

describe("redactTokens", () => {
  const token = randomToken();

  it("takes the token out of each mailed link's path, keeping the rest of the URL", () => {
    expect(redactTokens(`/activate/${token}`)).toBe("/activate/[redacted]");
    expect(redactTokens(`/reset-password/${token}?index`)).toBe("/reset-password/[redacted]?index");
    expect(redactTokens(`/confirm-email/${token}`)).toBe("/confirm-email/[redacted]");
    expect(redactTokens(`http://localhost:3000/reset-password/${token}`)).toBe("http://localhost:3000/reset-password/[redacted]");
    // Single-fetch data requests of the same pages.
    expect(redactTokens(`/activate/${token}.data?_routes=routes%2Factivate.%24token`)).toBe("/activate/[redacted].data?_routes=routes%2Factivate.%24token");
  });

  it("also where a link travels encoded in a query (sign-in's redirectTo), in any case of the escape", () => {
    expect(redactTokens(`/signin?redirectTo=%2Factivate%2F${token}`)).toBe("/signin?redirectTo=%2Factivate%2F[redacted]");
    expect(redactTokens(`/signin?redirectTo=%2freset-password%2f${token}%3Fx%3D1`)).toBe("/signin?redirectTo=%2freset-password%2f[redacted]%3Fx%3D1");
    expect(redactTokens(`/signin?redirectTo=%252Fconfirm-email%252F${token}`)).toBe("/signin?redirectTo=%252Fconfirm-email%252F[redacted]");
    expect(redactTokens(`/signin?a=1&redirectTo=/activate/${token}&b=2`)).toBe("/signin?a=1&redirectTo=/activate/[redacted]&b=2");
  });

  it("in messages too, and every occurrence", () => {
    expect(redactTokens(`No route matches URL "/activate/${token}/x" nor "/confirm-email/${token}"`)).toBe('No route matches URL "/activate/[redacted]/x" nor "/confirm-email/[redacted]"');
  });

  it("leaves other URLs alone", () => {
    for (const url of ["/activate", "/activate/", "/reset-password", "/forgot-password", "/partner/customers/4f0c/users", "/gdap/abc", "/l/abc", "/signin?redirectTo=%2Fpartner"]) {
      expect(redactTokens(url)).toBe(url);
    }
  });
});
