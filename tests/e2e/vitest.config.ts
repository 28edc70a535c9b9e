import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/e2e/**/*.e2e.ts"],
    globalSetup: ["tests/e2e/global-setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Each file starts its own server on its own data directory and port. A file keeps about two
    // thirds of a core busy (the rest is waiting on the browser and the server), so two at a time.
    pool: "forks",
    poolOptions: { forks: { maxForks: Number(process.env.E2E_FORKS ?? 2) } },
  },
});
