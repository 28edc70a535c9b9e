/**
 * Issue 30 defect: buying with a partner. After "Buy with <partner> as partner?" the confirmation
 * must buy exactly what it was shown for: a confirm that arrives with another product, count or
 * Partner ID buys nothing and asks again (with that purchase's line price and total). The question
 * shows the line price (unit price × licences) and the total; the offer page shows line prices
 * and a total.
 */
import { sql, type SQL } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { rowsOf } from "../../db/client";
import { withSystem, withTenant } from "../../app/utils/db.server";
import { createLink } from "../../app/modules/links/links.server";
import { formatMoney } from "../../app/utils/format";
import { createCustomer, createPartner, type OrgFixture } from "../support/factories";
import { installTestDatabase } from "../support/db";
import { Browser } from "../support/http";

installTestDatabase();

const all = async <T = Record<string, unknown>>(q: SQL) => withSystem(async (tx) => rowsOf<T>(await tx.execute(q)));
const price = async (productId: string) => (await all<{ cents: number }>(sql`select monthly_price_cents as cents from products where id = ${productId}`))[0]!.cents;
const purchases = (customer: OrgFixture) =>
  all<{ product: string; licences: number; por: string | null }>(
    sql`select product_id as product, licences, advisor_partner_org_id as por from subscriptions where customer_org_id = ${customer.orgId} order by created_at`,
  );
/** The text of a page as a person reads it (React's text separators removed, entities of money kept). */
const textOf = async (res: Response) => (await res.text()).replaceAll("<!-- -->", "");
/** The value the page's confirm button (or field) sends as `confirmed`. */
function confirmationOf(html: string): string {
  const element = html.match(/<[^>]*name="confirmed"[^>]*>/)?.[0];
  const value = element?.match(/value="([^"]*)"/)?.[1];
  if (!value) throw new Error("the page shows no confirmation");
  return value.replaceAll("&quot;", '"').replaceAll("&amp;", "&");
}

let P: OrgFixture, Q: OrgFixture, C: OrgFixture;
let admin: Browser;

beforeAll(async () => {
  [P, Q, C] = await Promise.all([createPartner(), createPartner(), createCustomer()]);
  await withSystem((tx) => tx.execute(sql`update organisations set is_authorised_advisor = true where id in (${P.orgId}, ${Q.orgId})`));
  admin = new Browser();
  await admin.signIn(C.users.global_admin!.email);
});

describe("the confirmation of a purchase with a partner buys exactly what it was shown for", () => {
  const asked = { intent: "buy", productId: "business-standard", licences: "15" };

  it("shows the line price and the total in the question, and refuses a confirm for another product, count or Partner ID", async () => {
    const question = await admin.fetch("/customer/subscriptions", { form: { ...asked, partnerNumber: String(P.partnerNumber) } });
    expect(question.status).toBe(200);
    const html = await textOf(question);
    expect(html).toContain(`Partner ID ${P.partnerNumber} is <strong>${P.name}</strong>`);
    const confirmed = confirmationOf(html);

    // The same confirmation sent with what the form shows after a change: nothing is bought.
    const otherProduct = await admin.fetch("/customer/subscriptions", { form: { ...asked, productId: "visio-plan-2", partnerNumber: String(P.partnerNumber), confirmed } });
    const otherCount = await admin.fetch("/customer/subscriptions", { form: { ...asked, licences: "40", partnerNumber: String(P.partnerNumber), confirmed } });
    const otherPartner = await admin.fetch("/customer/subscriptions", { form: { ...asked, partnerNumber: String(Q.partnerNumber), confirmed } });
    expect(await purchases(C)).toEqual([]);
    // The question prices what it asks about: 15 × the unit price, the line and the total (one line).
    const unit = await price("business-standard");
    expect(html).toContain(formatMoney(unit, "EUR"));
    expect(html).toContain(formatMoney(unit * 15, "EUR"));
    expect(html).toMatch(new RegExp(`Total per month.*${formatMoney(unit * 15, "EUR").replace(/[.$]/g, "\\$&")}`, "s"));
    // Each is asked again, for what was sent: its product, count and partner, with its prices.
    expect(otherProduct.status).toBe(200);
    const productText = await textOf(otherProduct);
    expect(productText).toContain(`Partner ID ${P.partnerNumber} is <strong>${P.name}</strong>`);
    expect(productText).toContain("Visio Plan 2");
    expect(productText).toContain(formatMoney((await price("visio-plan-2")) * 15, "EUR"));
    expect(otherCount.status).toBe(200);
    expect(await textOf(otherCount)).toContain(formatMoney(unit * 40, "EUR"));
    expect(otherPartner.status).toBe(200);
    expect(await textOf(otherPartner)).toContain(`Partner ID ${Q.partnerNumber} is <strong>${Q.name}</strong>`);

    // Only a partner number on its own (the old confirmation) is no confirmation of this purchase either.
    const bare = await admin.fetch("/customer/subscriptions", { form: { ...asked, partnerNumber: String(P.partnerNumber), confirmed: String(P.partnerNumber) } });
    expect(bare.status).toBe(200);
    expect(await purchases(C)).toEqual([]);

    // The confirmation as it was given buys exactly that, once.
    const bought = await admin.fetch("/customer/subscriptions", { form: { ...asked, partnerNumber: String(P.partnerNumber), confirmed } });
    expect(bought.status).toBe(302);
    expect(await purchases(C)).toEqual([{ product: "business-standard", licences: 15, por: P.orgId }]);
  });

  it("a confirmation asked again for the changed purchase buys the changed purchase", async () => {
    const customer = await createCustomer();
    const person = new Browser();
    await person.signIn(customer.users.global_admin!.email);
    const first = confirmationOf(await textOf(await person.fetch("/customer/subscriptions", { form: { ...asked, partnerNumber: String(P.partnerNumber) } })));
    const changed = { ...asked, productId: "visio-plan-2", licences: "3", partnerNumber: String(Q.partnerNumber) };
    const again = await person.fetch("/customer/subscriptions", { form: { ...changed, confirmed: first } });
    expect(again.status).toBe(200);
    const second = confirmationOf(await textOf(again));
    expect(second).not.toBe(first);
    expect((await person.fetch("/customer/subscriptions", { form: { ...changed, confirmed: second } })).status).toBe(302);
    expect(await purchases(customer)).toEqual([{ product: "visio-plan-2", licences: 3, por: Q.orgId }]);
  });

  it("checks the product and count before asking about the partner", async () => {
    const tooMany = await admin.fetch("/customer/subscriptions", { form: { ...asked, licences: "100000", partnerNumber: String(P.partnerNumber) } });
    expect(tooMany.status).toBe(400);
    expect(await tooMany.text()).toContain("Business Standard is sold in 1 to");
  });
});

describe("the offer page prices each line and the total", () => {
  it("shows licences × price per line and the sum, for a visitor and a signed-in customer", async () => {
    const link = await withTenant({ orgId: P.orgId, userId: P.users.sales_agent!.id }, (tx) =>
      createLink(tx, {
        partnerId: P.orgId,
        actor: { userId: P.users.sales_agent!.id, orgId: P.orgId },
        link: { kind: "offer", items: [{ productId: "business-basic", licences: 10 }, { productId: "email-plan-1", licences: 5 }], offerDap: false, message: null, expiresAt: null },
      }),
    );
    const [basic, email] = [await price("business-basic"), await price("email-plan-1")];
    for (const viewer of [new Browser(), admin]) {
      const page = await viewer.html(new URL(link.url).pathname);
      expect(page.status).toBe(200);
      const text = page.text.replaceAll("<!-- -->", "");
      expect(text).toContain("Line price / month");
      expect(text).toContain(formatMoney(10 * basic, "EUR"));
      expect(text).toContain(formatMoney(5 * email, "EUR"));
      expect(text).toMatch(new RegExp(`Total per month.*${formatMoney(10 * basic + 5 * email, "EUR").replace(/[.$]/g, "\\$&")}`, "s"));
    }
  });
});
