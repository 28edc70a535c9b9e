/**
 * The one data table: TanStack Table with manual (server-side) paging and sorting. All state
 * that matters lives in the URL; the component renders links for sorting and paging, so the
 * back button and a shared link restore the view. Row selection is local to the page.
 *
 * TanStack provides the column and header model (column definitions, accessors, header groups,
 * flexRender). Paging, sorting and filtering are the server's, rows render straight from the data
 * and the selection is this component's state, so nothing in that model changes with a request:
 * it is built once per column set (`columnModel`) rather than on every render, where building
 * it (every built-in feature's methods on every column and header) cost about 0.5 ms of a
 * 3.7 ms list page.
 */
import { createTable, flexRender, getCoreRowModel, type Column, type ColumnDef, type RowData, type RowSelectionState, type Table } from "@tanstack/react-table";
import { useLocation, useNavigate, useNavigation } from "@remix-run/react";
import { createContext, useContext, useEffect, useLayoutEffect, useMemo, useRef, useState, type MouseEvent, type ReactNode } from "react";
import { htmlText, type Html } from "~/utils/html";

declare module "@tanstack/react-table" {
  interface ColumnMeta<TData extends RowData, TValue> {
    /**
     * The cell as HTML text, for a table whose body renders as HTML (`rows="html"`): markup from
     * `html` (app/utils/html.ts), or text (escaped). Without it the cell is its value as text.
     */
    html?: (value: TValue, row: TData, index: number) => Html | string | null;
  }
}

const NavigateContext = createContext<ReturnType<typeof useNavigate> | null>(null);

/**
 * A link for tables (cells, sort headers, pager): a plain anchor with an absolute href that
 * navigates client-side on a plain click. Remix's <Link> resolves its path twice on every render;
 * with hundreds of cells, and on every sort header and pager button, that dominated rendering.
 */
export function CellLink({
  href,
  children,
  className,
  rel,
  preventScrollReset,
}: {
  href: string;
  children: ReactNode;
  className?: string;
  rel?: string;
  /** Keep the scroll position (sorting and paging keep the table in view). */
  preventScrollReset?: boolean;
}) {
  const navigate = useContext(NavigateContext);
  const onClick = (e: MouseEvent<HTMLAnchorElement>) => {
    if (!navigate || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(href, preventScrollReset ? { preventScrollReset: true } : undefined);
  };
  return (
    <a href={href} onClick={onClick} className={className} rel={rel}>
      {children}
    </a>
  );
}

export interface DataTableProps<T> {
  caption: string;
  columns: ColumnDef<T, unknown>[];
  data: T[];
  getRowId: (row: T) => string;
  /** Current sort (column id and direction) and the URL that sorts by a column. */
  sort: { id: string; dir: "asc" | "desc" };
  sortHref: (columnId: string, dir: "asc" | "desc") => string;
  selectable?: boolean;
  onSelectionChange?: (ids: string[]) => void;
  /** The row in the selection checkbox's accessible name ("Select …"); "row N" without it. */
  rowLabel?: (row: T) => string;
  empty: ReactNode;
  footer?: ReactNode;
  /**
   * "html": the body renders as one HTML string from the columns' `meta.html` (ADR 0020): for
   * the long lists, where React's work per element was most of a page's rendering. Cells are then
   * markup and text only; links in them navigate client-side, selection works as in "react".
   */
  rows?: "react" | "html";
}

/** The table body as HTML: the same string on the server and in the browser, so it hydrates as it is. */
function bodyHtml<T>(data: T[], columns: Column<T, unknown>[], selectable: boolean, rowLabel?: (row: T) => string): string {
  let out = "";
  for (let index = 0; index < data.length; index++) {
    const original = data[index]!;
    out += "<tr>";
    if (selectable) out += `<td class="select-cell"><input type="checkbox" aria-label="${htmlText(selectLabel(original, index, rowLabel))}"/></td>`;
    for (const column of columns) {
      const value = column.accessorFn ? column.accessorFn(original, index) : undefined;
      const render = column.columnDef.meta?.html;
      out += `<td>${htmlText(render ? render(value, original, index) : (value as string | number | null))}</td>`;
    }
    out += "</tr>";
  }
  return out;
}

const selectLabel = <T,>(row: T, index: number, rowLabel?: (row: T) => string) => `Select ${rowLabel ? rowLabel(row) : `row ${index + 1}`}`;

// Layout effects do nothing on the server (and React says so); the body's checkboxes only need
// setting in the browser.
const useBrowserLayoutEffect = typeof document === "undefined" ? useEffect : useLayoutEffect;

function SelectBox({ checked, indeterminate, onChange, label }: { checked: boolean; indeterminate?: boolean; onChange: (v: boolean) => void; label: string }) {
  return (
    <input
      type="checkbox"
      aria-label={label}
      checked={checked}
      ref={(el) => {
        if (el) el.indeterminate = Boolean(indeterminate);
      }}
      onChange={(e) => onChange(e.target.checked)}
    />
  );
}

// Keyed by the column array, so column sets must be stable (defined at module level); a new
// array per render only means a model per render, as useReactTable would build.
const models = new WeakMap<object, Table<unknown>>();

/**
 * TanStack's table for a column set, with no data and no state of its own: what it answers
 * (columns, accessors, header groups) depends on the column definitions only. Nothing may set
 * options or state on it: it is shared by every render of those columns.
 */
function columnModel<T>(columns: ColumnDef<T, unknown>[]): Table<T> {
  let table = models.get(columns) as Table<T> | undefined;
  if (!table) {
    const created = createTable<T>({
      data: [],
      columns,
      getCoreRowModel: getCoreRowModel(),
      manualPagination: true,
      manualSorting: true,
      state: {},
      onStateChange: () => {},
      renderFallbackValue: null,
    });
    created.setOptions((prev) => ({ ...prev, state: created.initialState }));
    table = created;
    models.set(columns, table as Table<unknown>);
  }
  return table;
}

export function DataTable<T>({ caption, columns, data, getRowId, sort, sortHref, selectable = false, onSelectionChange, rowLabel, empty, footer, rows = "react" }: DataTableProps<T>) {
  const [rowSelection, setRowSelection] = useState<RowSelectionState>({});
  const navigation = useNavigation();
  const location = useLocation();
  const navigate = useNavigate();
  // A new page (or sort, or filter) starts with nothing selected.
  useEffect(() => setRowSelection({}), [data]);
  useEffect(() => onSelectionChange?.(Object.keys(rowSelection).filter((k) => rowSelection[k])), [rowSelection, onSelectionChange]);

  const table = columnModel(columns);
  const loading = navigation.state === "loading" && navigation.location?.pathname === location.pathname;
  const leafColumns = table.getVisibleLeafColumns();
  const body = useMemo(() => (rows === "html" ? bodyHtml(data, leafColumns, selectable, rowLabel) : null), [rows, data, leafColumns, selectable, rowLabel]);
  const bodyRef = useRef<HTMLTableSectionElement>(null);
  // An HTML body's checkboxes and rows show the selection the way a rendered body's do: set from
  // the state after each change (a click has set its own box already; "all on this page" sets them all).
  useBrowserLayoutEffect(() => {
    const rowElements = bodyRef.current?.rows;
    if (!rowElements) return;
    for (let i = 0; i < rowElements.length; i++) {
      const row = data[i];
      const tr = rowElements[i]!;
      const selected = row !== undefined && Boolean(rowSelection[getRowId(row)]);
      const box = tr.querySelector<HTMLInputElement>("td.select-cell input");
      if (box) box.checked = selected;
      tr.setAttribute("aria-selected", String(selected));
    }
  }, [rowSelection, data, body]);
  const selectedCount = data.filter((row) => rowSelection[getRowId(row)]).length;
  // Links in the rows are plain anchors, navigated client-side by this one handler on the body:
  // no component, hook and handler per cell (server rendering 50–200 rows paid for each).
  const onBodyClick = (e: MouseEvent<HTMLTableSectionElement>) => {
    const target = e.target as Element;
    // An HTML body's checkboxes are the browser's own: their click (a key press too) is the change.
    if (rows === "html" && target instanceof HTMLInputElement && target.type === "checkbox") {
      const row = data[(target.closest("tr") as HTMLTableRowElement).sectionRowIndex];
      if (row) {
        const id = getRowId(row);
        setRowSelection((current) => ({ ...current, [id]: target.checked }));
      }
      return;
    }
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    const a = target.closest("a");
    if (!a || !e.currentTarget.contains(a) || a.target || a.hasAttribute("download") || a.origin !== window.location.origin) return;
    e.preventDefault();
    navigate(a.pathname + a.search + a.hash);
  };

  return (
    <NavigateContext.Provider value={navigate}>
    <div className="data-table" aria-busy={loading}>
      {loading ? (
        <div className="table-loading" role="status">
          <span className="spinner" aria-hidden="true" /> Loading…
        </div>
      ) : null}
      <table className="table">
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          {table.getHeaderGroups().map((group) => (
            <tr key={group.id}>
              {selectable ? (
                <th scope="col" className="select-cell">
                  <SelectBox
                    label="Select every customer on this page"
                    checked={data.length > 0 && selectedCount === data.length}
                    indeterminate={selectedCount > 0 && selectedCount < data.length}
                    onChange={(v) => setRowSelection(v ? Object.fromEntries(data.map((row) => [getRowId(row), true])) : {})}
                  />
                </th>
              ) : null}
              {group.headers.map((header) => {
                const id = header.column.id;
                const active = sort.id === id;
                const label = flexRender(header.column.columnDef.header, header.getContext());
                return (
                  <th key={header.id} scope="col" aria-sort={active ? (sort.dir === "asc" ? "ascending" : "descending") : undefined}>
                    {header.column.getCanSort() ? (
                      <CellLink
                        href={sortHref(id, active && sort.dir === "asc" ? "desc" : "asc")}
                        className={`sort-link${active ? " active" : ""}`}
                        preventScrollReset
                      >
                        {label}
                        <span aria-hidden="true" className="sort-arrow">
                          {active ? (sort.dir === "asc" ? "▲" : "▼") : "↕"}
                        </span>
                        <span className="visually-hidden">
                          {active ? `, sorted ${sort.dir === "asc" ? "ascending" : "descending"}; sort ${sort.dir === "asc" ? "descending" : "ascending"}` : ", sort"}
                        </span>
                      </CellLink>
                    ) : (
                      label
                    )}
                  </th>
                );
              })}
            </tr>
          ))}
        </thead>
        {rows === "html" ? (
          <tbody ref={bodyRef} onClick={onBodyClick} dangerouslySetInnerHTML={{ __html: body! }} />
        ) : (
        <tbody onClick={onBodyClick}>
          {/* Rows render straight from the data with the column definitions' cell functions: the
              table's own row and cell objects cost ten times the rendering at 50–200 rows. */}
          {data.map((original, index) => {
            const id = getRowId(original);
            const selected = Boolean(rowSelection[id]);
            const row = { original, index, id };
            return (
              <tr key={id} aria-selected={selectable ? selected : undefined}>
                {selectable ? (
                  <td className="select-cell">
                    <input
                      type="checkbox"
                      aria-label={selectLabel(original, index, rowLabel)}
                      checked={selected}
                      onChange={(e) => setRowSelection((current) => ({ ...current, [id]: e.target.checked }))}
                    />
                  </td>
                ) : null}
                {leafColumns.map((column) => {
                  const value = column.accessorFn ? column.accessorFn(original, index) : undefined;
                  const render = column.columnDef.cell;
                  const context = { getValue: () => value, renderValue: () => value, row, column, table };
                  return (
                    <td key={column.id}>
                      {typeof render === "function" ? (render(context as never) as ReactNode) : (value as ReactNode)}
                    </td>
                  );
                })}
              </tr>
            );
          })}
        </tbody>
        )}
      </table>
      {data.length === 0 ? empty : null}
      {footer}
    </div>
    </NavigateContext.Provider>
  );
}

/** First / previous / next / last by cursor, never by page number. */
export function KeysetPager({
  first,
  prev,
  next,
  last,
  label,
}: {
  first: string | null;
  prev: string | null;
  next: string | null;
  last: string | null;
  label: string;
}) {
  // Outside a DataTable (a pager below a list) there is no table to lend its navigate.
  const navigate = useNavigate();
  const item = (href: string | null, text: string, rel?: string) =>
    href ? (
      <CellLink href={href} rel={rel} className="button small" preventScrollReset>
        {text}
      </CellLink>
    ) : (
      <span className="button small" aria-disabled="true">
        {text}
      </span>
    );
  return (
    <NavigateContext.Provider value={navigate}>
      <nav className="keyset-pager" aria-label={label}>
        {item(first, "« First")}
        {item(prev, "‹ Previous", "prev")}
        {item(next, "Next ›", "next")}
        {item(last, "Last »")}
      </nav>
    </NavigateContext.Provider>
  );
}
