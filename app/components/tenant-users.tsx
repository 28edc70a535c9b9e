/**
 * A customer organisation's users, shared by the customer's own Users page and the partner's
 * view of a customer (delegated administration): the table with its reset action, the result of a
 * reset (a temporary password shown once), an invitation or a reset link sent, and the invite form.
 */
import { Form } from "@remix-run/react";
import type { ReactNode } from "react";
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
}

export type TenantUserDone =
  | { kind: "reset"; email: string; temporaryPassword: string }
  | { kind: "invited"; email: string }
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
            <td>{u.displayName}</td>
            <td>{u.email}</td>
            <td>{u.roles.map((r) => roleLabels[r] ?? r).join(", ")}</td>
            <td>{u.mustChange ? <Badge tone="warn">Temporary password</Badge> : <Badge tone={u.status === "active" ? "good" : "neutral"}>{u.status}</Badge>}</td>
            <td>{action(u)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

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
