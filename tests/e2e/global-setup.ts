/**
 * Once per browser-test run: a data directory with the migrations applied and the demo data
 * seeded (server.js started on it once with the browser tests' environment, then stopped
 * cleanly). Each demo server of the run starts from a copy of it (spawnServer in support.ts)
 * instead of migrating and seeding again: the same state a fresh start gives, seconds sooner.
 * (Global setup runs outside the test workers, so it cannot import support.ts, which uses vitest's hooks.)
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";

export const DEMO_TEMPLATE_ENV = "PARTNERDESK_E2E_DEMO_TEMPLATE";
export const E2E_SERVER_ENV = { NODE_ENV: "development", SEED_DEMO: "auto", LOG_LEVEL: "warn", JOB_POLL_MS: "200", ARGON2_MEMORY_KIB: "4096", ARGON2_ITERATIONS: "1" };

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const probe = net.createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });

export default async function setup() {
  const template = fs.mkdtempSync(path.join(os.tmpdir(), "partnerdesk-e2e-template-"));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const env = { ...process.env, ...E2E_SERVER_ENV, DATA_DIR: template, PORT: String(port), APP_URL: url } as NodeJS.ProcessEnv;
  const child = spawn(process.execPath, ["server.js"], { env, stdio: ["ignore", "ignore", "inherit"] });
  const exited = new Promise((resolve) => child.once("exit", resolve));
  const deadline = Date.now() + 120_000;
  while (!(await fetch(`${url}/healthz`).then((r) => r.ok, () => false))) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error("server.js did not start for the browser tests' data template");
    await new Promise((r) => setTimeout(r, 250));
  }
  child.kill("SIGTERM");
  await exited;
  process.env[DEMO_TEMPLATE_ENV] = template;
  return () => fs.rmSync(template, { recursive: true, force: true });
}
