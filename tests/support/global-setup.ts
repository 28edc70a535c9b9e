/**
 * On PostgreSQL, one fresh database per run (created, migrated, dropped afterwards); test files
 * share it and isolate themselves by creating their own organisations. On PGlite every test
 * file opens its own in-memory database (see db.ts).
 */
import { randomBytes } from "node:crypto";
import postgres from "postgres";
import type { TestProject } from "vitest/node";
import { migrateDatabase } from "../../db/client";

export const adminUrl = () => process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

export function databaseUrl(base: string, name: string) {
  const u = new URL(base);
  u.pathname = `/${name}`;
  return u.toString();
}

export default async function setup(project: TestProject) {
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
