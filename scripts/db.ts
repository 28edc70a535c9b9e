// npm run db:migrate | db:seed — against DATABASE_URL, or the embedded PGlite in DATA_DIR.
import { closeDatabase, getDatabase, withSystem } from "../app/utils/db.server";
import { seedDemo, demoSignIns, DEMO_PASSWORD } from "../app/modules/seed.server";

const command = process.argv[2];
try {
  const database = await getDatabase(); // opens and applies pending migrations
  console.log(`migrations applied (${database.kind})`);
  if (command === "seed") {
    await withSystem(seedDemo);
    console.log(`demo data seeded; password for every demo account: ${DEMO_PASSWORD}`);
    for (const s of demoSignIns()) console.log(`  ${s.email.padEnd(36)} ${s.role}`);
  } else if (command !== "migrate") {
    console.error("usage: tsx scripts/db.ts migrate|seed");
    process.exitCode = 2;
  }
} finally {
  await closeDatabase();
}
