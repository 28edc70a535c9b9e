/** Acting in a customer tenant: assign and remove licences (never more than purchased). ADR 0010. */
import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { SubmitButton } from "~/components/forms";
import { EmptyState, PageHeader, SubscriptionStatus } from "~/components/layout";
import { DomainError } from "~/utils/errors";
import { actInCustomer, enterCustomerAsPartner, listTenantUsers, openCustomerWorkspace } from "~/modules/customer-tenant/tenant-users.server";
import { assignLicence, listLicences, removeLicence } from "~/modules/customer-tenant/tenant-work.server";
import { actorOf, requirePermission, tenantOf } from "~/modules/auth/gate.server";
import { withTenant, withTenantReads } from "~/utils/db.server";
import { orThrowResponse, redirectWithToast, uuidParam } from "~/utils/http.server";
import { readForm } from "~/utils/form.server";

export const meta: MetaFunction = () => [{ title: "Customer licences · Partnerdesk" }];

const customerIdOf = (params: { customerId?: string }) => uuidParam(params.customerId, "No such customer.");

export async function loader({ request, params }: LoaderFunctionArgs) {
  const auth = await requirePermission(request, "customers:view", { kind: "partner" });
  const customerId = customerIdOf(params);
  return orThrowResponse(
    withTenantReads(tenantOf(auth), async (tx) => {
      const { customer, rights } = await openCustomerWorkspace(tx, { partnerId: auth.org.id, userId: auth.user.id, customerId });
      const base = { customer, canAssign: rights.actions.has("licenses:assign") };
      if (!rights.actions.has("licenses:read")) return { ...base, licences: null, users: [] };
      await enterCustomerAsPartner(tx, { customerId });
      return { ...base, licences: await listLicences(tx, { customerId }), users: (await listTenantUsers(tx, { customerId })).map((u) => ({ id: u.id, displayName: u.displayName, email: u.email })) };
    }),
  );
}

const form = z.object({ intent: z.enum(["assign", "remove"]), subscriptionId: z.string().uuid(), userId: z.string().uuid({ message: "Choose a user." }) });

export async function action({ request, params, context }: ActionFunctionArgs) {
  const auth = await requirePermission(request, "customers:view", { kind: "partner" });
  const customerId = customerIdOf(params);
  const parsed = form.safeParse(Object.fromEntries(await readForm(request)));
  if (!parsed.success) return data({ error: parsed.error.issues[0]?.message ?? "Check the form." }, { status: 400 });
  const { intent, subscriptionId, userId } = parsed.data;
  try {
    await withTenant(tenantOf(auth), async (tx) => {
      await actInCustomer(tx, { partnerId: auth.org.id, userId: auth.user.id, customerId, action: "licenses:assign" });
      const input = { customerId, actor: actorOf(auth, context), subscriptionId, userId };
      await (intent === "assign" ? assignLicence(tx, input) : removeLicence(tx, input));
    });
  } catch (error) {
    if (error instanceof DomainError) return data({ error: error.message }, { status: error.status });
    throw error;
  }
  return redirectWithToast(`/partner/customers/${customerId}/licences`, { kind: "success", message: intent === "assign" ? "Licence assigned." : "Licence removed." });
}

export default function CustomerLicences() {
  const { customer, licences, users, canAssign } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  return (
    <>
      <p className="breadcrumb">
        <Link to="/partner/customers">Customers</Link> / <Link to={`/partner/customers/${customer.id}`}>{customer.name}</Link> /
      </p>
      <PageHeader title="Licences" description="Who holds which licence. A subscription's licences are never handed out beyond what was bought." />
      {result?.error ? (
        <p className="notice notice-warn" role="alert">
          {result.error}
        </p>
      ) : null}
      {licences === null ? (
        <EmptyState title="Not allowed">
          <p>Your admin roles in this organisation do not include licences (for example License Administrator).</p>
        </EmptyState>
      ) : licences.length === 0 ? (
        <EmptyState title="No active subscriptions">
          <p>The customer has no subscription with licences to assign.</p>
        </EmptyState>
      ) : (
        licences.map((s) => (
          <section key={s.id} className="card top-gap" aria-labelledby={`sub-${s.id}`}>
            <h2 id={`sub-${s.id}`}>
              {s.productName} <SubscriptionStatus status={s.status} />
            </h2>
            <p className="muted">
              {s.holders.length} of {s.licences} licences assigned
            </p>
            <ul className="plain-list">
              {s.holders.map((h) => (
                <li key={h.userId}>
                  <Form method="post" className="inline-row">
                    {h.displayName} <span className="muted small">{h.email}</span>
                    <input type="hidden" name="subscriptionId" value={s.id} />
                    <input type="hidden" name="userId" value={h.userId} />
                    {canAssign ? (
                      <button type="submit" name="intent" value="remove" className="link-button">
                        Remove<span className="visually-hidden"> {h.displayName}&apos;s licence</span>
                      </button>
                    ) : null}
                  </Form>
                </li>
              ))}
            </ul>
            {canAssign && s.holders.length < s.licences ? (
              <Form method="post" className="filters">
                <input type="hidden" name="subscriptionId" value={s.id} />
                <div className="field">
                  <label htmlFor={`assign-${s.id}`}>Assign to</label>
                  <select id={`assign-${s.id}`} name="userId" required defaultValue="">
                    <option value="" disabled>
                      Choose a user…
                    </option>
                    {users
                      .filter((u) => !s.holders.some((h) => h.userId === u.id))
                      .map((u) => (
                        <option key={u.id} value={u.id}>
                          {u.displayName} ({u.email})
                        </option>
                      ))}
                  </select>
                </div>
                <SubmitButton name="intent" value="assign" className="button" pendingText="Assigning…">
                  Assign
                </SubmitButton>
              </Form>
            ) : null}
          </section>
        ))
      )}
    </>
  );
}
