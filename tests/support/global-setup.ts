/**
 * On PostgreSQL, one database per run is created and migrated here, and every test file gets its
 * own copy of it (CREATE DATABASE ... TEMPLATE, in db.ts), so two files run at once without
 * sharing jobs, counters or locks; all of them are dropped afterwards. On PGlite every test
 * file opens its own in-memory database (see db.ts) from one image migrated here once per run
 * (migrating a fresh PGlite costs each file about 4.5 s; loading the image well under one).
 */
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import postgres from "postgres";
import type { TestProject } from "vitest/node";
import os from "node:os";
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
  if (kind !== "postgres") {
    const image = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "partnerdesk-pglite-")), "migrated.tar");
    fs.writeFileSync(image, await migratedPgliteImage());
    project.provide("pgliteImage", image);
    return async () => fs.rmSync(path.dirname(image), { recursive: true, force: true });
  }
  const name = `partnerdesk_test_${randomBytes(4).toString("hex")}`;
  const admin = postgres(adminUrl(), { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  await migrateDatabase({ kind: "postgres", url: databaseUrl(adminUrl(), name) });
  project.provide("testDatabaseTemplate", name);
  return async () => {
    const copies = await admin<{ datname: string }[]>`select datname from pg_database where datname like ${`${name}%`}`;
    for (const { datname } of copies) await admin.unsafe(`drop database if exists "${datname}" with (force)`);
    await admin.end();
  };
}

/** An in-memory PGlite with every migration applied, as a data directory tarball. */
async function migratedPgliteImage(): Promise<Buffer> {
  const { PGlite } = await import("@electric-sql/pglite");
  const { pg_trgm } = await import("@electric-sql/pglite/contrib/pg_trgm");
  const { btree_gin } = await import("@electric-sql/pglite/contrib/btree_gin");
  const { drizzle } = await import("drizzle-orm/pglite");
  const client = await PGlite.create({ extensions: { pg_trgm, btree_gin } });
  try {
    await migrateDatabase({ kind: "pglite", dataDir: null }, { kind: "pglite", db: drizzle(client) as never, close: async () => {} });
    return Buffer.from(await (await client.dumpDataDir("none")).arrayBuffer());
  } finally {
    await client.close();
  }
}

declare module "vitest" {
  export interface ProvidedContext {
    pgliteImage: string;
    testDb: string;
    /** PostgreSQL: the run's migrated database, which each test file copies (testDatabaseUrl in db.ts). */
    testDatabaseTemplate: string;
  }
}
