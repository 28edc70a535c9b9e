import { getInputProps, type FieldMetadata } from "@conform-to/react";
import { useNavigation } from "@remix-run/react";
import type { InputHTMLAttributes, ReactNode } from "react";

/**
 * A field's (or form's) messages, announced when they appear. The alert is a wrapper: role="alert"
 * on the <ul> itself would take its list role away, leaving its <li>s outside any list (axe: listitem).
 */
export function ErrorList({ id, errors }: { id?: string; errors?: string[] | null }) {
  if (!errors?.length) return null;
  return (
    <div id={id} role="alert">
      <ul className="field-errors">
        {errors.map((e) => (
          <li key={e}>{e}</li>
        ))}
      </ul>
    </div>
  );
}

/**
 * The messages of an action's conform reply (its form errors, then its fields'): for pages whose
 * small forms show one notice rather than an error under each field. Anything without an error (a
 * success result, no action yet) gives none.
 */
export function replyErrors(result: unknown): string[] {
  if (!result || typeof result !== "object" || !("error" in result)) return [];
  const errors = (result as { error?: Record<string, string[] | null> | null }).error;
  if (!errors || typeof errors !== "object") return [];
  const { "": formErrors, ...fieldErrors } = errors;
  return [...(formErrors ?? []), ...Object.values(fieldErrors).flatMap((list) => list ?? [])];
}

/** The reply's first message (see `replyErrors`), or null. */
export const replyError = (result: unknown): string | null => replyErrors(result)[0] ?? null;

/** The reply's first message as a warning notice (see `replyError`), or nothing. */
export function ReplyNotice({ result }: { result: unknown }) {
  const message = replyError(result);
  if (!message) return null;
  return (
    <p className="notice notice-warn" role="alert">
      {message}
    </p>
  );
}

export function Field({
  meta,
  label,
  type = "text",
  hint,
  inputProps,
}: {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- any field type renders as text
  meta: FieldMetadata<any>;
  label: string;
  type?: "text" | "email" | "password" | "url" | "tel";
  hint?: ReactNode;
  inputProps?: InputHTMLAttributes<HTMLInputElement>;
}) {
  const hintId = hint ? `${meta.id}-hint` : undefined;
  const props = getInputProps(meta, { type });
  return (
    <div className="field">
      <label htmlFor={meta.id}>
        {label}
        {meta.required ? null : <span className="optional"> (optional)</span>}
      </label>
      {hint ? (
        <p id={hintId} className="hint">
          {hint}
        </p>
      ) : null}
      <input
        {...props}
        key={props.key}
        {...inputProps}
        aria-describedby={[props["aria-describedby"], hintId].filter(Boolean).join(" ") || undefined}
      />
      <ErrorList id={meta.errorId} errors={meta.errors} />
    </div>
  );
}

/** A submit button that shows it is working while its form is submitting. */
export function SubmitButton({
  children,
  pendingText,
  name,
  value,
  className = "button primary",
  formAction,
}: {
  children: ReactNode;
  pendingText?: string;
  name?: string;
  value?: string;
  className?: string;
  formAction?: string;
}) {
  const navigation = useNavigation();
  const pending =
    navigation.state === "submitting" &&
    (name === undefined || navigation.formData?.get(name) === value) &&
    (formAction === undefined || navigation.formAction === formAction);
  return (
    <button type="submit" className={className} name={name} value={value} disabled={pending} aria-busy={pending} formAction={formAction}>
      {pending ? (
        <>
          <span className="spinner" aria-hidden="true" /> {pendingText ?? "Working…"}
        </>
      ) : (
        children
      )}
    </button>
  );
}
