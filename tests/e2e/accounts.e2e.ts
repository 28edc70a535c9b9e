/**
 * Accounts belong to people (ADR 0026), as a person clicks it: a customer's admin invites another
 * partner's global admin; the invitation page asks that person to sign in as themselves, they
 * accept; the customer's admin can then only send them a reset link of their own, never set a
 * password. With an accessibility check of each page.
 */
import { describe, expect, it } from "vitest";
import { expectAccessible, setUpApp, shotPath, submitSignIn, completeSecondFactor } from "./support";

const app = await setUpApp();
const { url: APP, signIn, linkFromOutbox } = app;
// The first demo customer of Northwind Partners (db/seed/demo.ts).
const CUSTOMER_ADMIN = "admin@adatum-bakery.example";
const VICTIM = "admin@fabrikam.example";

describe("an account joins a customer only by accepting, and stays its owner's", () => {
  it("invite → sign in as yourself → accept → the customer may only send a reset link", async () => {
    const admin = await (await app.browser.newContext()).newPage();
    await signIn(admin, CUSTOMER_ADMIN);
    await admin.goto(`${APP}/customer/users`);
    await admin.getByRole("heading", { name: "Users", level: 1 }).waitFor();
    const addUser = admin.getByRole("region", { name: "Add a user" });
    await addUser.getByLabel("Name").fill("Fabrikam's admin");
    await addUser.getByLabel("Email address").fill(VICTIM);
    await admin.getByRole("button", { name: "Invite user" }).click();
    await admin.getByText(`Invitation sent to ${VICTIM}.`).waitFor();
    const invitedRow = admin.getByRole("row", { name: new RegExp(VICTIM) });
    await invitedRow.getByText("Invitation pending").waitFor();
    await expectAccessible(admin);

    // The invited person opens the mail's link: not signed in, they are asked to sign in as themselves.
    const person = await (await app.browser.newContext({ viewport: { width: 390, height: 844 } })).newPage();
    const link = await linkFromOutbox(person, VICTIM, /\/activate\//);
    await person.goto(link.startsWith("http") ? link : `${APP}${link}`);
    await person.getByRole("heading", { name: /^Join / }).waitFor();
    expect(await person.getByLabel("Password").count()).toBe(0);
    await expectAccessible(person);
    await person.getByRole("link", { name: "Sign in to answer" }).click();
    await person.waitForURL(/\/signin/);
    await submitSignIn(person, VICTIM);
    // A partner's global admin: the authenticator code next, then back to the invitation.
    await person.waitForURL(/\/signin\/verify/);
    await completeSecondFactor(person, VICTIM);
    await person.waitForURL(/\/activate\//);
    await person.getByRole("button", { name: "Accept and join" }).waitFor();
    await person.screenshot({ path: shotPath("invitation-accept-390.png"), fullPage: true });
    await expectAccessible(person);
    await person.getByRole("button", { name: "Accept and join" }).click();
    await person.waitForURL((u) => u.pathname.startsWith("/customer"));

    // The customer's admin sees the member, with a reset link instead of a password reset.
    await admin.goto(`${APP}/customer/users`);
    const row = admin.getByRole("row", { name: new RegExp(VICTIM) });
    expect(await row.getByRole("button", { name: "Reset password" }).count()).toBe(0);
    await row.getByRole("button", { name: "Send reset link" }).click();
    await admin.getByRole("dialog").waitFor();
    await expectAccessible(admin);
    await admin.getByRole("dialog").getByRole("button", { name: "Send link" }).click();
    await admin.getByText(`A link to reset their password was sent to ${VICTIM}.`).waitFor();
    await admin.screenshot({ path: shotPath("customer-users-reset-link.png"), fullPage: true });
    await expectAccessible(admin);
  });
});
