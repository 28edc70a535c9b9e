import { getFormProps, useForm } from "@conform-to/react";
import { getZodConstraint, parseWithZod } from "@conform-to/zod";
import { Form } from "@remix-run/react";
import type { SubmissionResult } from "@conform-to/react";
import { z } from "zod";
import { ErrorList, Field, SubmitButton } from "./forms";

/** A code typed as a second factor: six digits from an authenticator app, or a recovery code. */
export const secondFactorCodeSchema = z.object({
  code: z
    .string({ required_error: "Enter the code from your authenticator app, or a recovery code." })
    .trim()
    .min(1, "Enter the code from your authenticator app, or a recovery code.")
    .max(40, "A code is at most 40 characters."),
  redirectTo: z.string().max(2048).optional(),
});

/** The second-factor form of the sign-in and of "Confirm it's you": one field for either kind of code. */
export function SecondFactorCodeForm({ lastResult, redirectTo, submitLabel }: { lastResult: SubmissionResult | null | undefined; redirectTo?: string; submitLabel: string }) {
  const [form, fields] = useForm({
    id: "second-factor",
    lastResult,
    constraint: getZodConstraint(secondFactorCodeSchema),
    onValidate: ({ formData }) => parseWithZod(formData, { schema: secondFactorCodeSchema }),
    shouldValidate: "onSubmit",
  });
  return (
    <Form method="post" {...getFormProps(form)} className="form-grid narrow">
      <input type="hidden" name="intent" value="code" />
      {redirectTo ? <input type="hidden" name="redirectTo" value={redirectTo} /> : null}
      <ErrorList id={form.errorId} errors={form.errors} />
      <Field
        meta={fields.code}
        label="Code"
        hint="The 6-digit code your authenticator app shows, or one of your recovery codes."
        inputProps={{ autoComplete: "one-time-code", autoFocus: true, spellCheck: false, autoCapitalize: "none" }}
      />
      <div>
        <SubmitButton pendingText="Checking…">{submitLabel}</SubmitButton>
      </div>
    </Form>
  );
}
