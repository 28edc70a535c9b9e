// Configuration for tests: cheap password hashing, a fixed secret, quiet logs.
process.env.NODE_ENV = "test";
process.env.SESSION_SECRET ??= "test-session-secret-0123456789-abcdefghijkl";
process.env.ARGON2_MEMORY_KIB ??= "1024";
process.env.ARGON2_ITERATIONS ??= "1";
process.env.LOG_LEVEL ??= "silent";
process.env.APP_URL ??= "http://localhost:3999";
