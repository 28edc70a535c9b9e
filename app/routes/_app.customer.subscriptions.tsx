import type { SubmissionResult } from "@conform-to/react";
import type { Actor } from "~/modules/platform/audit.server";
import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { createColumnHelper, type ColumnDef } from "@tanstack/react-table";
import { useEffect, useMemo, useRef, useState, type FormEvent, type ReactNode } from "react";
import { DataTable } from "~/components/data-table";
import { ListEmpty } from "~/components/list";
import type { Format } from "~/utils/format";
import { parseWithZod } from "@conform-to/zod";
import { z } from "zod";
import { text, wholeNumber } from "~/utils/input";
import { ConfirmAction } from "~/components/confirm";
import { ErrorList, SubmitButton } from "~/components/forms";
import { PageHeader, SubscriptionStatus } from "~/components/layout";
import { checkLicenceCount, listProducts } from "~/modules/subscriptions/products.server";
import { countOf, PriceLinesTable, totalOf, type PriceLine } from "~/components/price-lines";
import {
  buySubscription,
  cancelSubscription,
  changeLicences,
  convertTrial,
  listSubscriptions,
  lookupAdvisor,
  setSubscriptionPartner,
} from "~/modules/subscriptions/subscriptions.server";
import { actorOf, requirePermission, tenantOf, type IntentArgs } from "~/modules/auth/gate.server";
import { withTenant, withTenantReads, type Tx } from "~/utils/db.server";
import { handleDomainError, redirectWithToast } from "~/utils/http.server";
import { readForm } from "~/utils/form.server";
import { useFormat } from "~/components/format";

export const meta: MetaFunction = () => [{ title: "Subscriptions · Partnerdesk" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const auth = await requirePermission({ request, context }, "subscriptions:manage", { kind: "customer" });
  return withTenantReads(tenantOf(auth), async (tx) => ({
    subscriptions: await listSubscriptions(tx, { customerId: auth.org.id }),
    products: (await listProducts(tx)).map((p) => ({ id: p.id, name: p.name, min: p.minLicences, max: p.maxLicences, price: p.monthlyPriceCents, currency: p.currency })),
  }));
}

const licences = wholeNumber({ invalid: "Enter a whole number of licences.", required: "Enter the number of licences.", tooLarge: "That is more licences than any product allows." });
const partnerNumber = z.coerce
  .number({ invalid_type_error: "A Partner ID is a number." })
  .int("A Partner ID is a whole number.")
  .positive("A Partner ID is a positive number.")
  .max(2_147_483_647, "No partner has this Partner ID.");
const optionalPartnerNumber = z.preprocess((v) => (typeof v === "string" && v.trim() === "" ? undefined : typeof v === "string" ? v.trim() : v), partnerNumber.optional());
const id = z.string().uuid("No such subscription.");

const buySchema = z.object({ productId: text({ required_error: "Choose a product." }).min(1, "Choose a product.").max(100), licences, partnerNumber: optionalPartnerNumber, confirmed: z.string().optional() });
const setPartnerSchema = z.object({ id, partnerNumber: z.preprocess((v) => (typeof v === "string" ? v.trim() : v), z.string({ required_error: "Enter the partner's Partner ID." }).min(1, "Enter the partner's Partner ID.").pipe(partnerNumber)), confirmed: z.string().optional() });
const idSchema = z.object({ id });
const licencesSchema = z.object({ id, licences });

type Values = Record<string, string>;
export type ActionResult =
  | { kind: "error"; intent: string; id: string | null; formError: string | null; fieldErrors: Record<string, string>; values: Values }
  | {
      kind: "confirm";
      intent: "buy" | "set-partner";
      id: string | null;
      partner: { name: string; partnerNumber: number };
      values: Values;
      /** What the confirm button sends as `confirmed`: it names everything the question was asked for. */
      confirmation: string;
      /** A purchase's lines, with their prices. */
      lines: PriceLine[] | null;
    };

/**
 * A purchase is confirmed for its partner, product and licence count together: a confirm that
 * arrives with any of them changed is no confirmation of what it asks to buy (the form changed
 * after the question), so it is asked again.
 */
const buyConfirmation = (v: { partnerNumber: number; productId: string; licences: number }) => `${v.partnerNumber}/${v.productId}/${v.licences}`;

export async function action({ request, context }: ActionFunctionArgs) {
  const auth = await requirePermission({ request, context }, "subscriptions:manage", { kind: "customer" });
  const formData = await readForm(request);
  const args = { auth, formData, context };
  switch (formData.get("intent")) {
    case "buy":
      return buyAction(args);
    case "set-partner":
      return setPartnerAction(args);
    case "delete-partner":
      return subscriptionAction(args, idSchema, async (tx, base) => (await setSubscriptionPartner(tx, { ...base, partnerNumber: null }), "The partner is removed from this subscription."));
    case "licences":
      return subscriptionAction(args, licencesSchema, async (tx, base, v) => (await changeLicences(tx, { ...base, licences: v.licences }), `The subscription now has ${v.licences} licences.`));
    case "cancel":
      return subscriptionAction(args, idSchema, async (tx, base) => (await cancelSubscription(tx, base), "The subscription is cancelled."));
    case "convert":
      return subscriptionAction(args, licencesSchema, async (tx, base, v) => (await convertTrial(tx, { ...base, licences: v.licences }), `The trial is now a paid subscription with ${v.licences} licences.`));
    default:
      throw new Response("No such subscription.", { status: 404 });
  }
}

/** The form's values as sent, for the confirmation step to send them again. */
const valuesOf = (formData: FormData) => Object.fromEntries([...formData].filter(([, v]) => typeof v === "string")) as Values;
const confirm = (
  intent: "buy" | "set-partner",
  values: Values,
  partner: { name: string; partnerNumber: number },
  confirmation: string,
  lines: PriceLine[] | null = null,
) => data<ActionResult>({ kind: "confirm", intent, id: values.id ?? null, partner: { name: partner.name, partnerNumber: partner.partnerNumber }, values, confirmation, lines });
const done = (message: string) => redirectWithToast("/customer/subscriptions", { kind: "success", message });

/** Naming a partner takes two steps: its name is shown for confirmation before anything is saved. */
async function buyAction({ auth, formData, context }: IntentArgs) {
  const submission = parseWithZod(formData, { schema: buySchema });
  if (submission.status !== "success") return data(submission.reply(), { status: 400 });
  const v = submission.value;
  try {
    const outcome = await withTenant(tenantOf(auth), async (tx) => {
      // The product and count first: the question is only asked about a purchase that can be made.
      const product = await checkLicenceCount(tx, { productId: v.productId, licences: v.licences });
      if (v.partnerNumber && v.confirmed !== buyConfirmation({ partnerNumber: v.partnerNumber, productId: v.productId, licences: v.licences })) {
        const line: PriceLine = { productId: product.id, name: product.name, licences: v.licences, unitCents: product.monthlyPriceCents, currency: product.currency };
        return { confirm: await lookupAdvisor(tx, v.partnerNumber), line };
      }
      const bought = await buySubscription(tx, { customerId: auth.org.id, actor: actorOf(auth, context), productId: v.productId, licences: v.licences, partnerNumber: v.partnerNumber ?? null });
      return { bought };
    });
    if (outcome.confirm) {
      // What the question is about, as the server read it: the form shows it and the confirmation names it.
      const values = { intent: "buy", productId: v.productId, licences: String(v.licences), partnerNumber: String(outcome.confirm.partnerNumber) };
      return confirm("buy", values, outcome.confirm, buyConfirmation({ ...v, partnerNumber: outcome.confirm.partnerNumber }), [outcome.line]);
    }
    const bought = outcome.bought!;
    return done(`You bought ${v.licences} licences of ${bought.productName}${bought.partner ? ` with ${bought.partner.name} as your partner` : ""}.`);
  } catch (error) {
    return handleDomainError(error, submission);
  }
}

async function setPartnerAction({ auth, formData, context }: IntentArgs) {
  const submission = parseWithZod(formData, { schema: setPartnerSchema });
  if (submission.status !== "success") return invalid(submission);
  const v = submission.value;
  try {
    const outcome = await withTenant(tenantOf(auth), async (tx) => {
      if (v.confirmed !== String(v.partnerNumber)) return { confirm: await lookupAdvisor(tx, v.partnerNumber) };
      return setSubscriptionPartner(tx, { customerId: auth.org.id, actor: actorOf(auth, context), subscriptionId: v.id, partnerNumber: v.partnerNumber });
    });
    if ("confirm" in outcome) return confirm("set-partner", valuesOf(formData), outcome.confirm, String(outcome.confirm.partnerNumber));
    return done(`${outcome.partner!.name} is now the partner on this subscription.`);
  } catch (error) {
    return handleDomainError(error, submission);
  }
}

/** A change to one subscription: `work` makes it and says what was done. */
async function subscriptionAction<S extends typeof idSchema | typeof licencesSchema>(
  { auth, formData, context }: IntentArgs,
  schema: S,
  work: (tx: Tx, base: { customerId: string; actor: Actor; subscriptionId: string }, value: z.infer<S>) => Promise<string>,
) {
  const submission = parseWithZod(formData, { schema });
  if (submission.status !== "success") return invalid(submission);
  const value = submission.value as z.infer<S>;
  try {
    const message = await withTenant(tenantOf(auth), (tx) => work(tx, { customerId: auth.org.id, actor: actorOf(auth, context), subscriptionId: value.id }, value));
    return done(message);
  } catch (error) {
    return handleDomainError(error, submission);
  }
}

/** A form that names no subscription of this customer is not found; other mistakes go on the form. */
function invalid(submission: { error?: Record<string, string[] | null> | null; reply: () => SubmissionResult }) {
  if (submission.error?.id) throw new Response("No such subscription.", { status: 404 });
  return data(submission.reply(), { status: 400 });
}

/** This form's answer from the last action, if it was about this form: a confirmation, or the reply's refusal. */
function useResult(intent: string, id: string | null): ActionResult | undefined {
  const result = useActionData<typeof action>();
  if (!result) return undefined;
  if ("kind" in result) return result.intent === intent && (result.id ?? null) === id ? result : undefined;
  const values = (result.initialValue ?? {}) as Values;
  if (values.intent !== intent || (values.id ?? null) !== id) return undefined;
  const { "": formErrors, ...fields } = result.error ?? {};
  const fieldErrors = Object.fromEntries(Object.entries(fields).flatMap(([name, errors]) => (errors?.[0] ? [[name, errors[0]]] : [])));
  return { kind: "error", intent, id, formError: formErrors?.[0] ?? null, fieldErrors, values };
}

function NumberField({ name, label, defaultValue, min, max, error, formId }: { name: string; label: string; defaultValue?: string; min?: number; max?: number; error?: string; formId: string }) {
  const inputId = `${formId}-${name}`;
  return (
    <div className="field">
      <label htmlFor={inputId}>{label}</label>
      <input
        id={inputId}
        name={name}
        type="number"
        inputMode="numeric"
        className="narrow"
        min={min}
        max={max}
        required={name !== "partnerNumber"}
        defaultValue={defaultValue}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${inputId}-error` : undefined}
      />
      <ErrorList id={`${inputId}-error`} errors={error ? [error] : null} />
    </div>
  );
}

/**
 * A form's submissions: the pending state of its own button (`ask`) or its confirm button. The
 * form carries its intent in a hidden field, so each button sends it once.
 */
function usePending(intent: string, id: string | null) {
  const navigation = useNavigation();
  const fd = navigation.state === "submitting" ? navigation.formData : undefined;
  const ours = fd?.get("intent") === intent && (fd.get("id") ?? null) === id;
  return { ask: Boolean(ours && !fd?.has("confirmed")), confirm: Boolean(ours && fd?.has("confirmed")) };
}

/**
 * The question "Partner ID n is X. Is this the partner you mean?" below its form, while the form
 * holds what it was asked for. Its button submits that form as it is on screen, naming what was
 * confirmed; any change to the form takes the question away (`dropped`), and the server asks again
 * if what arrives is not what was confirmed.
 */
function ConfirmPartner({ result, formId, pending, children }: { result: Extract<ActionResult, { kind: "confirm" }>; formId: string; pending: boolean; children: ReactNode }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => ref.current?.focus(), [result]);
  return (
    <div ref={ref} tabIndex={-1} className="notice notice-info confirm-partner" role="status">
      <p>
        Partner ID {result.partner.partnerNumber} is <strong>{result.partner.name}</strong>. Is this the partner you mean?
      </p>
      {result.lines ? <PriceLinesTable lines={result.lines} caption="What you buy" /> : null}
      <div className="inline-actions">
        <button type="submit" form={formId} name="confirmed" value={result.confirmation} className="button primary" disabled={pending} aria-busy={pending}>
          {pending ? (
            <>
              <span className="spinner" aria-hidden="true" /> Saving…
            </>
          ) : (
            children
          )}
        </button>
      </div>
    </div>
  );
}

/** The confirmation to show: the last answer's question, until the form it is about changes. */
function useConfirmation(result: ActionResult | undefined) {
  const [dropped, setDropped] = useState<ActionResult | undefined>(undefined);
  const confirmation = result?.kind === "confirm" && result !== dropped ? result : undefined;
  return { confirmation, drop: () => setDropped(result) };
}

function PartnerForm({ sub }: { sub: { id: string; partnerNumber: number | null } }) {
  const result = useResult("set-partner", sub.id);
  const { confirmation, drop } = useConfirmation(result);
  const pending = usePending("set-partner", sub.id);
  const formId = `partner-${sub.id}`;
  return (
    <>
      <Form method="post" className="inline-form" id={formId} onChange={drop}>
        <input type="hidden" name="intent" value="set-partner" />
        <input type="hidden" name="id" value={sub.id} />
        <NumberField
          formId={formId}
          name="partnerNumber"
          label={sub.partnerNumber ? "New partner's Partner ID" : "Partner ID"}
          defaultValue={result?.values.partnerNumber}
          error={result?.kind === "error" ? result.fieldErrors.partnerNumber : undefined}
        />
        {result?.kind === "error" && result.formError ? <ErrorList errors={[result.formError]} /> : null}
        <button type="submit" className="button" disabled={pending.ask} aria-busy={pending.ask}>
          {pending.ask ? (
            <>
              <span className="spinner" aria-hidden="true" /> Looking up…
            </>
          ) : sub.partnerNumber ? (
            "Change partner"
          ) : (
            "Add partner"
          )}
        </button>
      </Form>
      {confirmation ? (
        <ConfirmPartner result={confirmation} formId={formId} pending={pending.confirm}>
          {sub.partnerNumber ? `Change to ${confirmation.partner.name}` : `Add ${confirmation.partner.name}`}
        </ConfirmPartner>
      ) : null}
    </>
  );
}

function LicencesForm({ sub, intent, label, button }: { sub: { id: string; licences: number; minLicences: number; maxLicences: number }; intent: "licences" | "convert"; label: string; button: string }) {
  const result = useResult(intent, sub.id);
  const formId = `${intent}-${sub.id}`;
  return (
    <Form method="post" className="inline-form" id={formId}>
      <input type="hidden" name="id" value={sub.id} />
      <NumberField
        formId={formId}
        name="licences"
        label={label}
        min={sub.minLicences}
        max={sub.maxLicences}
        defaultValue={result?.values.licences ?? String(sub.licences)}
        error={result?.kind === "error" ? result.fieldErrors.licences : undefined}
      />
      {result?.kind === "error" && result.formError ? <ErrorList errors={[result.formError]} /> : null}
      <SubmitButton name="intent" value={intent} className="button" pendingText="Saving…">
        {button}
      </SubmitButton>
    </Form>
  );
}

function Manage({ sub }: { sub: Awaited<ReturnType<typeof loader>>["subscriptions"][number] }) {
  const results = [useResult("set-partner", sub.id), useResult("licences", sub.id), useResult("convert", sub.id), useResult("cancel", sub.id), useResult("delete-partner", sub.id)];
  const open = results.some(Boolean);
  const live = sub.status === "active" || sub.status === "trial";
  if (!live) return null;
  return (
    <details open={open || undefined} className="manage">
      <summary className="button small">Manage</summary>
      <div className="manage-panel">
        {sub.status === "trial" ? (
          <LicencesForm sub={sub} intent="convert" label={`Licences of ${sub.productName}`} button="Convert to paid" />
        ) : (
          <LicencesForm sub={sub} intent="licences" label="Licences" button="Change licence count" />
        )}
        <PartnerForm sub={sub} />
        <div className="inline-actions top-gap">
          {sub.partnerName ? (
            <ConfirmAction label="Delete partner" title={`Remove ${sub.partnerName} from this subscription?`} intent="delete-partner" confirmLabel="Delete partner" hidden={{ id: sub.id }}>
              <p>
                {sub.partnerName} will no longer be the partner of record on {sub.productName} and will stop seeing it. You can add a partner again at any time.
              </p>
            </ConfirmAction>
          ) : null}
          <ConfirmAction label={sub.status === "trial" ? "Cancel trial" : "Cancel subscription"} title={`Cancel ${sub.productName}?`} intent="cancel" confirmLabel="Cancel it" hidden={{ id: sub.id }}>
            <p>
              The {sub.licences} licences end now and users lose them. {sub.partnerName ? `${sub.partnerName} will be told.` : ""} This cannot be undone; buy the product again to get it back.
            </p>
          </ConfirmAction>
        </div>
      </div>
    </details>
  );
}

function BuyForm({ products }: { products: Awaited<ReturnType<typeof loader>>["products"] }) {
  const format = useFormat();
  const result = useResult("buy", null);
  const { confirmation, drop } = useConfirmation(result);
  const pending = usePending("buy", null);
  const navigation = useNavigation();
  const errors = result?.kind === "error" ? result.fieldErrors : {};
  const formRef = useRef<HTMLFormElement>(null);
  // What the form holds now, for its price line.
  const [chosen, setChosen] = useState({ productId: result?.values.productId ?? "", licences: result?.values.licences ?? "1" });
  useEffect(() => {
    if (navigation.state === "idle" && !result) {
      formRef.current?.reset();
      setChosen({ productId: "", licences: "1" });
    }
  }, [navigation.state, result]);
  const product = products.find((p) => p.id === chosen.productId);
  const licenceCount = countOf(chosen.licences);
  const line: PriceLine | null = product ? { productId: product.id, name: product.name, licences: licenceCount, unitCents: product.price, currency: product.currency } : null;
  const onChange = (event: FormEvent<HTMLFormElement>) => {
    drop();
    const form = event.currentTarget;
    setChosen({ productId: (form.elements.namedItem("productId") as HTMLSelectElement).value, licences: (form.elements.namedItem("licences") as HTMLInputElement).value });
  };
  return (
    <section className="card top-gap" aria-labelledby="buy">
      <h2 id="buy">Buy a product</h2>
      <Form method="post" ref={formRef} className="stack-form" id="buy-form" onChange={onChange}>
        <input type="hidden" name="intent" value="buy" />
        <div className="field">
          <label htmlFor="buy-product">Product</label>
          <select id="buy-product" name="productId" required defaultValue={result?.values.productId ?? ""} aria-invalid={errors.productId ? true : undefined} aria-describedby="buy-product-error">
            <option value="" disabled>
              Choose a product
            </option>
            {products.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name} — {format.money(p.price, p.currency)} per licence and month ({p.min}–{format.number(p.max)} licences)
              </option>
            ))}
          </select>
          <ErrorList id="buy-product-error" errors={errors.productId ? [errors.productId] : null} />
        </div>
        <NumberField formId="buy" name="licences" label="Licences" min={1} defaultValue={result?.values.licences ?? "1"} error={errors.licences} />
        {line ? (
          <p className="muted" aria-live="polite" id="buy-price">
            {line.licences === null
              ? `${format.money(line.unitCents, line.currency)} per licence and month.`
              : `${format.number(line.licences)} × ${format.money(line.unitCents, line.currency)} = ${totalOf([line], format)} per month.`}
          </p>
        ) : null}
        <div className="field">
          <label htmlFor="buy-partnerNumber">
            Partner ID <span className="optional">(optional)</span>
          </label>
          <p className="hint" id="buy-partnerNumber-hint">
            The Partner ID of the partner who advises you on this purchase. You will see its name before anything is bought. Don't have a partner?{" "}
            <Link to="/partners">Find a partner</Link>
          </p>
          <input
            id="buy-partnerNumber"
            name="partnerNumber"
            inputMode="numeric"
            className="narrow"
            defaultValue={result?.values.partnerNumber}
            aria-invalid={errors.partnerNumber ? true : undefined}
            aria-describedby={`buy-partnerNumber-hint${errors.partnerNumber ? " buy-partnerNumber-error" : ""}`}
          />
          <ErrorList id="buy-partnerNumber-error" errors={errors.partnerNumber ? [errors.partnerNumber] : null} />
        </div>
        {result?.kind === "error" && result.formError ? <ErrorList errors={[result.formError]} /> : null}
        <button type="submit" className="button primary" disabled={pending.ask} aria-busy={pending.ask}>
          {pending.ask ? (
            <>
              <span className="spinner" aria-hidden="true" /> Buying…
            </>
          ) : (
            "Buy"
          )}
        </button>
      </Form>
      {confirmation ? (
        <ConfirmPartner result={confirmation} formId="buy-form" pending={pending.confirm}>
          {`Buy with ${confirmation.partner.name} as partner`}
        </ConfirmPartner>
      ) : null}
    </section>
  );
}

type Row = Awaited<ReturnType<typeof loader>>["subscriptions"][number];
const column = createColumnHelper<Row>();
function subscriptionColumns(format: Format) {
  return [
    column.accessor("productName", { header: "Product" }),
    column.accessor("licences", { header: "Licences" }),
    column.accessor("status", {
      header: "Status",
      cell: ({ row: { original: s } }) => (
        <>
          <SubscriptionStatus status={s.status} />
          {s.convertedAt ? <div className="muted small">converted {format.date(s.convertedAt)}</div> : null}
        </>
      ),
    }),
    column.accessor("startedAt", { header: "Started", cell: ({ getValue }) => format.date(getValue()) }),
    column.display({ id: "ends", header: "Ends", cell: ({ row: { original: s } }) => (s.endsAt ? format.date(s.endsAt) : s.endedAt ? format.date(s.endedAt) : "—") }),
    column.accessor("partnerName", {
      header: "Partner",
      cell: ({ row: { original: s } }) =>
        s.partnerName ? (
          <>
            <span>{s.partnerName}</span>
            <div className="muted small">Partner ID {s.partnerNumber}</div>
          </>
        ) : (
          <span className="muted">No partner</span>
        ),
    }),
    column.display({ id: "actions", header: () => <span className="visually-hidden">Actions</span>, cell: ({ row: { original: s } }) => <Manage sub={s} /> }),
  ] as ColumnDef<Row, unknown>[];
}

export default function Subscriptions() {
  const { subscriptions, products } = useLoaderData<typeof loader>();
  const format = useFormat();
  const columns = useMemo(() => subscriptionColumns(format), [format]);
  return (
    <>
      <PageHeader title="Subscriptions" description="Your organisation's subscriptions and the partner on each. Only global admins and billing admins see this page." />
      <DataTable
        caption="Subscriptions"
        columns={columns}
        data={subscriptions}
        getRowId={(s) => s.id}
        empty={<ListEmpty none={["There's nothing here", "You have no subscriptions yet. Buy a product below, or accept a partner's trial invitation or offer."]} />}
      />
      <BuyForm products={products} />
    </>
  );
}
