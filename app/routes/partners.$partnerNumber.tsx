import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { LANGUAGES, SIZE_LABELS, type OrganisationSize } from "~/modules/directory/directory-options";
import { getDirectoryPartner } from "~/modules/directory/directory.server";
import { NO_TENANT, withTenantReads } from "~/utils/db.server";
import { handleDomainError } from "~/utils/http.server";
import { useFormat } from "~/components/format";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data ? `${data.partner.name} · Find a partner · Partnerdesk` : "Find a partner · Partnerdesk" }];

export async function loader({ params }: LoaderFunctionArgs) {
  const n = Number(params.partnerNumber);
  if (!Number.isInteger(n) || n <= 0 || n > 2_147_483_647) throw new Response("This partner is not in the directory.", { status: 404 });
  return { partner: await withTenantReads(NO_TENANT, (tx) => getDirectoryPartner(tx, n)).catch(handleDomainError) };
}

export default function DirectoryPartner() {
  const { partner } = useLoaderData<typeof loader>();
  const format = useFormat();
  const c = partner.contact;
  return (
    <>
      <p className="breadcrumb">
        <Link to="/partners">Find a partner</Link> /
      </p>
      <h1>{partner.name}</h1>
      <p className="muted">Partner ID {partner.partnerNumber}</p>
      <div className="two-column">
        <section className="card" aria-labelledby="about">
          <h2 id="about">About</h2>
          <p className="pre-line">{partner.description}</p>
          <h3>Services</h3>
          <ul className="tags">
            {partner.keywords.map((k) => (
              <li key={k}>{k}</li>
            ))}
          </ul>
        </section>
        <section className="card" aria-labelledby="serves">
          <h2 id="serves">Serves</h2>
          <dl className="details">
            <dt>Countries</dt>
            <dd>{partner.countries.map(format.country).join(", ")}</dd>
            {partner.cities.length ? (
              <>
                <dt>Cities</dt>
                <dd>{partner.cities.join(", ")}</dd>
              </>
            ) : null}
            <dt>Organisation sizes</dt>
            <dd>{partner.sizes.map((s) => SIZE_LABELS[s as OrganisationSize] ?? s).join("; ")}</dd>
            <dt>Languages</dt>
            <dd>{partner.languages.map((l) => LANGUAGES[l] ?? l).join(", ")}</dd>
          </dl>
          <h3>Contact</h3>
          <dl className="details">
            {c.email ? (
              <>
                <dt>Email</dt>
                <dd>
                  <a href={`mailto:${c.email}`}>{c.email}</a>
                </dd>
              </>
            ) : null}
            {c.phone ? (
              <>
                <dt>Phone</dt>
                <dd>{c.phone}</dd>
              </>
            ) : null}
            {c.website ? (
              <>
                <dt>Website</dt>
                <dd>
                  <a href={c.website} rel="noopener noreferrer nofollow">
                    {c.website}
                  </a>
                </dd>
              </>
            ) : null}
            {c.city || c.addressLine ? (
              <>
                <dt>Address</dt>
                <dd>{[c.addressLine, [c.postalCode, c.city].filter(Boolean).join(" "), c.country ? format.country(c.country) : null].filter(Boolean).join(", ")}</dd>
              </>
            ) : null}
          </dl>
        </section>
      </div>
      <Form method="get" action="/partners/contact">
        <input type="hidden" name="p" value={partner.partnerNumber} />
        <button type="submit" className="button primary">
          Contact {partner.name}
        </button>
      </Form>
    </>
  );
}
