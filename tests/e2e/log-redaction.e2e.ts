/**
 * The real server.js keeps mailed links' tokens out of its request log (security review of issue
 * 28): a person asks for a reset link, opens it (also as a single-fetch .data request, and as the
 * sign-in page's redirectTo) and uses it; the log shows each path with the token redacted.
 */
import { describe, expect, it } from "vitest";
import { outboxHtml, postForm, until, setUpApp } from "./support";

const app = await setUpApp({ browser: false, env: { HOST: "127.0.0.1", LOG_LEVEL: "info", JOB_POLL_MS: "100" } });
const base = app.url;
const form = (pathname: string, fields: Record<string, string>) => postForm(base, pathname, fields);

describe("request log", () => {
  it("never holds a live reset token: every path with it is logged with the token redacted", async () => {
    expect((await form("/forgot-password", { email: "admin@northwind.example" })).status).toBeLessThan(400);
    // The development outbox (this machine only) is the mailbox here.
    const token = await until(async () => (await outboxHtml(base)).match(/\/reset-password\/([A-Za-z0-9_-]{20,})/)?.[1], { what: "the reset mail", timeoutMs: 20_000, intervalMs: 200 });

    expect((await fetch(`${base}/reset-password/${token}`)).status).toBe(200);
    expect((await fetch(`${base}/reset-password/${token}.data?_routes=${encodeURIComponent("routes/reset-password.$token")}`)).status).toBe(200);
    expect((await fetch(`${base}/signin?redirectTo=${encodeURIComponent(`/reset-password/${token}`)}`)).status).toBe(200);
    const reset = await form(`/reset-password/${token}`, { password: "a-brand-new-password", confirmPassword: "a-brand-new-password" });
    expect(reset.status).toBe(302);

    const lines = await until(
      async () => {
        const found = app.server.output().split("\n").filter((l) => l.includes("reset-password%2F[redacted]") || l.includes("/reset-password/[redacted]"));
        return found.length >= 4 ? found : null;
      },
      { what: "four logged requests with the token redacted", timeoutMs: 20_000, intervalMs: 200 },
    );
    expect(lines.some((l) => l.includes('"method":"POST"'))).toBe(true);
    expect(app.server.output()).not.toContain(token);
  });
});
