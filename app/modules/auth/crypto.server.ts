import { createHash, randomBytes } from "node:crypto";
import { hash, verify } from "@node-rs/argon2";

/** @node-rs/argon2's Algorithm.Argon2id (a const enum, which isolatedModules cannot import). */
const ARGON2ID = 2;
import { config } from "~/utils/config.server";

/** 256 random bits, URL-safe. Used for session ids and mailed tokens. */
export function randomToken(): string {
  return randomBytes(32).toString("base64url");
}

/** Only hashes of session ids and tokens are stored, so a database leak reveals none. */
export function sha256(value: string): string {
  return createHash("sha256").update(value).digest("base64url");
}

/** argon2id with OWASP's baseline (19 MiB, 2 iterations, 1 lane); cost configurable for tests. */
export function hashPassword(password: string): Promise<string> {
  const c = config();
  return hash(password, {
    algorithm: ARGON2ID,
    memoryCost: c.ARGON2_MEMORY_KIB,
    timeCost: c.ARGON2_ITERATIONS,
    parallelism: 1,
  });
}

let dummyHash: Promise<string> | undefined;

/** Verifies; with no stored hash it still does the work, so timing does not reveal unknown accounts. */
export async function verifyPassword(stored: string | null | undefined, password: string): Promise<boolean> {
  if (!stored) {
    dummyHash ??= hashPassword("not-a-real-password-only-for-timing");
    await verify(await dummyHash, password).catch(() => false);
    return false;
  }
  return verify(stored, password).catch(() => false);
}
