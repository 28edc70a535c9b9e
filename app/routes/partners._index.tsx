import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData, useNavigation, useSearchParams } from "@remix-run/react";
import { useEffect } from "react";
import { KeysetPager } from "~/components/data-table";
import { FilterBar, FilterSelect, ListEmpty, optionsOf, SearchField, useListHref } from "~/components/list";
import { useDirectorySelection } from "~/components/directory-selection";
import { directoryList, LANGUAGE_CODES, LANGUAGES, ORGANISATION_SIZES, SIZE_LABELS, type OrganisationSize } from "~/modules/directory/directory-options";
import { hasPages, pagerLinks, type ListChange } from "~/utils/list";
import { searchDirectory } from "~/modules/directory/directory.server";
import { config } from "~/utils/config.server";
import { NO_TENANT, withTenantReads } from "~/utils/db.server";
import { useFormat } from "~/components/format";
import { CountryOptions } from "~/components/country-select";

export const meta: MetaFunction = () => [
  { title: "Find a partner · Partnerdesk" },
  { name: "description", content: "Find a partner by location, organisation size and the services you need, and contact several at once." },
];

export async function loader({ request }: LoaderFunctionArgs) {
  const query = directoryList.read(new URL(request.url).searchParams);
  const result = await withTenantReads(NO_TENANT, (tx) => searchDirectory(tx, query));
  return { ...result, query, maxPartners: config().CONTACT_MAX_PARTNERS };
}

export default function Directory() {
  const { rows, next, total, query, maxPartners } = useLoaderData<typeof loader>();
  const format = useFormat();
  const [params] = useSearchParams();
  const navigation = useNavigation();
  const loading = navigation.state === "loading" && navigation.location.pathname === "/partners";
  const { selected, toggle, clear } = useDirectorySelection(maxPartners);
  // Back from a sent request: the selection is done with.
  const sent = params.get("sent");
  useEffect(() => {
    if (sent) clear();
  }, [sent, clear]);
  const listHref = useListHref("/partners");
  // "sent" (back from a contact request) is not part of the list's state.
  const href = (change: ListChange) => listHref({ ...change, sent: null });
  const pager = pagerLinks(href, { next, isFirst: !query.after });
  const searched = directoryList.isFiltered(query);
  const full = selected.length >= maxPartners;
  return (
    <>
      <h1>Find a partner</h1>
      <p className="muted">Search by location, organisation size and the services you need. Select up to {maxPartners} partners and contact them with one form.</p>
      <FilterBar search label="Search partners" className="card directory-search" clearHref={searched ? href(directoryList.clearFilters) : null}>
        <SearchField label="Services or keywords" value={query.q} placeholder="e.g. migration security" maxLength={200} grow={false} />
        <FilterSelect name="country" label="Country" value={query.country}>
          <CountryOptions />
        </FilterSelect>
        <SearchField name="city" label="City" type="text" value={query.city} grow={false} />
        <FilterSelect name="size" label="Organisation size" value={query.size} options={optionsOf(ORGANISATION_SIZES, SIZE_LABELS)} />
        <FilterSelect name="language" label="Language" value={query.language} options={optionsOf(LANGUAGE_CODES, LANGUAGES)} />
      </FilterBar>
      <p role="status" className="top-gap">
        {loading ? (
          <>
            <span className="spinner" aria-hidden="true" /> Searching…
          </>
        ) : (
          <>
            {total.more ? `More than ${format.number(total.count)}` : format.number(total.count)} partner{total.count === 1 && !total.more ? "" : "s"} {searched ? "match" : "listed"}
            {query.q ? ", best matches first" : ""}.
          </>
        )}
      </p>
      {rows.length === 0 ? (
        <ListEmpty none={["No partners match", "Try fewer words, another city, or any size."]} />
      ) : (
        <Form method="get" action="/partners/contact" id="contact-selection">
          <ul className="partner-results" aria-busy={loading}>
            {rows.map((p) => {
              const isSelected = selected.some((s) => s.partnerNumber === p.partnerNumber);
              return (
                <li key={p.partnerNumber} className="partner-card">
                  <input
                    type="checkbox"
                    name="p"
                    value={p.partnerNumber}
                    checked={isSelected}
                    disabled={!isSelected && full}
                    onChange={(e) => toggle({ partnerNumber: p.partnerNumber, name: p.name }, e.target.checked)}
                    aria-label={`Select ${p.name}`}
                  />
                  <div>
                    <h2>
                      <Link to={`/partners/${p.partnerNumber}`}>{p.name}</Link>
                    </h2>
                    <p className="muted small">
                      {[p.cities.slice(0, 3).join(", "), p.countries.slice(0, 4).map(format.country).join(", ") + (p.countries.length > 4 ? ` and ${p.countries.length - 4} more` : "")]
                        .filter(Boolean)
                        .join(" · ")}
                      {" · "}
                      {p.sizes.map((s) => SIZE_LABELS[s as OrganisationSize]?.replace(" employees", "") ?? s).join(", ")} employees
                    </p>
                    <p>{p.description.length > 280 ? `${p.description.slice(0, 277)}…` : p.description}</p>
                    <ul className="tags" aria-label="Services">
                      {p.keywords.slice(0, 8).map((k) => (
                        <li key={k}>{k}</li>
                      ))}
                    </ul>
                  </div>
                </li>
              );
            })}
          </ul>
          {/* Selected on other pages or searches: submitted too. */}
          {selected
            .filter((s) => !rows.some((r) => r.partnerNumber === s.partnerNumber))
            .map((s) => (
              <input key={s.partnerNumber} type="hidden" name="p" value={s.partnerNumber} />
            ))}
          <div className="selection-bar" aria-live="polite">
            <span>
              {selected.length === 0 ? "Select partners to contact them together." : `${selected.length} selected: ${selected.map((s) => s.name).join(", ")}`}
              {full ? ` (the most one request can reach)` : ""}
            </span>
            <span className="inline-actions">
              {selected.length ? (
                <button type="button" className="button small" onClick={clear}>
                  Clear
                </button>
              ) : null}
              <button type="submit" className="button primary">
                Contact selected partners
              </button>
            </span>
          </div>
        </Form>
      )}
      {hasPages(pager) ? <KeysetPager label="More results" {...pager} /> : null}
    </>
  );
}
