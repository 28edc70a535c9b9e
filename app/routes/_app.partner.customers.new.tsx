import { getFormProps, useForm } from "@conform-to/react";
import { getZodConstraint, parseWithZod } from "@conform-to/zod";
import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData } from "@remix-run/react";
import { ErrorList, SubmitButton } from "~/components/forms";
import { NewCustomerFields } from "~/components/new-customer-fields";
import { PageHeader } from "~/components/layout";
import { newCustomerSchema } from "~/modules/customers/customer-form";
import { addCustomer } from "~/modules/customers/customers.server";
import { actorOf, requirePermission, tenantOf } from "~/modules/auth/gate.server";
import { withTenant } from "~/utils/db.server";
import { handleDomainError, redirectWithToast } from "~/utils/http.server";
import { readForm } from "~/utils/form.server";

export const meta: MetaFunction = () => [{ title: "Add customer · Partnerdesk" }];

const schema = newCustomerSchema;

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requirePermission({ request, context }, "customers:create", { kind: "partner" });
  return null;
}

export async function action({ request, context }: ActionFunctionArgs) {
  const auth = await requirePermission({ request, context }, "customers:create", { kind: "partner" });
  const formData = await readForm(request);
  const submission = parseWithZod(formData, { schema });
  if (submission.status !== "success") return data(submission.reply(), { status: 400 });
  try {
    const { customerId } = await withTenant(tenantOf(auth), (tx) =>
      addCustomer(tx, { partnerId: auth.org.id, actor: actorOf(auth, context), customer: { ...submission.value, contactPhone: submission.value.contactPhone ?? null } }),
    );
    return redirectWithToast(`/partner/customers/${customerId}`, {
      kind: "success",
      message: `${submission.value.name} was created. ${submission.value.contactEmail} received an activation link; the agreement is pending until they accept it.`,
    });
  } catch (error) {
    return handleDomainError(error, submission);
  }
}

export default function NewCustomer() {
  const lastResult = useActionData<typeof action>();
  const [form, fields] = useForm({
    id: "new-customer",
    lastResult,
    constraint: getZodConstraint(schema),
    onValidate: ({ formData }) => parseWithZod(formData, { schema }),
    shouldRevalidate: "onInput",
  });
  return (
    <>
      <p className="breadcrumb">
        <Link to="/partner/customers">Customers</Link> /
      </p>
      <PageHeader
        title="Add customer"
        description="Creates the customer's organisation with you as its reseller. The contact becomes its global admin and must accept the customer agreement at first sign-in before you can buy or manage anything for it."
      />
      <Form method="post" {...getFormProps(form)} className="card form-grid">
        <ErrorList id={form.errorId} errors={form.errors} />
        <h2>Company</h2>
        <NewCustomerFields fields={fields} />
        <div>
          <SubmitButton pendingText="Creating customer…">Create customer</SubmitButton>
        </div>
      </Form>
    </>
  );
}
