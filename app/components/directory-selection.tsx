import { useCallback, useEffect, useState } from "react";

export interface SelectedPartner {
  partnerNumber: number;
  name: string;
}

const KEY = "pd-directory-selection";

/**
 * The visitor's selection of partners to contact, kept in sessionStorage so it survives paging and
 * new searches in this tab. Without JavaScript the checkboxes of one page still submit.
 */
export function useDirectorySelection(max: number) {
  const [selected, setSelected] = useState<SelectedPartner[]>([]);
  useEffect(() => {
    try {
      setSelected(JSON.parse(sessionStorage.getItem(KEY) ?? "[]") as SelectedPartner[]);
    } catch {
      /* storage unavailable */
    }
  }, []);
  const save = useCallback((next: SelectedPartner[]) => {
    setSelected(next);
    try {
      sessionStorage.setItem(KEY, JSON.stringify(next));
    } catch {
      /* storage unavailable */
    }
  }, []);
  const toggle = useCallback(
    (partner: SelectedPartner, on: boolean) => {
      const rest = selected.filter((s) => s.partnerNumber !== partner.partnerNumber);
      save(on ? [...rest, partner].slice(0, max) : rest);
    },
    [selected, save, max],
  );
  const clear = useCallback(() => save([]), [save]);
  return { selected, toggle, clear };
}
