/**
 * A customer organisation's users, shared by the customer's own Users page and the partner's
 * view of a customer (delegated administration): the table with its reset action, the result of a
 * reset (a temporary password shown once), an invitation or a reset link sent, and the invite form.
 */
import { Form, useNavigation } from "@remix-run/react";
import { useState, type ReactNode } from "react";
import { ConfirmAction } from "./confirm";
import { CopyButton } from "./copy-button";
import { replyError, SubmitButton } from "./forms";
import { Badge } from "./layout";
import { useResetOnSuccess } from "./reset-on-success";

export interface TenantUserRow {
  id: string;
  displayName: string;
  email: string;
  roles: string[];
  status: string;
  mustChange: boolean;
  /** Whether this organisation manages the account's credentials (ADR 0026). */
  managed: boolean;
  /** A partner's person (the help pages' "partner" relationship type): that partner's name. */
  partnerName?: string | null;
}

export type TenantUserDone =
  | { kind: "reset"; email: string; temporaryPassword: string }
  | { kind: "invited"; email: string }
  | { kind: "partner-person-invited"; email: string; partnerName: string }
  | { kind: "reset-link-sent"; email: string };

/**
 * An action's result on these pages: what was done, or the conform reply with the refusal. A reset
 * refused on its `userId` (the account is managed elsewhere) offers that person a reset link.
 */
export type TenantUserResult = { done: TenantUserDone } | { error?: Record<string, string[] | null> | null; initialValue?: Record<string, unknown> | null } | undefined;

export function TenantUserResultNotice({ result }: { result: TenantUserResult }) {
  const error = replyError(result);
  if (error) {
    const userId = result && "error" in result && result.error?.userId?.length ? result.initialValue?.userId : null;
    return (
      <div className="notice notice-warn" role="alert">
        <p>{error}</p>
        {typeof userId === "string" ? <SendResetLinkButton userId={userId} /> : null}
      </div>
    );
  }
  if (!result || !("done" in result)) return null;
  if (result.done.kind === "partner-person-invited") {
    return (
      <p className="notice notice-good" role="status">
        Invitation sent to {result.done.email}, a person of {result.done.partnerName}. When they accept it, {result.done.partnerName} is your partner
        of the type Partner.
      </p>
    );
  }
  if (result.done.kind === "invited") {
    return (
      <p className="notice notice-good" role="status">
        Invitation sent to {result.done.email}. They are listed as invited until they accept it from the email.
      </p>
    );
  }
  if (result.done.kind === "reset-link-sent") {
    return (
      <p className="notice notice-good" role="status">
        A link to reset their password was sent to {result.done.email}. Their password stays as it is until they use it.
      </p>
    );
  }
  return (
    <section className="card notice-good" role="status" aria-labelledby="temp">
      <h2 id="temp">Password reset</h2>
      <p>Temporary password for {result.done.email} (shown once; they choose a new one when they sign in):</p>
      <div className="input-with-button">
        <label htmlFor="temporary-password" className="visually-hidden">
          Temporary password
        </label>
        <input id="temporary-password" readOnly value={result.done.temporaryPassword} onFocus={(e) => e.currentTarget.select()} />
        <CopyButton text={result.done.temporaryPassword} label="Copy password" />
      </div>
    </section>
  );
}

/** `action(u)` renders the actions cell: a reset button where the viewer may reset, or a note. */
/** `roleLabels` names the organisation's roles (the permission map's labels, passed in by the page). */
export function TenantUsersTable({ caption, users, roleLabels, action }: { caption: string; users: TenantUserRow[]; roleLabels: Readonly<Record<string, string>>; action: (u: TenantUserRow) => ReactNode }) {
  return (
    <div className="table-scroll" role="region" aria-label={caption} tabIndex={0}>
    <table className="table">
      <caption className="visually-hidden">{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">Email</th>
          <th scope="col">Role</th>
          <th scope="col">Status</th>
          <th scope="col">
            <span className="visually-hidden">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {users.map((u) => (
          <tr key={u.id}>
            <td>
              {u.displayName}
              {u.partnerName ? <div className="muted small">Partner&apos;s person ({u.partnerName})</div> : null}
            </td>
            <td>{u.email}</td>
            <td>{u.roles.map((r) => roleLabels[r] ?? r).join(", ")}</td>
            <td>
              {u.mustChange && u.status === "active" ? <Badge tone="warn">Temporary password</Badge> : <Badge tone={STATUS[u.status]?.tone ?? "neutral"}>{STATUS[u.status]?.label ?? u.status}</Badge>}
            </td>
            <td>{action(u)}</td>
          </tr>
        ))}
      </tbody>
    </table>
    </div>
  );
}

const STATUS: Record<string, { tone: "good" | "neutral" | "bad" | "info"; label: string }> = {
  active: { tone: "good", label: "Active" },
  invited: { tone: "info", label: "Invited" },
  deactivated: { tone: "bad", label: "Deactivated" },
};

/**
 * The credential action for one member: a reset with a temporary password where this organisation
 * manages the account alone; otherwise a link the person uses themselves.
 */
export function ResetPasswordButton({ user }: { user: TenantUserRow }) {
  if (user.status === "invited") return <span className="muted small">Invitation pending</span>;
  if (!user.managed) return <SendResetLinkButton userId={user.id} name={user.displayName} />;
  return (
    <ConfirmAction label="Reset password" title={`Reset ${user.displayName}'s password?`} intent="reset" confirmLabel="Reset password" hidden={{ userId: user.id }}>
      <p>They get a temporary password, shown to you once, and must choose a new one at their next sign-in. Their current sessions end.</p>
    </ConfirmAction>
  );
}

export function SendResetLinkButton({ userId, name }: { userId: string; name?: string }) {
  return (
    <ConfirmAction
      label="Send reset link"
      title={name ? `Send ${name} a password reset link?` : "Send a password reset link?"}
      intent="send-reset-link"
      confirmLabel="Send link"
      tone="primary"
      hidden={{ userId }}
    >
      <p>
        This account also belongs to another organisation, so only its owner can change the password. They get an email with a link to choose a
        new password themselves; nothing changes until they use it.
      </p>
    </ConfirmAction>
  );
}

/** The action's reply says the invitation went out (these pages answer with data, not a redirect). */
const invited = (result: unknown) => typeof result === "object" && result !== null && "done" in result && (result as { done: TenantUserDone }).done.kind === "invited";

export function AddUserForm() {
  // Empty once the invitation went out, so the next person starts from a blank form.
  const addForm = useResetOnSuccess(invited);
  return (
    <section className="card top-gap" aria-labelledby="add-user">
      <h2 id="add-user">Add a user</h2>
      <p className="muted small">They get an email invitation and join when they accept it, with a new account or the one they already have.</p>
      <Form method="post" ref={addForm} className="form-grid">
        <div className="field">
          <label htmlFor="displayName">Name</label>
          <input id="displayName" name="displayName" required maxLength={120} />
        </div>
        <div className="field">
          <label htmlFor="email">Email address</label>
          <input id="email" name="email" type="email" required maxLength={254} />
        </div>
        <div>
          <SubmitButton name="intent" value="create" pendingText="Inviting…">
            Invite user
          </SubmitButton>
        </div>
      </Form>
    </section>
  );
}

/** The intents that act on one user row: their refusals show in that row, next to its controls. */
export const ROW_INTENTS = ["role", "deactivate", "reactivate", "remove"] as const;

/** A refusal of one of the row intents, with the user it was about. */
export function rowRefusal(result: TenantUserResult): { userId: string; intent: string; message: string } | null {
  if (!result || !("error" in result) || !result.initialValue) return null;
  const { userId, intent } = result.initialValue as { userId?: unknown; intent?: unknown };
  const message = replyError(result);
  if (typeof userId !== "string" || typeof intent !== "string" || !message || !(ROW_INTENTS as readonly string[]).includes(intent)) return null;
  return { userId, intent, message };
}

/** Whether the running submission is `intent` for this user (each row shows its own pending state). */
function usePendingFor(userId: string) {
  const navigation = useNavigation();
  return (intent: string) => navigation.state !== "idle" && navigation.formData?.get("userId") === userId && navigation.formData?.get("intent") === intent;
}

/**
 * The customer global admin's controls for one user: the role (global admin, billing admin, user),
 * deactivate or reactivate, remove — each removal and deactivation asked first — with a refusal
 * (the last global admin) shown right under them.
 */
export function UserControls({
  user,
  me,
  roles,
  roleLabels,
  refusal,
  children,
}: {
  user: TenantUserRow;
  me: boolean;
  roles: readonly string[];
  roleLabels: Readonly<Record<string, string>>;
  refusal: string | null;
  children?: ReactNode;
}) {
  const pending = usePendingFor(user.id);
  const current = roles.find((r) => user.roles.includes(r)) ?? roles[roles.length - 1]!;
  const errorId = `user-error-${user.id}`;
  const who = me ? "yourself" : user.displayName;
  const [selected, setSelected] = useState(current);
  return (
    <div className="inline-actions">
      <Form method="post" className="inline-actions">
        <input type="hidden" name="userId" value={user.id} />
        <label htmlFor={`role-${user.id}`} className="visually-hidden">
          Role of {user.displayName}
        </label>
        <select
          id={`role-${user.id}`}
          name="role"
          key={current}
          defaultValue={current}
          onChange={(e) => setSelected(e.currentTarget.value)}
          aria-describedby={refusal ? errorId : undefined}
          aria-invalid={refusal ? true : undefined}
        >
          {roles.map((r) => (
            <option key={r} value={r}>
              {roleLabels[r] ?? r}
            </option>
          ))}
        </select>
        <button type="submit" name="intent" value="role" className="button small" disabled={pending("role") || selected === current} aria-busy={pending("role")}>
          {pending("role") ? (
            <>
              <span className="spinner" aria-hidden="true" /> Saving…
            </>
          ) : (
            "Change role"
          )}
        </button>
      </Form>
        {user.status === "active" ? (
          <ConfirmAction label={me ? "Deactivate yourself" : "Deactivate"} title={me ? "Deactivate yourself?" : `Deactivate ${user.displayName}?`} intent="deactivate" confirmLabel="Deactivate" hidden={{ userId: user.id }}>
            <p>
              {me ? "You" : user.displayName} can&apos;t sign in to this organisation until reactivated, and {me ? "your" : "their"} sessions here end now. The account and
              any other organisations it belongs to stay as they are.
            </p>
          </ConfirmAction>
        ) : user.status === "deactivated" ? (
          <ConfirmAction label="Reactivate" title={`Reactivate ${user.displayName}?`} intent="reactivate" confirmLabel="Reactivate" tone="primary" hidden={{ userId: user.id }}>
            <p>{user.displayName} can sign in to this organisation again, with the role they have.</p>
          </ConfirmAction>
        ) : null}
        <ConfirmAction
          label={user.status === "invited" ? "Withdraw invitation" : me ? "Remove yourself" : "Remove"}
          title={user.status === "invited" ? `Withdraw the invitation of ${user.displayName}?` : `Remove ${who} from this organisation?`}
          intent="remove"
          confirmLabel={user.status === "invited" ? "Withdraw" : "Remove"}
          hidden={{ userId: user.id }}
        >
          {user.status === "invited" ? (
            <p>The invitation link stops working; nothing else changes.</p>
          ) : (
            <p>
              {me ? "You lose" : `${user.displayName} loses`} access to this organisation and the licences held here. The account itself is{" "}
              {me ? "yours" : "theirs"} and is not deleted: it keeps any other organisations it belongs to.
              {user.partnerName ? ` If this is the last person of ${user.partnerName} here, your Partner relationship with ${user.partnerName} ends.` : ""}
            </p>
          )}
        </ConfirmAction>
        {children}
        {(["deactivate", "reactivate", "remove"] as const).some(pending) ? (
          <span className="muted small" role="status">
            <span className="spinner" aria-hidden="true" /> Working…
          </span>
        ) : null}
      {refusal ? (
        <p id={errorId} className="field-errors" role="alert">
          {refusal}
        </p>
      ) : null}
    </div>
  );
}

/** The partner's person is invited by the customer's global admin: email, name, role and which partner. */
const partnerInvited = (result: unknown) =>
  typeof result === "object" && result !== null && "done" in result && (result as { done: TenantUserDone }).done.kind === "partner-person-invited";

export function InvitePartnerPersonForm({
  partners,
  roles,
  roleLabels,
  result,
}: {
  partners: { id: string; name: string; partnerNumber: number | null }[];
  roles: readonly string[];
  roleLabels: Readonly<Record<string, string>>;
  result: TenantUserResult;
}) {
  const ref = useResetOnSuccess(partnerInvited);
  const navigation = useNavigation();
  const errors = result && "error" in result && (result.initialValue as { intent?: unknown } | null | undefined)?.intent === "invite-partner-person" ? result.error ?? {} : {};
  const fieldError = (name: string) => (errors?.[name]?.length ? errors[name]![0] : null);
  const formError = errors?.[""]?.[0] ?? null;
  const pending = navigation.state !== "idle" && navigation.formData?.get("intent") === "invite-partner-person";
  return (
    <section className="card top-gap" aria-labelledby="invite-partner-person">
      <h2 id="invite-partner-person">Invite a partner&apos;s person</h2>
      <p className="muted small">
        You give your partner a user account in your organisation, and they work with other services on your behalf. The person gets an email
        invitation; once they accept, the partner is listed among your partners with the type Partner. The person must already have an
        account at that partner and accept with it; to add someone who does not work for the partner, invite them as a user instead.
      </p>
      <Form method="post" ref={ref} className="form-grid" noValidate>
        {formError ? (
          <p className="field-errors" role="alert">
            {formError}
          </p>
        ) : null}
        <div className="field">
          <label htmlFor="pp-name">Name</label>
          <input id="pp-name" name="displayName" required maxLength={120} aria-invalid={fieldError("displayName") ? true : undefined} aria-describedby={fieldError("displayName") ? "pp-name-error" : undefined} />
          {fieldError("displayName") ? <p id="pp-name-error" className="field-errors" role="alert">{fieldError("displayName")}</p> : null}
        </div>
        <div className="field">
          <label htmlFor="pp-email">Email address</label>
          <input id="pp-email" name="email" type="email" required maxLength={254} aria-invalid={fieldError("email") ? true : undefined} aria-describedby={fieldError("email") ? "pp-email-error" : undefined} />
          {fieldError("email") ? <p id="pp-email-error" className="field-errors" role="alert">{fieldError("email")}</p> : null}
        </div>
        <div className="field">
          <label htmlFor="pp-partner">Partner</label>
          <select id="pp-partner" name="partnerId" defaultValue="" aria-invalid={fieldError("partnerId") ? true : undefined} aria-describedby={fieldError("partnerId") ? "pp-partner-error" : "pp-partner-hint"}>
            <option value="">By Partner ID (below)</option>
            {partners.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
                {p.partnerNumber ? ` (Partner ID ${p.partnerNumber})` : ""}
              </option>
            ))}
          </select>
          <p id="pp-partner-hint" className="hint">
            One of your partners, or another partner by its Partner ID.
          </p>
          {fieldError("partnerId") ? <p id="pp-partner-error" className="field-errors" role="alert">{fieldError("partnerId")}</p> : null}
        </div>
        <div className="field">
          <label htmlFor="pp-number">Partner ID</label>
          <input id="pp-number" name="partnerNumber" inputMode="numeric" maxLength={12} aria-invalid={fieldError("partnerNumber") ? true : undefined} aria-describedby={fieldError("partnerNumber") ? "pp-number-hint pp-number-error" : "pp-number-hint"} />
          <p id="pp-number-hint" className="hint">
            Required when the partner is &ldquo;By Partner ID&rdquo;; leave it empty when you chose one of your partners.
          </p>
          {fieldError("partnerNumber") ? <p id="pp-number-error" className="field-errors" role="alert">{fieldError("partnerNumber")}</p> : null}
        </div>
        <div className="field">
          <label htmlFor="pp-role">Role</label>
          <select id="pp-role" name="role" defaultValue="user">
            {roles.map((r) => (
              <option key={r} value={r}>
                {roleLabels[r] ?? r}
              </option>
            ))}
          </select>
        </div>
        <div>
          <button type="submit" name="intent" value="invite-partner-person" className="button primary" disabled={pending} aria-busy={pending}>
            {pending ? (
              <>
                <span className="spinner" aria-hidden="true" /> Inviting…
              </>
            ) : (
              "Invite partner's person"
            )}
          </button>
        </div>
      </Form>
    </section>
  );
}
