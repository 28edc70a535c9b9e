import { describe, expect, it } from "vitest";
import { ConfigError, DEV_SESSION_SECRET, parseConfig } from "./config.server";

describe("configuration", () => {
  it("has working defaults for development", () => {
    const c = parseConfig({});
    expect(c.NODE_ENV).toBe("development");
    expect(c.PORT).toBe(3000);
    expect(c.APP_URL).toBe("http://localhost:3000");
    expect(c.SESSION_SECRET).toBe(DEV_SESSION_SECRET);
    expect(c.DATABASE_URL).toBeUndefined();
  });

  it("stops with a message naming each bad variable", () => {
    expect(() => parseConfig({ PORT: "eighty", DATABASE_URL: "mysql://x", LOG_LEVEL: "loud" })).toThrow(ConfigError);
    try {
      parseConfig({ PORT: "eighty", DATABASE_URL: "mysql://x", LOG_LEVEL: "loud", SMTP_URL: "http://mail" });
    } catch (error) {
      const message = (error as Error).message;
      expect(message).toContain("PORT");
      expect(message).toContain("DATABASE_URL: must be a postgres:// or postgresql:// URL");
      expect(message).toContain("LOG_LEVEL");
      expect(message).toContain("SMTP_URL: must be an smtp:// or smtps:// URL");
      expect(() => parseConfig({ JOB_KINDS: "notify; drop" })).toThrow(/JOB_KINDS/);
    }
  });

  it("refuses the default session secret in production, and a short one anywhere", () => {
    expect(() => parseConfig({ NODE_ENV: "production" })).toThrow(/SESSION_SECRET: must be set to your own secret in production/);
    expect(() => parseConfig({ SESSION_SECRET: "short" })).toThrow(/SESSION_SECRET: must be at least 32 characters/);
    expect(() => parseConfig({ NODE_ENV: "production", SESSION_SECRET: "x".repeat(40) })).toThrow(/LINK_SIGNING_KEYS: must be set to your own keys in production/);
    expect(() => parseConfig({ NODE_ENV: "production", SESSION_SECRET: "x".repeat(40), LINK_SIGNING_KEYS: `k1:${"y".repeat(40)}` })).toThrow(
      /PRODUCT_KEY_PEPPER: must be set to your own secret in production/,
    );
    expect(
      parseConfig({ NODE_ENV: "production", SESSION_SECRET: "x".repeat(40), LINK_SIGNING_KEYS: `k1:${"y".repeat(40)}`, PRODUCT_KEY_PEPPER: "z".repeat(40) }).NODE_ENV,
    ).toBe("production");
    expect(() => parseConfig({ LINK_SIGNING_KEYS: "k1:short" })).toThrow(/LINK_SIGNING_KEYS: must be kid:secret pairs/);
  });

  it("seeds demo data only when asked for, and never in production", () => {
    const production = { NODE_ENV: "production", SESSION_SECRET: "x".repeat(40), LINK_SIGNING_KEYS: `k1:${"y".repeat(40)}`, PRODUCT_KEY_PEPPER: "z".repeat(40) };
    expect(parseConfig({}).SEED_DEMO).toBe("never");
    expect(parseConfig({ SEED_DEMO: "auto" }).SEED_DEMO).toBe("auto");
    expect(parseConfig(production).SEED_DEMO).toBe("never");
    expect(() => parseConfig({ ...production, SEED_DEMO: "auto" })).toThrow(/SEED_DEMO: auto is refused in production/);
    expect(() => parseConfig({ SEED_DEMO: "always" })).toThrow(/SEED_DEMO/);
  });

  it("listens on this machine only unless production or HOST says otherwise", () => {
    const production = { NODE_ENV: "production", SESSION_SECRET: "x".repeat(40), LINK_SIGNING_KEYS: `k1:${"y".repeat(40)}`, PRODUCT_KEY_PEPPER: "z".repeat(40) };
    expect(parseConfig({}).HOST).toBe("127.0.0.1");
    expect(parseConfig({ NODE_ENV: "test" }).HOST).toBe("127.0.0.1");
    expect(parseConfig(production).HOST).toBe("0.0.0.0");
    expect(parseConfig({ HOST: "0.0.0.0" }).HOST).toBe("0.0.0.0");
    expect(parseConfig({ ...production, HOST: "127.0.0.1" }).HOST).toBe("127.0.0.1");
  });

  it("reads throttling limits and treats empty strings as unset", () => {
    const c = parseConfig({ LOGIN_MAX_FAILURES_PER_ACCOUNT: "3", LOGIN_MAX_FAILURES_PER_IP: "", APP_URL: "https://pd.example.com/" });
    expect(c.LOGIN_MAX_FAILURES_PER_ACCOUNT).toBe(3);
    expect(c.LOGIN_MAX_FAILURES_PER_IP).toBe(50);
    expect(c.APP_URL).toBe("https://pd.example.com");
  });
});
