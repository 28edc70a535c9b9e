/**
 * The list kit's controls (with DataTable and KeysetPager in data-table.tsx): the filter bar, its
 * fields (search box, selects, a checkbox, the page size), filter links (status tabs), the empty
 * state, and the list's href builder. The state is the URL's (app/utils/list.ts).
 *
 * The filter bar always shows what the URL says: its form is keyed by the URL's query, so after
 * "Clear filters", Back/Forward or any other navigation it is rebuilt from the new state (its
 * fields take the parsed URL state as default values), and a search never re-applies a stale
 * value the form kept. A field that had the focus keeps it across that rebuild.
 */
import { Form, Link, useLocation, useSearchParams, useSubmit } from "@remix-run/react";
import { useCallback, useEffect, useRef, type FocusEvent, type ReactNode } from "react";
import { EmptyState } from "~/components/layout";
import { listHref, PAGE_SIZES, type ListChange, type ListHref } from "~/utils/list";

/** The href builder of the list on this page: `change` applied, paging reset (listHref). */
export function useListHref(path?: string): ListHref {
  const [params] = useSearchParams();
  const { pathname } = useLocation();
  const base = path ?? pathname;
  return useCallback((change: ListChange) => listHref(base, params, change), [base, params]);
}

export interface FilterBarProps {
  /** The form's accessible name ("Search and filter customers"). */
  label: string;
  children: ReactNode;
  /** Where "Clear filters" goes (the list without its filters); no link when null. */
  clearHref?: string | null;
  /** The submit button's text ("Search"); with `autoSubmit` it is only shown without JavaScript. */
  submitText?: string;
  /** Submit on every change (selects and checkboxes only), replacing the history entry. */
  autoSubmit?: boolean;
  /** State the form carries but does not show (the sort, a status chosen by tabs). */
  hidden?: Record<string, string | number | null | undefined>;
  /** A search form (role="search"); a filter form otherwise. */
  search?: boolean;
  className?: string;
  /** Content after the buttons (a busy indicator). */
  submitProps?: { "aria-busy"?: boolean; children?: ReactNode };
}

export function FilterBar({ label, children, clearHref, submitText = "Search", autoSubmit, hidden, search, className = "filters", submitProps }: FilterBarProps) {
  const { search: query } = useLocation();
  const submit = useSubmit();
  const form = useRef<HTMLFormElement>(null);
  // The field that had the focus when the URL changed, to focus again in the rebuilt form.
  const focused = useRef<string | null>(null);
  useEffect(() => {
    const name = focused.current;
    if (!name || !form.current || (document.activeElement && document.activeElement !== document.body)) return;
    const field = form.current.elements.namedItem(name);
    if (field instanceof HTMLElement) field.focus();
  }, [query]);
  const onFocus = (e: FocusEvent<HTMLFormElement>) => {
    focused.current = (e.target as Element).getAttribute("name");
  };
  const onBlur = (e: FocusEvent<HTMLFormElement>) => {
    const from = e.currentTarget;
    // Focus moved elsewhere (not lost with the form as it is rebuilt): forget it.
    if (e.relatedTarget && !from.contains(e.relatedTarget as Node)) focused.current = null;
    else if (!e.relatedTarget) requestAnimationFrame(() => from.isConnected && !from.contains(document.activeElement) && (focused.current = null));
  };
  return (
    <Form
      key={query}
      ref={form}
      method="get"
      className={className}
      role={search ? "search" : undefined}
      aria-label={label}
      onFocus={onFocus}
      onBlur={onBlur}
      onChange={autoSubmit ? (e) => submit(e.currentTarget, { replace: true, preventScrollReset: true }) : undefined}
    >
      {Object.entries(hidden ?? {}).map(([name, value]) =>
        value === null || value === undefined || value === "" ? null : <input key={name} type="hidden" name={name} value={String(value)} />,
      )}
      {children}
      {autoSubmit ? (
        <noscript>
          <button type="submit" className="button">
            {submitText}
          </button>
        </noscript>
      ) : (
        <button type="submit" className="button primary" aria-busy={submitProps?.["aria-busy"] || undefined}>
          {submitProps?.children ?? submitText}
        </button>
      )}
      {clearHref ? (
        <Link className="button link" to={clearHref} preventScrollReset>
          Clear filters
        </Link>
      ) : null}
    </Form>
  );
}

export interface Option {
  value: string;
  label: string;
}

/** Options from values and their labels. */
export const optionsOf = <V extends string>(values: readonly V[], labels?: Partial<Record<V, string>>): Option[] => values.map((v) => ({ value: v, label: labels?.[v] ?? v }));

/** A filter's select: label, "Any" (the empty value, no filter) first unless `any` is null, then the options. */
export function FilterSelect({
  name,
  label,
  value,
  options = [],
  any = "Any",
  id = name,
  children,
}: {
  name: string;
  label: string;
  /** The URL's value (none: "Any"). */
  value: string | number | null | undefined;
  options?: readonly Option[];
  any?: string | null;
  id?: string;
  /** More options after `options` (<CountryOptions />). */
  children?: ReactNode;
}) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} name={name} defaultValue={value === null || value === undefined ? "" : String(value)}>
        {any !== null ? <option value="">{any}</option> : null}
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
        {children}
      </select>
    </div>
  );
}

/** The page size select (PAGE_SIZES). */
export function PageSizeSelect({ value, label = "Per page", id = "size" }: { value: number; label?: string; id?: string }) {
  return <FilterSelect name="size" id={id} label={label} value={value} any={null} options={PAGE_SIZES.map((n) => ({ value: String(n), label: String(n) }))} />;
}

/** A text filter (the search box by default). */
export function SearchField({
  name = "q",
  id = name,
  label,
  value,
  placeholder,
  maxLength = 100,
  type = "search",
  grow = true,
}: {
  name?: string;
  id?: string;
  label: string;
  value: string | null | undefined;
  placeholder?: string;
  maxLength?: number;
  type?: "search" | "text";
  grow?: boolean;
}) {
  return (
    <div className={grow ? "field grow" : "field"}>
      <label htmlFor={id}>{label}</label>
      <input id={id} name={name} type={type} defaultValue={value ?? ""} placeholder={placeholder} maxLength={maxLength} />
    </div>
  );
}

/** A yes/no filter ("name=1" when checked). */
export function FilterCheckbox({ name, label, checked }: { name: string; label: ReactNode; checked: boolean }) {
  return (
    <label className="checkbox field">
      <input type="checkbox" name={name} value="1" defaultChecked={checked} />
      <span>{label}</span>
    </label>
  );
}

export interface FilterLink {
  href: string;
  label: ReactNode;
  /** The filter shown now (aria-current="page"). */
  current?: boolean;
  /** An on/off filter that combines with the others, when on (aria-current="true": links cannot be pressed). */
  pressed?: boolean;
}

/**
 * Filters as links (a status per tab or button): each one the list's URL with that filter, so
 * they are the URL's state by construction. `null` in `items` is a separator.
 */
export function FilterLinks({ label, items, variant = "buttons" }: { label: string; items: (FilterLink | null)[]; variant?: "tabs" | "buttons" }) {
  return (
    <nav aria-label={label} className={variant === "tabs" ? "tabs" : "inline-actions"}>
      {items.map((item, i) =>
        item ? (
          <Link
            key={i}
            to={item.href}
            className={variant === "buttons" ? `button small${item.current || item.pressed ? " primary" : ""}` : undefined}
            aria-current={item.current ? "page" : item.pressed ? "true" : undefined}
            preventScrollReset
          >
            {item.label}
          </Link>
        ) : (
          <span key={i} className="muted" aria-hidden="true">
            ·
          </span>
        ),
      )}
    </nav>
  );
}

/** A list with no row: "nothing matches" when filtered, else "nothing yet". */
export function ListEmpty({ filtered = false, matches, none }: { filtered?: boolean; matches?: [title: string, text: ReactNode]; none: [title: string, text: ReactNode] }) {
  const [title, text] = filtered && matches ? matches : none;
  return (
    <EmptyState title={title}>
      <p>{text}</p>
    </EmptyState>
  );
}
