import path from "node:path";
import { defineConfig } from "vitest/config";

// One suite, two databases: TEST_DB=pglite (default) or TEST_DB=postgres (TEST_DATABASE_URL's server).
export default defineConfig({
  resolve: { alias: { "~": path.resolve("app") } },
  test: {
    include: ["app/**/*.test.ts", "tests/integration/**/*.test.ts"],
    environment: "node",
    globalSetup: ["tests/support/global-setup.ts"],
    setupFiles: ["tests/support/setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    // PGlite files are independent in-memory databases and CPU-bound: two at a time use both cores
    // (vitest's default is one fewer than the cores). PostgreSQL files share a server: one at a time.
    poolOptions: { forks: { maxForks: process.env.TEST_DB === "postgres" ? 1 : 2 } },
  },
});
