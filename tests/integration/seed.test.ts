import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { rowsOf } from "../../db/client";
import { withSystem } from "../../app/utils/db.server";
import { DEMO_PARTNERS, seedDemo } from "../../db/seed/demo";
import { seedScale } from "../../db/seed/scale";
import { installTestDatabase, testDbKind } from "../support/db";

const holder = installTestDatabase();

// The PostgreSQL test database is shared by every test file; the demo seed belongs in its own.
describe.runIf(testDbKind() === "pglite")("demo seed", () => {
  it("creates two partners, staff for every role, customers with admins, and is idempotent", async () => {
    const counts = async () =>
      (await withSystem(async (tx) =>
        rowsOf<{ partners: number; customers: number; users: number; memberships: number; relationships: number; lobApps: number }>(
          await tx.execute(sql`select
            (select count(*)::int from organisations where kind = 'partner') as partners,
            (select count(*)::int from organisations where kind = 'customer') as customers,
            (select count(*)::int from users) as users,
            (select count(*)::int from memberships) as memberships,
            (select count(*)::int from relationships) as relationships,
            (select count(*)::int from lob_apps) as "lobApps"`),
        ),
      ))[0]!;
    await withSystem(seedDemo);
    const first = await counts();
    const customers = DEMO_PARTNERS.reduce((n, p) => n + p.customers, 0);
    // Two partners with staff, and ten that are only in the partner directory; the second partner is
    // also its first customer's line-of-business partner, with two apps; the first partner's seven
    // GDAP relationships for its overview's action centre each have their summary row; Contoso Bakery
    // has both partners as MPSA partners and the first as delegated admin; the first customer has a
    // billing admin, a user, a deactivated user and a person of the first partner, whose "partner"
    // relationship follows; the first partner is Alpine Bakery's Advisor and asked Bellows Bakery
    // to be its MPSA partner (issue 30); that person is an active member of the first partner too (0058).
    expect(first).toEqual({ partners: 12, customers, users: 5 + 1 + customers + 4, memberships: 5 + 1 + customers + 4 + 1, relationships: customers + 1 + 7 + 3 + 1 + 2, lobApps: 2 });
    await withSystem(seedDemo);
    expect(await counts()).toEqual(first);
  });

  it("the scale seed adds customers with subscriptions, and both read models match their rules", async () => {
    await withSystem(seedDemo);
    const result = await seedScale(holder.database!.db, { customers: 400, total: 900 });
    expect(result).toMatchObject({ partnerCustomers: 400, totalCustomers: 900 });
    const [check] = await withSystem(async (tx) =>
      rowsOf<{ customers: number; modelled_customers: number; visible: number; modelled: number; missing: number; statuses: string[] }>(
        await tx.execute(sql`with p as (select id from organisations where partner_number = ${DEMO_PARTNERS[0].number}),
          visible as (select s.id from subscriptions s, p where s.advisor_partner_org_id = p.id
                        or exists (select 1 from relationships r where r.partner_org_id = p.id and r.customer_org_id = s.customer_org_id and r.type = 'reseller' and r.status = 'active'))
          select (select count(distinct customer_org_id)::int from relationships r, p where r.partner_org_id = p.id) as customers,
                 (select count(*)::int from partner_customers pc, p where pc.partner_org_id = p.id) as modelled_customers,
                 (select count(*)::int from visible) as visible,
                 (select count(*)::int from partner_subscriptions ps, p where ps.partner_org_id = p.id) as modelled,
                 (select count(*)::int from visible v where not exists (select 1 from partner_subscriptions ps, p where ps.partner_org_id = p.id and ps.subscription_id = v.id)) as missing,
                 (select array_agg(distinct status order by status) from subscriptions) as statuses`),
      ),
    );
    expect(check!.modelled_customers).toBe(check!.customers);
    expect(check!.visible).toBeGreaterThan(250);
    expect(check!.modelled).toBe(check!.visible);
    expect(check!.missing).toBe(0);
    expect(check!.statuses).toEqual(["active", "cancelled", "expired", "trial"]);
  });
});
