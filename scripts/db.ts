// npm run db:migrate | db:seed [-- --customers N --total T --listed L] — against DATABASE_URL, or the
// embedded PGlite in DATA_DIR.
import { parseArgs } from "node:util";
import { z } from "zod";
import { closeDatabase, getDatabase, withSystem } from "../app/utils/db.server";
import { config } from "../app/utils/config.server";
import { seedDemo, demoSignIns, DEMO_PASSWORD } from "../db/seed/demo";
import { seedDirectoryScale, seedScale } from "../db/seed/scale";

const command = process.argv[2];
const { values } = parseArgs({ args: process.argv.slice(3), options: { customers: { type: "string" }, total: { type: "string" }, listed: { type: "string" } } });
const scale = z
  .object({
    customers: z.coerce.number().int().min(0).max(10_000_000).optional(),
    total: z.coerce.number().int().min(0).max(20_000_000).optional(),
    /** Listed partners in the directory (default with a scale seed: 10,000). */
    listed: z.coerce.number().int().min(0).max(1_000_000).optional(),
  })
  .parse(values);
if (command === "seed" && config().NODE_ENV === "production") {
  // The demo accounts share a published password: never in a production database.
  console.error("db:seed adds the demo organisations and accounts (published password): refused with NODE_ENV=production.");
  process.exit(2);
}
try {
  const database = await getDatabase(); // opens and applies pending migrations
  console.log(`migrations applied (${database.kind})`);
  if (command === "seed") {
    await withSystem(seedDemo);
    console.log(`demo data seeded; password for every demo account: ${DEMO_PASSWORD}`);
    for (const s of demoSignIns()) console.log(`  ${s.email.padEnd(36)} ${s.role}`);
    if (scale.customers || scale.total) {
      const customers = scale.customers ?? 0;
      const result = await seedScale(database.db, { customers, total: Math.max(scale.total ?? 0, customers), log: (m) => console.log(`  ${m}`) });
      console.log(`scale seed: ${result.partnerCustomers.toLocaleString("en")} customers for the first partner, ${result.totalCustomers.toLocaleString("en")} in all (${result.seconds} s)`);
    }
    if (scale.listed !== undefined || scale.customers || scale.total) {
      const listed = scale.listed ?? 10_000;
      const started = Date.now();
      await seedDirectoryScale(database.db, { listed, log: (m) => console.log(`  ${m}`) });
      console.log(`directory: ${listed.toLocaleString("en")} listed partners (${Math.round((Date.now() - started) / 100) / 10} s)`);
    }
  } else if (command !== "migrate") {
    console.error("usage: tsx scripts/db.ts migrate|seed");
    process.exitCode = 2;
  }
} finally {
  await closeDatabase();
}
