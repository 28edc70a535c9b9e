import fs from "node:fs";
import { afterAll, beforeAll, inject } from "vitest";
import { migrateDatabase, openDatabase, type Database } from "../../db/client";
import { closeDatabase, setDatabase } from "../../app/utils/db.server";

export const testDbKind = () => inject("testDb") as "pglite" | "postgres";

export async function openTestDatabase(): Promise<Database> {
  if (testDbKind() === "postgres") {
    return openDatabase({ kind: "postgres", url: inject("testDatabaseUrl"), poolMax: 20 });
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
