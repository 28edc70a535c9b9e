import { useEffect, useRef, useState } from "react";

/**
 * Copies text to the clipboard and says so (politely, to screen readers too). Where the
 * clipboard is not available (no JavaScript, an insecure origin) the text stays selectable.
 */
export function CopyButton({ text, label = "Copy", className = "button" }: { text: string; label?: string; className?: string }) {
  const [state, setState] = useState<"idle" | "copied" | "failed">("idle");
  const timer = useRef<ReturnType<typeof setTimeout>>();
  useEffect(() => () => clearTimeout(timer.current), []);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setState("copied");
    } catch {
      setState("failed");
    }
    clearTimeout(timer.current);
    timer.current = setTimeout(() => setState("idle"), 2500);
  };
  return (
    <>
      <button type="button" className={className} onClick={copy}>
        {state === "copied" ? "Copied" : label}
      </button>
      <span role="status" aria-live="polite" className="visually-hidden">
        {state === "copied" ? "Copied to the clipboard" : state === "failed" ? "Could not copy; select the text and copy it yourself" : ""}
      </span>
    </>
  );
}
