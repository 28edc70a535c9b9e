/**
 * The real server.js keeps mailed links' tokens out of its request log (security review of issue
 * 28): a person asks for a reset link, opens it (also as a single-fetch .data request, and as the
 * sign-in page's redirectTo) and uses it; the log shows each path with the token redacted.
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "./free-port";

let child: ChildProcess;
let base = "";
let log = "";

beforeAll(async () => {
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "partnerdesk-log-redaction-"));
  child = spawn(process.execPath, ["server.js"], {
    env: { ...process.env, NODE_ENV: "development", SEED_DEMO: "auto", DATA_DIR: dataDir, PORT: String(port), HOST: "127.0.0.1", APP_URL: base, LOG_LEVEL: "info", JOB_POLL_MS: "100", ARGON2_MEMORY_KIB: "4096", ARGON2_ITERATIONS: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout!.on("data", (chunk: Buffer) => (log += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (log += chunk.toString()));
  for (let i = 0; i < 240 && !(await fetch(`${base}/healthz`).then((r) => r.ok, () => false)); i++) {
    if (child.exitCode !== null) throw new Error(`server.js exited with ${child.exitCode}: ${log}`);
    await new Promise((r) => setTimeout(r, 500));
  }
});

afterAll(() => {
  child?.kill("SIGTERM");
});

const form = (pathname: string, fields: Record<string, string>) =>
  fetch(`${base}${pathname}`, { method: "POST", redirect: "manual", headers: { Origin: base, "Content-Type": "application/x-www-form-urlencoded" }, body: new URLSearchParams(fields) });

async function until<T>(what: string, probe: () => Promise<T | null | undefined>): Promise<T> {
  for (let i = 0; i < 100; i++) {
    const value = await probe();
    if (value) return value;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe("request log", () => {
  it("never holds a live reset token: every path with it is logged with the token redacted", async () => {
    expect((await form("/forgot-password", { email: "admin@northwind.example" })).status).toBeLessThan(400);
    // The development outbox (this machine only) is the mailbox here.
    const token = await until("the reset mail", async () => (await (await fetch(`${base}/dev/outbox`)).text()).match(/\/reset-password\/([A-Za-z0-9_-]{20,})/)?.[1]);

    expect((await fetch(`${base}/reset-password/${token}`)).status).toBe(200);
    expect((await fetch(`${base}/reset-password/${token}.data?_routes=${encodeURIComponent("routes/reset-password.$token")}`)).status).toBe(200);
    expect((await fetch(`${base}/signin?redirectTo=${encodeURIComponent(`/reset-password/${token}`)}`)).status).toBe(200);
    const reset = await form(`/reset-password/${token}`, { password: "a-brand-new-password", confirmPassword: "a-brand-new-password" });
    expect(reset.status).toBe(302);

    const lines = await until("four logged requests with the token redacted", async () => {
      const found = log.split("\n").filter((l) => l.includes("reset-password%2F[redacted]") || l.includes("/reset-password/[redacted]"));
      return found.length >= 4 ? found : null;
    });
    expect(lines.some((l) => l.includes('"method":"POST"'))).toBe(true);
    expect(log).not.toContain(token);
  });
});
