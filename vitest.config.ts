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
    // Every file has its own database (an in-memory PGlite, or a copy of the run's PostgreSQL
    // database) and is CPU-bound: two at a time use both cores (vitest's default is one fewer).
    poolOptions: { forks: { maxForks: 2 } },
  },
});
