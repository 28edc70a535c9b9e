/**
 * On PostgreSQL, one fresh database per run (created, migrated, dropped afterwards); test files
 * share it and isolate themselves by creating their own organisations. On PGlite every test
 * file opens its own in-memory database (see db.ts).
 */
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import postgres from "postgres";
import type { TestProject } from "vitest/node";
import { migrateDatabase } from "../../db/client";

export const adminUrl = () => process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

export function databaseUrl(base: string, name: string) {
  const u = new URL(base);
  u.pathname = `/${name}`;
  return u.toString();
}

/** The newest modification time of the files a build is made from. */
function newestSource(entries: string[]): number {
  let newest = 0;
  for (const entry of entries) {
    const stat = fs.statSync(entry, { throwIfNoEntry: false });
    if (!stat) continue;
    if (stat.isDirectory()) newest = Math.max(newest, newestSource(fs.readdirSync(entry).map((name) => path.join(entry, name))));
    else newest = Math.max(newest, stat.mtimeMs);
  }
  return newest;
}

/**
 * The HTTP-level tests drive build/index.js (tests/support/http.ts). `npm test` builds first; a
 * direct `vitest run` after editing a route would test the old build without a word, so build
 * here when the build is missing or older than its sources.
 */
function ensureFreshBuild() {
  const built = fs.statSync("build/index.js", { throwIfNoEntry: false })?.mtimeMs ?? 0;
  if (built >= newestSource(["app", "db", "remix.config.js", "patches"])) return;
  console.log("build/ is older than app/: building first");
  const result = spawnSync("npx", ["remix", "build"], { stdio: "inherit" });
  if (result.status !== 0) throw new Error("remix build failed");
}

export default async function setup(project: TestProject) {
  ensureFreshBuild();
  const kind = process.env.TEST_DB ?? "pglite";
  project.provide("testDb", kind);
  if (kind !== "postgres") return;
  const name = `partnerdesk_test_${randomBytes(4).toString("hex")}`;
  const admin = postgres(adminUrl(), { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const url = databaseUrl(adminUrl(), name);
  await migrateDatabase({ kind: "postgres", url });
  project.provide("testDatabaseUrl", url);
  return async () => {
    await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.end();
  };
}

declare module "vitest" {
  export interface ProvidedContext {
    testDb: string;
    testDatabaseUrl: string;
  }
}
