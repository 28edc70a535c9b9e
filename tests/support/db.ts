import fs from "node:fs";
import { afterAll, beforeAll, inject } from "vitest";
import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { migrateDatabase, openDatabase, type Database } from "../../db/client";
import { closeDatabase, setDatabase } from "../../app/utils/db.server";
import { adminUrl, databaseUrl } from "./global-setup";

export const testDbKind = () => inject("testDb") as "pglite" | "postgres";

let fileDatabaseUrl: Promise<string> | undefined;

/**
 * PostgreSQL: this test file's own database, a copy of the run's migrated one (global-setup.ts),
 * made on first use; the global teardown drops it.
 */
export function testDatabaseUrl(): Promise<string> {
  fileDatabaseUrl ??= (async () => {
    const template = inject("testDatabaseTemplate");
    const name = `${template}_${randomBytes(4).toString("hex")}`;
    const admin = postgres(adminUrl(), { max: 1, onnotice: () => {} });
    try {
      await admin.unsafe(`create database ${name} template ${template}`);
      // A throw-away database: commits need not wait for the disk (nothing here must survive a crash).
      await admin.unsafe(`alter database ${name} set synchronous_commit = off`);
    } finally {
      await admin.end();
    }
    return databaseUrl(adminUrl(), name);
  })();
  return fileDatabaseUrl;
}

export async function openTestDatabase(): Promise<Database> {
  if (testDbKind() === "postgres") {
    return openDatabase({ kind: "postgres", url: await testDatabaseUrl(), poolMax: 20 });
  }
  // The run's migrated image (global-setup.ts); migrating again finds nothing to do unless a
  // migration was added since, so the image can never be stale.
  const image = new Blob([fs.readFileSync(inject("pgliteImage"))]);
  const database = await openDatabase({ kind: "pglite", dataDir: null, image });
  await migrateDatabase({ kind: "pglite", dataDir: null }, database);
  return database;
}

/** Installs a test database as the app's database for this file. */
export function installTestDatabase() {
  const holder: { database?: Database } = {};
  beforeAll(async () => {
    holder.database = await openTestDatabase();
    setDatabase(holder.database);
  });
  afterAll(async () => {
    await closeDatabase();
  });
  return holder;
}
