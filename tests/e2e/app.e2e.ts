/**
 * Browser tests: Debian's Chromium driven by playwright-core against the built app on a fresh
 * embedded database with the demo data. Mail is read from the development outbox page.
 */
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { expectAccessible, nextTotpCode, setUpApp, shotPath, until } from "./support";
import { generateProductKey } from "../../app/modules/product-keys/key-format";

const app = await setUpApp();
const { url: APP, signIn, linkFromOutbox } = app;

const ROLES = [
  {
    email: "admin@northwind.example",
    nav: ["Overview", "Customers", "Invitations and offers", "Product keys", "Subscriptions", "Leads", "Admin relationships", "Staff", "Sign-in settings", "Company profile", "Directory listing", "Audit log"],
    staff: true,
  },
  { email: "admin-agent@northwind.example", nav: ["Overview", "Customers", "Invitations and offers", "Product keys", "Subscriptions", "Leads", "Admin relationships", "Company profile"], staff: false },
  { email: "helpdesk-agent@northwind.example", nav: ["Overview", "Customers", "Company profile"], staff: false },
  { email: "sales-agent@northwind.example", nav: ["Overview", "Customers", "Invitations and offers", "Product keys", "Subscriptions", "Leads", "Company profile"], staff: false },
  { email: "billing-admin@northwind.example", nav: ["Overview", "Customers", "Subscriptions", "Company profile"], staff: false },
];

describe("the HTTP server", () => {
  it("refuses a cross-origin or origin-less mutation with 403 before it reaches the app", async () => {
    const evil = await fetch(`${APP}/signin`, { method: "POST", headers: { Origin: "https://evil.example", "Content-Type": "application/x-www-form-urlencoded" }, body: "email=a@b.c&password=x" });
    expect(evil.status).toBe(403);
    const none = await fetch(`${APP}/signin`, { method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded" }, body: "email=a@b.c&password=x" });
    expect(none.status).toBe(403);
  });

  it("answers an unknown page with a human 404 page", async () => {
    const page = await (await app.browser.newContext()).newPage();
    const response = await page.goto(`${APP}/no/such/page`);
    expect(response!.status()).toBe(404);
    await page.getByRole("heading", { name: "Not found" }).waitFor();
    await page.screenshot({ path: shotPath("not-found.png") });
  });
});

describe("partner center in a browser", () => {
  for (const role of ROLES) {
    it(`${role.email} sees what the role may, and not what it may not`, async () => {
      const context = await app.browser.newContext();
      const page = await context.newPage();
      await signIn(page, role.email);
      const nav = page.getByRole("navigation", { name: "Main" });
      await nav.getByRole("link", { name: "Overview" }).waitFor();
      expect(await nav.getByRole("link").allTextContents()).toEqual(role.nav);
      expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("Northwind Partners");
      await page.goto(`${APP}/partner/staff`);
      if (role.staff) await page.getByRole("heading", { name: "Staff", level: 1 }).waitFor();
      else await page.getByRole("heading", { name: "Not allowed" }).waitFor();
      if (role.staff) await page.screenshot({ path: shotPath("staff.png"), fullPage: true });
      await context.close();
    });
  }

  it("a global admin adds a staff member, who activates from the emailed link and signs in; then signs out", async () => {
    const admin = await (await app.browser.newContext()).newPage();
    await signIn(admin, "admin@northwind.example");
    await admin.goto(`${APP}/partner/staff`);
    await admin.getByLabel("Name").fill("Ella Newhire");
    await admin.getByLabel("Email address").fill("ella@northwind.example");
    await admin.getByRole("checkbox", { name: /Sales agent/ }).check();
    await admin.getByRole("button", { name: "Send invitation" }).click();
    await admin.getByRole("status").filter({ hasText: "Invitation sent" }).waitFor();
    await admin.getByRole("row", { name: /Ella Newhire/ }).getByText("Invited").waitFor();

    const ella = await (await app.browser.newContext()).newPage();
    const link = await linkFromOutbox(ella, "ella@northwind.example", /\/activate\//);
    await ella.goto(link);
    await ella.getByLabel("Your name").fill("Ella Newhire");
    await ella.getByLabel("Password", { exact: true }).fill("ella-long-password");
    await ella.getByLabel("Repeat the password").fill("ella-long-password");
    await ella.getByRole("button", { name: "Create account and join" }).click();
    // Partners require a second factor: she sets up an authenticator app before anything else.
    await ella.waitForURL(`${APP}/account/security?required=1`);
    await ella.getByText("requires a second factor for every sign-in").waitFor();
    await ella.locator("#totp-password").fill("ella-long-password");
    await ella.getByRole("button", { name: "Set up authenticator app" }).click();
    const secret = (await ella.locator("code.manual-key").innerText()).replace(/\s/g, "");
    await ella.getByLabel("Code from the app").fill(await nextTotpCode("ella@northwind.example", secret));
    await ella.getByRole("button", { name: "Confirm and turn on" }).click();
    await ella.getByRole("heading", { name: "Save your recovery codes" }).waitFor();
    await ella.goto(`${APP}/partner`);
    await ella.getByRole("link", { name: /Ella Newhire/ }).waitFor();
    await ella.screenshot({ path: shotPath("overview.png"), fullPage: true });

    await ella.getByRole("button", { name: "Sign out" }).click();
    await ella.waitForURL(`${APP}/signin`);
    await ella.goto(`${APP}/partner`);
    expect(new URL(ella.url()).pathname).toBe("/signin");
    await signIn(ella, "ella@northwind.example", "ella-long-password", secret);
    expect(new URL(ella.url()).pathname).toBe("/partner");
  });

  it("forgot password: the emailed link sets a new password", async () => {
    const page = await (await app.browser.newContext()).newPage();
    await page.goto(`${APP}/signin`);
    await page.getByRole("link", { name: "Forgot your password?" }).click();
    await page.getByRole("heading", { name: "Forgot your password?" }).waitFor();
    await page.getByLabel("Email address").fill("billing-admin@northwind.example");
    await page.getByRole("button", { name: "Send reset link" }).click();
    await page.getByText("If an account exists for that address").waitFor();
    const link = await linkFromOutbox(page, "billing-admin@northwind.example", /\/reset-password\//);
    await page.goto(link);
    await page.getByLabel("New password", { exact: true }).fill("billing-new-password");
    await page.getByLabel("Repeat the new password").fill("billing-new-password");
    await page.getByRole("button", { name: "Save password" }).click();
    await page.waitForURL(`${APP}/signin`);
    await page.screenshot({ path: shotPath("signin.png") });
    await signIn(page, "billing-admin@northwind.example", "billing-new-password");
    expect(new URL(page.url()).pathname).toBe("/partner");
  });

  it("a customer global admin sees its organisation and its partner", async () => {
    const page = await (await app.browser.newContext()).newPage();
    await signIn(page, "admin@adatum-bakery.example");
    expect(new URL(page.url()).pathname).toBe("/customer");
    await page.getByRole("cell", { name: "Northwind Partners", exact: true }).first().waitFor();
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("Adatum Bakery");
    await page.screenshot({ path: shotPath("customer.png"), fullPage: true });
  });
});

describe("the customer workspace in a browser", () => {
  it("pages, sorts, searches and filters with the state in the URL; back restores it; keyboard works", async () => {
    const page = await (await app.browser.newContext()).newPage();
    await signIn(page, "helpdesk-agent@northwind.example");
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Customers" }).click();
    await page.getByRole("heading", { name: "Customers", level: 1 }).waitFor();
    await page.getByText("150 customers").waitFor();
    await page.getByLabel("Per page").selectOption("25");
    await page.getByRole("button", { name: "Search" }).click();
    await page.waitForURL(/size=25/);
    const firstRow = () => page.locator("tbody tr").first().locator("td").nth(1).textContent();
    await until(async () => (await page.locator("tbody tr").count()) === 25);
    const pageOne = await firstRow();

    // Keyboard: tab to "Next" and press Enter.
    const next = page.getByRole("link", { name: "Next ›" });
    await next.focus();
    await page.keyboard.press("Enter");
    await page.waitForURL(/after=/);
    await until(async () => (await firstRow()) !== pageOne);
    const pageTwo = await firstRow();
    await page.getByRole("link", { name: "Last »" }).click();
    await page.waitForURL(/last=1/);
    await page.locator('.keyset-pager [aria-disabled="true"]', { hasText: "Next" }).waitFor();
    await page.goBack();
    await page.waitForURL(/after=/);
    await until(async () => (await firstRow()) === pageTwo);

    // Sort by domain, descending, through the column header.
    await page.getByRole("link", { name: /^Primary domain/ }).click();
    await page.waitForURL(/sort=domain&dir=asc/);
    await page.getByRole("link", { name: /^Primary domain/ }).click();
    await page.waitForURL(/sort=domain&dir=desc/);
    await page.locator("th[aria-sort=descending]", { hasText: "Primary domain" }).waitFor();
    const domains = await page.locator("tbody tr td:nth-child(3)").allTextContents();
    expect(domains).toEqual([...domains].sort().reverse());

    // Search and filter.
    await page.getByLabel("Search by name or domain").fill("BAKE");
    await page.getByLabel("Agreement").selectOption("accepted");
    await page.getByRole("button", { name: "Search" }).click();
    await page.waitForURL(/q=BAKE/);
    const names = () => page.locator("tbody tr td:nth-child(2)").allTextContents();
    await until(async () => {
      const n = await names();
      return n.length > 0 && n.every((x) => /bakery/i.test(x));
    });
    expect(await page.locator("tbody").getByText("Agreement pending").count()).toBe(0);
    await page.screenshot({ path: shotPath("customers.png"), fullPage: true });

    // A shared link restores the same view.
    const shared = await (await app.browser.newContext()).newPage();
    await signIn(shared, "sales-agent@northwind.example");
    await shared.goto(page.url());
    expect(await shared.getByLabel("Search by name or domain").inputValue()).toBe("BAKE");
    expect(await shared.locator("tbody tr td:nth-child(2)").allTextContents()).toEqual(await names());

    // A customer's name opens its detail page in the app (no full page load); back returns.
    const firstName = (await names())[0]!;
    await page.evaluate(() => ((window as unknown as { stayed: boolean }).stayed = true));
    await page.locator("tbody tr").first().getByRole("link", { name: firstName }).click();
    await page.getByRole("heading", { name: firstName, level: 1 }).waitFor();
    expect(page.url()).toMatch(/\/partner\/customers\/[0-9a-f-]{36}$/);
    expect(await page.evaluate(() => (window as unknown as { stayed?: boolean }).stayed)).toBe(true);
    await page.goBack();
    await page.waitForURL(/q=BAKE/);
    await until(async () => (await names())[0] === firstName);

    await page.getByLabel("Search by name or domain").fill("no such customer anywhere");
    await page.getByRole("button", { name: "Search" }).click();
    await page.getByRole("heading", { name: "No customers match" }).waitFor();
  });

  it("selects all matching customers and confirms the exact count", async () => {
    const page = await (await app.browser.newContext()).newPage();
    await signIn(page, "sales-agent@northwind.example");
    await page.goto(`${APP}/partner/customers?size=25&agreement=accepted`);
    const count = Number((await page.locator(".result-count").textContent())!.match(/\d+/)![0]);
    expect(count).toBeGreaterThan(0);
    const rows = page.locator("tbody tr");
    const all = page.getByRole("checkbox", { name: "Select every customer on this page" });
    const checked = () => rows.locator('input[type="checkbox"]:checked').count();

    // One row by keyboard: its box is named after the customer; the bar counts it, the header box is mixed.
    const second = (await rows.nth(1).locator("td").nth(1).textContent())!;
    const box = rows.nth(1).getByRole("checkbox", { name: `Select ${second}` });
    await box.focus();
    await page.keyboard.press("Space");
    await page.getByText("1 selected on this page.").waitFor();
    expect(await rows.nth(1).getAttribute("aria-selected")).toBe("true");
    expect(await all.evaluate((el) => (el as HTMLInputElement).indeterminate)).toBe(true);

    // Every row on the page through the header box, then none, then every row again.
    await all.check();
    await page.getByText("25 selected on this page.").waitFor();
    expect(await checked()).toBe(25);
    await all.uncheck();
    await until(async () => (await checked()) === 0);
    await page.getByText(/selected on this page/).waitFor({ state: "detached" });

    // Another page starts with nothing selected.
    await box.check();
    await page.getByText("1 selected on this page.").waitFor();
    await page.getByRole("link", { name: "Next ›" }).click();
    await page.waitForURL(/after=/);
    await until(async () => (await rows.nth(1).locator("td").nth(1).textContent()) !== second);
    expect(await checked()).toBe(0);
    await page.getByText(/selected on this page/).waitFor({ state: "detached" });
    await page.goBack();
    await until(async () => (await rows.nth(1).locator("td").nth(1).textContent()) === second);

    await all.check();
    await page.getByText(/selected on this page/).waitFor();
    await page.getByRole("button", { name: `Select all ${count} matching` }).click();
    await page.getByRole("heading", { name: `${count} customers selected` }).waitFor();
    expect(await page.getByText(`Exactly ${count} customers`).count()).toBe(1);
  });

  it("a sales agent adds a customer, whose admin activates and must accept the agreement", async () => {
    const page = await (await app.browser.newContext()).newPage();
    await signIn(page, "sales-agent@northwind.example");
    await page.goto(`${APP}/partner/customers`);
    await page.getByRole("link", { name: "Add customer" }).click();
    await page.getByLabel("Company name").fill("Smørrebrød & Co");
    await page.getByLabel("Primary domain").fill("smorrebrod-e2e.dk");
    await page.getByLabel("Country").selectOption("DK");
    await page.getByLabel("First name").fill("Karen");
    await page.getByLabel("Last name").fill("Blixen");
    await page.getByLabel("Email address").fill("karen@smorrebrod-e2e.dk");
    await page.getByRole("button", { name: "Create customer" }).click();
    await page.getByRole("heading", { name: "Smørrebrød & Co" }).waitFor();
    await page.getByText("Agreement pending").first().waitFor();
    await page.screenshot({ path: shotPath("customer-detail.png"), fullPage: true });

    const karen = await (await app.browser.newContext()).newPage();
    const link = await linkFromOutbox(karen, "karen@smorrebrod-e2e.dk", /\/activate\//);
    await karen.goto(link);
    await karen.getByLabel("Your name").fill("Karen Blixen");
    await karen.getByLabel("Password", { exact: true }).fill("karen-long-password");
    await karen.getByLabel("Repeat the password").fill("karen-long-password");
    await karen.getByRole("button", { name: "Create account and join" }).click();
    await karen.waitForURL(`${APP}/customer/agreement`);
    await karen.getByRole("checkbox", { name: /I have read the customer agreement/ }).check();
    await karen.getByRole("button", { name: "Accept" }).click();
    await karen.waitForURL(`${APP}/customer/partners`);
    await karen.getByRole("cell", { name: "Northwind Partners", exact: true }).waitFor();

    await page.goto(`${APP}/partner/customers?q=smorrebrod-e2e`);
    await page.locator("tbody").getByText("Accepted").waitFor();
  });
});

describe("shared links in a browser", () => {
  it("a sales agent creates a trial invitation with delegated administration; a new customer signs up, accepts and authorises; the partner sees it all", async () => {
    const salesContext = await app.browser.newContext({ permissions: ["clipboard-read", "clipboard-write"] });
    const sales = await salesContext.newPage();
    await signIn(sales, "sales-agent@northwind.example");
    await sales.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Invitations and offers" }).click();
    await sales.getByRole("heading", { name: "Invitations and offers", level: 1 }).waitFor();
    await sales.getByRole("link", { name: "Create link" }).click();
    await sales.getByRole("radio", { name: /Trial invitation/ }).check();
    await sales.getByLabel("Product to try", { exact: true }).selectOption("business-premium");
    await sales.getByRole("checkbox", { name: /Also offer delegated administration/ }).check();
    await sales.getByLabel(/Message to the customer/).fill("A month of Business Premium on us. — Northwind");
    await sales.screenshot({ path: shotPath("link-new.png"), fullPage: true });
    await sales.getByRole("button", { name: "Create link" }).click();
    await sales.getByRole("heading", { name: "Trial invitation", level: 1 }).waitFor();
    await sales.getByRole("button", { name: "Copy link" }).click();
    await sales.getByRole("button", { name: "Copied" }).waitFor();
    const url = await sales.getByLabel("Link", { exact: true }).inputValue();
    expect(await sales.evaluate(() => navigator.clipboard.readText())).toBe(url);
    expect(url).toMatch(/\/l\/\d+\.[\w-]+\.[\w-]+\.[\w-]+$/);
    await sales.getByRole("img", { name: "QR code of the link" }).waitFor();
    await sales.screenshot({ path: shotPath("link-detail.png"), fullPage: true });

    const customer = await (await app.browser.newContext()).newPage();
    await customer.goto(url);
    await customer.getByRole("heading", { name: "Northwind Partners invites you to try Business Premium" }).waitFor();
    await customer.getByText("A month of Business Premium on us.").waitFor();
    await customer.screenshot({ path: shotPath("link-public.png"), fullPage: true });
    // A mistake first: the form answers with field errors and keeps what was typed.
    await customer.getByLabel("Organisation name").fill("Fjord Fisk ApS");
    await customer.getByLabel("Primary domain").fill("fjordfisk-e2e.dk");
    await customer.getByLabel("Country").selectOption("DK");
    await customer.getByLabel("Your name").fill("Ida Fjord");
    await customer.getByLabel("Your work email").fill("ida@fjordfisk-e2e.dk");
    await customer.getByLabel("Choose a password").fill("ida-long-password");
    await customer.getByRole("button", { name: "Sign up, accept & authorize" }).click();
    await customer.getByText("Tick the box to confirm that you have read the customer agreement.").waitFor();
    expect(await customer.getByLabel("Organisation name").inputValue()).toBe("Fjord Fisk ApS");
    await customer.getByRole("checkbox", { name: /I have read the customer agreement/ }).check();
    await customer.getByRole("checkbox", { name: /Authorise Northwind Partners to act as a delegated admin/ }).check();
    await customer.getByRole("button", { name: "Sign up, accept & authorize" }).click();
    // After "Accept & authorize" the list of partners is shown (seeds 000/004).
    await customer.waitForURL(`${APP}/customer/partners`);
    await customer.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Subscriptions" }).click();
    const trial = customer.getByRole("row", { name: /Business Premium/ });
    await trial.getByText("Trial", { exact: true }).waitFor();
    await trial.getByText("Northwind Partners", { exact: true }).waitFor();
    await trial.getByText("Partner ID 4000001").waitFor();
    await customer.screenshot({ path: shotPath("customer-subscriptions.png"), fullPage: true });
    await customer.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Partners" }).click();
    await customer.getByRole("row", { name: /Northwind Partners/ }).getByText("Delegated admin").first().waitFor();
    await customer.screenshot({ path: shotPath("customer-partners.png"), fullPage: true });

    await sales.goto(`${APP}/partner/customers?q=fjordfisk-e2e`);
    const row = sales.locator("tbody tr", { hasText: "Fjord Fisk ApS" });
    await row.getByText("Delegated admin").waitFor();
    await row.getByRole("link", { name: "Fjord Fisk ApS" }).click();
    await sales.getByRole("heading", { name: "Fjord Fisk ApS", level: 1 }).waitFor();
    await sales.getByRole("row", { name: /Business Premium/ }).getByText("Trial").waitFor();
    await sales.screenshot({ path: shotPath("partner-customer-with-trial.png"), fullPage: true });
    await sales.goto(`${APP}/notifications`);
    await sales.getByText("Fjord Fisk ApS accepted your trial invitation").first().waitFor();
    await sales.goto(`${APP}/partner/links`);
    await sales.getByRole("link", { name: "Trial invitation" }).first().click();
    await sales.getByRole("row", { name: /Fjord Fisk ApS/ }).getByText("Authorised").waitFor();
  });
});

describe("product keys and Partner of Record in a browser", () => {
  it("a sales agent imports keys and registers one for a new customer with DAP; its admin accepts, sees the subscription with the partner, approves, changes licences; the partner is told", async () => {
    const keys = [generateProductKey((n) => randomBytes(n)), generateProductKey((n) => randomBytes(n))];
    const sales = await (await app.browser.newContext()).newPage();
    await signIn(sales, "sales-agent@northwind.example");
    await sales.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Product keys" }).click();
    await sales.getByRole("heading", { name: "Product keys", level: 1 }).waitFor();
    await sales.getByLabel("CSV file").setInputFiles({
      name: "northwind-keys.csv",
      mimeType: "text/csv",
      buffer: Buffer.from(`key,product,licences\n${keys[0]},business-standard,12\n${keys[1]},Visio Plan 2,3\nNOT-A-KEY,business-standard,1\n`),
    });
    await sales.getByRole("button", { name: "Import" }).click();
    await sales.getByRole("heading", { name: "Import report", level: 1 }).waitFor();
    await sales.getByText("1 row was refused").waitFor();
    await sales.locator('tr[data-accepted="false"]').getByText(/25 letters and digits/).waitFor();
    await sales.screenshot({ path: shotPath("product-key-import.png"), fullPage: true });
    await sales.getByRole("link", { name: "Product keys" }).first().click();
    await sales.getByRole("cell", { name: `Key ending ${keys[0]!.slice(-5)}` }).waitFor();
    await sales.screenshot({ path: shotPath("product-keys.png"), fullPage: true });

    await sales.getByRole("link", { name: "Register a key" }).click();
    // Typed the way people type it: lower case, spaces for hyphens.
    await sales.getByLabel("Product key").fill(keys[0]!.toLowerCase().replaceAll("-", " "));
    await sales.getByRole("radio", { name: /A new customer/ }).check();
    await sales.getByLabel("Company name").fill("Kildevæld Bryggeri");
    await sales.getByLabel("Primary domain").fill("kildevaeld-e2e.dk");
    await sales.getByLabel("Country").selectOption("DK");
    await sales.getByLabel("First name").fill("Søren");
    await sales.getByLabel("Last name").fill("Kilde");
    await sales.getByLabel("Email address").fill("soren@kildevaeld-e2e.dk");
    await sales.getByRole("radio", { name: /Ask for delegated administration \(DAP\)/ }).check();
    await sales.screenshot({ path: shotPath("product-key-register.png"), fullPage: true });
    await sales.getByRole("button", { name: "Register key" }).click();
    await sales.getByRole("heading", { name: "Kildevæld Bryggeri", level: 1 }).waitFor();
    await sales.getByRole("status").filter({ hasText: "with you as Partner of Record" }).waitFor();
    await sales.getByRole("row", { name: /Business Standard/ }).getByText("Partner of record").waitFor();

    const customer = await (await app.browser.newContext()).newPage();
    const link = await linkFromOutbox(customer, "soren@kildevaeld-e2e.dk", /\/activate\//);
    await customer.goto(link);
    await customer.getByLabel("Your name").fill("Søren Kilde");
    await customer.getByLabel("Password", { exact: true }).fill("soren-long-password");
    await customer.getByLabel("Repeat the password").fill("soren-long-password");
    await customer.getByRole("button", { name: "Create account and join" }).click();
    await customer.waitForURL(`${APP}/customer/agreement`);
    await customer.getByRole("checkbox", { name: /I have read the customer agreement/ }).check();
    await customer.getByRole("button", { name: "Accept" }).click();
    await customer.waitForURL(`${APP}/customer/partners`);
    await customer.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Subscriptions" }).click();
    const row = customer.getByRole("row", { name: /Business Standard/ });
    await row.getByText("Northwind Partners", { exact: true }).waitFor();
    await row.getByText("Partner ID 4000001").waitFor();
    await row.getByRole("cell", { name: "12", exact: true }).waitFor();

    await customer.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Requests", exact: true }).click();
    await customer.getByRole("button", { name: "Approve" }).first().click();
    await customer.getByRole("dialog").waitFor();
    await expectAccessible(customer);
    await customer.getByRole("dialog").getByRole("button", { name: "Approve" }).click();
    await customer.getByRole("status").filter({ hasText: "Approved" }).waitFor();
    await customer.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Partners" }).click();
    await customer.getByRole("row", { name: /Northwind Partners/ }).getByText("Reseller & delegated admin").waitFor();
    // The reseller cannot be removed by the customer: the control says why.
    await customer.getByRole("row", { name: /Northwind Partners/ }).getByText(/Contact your partner to end the relationship: only Northwind Partners can end it/).waitFor();
    expect(await customer.getByRole("row", { name: /Northwind Partners/ }).getByRole("button", { name: "Remove partner" }).count()).toBe(0);
    await customer.screenshot({ path: shotPath("customer-partners-reseller.png"), fullPage: true });

    await customer.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Subscriptions" }).click();
    const manage = customer.getByRole("row", { name: /Business Standard/ });
    await manage.getByText("Manage").click();
    await manage.getByLabel("Licences", { exact: true }).fill("15");
    await manage.getByRole("button", { name: "Change licence count" }).click();
    await customer.getByRole("status").filter({ hasText: "now has 15 licences" }).waitFor();
    await customer.getByRole("row", { name: /Business Standard/ }).getByRole("cell", { name: "15", exact: true }).waitFor();
    await customer.screenshot({ path: shotPath("customer-subscriptions-por.png"), fullPage: true });

    await until(async () => {
      await sales.goto(`${APP}/notifications`);
      return (await sales.getByText("Kildevæld Bryggeri changed Business Standard from 12 to 15 licences").count()) > 0;
    });
    await sales.screenshot({ path: shotPath("partner-por-notification.png"), fullPage: true });
    await sales.goto(`${APP}/partner/subscriptions`);
    await sales.getByRole("row", { name: /Kildevæld Bryggeri/ }).getByText("Partner of record & Reseller").waitFor();
    await sales.screenshot({ path: shotPath("partner-subscriptions.png"), fullPage: true });
  });
});

describe("find a partner in a browser", () => {
  it("a visitor searches, selects two partners and sends one form; a partner answers with a trial invitation; the visitor redeems it and the lead is won", async () => {
    const visitor = await (await app.browser.newContext()).newPage();
    await visitor.goto(`${APP}/partners`);
    await visitor.getByRole("heading", { name: "Find a partner", level: 1 }).waitFor();
    await visitor.getByLabel("Services or keywords").fill("security");
    await visitor.getByLabel("Country").selectOption("DK");
    await visitor.getByRole("button", { name: "Search" }).click();
    await visitor.waitForURL(/q=security/);
    await visitor.getByRole("link", { name: "Kattegat Security ApS" }).waitFor();
    await visitor.getByRole("checkbox", { name: "Select Northwind Partners" }).check();
    await visitor.getByRole("checkbox", { name: "Select Kattegat Security ApS" }).check();
    await visitor.getByText("2 selected: Northwind Partners, Kattegat Security ApS").waitFor();
    await visitor.screenshot({ path: shotPath("directory.png"), fullPage: true });
    await visitor.getByRole("button", { name: "Contact selected partners" }).click();
    await visitor.getByRole("heading", { name: "Contact selected partners", level: 1 }).waitFor();
    // Consent missing first: a clear field error, nothing sent.
    await visitor.getByLabel("Your name").fill("Freja Holm");
    await visitor.getByLabel("Your work email").fill("freja@holm-e2e.dk");
    await visitor.getByLabel("Organisation", { exact: true }).fill("Holm Tandklinik");
    await visitor.getByLabel("Organisation size").selectOption("10-49");
    await visitor.getByLabel("Country").selectOption("DK");
    await visitor.getByLabel("What do you need?").fill("We need better security for 20 users and help moving our files to the cloud.");
    await visitor.getByRole("button", { name: "Send to 2 partners" }).click();
    await visitor.getByText("Tick the box to agree that the selected partners may contact you.").waitFor();
    await expectAccessible(visitor);
    await visitor.getByRole("checkbox", { name: /may contact me/ }).check();
    await visitor.screenshot({ path: shotPath("directory-contact.png"), fullPage: true });
    await visitor.getByRole("button", { name: "Send to 2 partners" }).click();
    await visitor.getByRole("status").filter({ hasText: "Your request was sent to Northwind Partners and Kattegat Security ApS" }).waitFor();

    const sales = await (await app.browser.newContext()).newPage();
    await signIn(sales, "sales-agent@northwind.example");
    await sales.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Leads" }).click();
    await sales.getByRole("link", { name: "Holm Tandklinik" }).click();
    await sales.getByRole("heading", { name: "Holm Tandklinik", level: 1 }).waitFor();
    await sales.getByLabel("Assigned to").selectOption({ label: "Sales agent (Northwind)" });
    await sales.getByRole("button", { name: "Assign" }).click();
    await sales.getByRole("status").filter({ hasText: "Lead assigned." }).waitFor();
    await sales.getByLabel("Invitation or offer", { exact: true }).selectOption({ index: 1 });
    await sales.getByLabel(/Message/).fill("Hello Freja, here is a month of Business Premium to try. — Northwind");
    await sales.getByRole("button", { name: "Send to freja@holm-e2e.dk" }).click();
    await sales.getByRole("status").filter({ hasText: "was emailed to the lead" }).waitFor();
    await sales.screenshot({ path: shotPath("lead-answered.png"), fullPage: true });

    const link = await linkFromOutbox(visitor, "freja@holm-e2e.dk", /\?lead=/);
    expect(link).toMatch(/\/l\/.+\?lead=/);
    await visitor.goto(link);
    await visitor.getByLabel("Organisation name").fill("Holm Tandklinik ApS");
    await visitor.getByLabel("Primary domain").fill("holm-e2e.dk");
    await visitor.getByLabel("Country").selectOption("DK");
    await visitor.getByLabel("Your name").fill("Freja Holm");
    await visitor.getByLabel("Your work email").fill("freja@holm-e2e.dk");
    await visitor.getByLabel("Choose a password").fill("freja-long-password");
    await visitor.getByRole("checkbox", { name: /I have read the customer agreement/ }).check();
    // "Sign up & accept", or "Sign up, accept & authorize" when the invitation offers delegated admin (then the partners list).
    await visitor.getByRole("button", { name: /^Sign up(,| &) accept/ }).click();
    await visitor.waitForURL((u) => u.pathname === "/customer/subscriptions" || u.pathname === "/customer/partners");

    await sales.reload();
    await sales.getByText("Won:").waitFor();
    await sales.getByRole("link", { name: "Holm Tandklinik ApS" }).waitFor();
    await sales.screenshot({ path: shotPath("lead-won.png"), fullPage: true });
    await sales.goto(`${APP}/partner/leads?status=won`);
    await sales.getByRole("link", { name: "Holm Tandklinik" }).waitFor();
  });
});

describe("delegated administration in a browser", () => {
  it("GDAP: requested, approved, assigned to a staff group, used for a password reset, seen by the customer, removed, then refused", async () => {
    // The customer's global admin adds a user to reset later.
    const customer = await (await app.browser.newContext()).newPage();
    await signIn(customer, "admin@adatum-bakery.example");
    await customer.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Users" }).click();
    const addUser = customer.getByRole("region", { name: "Add a user" });
    await addUser.getByLabel("Name", { exact: true }).fill("Lars Baker");
    await addUser.getByLabel("Email address").fill("lars@adatum-bakery.example");
    await customer.getByRole("button", { name: "Invite user" }).click();
    await customer.getByText("Invitation sent to lars@adatum-bakery.example.").waitFor();
    // Lars accepts the invitation from the mail and chooses his own password.
    const lars = await (await app.browser.newContext()).newPage();
    const invitation = await linkFromOutbox(lars, "lars@adatum-bakery.example", /\/activate\//);
    await lars.goto(invitation.startsWith("http") ? invitation : `${APP}${invitation}`);
    await lars.getByLabel("Password", { exact: true }).fill("lars-own-long-password");
    await lars.getByLabel("Repeat the password").fill("lars-own-long-password");
    await lars.getByRole("button", { name: "Create account and join" }).click();
    await lars.waitForURL((u) => u.pathname.startsWith("/customer"));

    // An admin agent asks for User Administrator and Helpdesk Administrator for 30 days.
    const agent = await (await app.browser.newContext()).newPage();
    await signIn(agent, "admin-agent@northwind.example");
    await agent.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Admin relationships" }).click();
    await agent.getByRole("link", { name: "Request admin roles" }).click();
    await agent.getByLabel("Name", { exact: true }).fill("Adatum helpdesk");
    await agent.getByLabel("Customer's primary domain").fill("adatum-bakery.example");
    await agent.getByLabel("Duration in days").fill("30");
    await agent.getByRole("checkbox", { name: /User Administrator/ }).check();
    await agent.getByRole("checkbox", { name: /^Helpdesk Administrator/ }).check();
    await agent.getByRole("button", { name: "Request" }).click();
    await agent.getByRole("heading", { name: "Adatum helpdesk", level: 1 }).waitFor();
    const approval = await agent.getByRole("textbox", { name: "Approval link" }).inputValue();
    const relationshipUrl = agent.url();

    // The customer's global admin approves it.
    await customer.goto(approval);
    await customer.getByRole("heading", { name: "Northwind Partners asks for admin roles" }).waitFor();
    await customer.getByText("Password resets for non-admins and helpdesk admins; support requests.").waitFor();
    await customer.screenshot({ path: shotPath("gdap-approval.png"), fullPage: true });
    await customer.getByRole("button", { name: "Approve" }).click();
    await customer.getByRole("dialog").waitFor();
    await expectAccessible(customer);
    await customer.getByRole("dialog").getByRole("button", { name: "Approve" }).click();
    await customer.waitForURL(`${APP}/customer/partners`);
    await customer.getByRole("link", { name: "Adatum helpdesk" }).waitFor();

    // The partner's global admin puts the helpdesk agent in a group and gives it both roles.
    const admin = await (await app.browser.newContext()).newPage();
    await signIn(admin, "admin@northwind.example");
    await admin.goto(`${APP}/partner/staff/groups`);
    // (The demo data has a "Helpdesk team" of its own.)
    await admin.getByLabel("New group").fill("Password reset team");
    await admin.getByRole("button", { name: "Create group" }).click();
    const newGroup = admin.getByRole("region", { name: "Password reset team" });
    await newGroup.waitFor();
    await newGroup.getByLabel("Add a staff member").selectOption({ label: "Helpdesk agent (Northwind) (helpdesk-agent@northwind.example)" });
    await newGroup.getByRole("button", { name: "Add", exact: true }).click();
    await newGroup.getByText("helpdesk-agent@northwind.example").waitFor();
    await admin.goto(relationshipUrl);
    const group = admin.getByRole("group", { name: /Password reset team/ });
    await group.getByRole("checkbox", { name: "User Administrator" }).check();
    await group.getByRole("checkbox", { name: "Helpdesk Administrator" }).check();
    await group.getByRole("button", { name: "Save roles of Password reset team" }).click();
    await admin.getByText("Roles assigned.").waitFor();

    // A helpdesk agent in the group resets the user's password.
    const helpdesk = await (await app.browser.newContext()).newPage();
    await signIn(helpdesk, "helpdesk-agent@northwind.example");
    await helpdesk.goto(`${APP}/partner/customers?q=adatum-bakery`);
    await helpdesk.locator("tbody").getByRole("link", { name: "Adatum Bakery" }).click();
    await helpdesk.getByRole("link", { name: "Users" }).click();
    const larsRow = helpdesk.getByRole("row", { name: /Lars Baker/ });
    await larsRow.getByRole("button", { name: "Reset password" }).click();
    await helpdesk.getByRole("dialog").waitFor();
    await expectAccessible(helpdesk);
    await helpdesk.getByRole("dialog").getByRole("button", { name: "Reset password" }).click();
    await helpdesk.getByRole("heading", { name: "Password reset" }).waitFor();
    expect(await helpdesk.getByLabel("Temporary password").inputValue()).toMatch(/^\w{4}-\w{4}-\w{4}-\w{4}$/);
    await helpdesk.screenshot({ path: shotPath("partner-resets-password.png"), fullPage: true });
    const usersUrl = helpdesk.url();

    // The customer sees it in partner activity and removes the roles.
    await customer.goto(`${APP}/customer/activity`);
    await customer.getByRole("row", { name: /Reset the password of lars@adatum-bakery.example/ }).getByText("Helpdesk agent (Northwind)").waitFor();
    await customer.screenshot({ path: shotPath("customer-partner-activity.png"), fullPage: true });
    await customer.goto(`${APP}/customer/partners`);
    await customer.getByRole("row", { name: /Northwind Partners/ }).getByRole("button", { name: "Remove admin roles" }).click();
    await customer.getByRole("dialog").waitFor();
    await expectAccessible(customer);
    await customer.getByRole("dialog").getByRole("button", { name: "Remove admin roles" }).click();
    await customer.getByText("admin roles are removed").waitFor();

    // The same reset is now refused: the users are out of reach.
    await helpdesk.goto(usersUrl);
    await helpdesk.getByRole("heading", { name: "Not allowed" }).waitFor();
    expect(await helpdesk.getByRole("button", { name: "Reset password" }).count()).toBe(0);
  });
});
