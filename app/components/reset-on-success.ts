import { useActionData, useNavigation } from "@remix-run/react";
import { useEffect, useRef } from "react";

/** The form's entries as one comparable string (files by name; in any order, as the submitter's entry may come last). */
function serialize(formData: FormData) {
  return JSON.stringify([...formData].map(([k, v]) => JSON.stringify([k, typeof v === "string" ? v : v.name])).sort());
}

/**
 * An action's reply that is not an error: nothing (a redirect clears the action's data) or a
 * conform reply whose status is "success".
 */
export function succeeded(actionData: unknown): boolean {
  if (actionData === undefined || actionData === null) return true;
  if (typeof actionData !== "object") return false;
  return "status" in actionData && (actionData as { status?: unknown }).status === "success";
}

/**
 * Empties a form once its own submission succeeded: a page that redirects to itself after an action
 * stays mounted, so its uncontrolled inputs (and conform's state) would keep what was typed, and the
 * next person invited or user added would get the last one's roles. Attach the returned ref to the
 * <Form>; the form is reset (the DOM's reset, which conform also listens to) when the navigation of
 * a submission of this form ends without an error reply. Submissions of other forms on the page,
 * and submissions that failed, leave it alone.
 */
export function useResetOnSuccess(isSuccess: (actionData: unknown) => boolean = succeeded) {
  const ref = useRef<HTMLFormElement>(null);
  const navigation = useNavigation();
  const actionData = useActionData();
  // What this form sent when it was last submitted, until the navigation shows it.
  const sent = useRef<string | null>(null);
  // The running navigation is this form's submission.
  const ours = useRef(false);

  useEffect(() => {
    // On the document (capture), so a form rendered later (or again) is heard too.
    const onSubmit = (event: SubmitEvent) => {
      const form = ref.current;
      if (form && event.target === form) sent.current = serialize(new FormData(form, event.submitter));
    };
    document.addEventListener("submit", onSubmit, true);
    return () => document.removeEventListener("submit", onSubmit, true);
  }, []);

  useEffect(() => {
    if (navigation.state === "submitting") {
      ours.current = sent.current !== null && navigation.formData !== undefined && serialize(navigation.formData) === sent.current;
      sent.current = null;
    } else if (navigation.state === "idle" && ours.current) {
      ours.current = false;
      if (isSuccess(actionData)) ref.current?.reset();
    }
  }, [navigation.state, navigation.formData, actionData, isSuccess]);

  return ref;
}
