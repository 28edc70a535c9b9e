import { useRevalidator } from "@remix-run/react";
import { browserSupportsWebAuthn, startAuthentication, startRegistration } from "@simplewebauthn/browser";
import { useEffect, useId, useState, type ReactNode } from "react";

type Kind = "register" | "second-factor" | "passwordless" | "step-up";

/** One round trip to /webauthn (the resource route), as a form post; its JSON answer. */
async function post(fields: Record<string, string>): Promise<{ ok: boolean; error?: string; goTo?: string; options?: never; redirectTo?: string; recoveryCodes?: string[] | null }> {
  const res = await fetch("/webauthn", { method: "POST", body: new URLSearchParams(fields), credentials: "same-origin", headers: { Accept: "application/json" } });
  if (!(res.headers.get("Content-Type") ?? "").includes("application/json")) {
    return { ok: false, error: `Something went wrong (${res.status}). Reload the page and try again.` };
  }
  return res.json();
}

/**
 * A passkey button (ADR 0042): asks /webauthn for options, lets the browser talk to the passkey,
 * sends its answer back; then follows `redirectTo`, or (adding one) reports the recovery codes.
 * Without WebAuthn in the browser it says so instead of failing.
 */
export function PasskeyButton({
  kind,
  children,
  redirectTo,
  name,
  onAdded,
  fields,
  className = "button",
}: {
  kind: Kind;
  /** More fields for the options request (the current password, before a first factor). */
  fields?: Record<string, string>;
  children: ReactNode;
  redirectTo?: string;
  name?: string;
  onAdded?: (recoveryCodes: string[] | null) => void;
  className?: string;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [supported, setSupported] = useState(true);
  const errorId = useId();
  const revalidator = useRevalidator();
  useEffect(() => setSupported(browserSupportsWebAuthn()), []);
  async function run() {
    setBusy(true);
    setError(null);
    try {
      const extra: Record<string, string> = { ...(redirectTo ? { redirectTo } : {}), ...(name !== undefined ? { name } : {}) };
      const options = await post({ intent: `${kind}-options`, ...extra, ...fields });
      if (!options.ok && options.goTo) return window.location.assign(options.goTo);
      if (!options.ok) return setError(options.error ?? "Try again.");
      const answer = kind === "register" ? await startRegistration({ optionsJSON: options.options! }) : await startAuthentication({ optionsJSON: options.options! });
      const result = await post({ intent: kind, response: JSON.stringify(answer), ...extra });
      if (!result.ok) return setError(result.error ?? "Try again.");
      if (kind === "register") {
        onAdded?.(result.recoveryCodes ?? null);
        revalidator.revalidate();
      } else {
        window.location.assign(result.redirectTo ?? "/");
      }
    } catch (e) {
      // The person cancelled (NotAllowedError, AbortError), the key is registered already, or the network failed.
      const name = e instanceof Error ? e.name : "";
      const cancelled = kind === "register" ? "Adding the passkey was cancelled." : kind === "passwordless" ? "The passkey was not used. Try again, or sign in with your password." : "The passkey was not used. Try again, or enter a code.";
      setError(name === "InvalidStateError" ? "This passkey is already registered." : name === "NotAllowedError" || name === "AbortError" ? cancelled : "Partnerdesk could not be reached. Try again.");
    } finally {
      setBusy(false);
    }
  }
  if (!supported) return <p className="hint">This browser cannot use passkeys.</p>;
  return (
    <div className="passkey-action">
      <button type="button" className={className} onClick={run} disabled={busy} aria-busy={busy} aria-describedby={error ? errorId : undefined}>
        {busy ? (
          <>
            <span className="spinner" aria-hidden="true" /> Waiting for your passkey…
          </>
        ) : (
          children
        )}
      </button>
      {error ? (
        <p id={errorId} className="field-errors" role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}
