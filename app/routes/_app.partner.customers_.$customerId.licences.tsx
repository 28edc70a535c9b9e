/** Acting in a customer tenant: assign and remove licences (never more than purchased). ADR 0010. */
import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { parseWithZod } from "@conform-to/zod";
import { z } from "zod";
import { ReplyNotice, SubmitButton } from "~/components/forms";
import { EmptyState, PageHeader, SubscriptionStatus } from "~/components/layout";
import { actInCustomer, enterCustomerAsPartner, listTenantUsers, openCustomerWorkspace } from "~/modules/customer-tenant/tenant-users.server";
import { assignLicence, listLicences, removeLicence } from "~/modules/customer-tenant/tenant-work.server";
import { actorOf, requirePermission, tenantOf, type IntentArgs } from "~/modules/auth/gate.server";
import { withTenant, withTenantReads } from "~/utils/db.server";
import { handleDomainError, redirectWithToast, unknownIntent, uuidParam } from "~/utils/http.server";
import { readForm } from "~/utils/form.server";
import { rightsSummary, whyNot } from "~/modules/delegated-admin/admin-roles";
import { rightsView } from "~/modules/staff/staff-groups.server";

export const meta: MetaFunction = () => [{ title: "Customer licences · Partnerdesk" }];

const customerIdOf = (params: { customerId?: string }) => uuidParam(params.customerId, "No such customer.");

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const auth = await requirePermission({ request, context }, "customers:view", { kind: "partner" });
  const customerId = customerIdOf(params);
  return withTenantReads(tenantOf(auth), async (tx) => {
    const { customer, rights } = await openCustomerWorkspace(tx, { partnerId: auth.org.id, userId: auth.user.id, customerId });
    const base = { customer, rights: rightsView(rights), canAssign: rights.actions.has("licenses:assign") };
    if (!rights.actions.has("licenses:read")) return { ...base, licences: null, users: [] };
    await enterCustomerAsPartner(tx, { customerId });
    return { ...base, licences: await listLicences(tx, { customerId }), users: (await listTenantUsers(tx, { customerId })).map((u) => ({ id: u.id, displayName: u.displayName, email: u.email })) };
  }).catch(handleDomainError);
}

const licenceSchema = z.object({ subscriptionId: z.string().uuid(), userId: z.string({ required_error: "Choose a user." }).uuid({ message: "Choose a user." }) });

type LicenceIntentArgs = IntentArgs & { customerId: string };

export async function action({ request, params, context }: ActionFunctionArgs) {
  const auth = await requirePermission({ request, context }, "customers:view", { kind: "partner" });
  const customerId = customerIdOf(params);
  const formData = await readForm(request);
  const args = { auth, formData, context, customerId };
  switch (formData.get("intent")) {
    case "assign":
      return assignLicenceAction(args);
    case "remove":
      return removeLicenceAction(args);
    default:
      return unknownIntent();
  }
}

async function assignLicenceAction({ auth, formData, context, customerId }: LicenceIntentArgs) {
  const submission = parseWithZod(formData, { schema: licenceSchema });
  if (submission.status !== "success") return data(submission.reply(), { status: 400 });
  try {
    await withTenant(tenantOf(auth), async (tx) => {
      await actInCustomer(tx, { partnerId: auth.org.id, userId: auth.user.id, customerId, action: "licenses:assign" });
      await assignLicence(tx, { customerId, actor: actorOf(auth, context), ...submission.value });
    });
  } catch (error) {
    return handleDomainError(error, submission);
  }
  return redirectWithToast(`/partner/customers/${customerId}/licences`, { kind: "success", message: "Licence assigned." });
}

async function removeLicenceAction({ auth, formData, context, customerId }: LicenceIntentArgs) {
  const submission = parseWithZod(formData, { schema: licenceSchema });
  if (submission.status !== "success") return data(submission.reply(), { status: 400 });
  try {
    await withTenant(tenantOf(auth), async (tx) => {
      await actInCustomer(tx, { partnerId: auth.org.id, userId: auth.user.id, customerId, action: "licenses:assign" });
      await removeLicence(tx, { customerId, actor: actorOf(auth, context), ...submission.value });
    });
  } catch (error) {
    return handleDomainError(error, submission);
  }
  return redirectWithToast(`/partner/customers/${customerId}/licences`, { kind: "success", message: "Licence removed." });
}

export default function CustomerLicences() {
  const { customer, licences, users, canAssign, rights } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const summary = rightsSummary(rights);
  const readReason = whyNot(rights, "licenses:read", "manage licences");
  const assignReason = licences !== null ? whyNot(rights, "licenses:assign", "manage licences") : null;
  return (
    <>
      <p className="breadcrumb">
        <Link to="/partner/customers">Customers</Link> / <Link to={`/partner/customers/${customer.id}`}>{customer.name}</Link> /
      </p>
      <PageHeader title="Licences" description={`Who holds which licence. A subscription's licences are never handed out beyond what was bought.${summary === readReason ? "" : ` ${summary}`}`} />
      <ReplyNotice result={result} />
      {licences === null ? (
        <EmptyState title="Not allowed">
          <p>{readReason}</p>
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
                  {canAssign ? (
                    <Form method="post" className="inline-row">
                      {h.displayName} <span className="muted small">{h.email}</span>
                      <input type="hidden" name="subscriptionId" value={s.id} />
                      <input type="hidden" name="userId" value={h.userId} />
                      <button type="submit" name="intent" value="remove" className="link-button">
                        Remove<span className="visually-hidden"> {h.displayName}&apos;s licence</span>
                      </button>
                    </Form>
                  ) : (
                    <span className="inline-row">
                      {h.displayName} <span className="muted small">{h.email}</span>
                    </span>
                  )}
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
      {assignReason ? <p className="muted top-gap">{assignReason}</p> : null}
    </>
  );
}
