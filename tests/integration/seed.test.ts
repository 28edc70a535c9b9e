import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { rowsOf } from "../../db/client";
import { withSystem } from "../../app/utils/db.server";
import { DEMO_PARTNERS, seedDemo } from "../../app/modules/seed.server";
import { installTestDatabase, testDbKind } from "../support/db";

installTestDatabase();

// The PostgreSQL test database is shared by every test file; the demo seed belongs in its own.
describe.runIf(testDbKind() === "pglite")("demo seed", () => {
  it("creates two partners, staff for every role, customers with admins, and is idempotent", async () => {
    const counts = async () =>
      (await withSystem(async (tx) =>
        rowsOf<{ partners: number; customers: number; users: number; memberships: number; relationships: number }>(
          await tx.execute(sql`select
            (select count(*)::int from organisations where kind = 'partner') as partners,
            (select count(*)::int from organisations where kind = 'customer') as customers,
            (select count(*)::int from users) as users,
            (select count(*)::int from memberships) as memberships,
            (select count(*)::int from relationships) as relationships`),
        ),
      ))[0]!;
    await withSystem(seedDemo);
    const first = await counts();
    const customers = DEMO_PARTNERS.reduce((n, p) => n + p.customers, 0);
    // Two partners with staff, and ten that are only in the partner directory.
    expect(first).toEqual({ partners: 12, customers, users: 5 + 1 + customers, memberships: 5 + 1 + customers, relationships: customers });
    await withSystem(seedDemo);
    expect(await counts()).toEqual(first);
  });
});
