import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { ONLY_REQUESTERS, ADMIN_ROLES, GDAP, GLOBAL_ADMINISTRATOR } from "~/modules/delegated-admin/admin-roles";
import { BULK_PREFIX_MAX, startBulkGdap } from "~/modules/delegated-admin/bulk-gdap.server";
import { parseWithZod } from "@conform-to/zod";
import { z } from "zod";
import { text } from "~/utils/input";
import { replyError, ReplyNotice, SubmitButton } from "~/components/forms";
import { PageHeader } from "~/components/layout";
import { RELATIONSHIP_LABELS, type RelationshipType } from "~/modules/customers/customer-list";
import { deleteSelection, getSelection } from "~/modules/customers/customers.server";
import { actorOf, assertPermission, type IntentArgs, requirePermission, requireRecentSecondFactor, tenantOf } from "~/modules/auth/gate.server";
import { withTenant, withTenantReads } from "~/utils/db.server";
import { handleDomainError, redirectWithToast, unknownIntent } from "~/utils/http.server";
import { readForm } from "~/utils/form.server";
import { useFormat } from "~/components/format";
import { formatNumber } from "~/utils/format";

export const meta: MetaFunction = () => [{ title: "Selected customers · Partnerdesk" }];

const idParam = z.string().uuid();

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const auth = await requirePermission({ request, context }, "customers:view", { kind: "partner" });
  const id = idParam.safeParse(params.selectionId);
  if (!id.success) throw new Response("No such selection.", { status: 404 });
  const selection = await withTenantReads(tenantOf(auth), (tx) => getSelection(tx, { partnerId: auth.org.id, selectionId: id.data })).catch(handleDomainError);
  return { ...selection, canRequestRoles: auth.permissions.includes("relationships:manage"), roles: ADMIN_ROLES.map(({ templateId, name }) => ({ templateId, name })) };
}

const bulkSchema = z
  .object({
    namePrefix: text({ required_error: "Give the relationships a name prefix." }).trim().min(1, "Give the relationships a name prefix.").max(BULK_PREFIX_MAX, `Use at most ${BULK_PREFIX_MAX} characters.`),
    durationDays: z.coerce.number().int().min(GDAP.minDays, `At least ${GDAP.minDays} day.`).max(GDAP.maxDays, `At most ${GDAP.maxDays} days.`),
    autoExtend: z.literal("on").optional(),
    roles: z.array(text().max(64), { required_error: "Choose at least one role." }).min(1, "Choose at least one role."),
  })
  .refine((v) => !(v.autoExtend && v.roles.includes(GLOBAL_ADMINISTRATOR)), { message: "Auto-extend is not allowed when Global Administrator is among the roles." });

type SelectionIntentArgs = IntentArgs & { selectionId: string };

export async function action({ request, params, context }: ActionFunctionArgs) {
  const auth = await requirePermission({ request, context }, "customers:view", { kind: "partner" });
  const id = idParam.safeParse(params.selectionId);
  if (!id.success) throw new Response("No such selection.", { status: 404 });
  const formData = await readForm(request);
  const args = { auth, formData, context, selectionId: id.data };
  switch (formData.get("intent")) {
    case "bulk-gdap":
      requireRecentSecondFactor(request, auth, "admin-relationship");
      return bulkGdapAction(args);
    case "discard":
      return discardAction(args);
    default:
      return unknownIntent();
  }
}

/** Asks every customer of the selection for the same admin roles, in the background. */
async function bulkGdapAction({ auth, formData, context, selectionId }: SelectionIntentArgs) {
  assertPermission(auth, "relationships:manage");
  const submission = parseWithZod(formData, { schema: bulkSchema });
  if (submission.status !== "success") return data(submission.reply(), { status: 400 });
  const { namePrefix, durationDays, autoExtend, roles } = submission.value;
  try {
    const template = { namePrefix, durationDays, autoExtend: Boolean(autoExtend), roles };
    const op = await withTenant(tenantOf(auth), (tx) => startBulkGdap(tx, { partnerId: auth.org.id, actor: actorOf(auth, context), selectionId, template }));
    return redirectWithToast(`/partner/bulk/${op.id}`, { kind: "info", message: `Requesting admin roles from ${formatNumber(op.total)} customers in the background.` });
  } catch (error) {
    return handleDomainError(error, submission);
  }
}

async function discardAction({ auth, context, selectionId }: SelectionIntentArgs) {
  await withTenant(tenantOf(auth), (tx) => deleteSelection(tx, { partnerId: auth.org.id, actor: actorOf(auth, context), selectionId })).catch(handleDomainError);
  return redirectWithToast("/partner/customers", { kind: "info", message: "Selection discarded." });
}

export default function Selection() {
  const { selection, sample, canRequestRoles, roles } = useLoaderData<typeof loader>();
  const format = useFormat();
  const result = useActionData<typeof action>();
  const f = selection.filter;
  const criteria = [
    f.q ? `name or domain contains “${f.q}”` : null,
    f.type ? `relationship: ${RELATIONSHIP_LABELS[f.type as RelationshipType] ?? f.type}` : null,
    f.country ? `country: ${format.country(f.country)}` : null,
    f.agreement ? `agreement: ${f.agreement}` : null,
  ].filter(Boolean);
  return (
    <>
      <p className="breadcrumb">
        <Link to="/partner/customers">Customers</Link> /
      </p>
      <PageHeader title={`${format.number(selection.count)} customer${selection.count === 1 ? "" : "s"} selected`} />
      <section className="card">
        <p className="selection-count" role="status">
          Exactly <strong>{format.number(selection.count)}</strong> customer{selection.count === 1 ? "" : "s"}{" "}
          {selection.allMatching ? `— every customer that matched ${criteria.length ? criteria.join(", ") : "(no filter: all your customers)"}` : "picked on the page"}, as of{" "}
          {format.dateTime(selection.createdAt)}. Customers added later are not included.
        </p>
        {canRequestRoles ? (
          <details className="top-gap" open={Boolean(replyError(result))}>
            <summary className="button">Request admin roles (GDAP) from these customers</summary>
            <Form method="post" className="form-grid top-gap" aria-label="Bulk GDAP request">
              <ReplyNotice result={result} />
              <input type="hidden" name="intent" value="bulk-gdap" />
              <div className="field">
                <label htmlFor="namePrefix">Name prefix</label>
                <p className="hint">Each relationship is named with this prefix and the customer's domain (at most 50 characters).</p>
                <input id="namePrefix" name="namePrefix" required maxLength={BULK_PREFIX_MAX} />
              </div>
              <div className="field">
                <label htmlFor="durationDays">Duration in days</label>
                <input id="durationDays" name="durationDays" type="number" min={GDAP.minDays} max={GDAP.maxDays} defaultValue={GDAP.defaultDays} className="narrow" required />
              </div>
              <label className="checkbox">
                <input type="checkbox" name="autoExtend" />
                <span>Extend automatically by {GDAP.autoExtendDays} days (not with Global Administrator)</span>
              </label>
              <fieldset className="choice-group">
                <legend>Roles</legend>
                {roles.map((r) => (
                  <label key={r.templateId} className="checkbox">
                    <input type="checkbox" name="roles" value={r.templateId} />
                    <span>{r.name}</span>
                  </label>
                ))}
              </fieldset>
              <div>
                <SubmitButton name="intent" value="bulk-gdap" pendingText="Starting…">
                  Request from {format.number(selection.count)} customers
                </SubmitButton>
              </div>
            </Form>
          </details>
        ) : (
          <p className="muted top-gap">{ONLY_REQUESTERS}</p>
        )}
        <h2>First {sample.length}</h2>
        <ul className="plain-list">
          {sample.map((c) => (
            <li key={c.id}>
              <Link to={`/partner/customers/${c.id}`}>{c.name}</Link> <span className="muted">{c.primaryDomain}</span>
            </li>
          ))}
        </ul>
        <Form method="post" className="button-row top-gap">
          <SubmitButton name="intent" value="discard" className="button danger-outline" pendingText="Discarding…">
            Discard selection
          </SubmitButton>
        </Form>
      </section>
    </>
  );
}
