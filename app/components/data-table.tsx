/**
 * The one data table of the list kit (with app/components/list.tsx and app/utils/list.ts): TanStack
 * Table (useReactTable) with manual (server-side) paging and sorting. All state that matters lives
 * in the URL: sort headers and the pager are links, so the back button and a shared link restore
 * the view. Rows are React elements from the core row model, each cell its column's `cell` through
 * flexRender.
 *
 * The table scrolls sideways inside its own region (focusable, named by the caption, so keyboard
 * users can scroll it); the page itself never does, down to a 390 px wide screen.
 *
 * A table given `selection` shows a checkbox per row and one for the whole page. The selection is
 * the caller's React state (TanStack's RowSelectionState, keyed by getRowId), so the page can act
 * on it (bulk actions) and clear it.
 */
import { flexRender, getCoreRowModel, useReactTable, type ColumnDef, type OnChangeFn, type RowData, type RowSelectionState } from "@tanstack/react-table";
import { useLocation, useNavigate, useNavigation } from "@remix-run/react";
import { createContext, useContext, type MouseEvent, type ReactNode } from "react";
import type { PagerLinks } from "~/utils/list";

declare module "@tanstack/react-table" {
  // What a column may say about its cells: a class for its header and cells ("num" right-aligns),
  // and a cell's accessible name when its text is not (a masked key).
  interface ColumnMeta<TData extends RowData, TValue> {
    className?: string;
    cellLabel?: (row: TData, value: TValue) => string;
  }
}

const NavigateContext = createContext<ReturnType<typeof useNavigate> | null>(null);

/**
 * A link in a table (a cell, a sort header, the pager): an anchor with its href that navigates
 * client-side on a plain left click (any other click is the browser's: new tab, download…), with
 * the navigate function the table holds. A list renders one per row (50–200): Remix's <Link> resolves
 * its path and sets up its hooks for each, about 15 % of the customer list's server CPU (ADR 0031).
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
  /** Current sort (column id and direction; aria-sort on its header). */
  sort?: { id: string; dir: "asc" | "desc" };
  /** The URL that sorts by a column: headers of sortable columns become links. Without it, no column sorts. */
  sortHref?: (columnId: string, dir: "asc" | "desc") => string;
  /** Row selection (checkboxes): the caller's state and its setter. */
  selection?: { state: RowSelectionState; onChange: OnChangeFn<RowSelectionState> };
  /** The row in its checkbox's accessible name ("Select …"); "row N" without it. */
  rowLabel?: (row: T) => string;
  /** The header checkbox's accessible name. */
  selectAllLabel?: string;
  /** Shown below the header when there is no row (ListEmpty). */
  empty: ReactNode;
  footer?: ReactNode;
}

function SelectBox({ checked, indeterminate, onChange, label }: { checked: boolean; indeterminate?: boolean; onChange: (checked: boolean) => void; label: string }) {
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

export function DataTable<T>({ caption, columns, data, getRowId, sort, sortHref, selection, rowLabel, selectAllLabel = "Select every row on this page", empty, footer }: DataTableProps<T>) {
  const table = useReactTable({
    data,
    columns,
    getRowId,
    getCoreRowModel: getCoreRowModel(),
    manualPagination: true,
    manualSorting: true,
    enableRowSelection: Boolean(selection),
    onRowSelectionChange: selection?.onChange,
    enableSorting: Boolean(sortHref),
    state: { sorting: sort ? [{ id: sort.id, desc: sort.dir === "desc" }] : [], rowSelection: selection?.state ?? {} },
  });
  const navigation = useNavigation();
  const location = useLocation();
  const navigate = useNavigate();
  const loading = navigation.state === "loading" && navigation.location?.pathname === location.pathname;

  return (
    <NavigateContext.Provider value={navigate}>
    <div className="data-table" aria-busy={loading}>
      {loading ? (
        <div className="table-loading" role="status">
          <span className="spinner" aria-hidden="true" /> Loading…
        </div>
      ) : null}
      <div className="table-scroll" role="region" aria-label={caption} tabIndex={0}>
      <table className="table">
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          {table.getHeaderGroups().map((group) => (
            <tr key={group.id}>
              {selection ? (
                <th scope="col" className="select-cell">
                  <SelectBox
                    label={selectAllLabel}
                    checked={table.getIsAllRowsSelected()}
                    indeterminate={table.getIsSomeRowsSelected()}
                    onChange={(checked) => table.toggleAllRowsSelected(checked)}
                  />
                </th>
              ) : null}
              {group.headers.map((header) => {
                const sorted = header.column.getIsSorted();
                const label = flexRender(header.column.columnDef.header, header.getContext());
                return (
                  <th key={header.id} scope="col" className={header.column.columnDef.meta?.className} aria-sort={sorted ? (sorted === "asc" ? "ascending" : "descending") : undefined}>
                    {sortHref && header.column.getCanSort() ? (
                      <CellLink href={sortHref(header.column.id, sorted === "asc" ? "desc" : "asc")} className={`sort-link${sorted ? " active" : ""}`} preventScrollReset>
                        {label}
                        <span aria-hidden="true" className="sort-arrow">
                          {sorted ? (sorted === "asc" ? "▲" : "▼") : "↕"}
                        </span>
                        <span className="visually-hidden">
                          {sorted ? `, sorted ${sorted === "asc" ? "ascending" : "descending"}; sort ${sorted === "asc" ? "descending" : "ascending"}` : ", sort"}
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
        <tbody>
          {table.getRowModel().rows.map((row) => {
            const selected = row.getIsSelected();
            return (
              <tr key={row.id} aria-selected={selected || undefined}>
                {selection ? (
                  <td className="select-cell">
                    <input
                      type="checkbox"
                      aria-label={`Select ${rowLabel ? rowLabel(row.original) : `row ${row.index + 1}`}`}
                      checked={selected}
                      onChange={row.getToggleSelectedHandler()}
                    />
                  </td>
                ) : null}
                {row.getVisibleCells().map((cell) => {
                  const meta = cell.column.columnDef.meta;
                  return (
                    <td key={cell.id} className={meta?.className} aria-label={meta?.cellLabel?.(row.original, cell.getValue())}>
                      {flexRender(cell.column.columnDef.cell, cell.getContext())}
                    </td>
                  );
                })}
              </tr>
            );
          })}
        </tbody>
      </table>
      </div>
      {data.length === 0 ? empty : null}
      {footer}
    </div>
    </NavigateContext.Provider>
  );
}

/**
 * First / previous / next / last by cursor, never by page number (pagerLinks in app/utils/list.ts):
 * a link per page there is, a disabled button (null) where there is none, nothing (undefined) for
 * a link the list does not have (a list that pages forward only has no previous or last).
 */
export function KeysetPager({ label, first, prev, next, last }: PagerLinks & { label: string }) {
  // Outside a DataTable (a pager below a list) there is no table to lend its navigate.
  const navigate = useNavigate();
  const item = (href: string | null | undefined, text: string, rel?: string) =>
    href === undefined ? null : href ? (
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
