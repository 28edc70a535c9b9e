import { useEffect, useState } from "react";

export function ToastMessage({ toast }: { toast: { kind: "success" | "error" | "info"; message: string } }) {
  const [open, setOpen] = useState(true);
  useEffect(() => {
    setOpen(true);
    const t = setTimeout(() => setOpen(false), 6000);
    return () => clearTimeout(t);
  }, [toast]);
  if (!open) return null;
  return (
    <div className={`toast toast-${toast.kind}`} role={toast.kind === "error" ? "alert" : "status"}>
      <span>{toast.message}</span>
      <button type="button" className="link-button" onClick={() => setOpen(false)} aria-label="Dismiss">
        ×
      </button>
    </div>
  );
}
