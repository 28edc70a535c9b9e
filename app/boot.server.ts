/**
 * Start-up, called by server.js before it listens: migrate, seed an empty database with the
 * demo data when asked for (SEED_DEMO=auto), start scheduled work, print the demo sign-ins.
 */
import { config } from "~/utils/config.server";
import { getDatabase, withSystem } from "~/utils/db.server";
import { logger } from "~/utils/logger.server";
import { DEMO_PASSWORD, DEMO_TOTP_SECRET, demoLinks, demoProductKeys, demoSignIns, isEmpty, isSeeded, seedDemo } from "../db/seed/demo";
import { startWorker } from "~/scheduled.server";
import { isLoopbackAddress } from "~/utils/dev-only.server";

const isLoopbackHost = (host: string) => host === "localhost" || isLoopbackAddress(host);

const g = globalThis as typeof globalThis & { __partnerdesk_booted?: Promise<void> };

export function boot({ runWorker = true, quiet = false }: { runWorker?: boolean; quiet?: boolean } = {}): Promise<void> {
  g.__partnerdesk_booted ??= (async () => {
    const c = config();
    const database = await getDatabase();
    if (!quiet) logger.info({ database: database.kind }, "database ready (migrations applied)");
    // Demo accounts share a published password: only when asked for (SEED_DEMO=auto, which
    // `npm run demo` and `npm run dev` set), never in production (the configuration refuses it).
    if (c.SEED_DEMO === "auto" && c.NODE_ENV !== "production" && (await withSystem(isEmpty))) {
      logger.info("empty database: seeding demo data");
      await withSystem(seedDemo);
    }
    const seeded = !quiet && (await withSystem(isSeeded));
    if (seeded && !isLoopbackHost(c.HOST)) {
      logger.warn({ host: c.HOST }, "the demo accounts (published password) are reachable from other machines: set HOST=127.0.0.1, or start from an empty database");
    }
    if (seeded) {
      const lines = demoSignIns().map((s) => `  ${s.email.padEnd(36)} ${s.role}`);
      const shared = (await withSystem(demoLinks)).map((l) => `  ${l.kind === "trial" ? "trial invitation" : "purchase offer"}: ${l.url}`);
      process.stdout.write(
        `\nPartnerdesk demo sign-ins (password for all: ${DEMO_PASSWORD})\n${lines.join("\n")}\n` +
          `Partner staff also enter a code from an authenticator app: add this key to one (time-based, 6 digits): ${DEMO_TOTP_SECRET}\n` +
          `  (or print the current code: npm run admin -- totp-code ${DEMO_TOTP_SECRET})\n` +
          (shared.length ? `Demo links to open as a customer (sign up a new organisation, or sign in as a customer admin):\n${shared.join("\n")}\n` : "") +
          `Demo product keys in ${demoSignIns()[0]!.role.split(":")[0]}'s inventory (Product keys → Register a key):\n${demoProductKeys()
            .slice(0, 2)
            .map((k) => `  ${k.key}  ${k.productId}, ${k.licences} licences`)
            .join("\n")}\n` +
          (c.SMTP_URL || c.NODE_ENV !== "development" ? "" : `Mail goes to the outbox: ${c.APP_URL}/dev/outbox\n`) +
          `\nOpen ${c.APP_URL}\n\n`,
      );
    }
    if (runWorker) startWorker();
  })();
  return g.__partnerdesk_booted;
}
