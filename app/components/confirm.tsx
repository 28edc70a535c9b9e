import { Form } from "@remix-run/react";
import { useId, useRef, type ReactNode } from "react";
import { SubmitButton } from "./forms";

/**
 * A button that asks before it submits: a native modal <dialog> (focus moves into it, Escape
 * closes it, the page behind is inert). Without JavaScript the form submits directly.
 */
export function ConfirmAction({
  label,
  title,
  children,
  intent,
  confirmLabel,
  tone = "danger",
  hidden = {},
}: {
  label: string;
  title: string;
  children: ReactNode;
  intent: string;
  confirmLabel: string;
  tone?: "danger" | "primary";
  hidden?: Record<string, string>;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  return (
    <>
      <button
        type="button"
        className={`button ${tone === "danger" ? "danger-outline" : ""}`}
        onClick={() => ref.current?.showModal()}
      >
        {label}
      </button>
      <dialog ref={ref} aria-labelledby={titleId} className="dialog">
        <Form method="post" onSubmit={() => ref.current?.close()}>
          <h2 id={titleId}>{title}</h2>
          <div>{children}</div>
          {Object.entries(hidden).map(([k, v]) => (
            <input key={k} type="hidden" name={k} value={v} />
          ))}
          <div className="dialog-actions">
            <button type="button" className="button" onClick={() => ref.current?.close()} autoFocus>
              Cancel
            </button>
            <SubmitButton name="intent" value={intent} className={`button ${tone === "danger" ? "danger" : "primary"}`}>
              {confirmLabel}
            </SubmitButton>
          </div>
        </Form>
      </dialog>
    </>
  );
}
