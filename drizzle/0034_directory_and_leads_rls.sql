-- The public partner directory and the leads inbox (ADR 0012).
-- partner_listings: the partner's own row (its global admin edits it). The public reads listed
-- rows only through pd_directory_search / pd_directory_count / pd_directory_partner, which apply
-- `listed` themselves: full-text and array operators are not leakproof, so under an RLS policy the
-- planner could not use the GIN indexes for them (the same caveat as the customer search, ADR 0007).
ALTER TABLE partner_listings ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE partner_listings FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY partner_listings_own ON partner_listings FOR ALL TO partnerdesk_app
  USING (partner_org_id = app_org_id()) WITH CHECK (partner_org_id = app_org_id());
--> statement-breakpoint
GRANT SELECT, INSERT ON partner_listings TO partnerdesk_app;
--> statement-breakpoint
GRANT UPDATE (listed, description, countries, cities, sizes, keywords, languages, listed_at, updated_at) ON partner_listings TO partnerdesk_app;
--> statement-breakpoint
-- Filters as lexemes of the search documents: country, size, language and city become
-- 'country:dk', 'size:10-49', 'lang:da', 'city:aarhus', so text and filters are one GIN lookup
-- that intersects posting lists, instead of one GIN scan per filter rechecked row by row.
CREATE FUNCTION pd_facet_slug(p text) RETURNS text LANGUAGE sql STABLE AS
$$ SELECT btrim(regexp_replace(lower(coalesce(p, '')), '[^[:alnum:]]+', '-', 'g'), '-') $$;
--> statement-breakpoint
CREATE FUNCTION pd_listing_facets(p_countries text[], p_sizes text[], p_languages text[], p_cities text[]) RETURNS tsvector
LANGUAGE sql STABLE AS $$
  SELECT setweight(array_to_tsvector(
           ARRAY(SELECT DISTINCT 'country:' || pd_facet_slug(c) FROM unnest(p_countries) c WHERE pd_facet_slug(c) <> '')
        || ARRAY(SELECT DISTINCT 'size:' || pd_facet_slug(s) FROM unnest(p_sizes) s WHERE pd_facet_slug(s) <> '')
        || ARRAY(SELECT DISTINCT 'lang:' || pd_facet_slug(l) FROM unnest(p_languages) l WHERE pd_facet_slug(l) <> '')
        || ARRAY(SELECT DISTINCT 'city:' || pd_facet_slug(c) FROM unnest(p_cities) c WHERE pd_facet_slug(c) <> '')), 'D')
$$;
--> statement-breakpoint
-- The filters of a search as one tsquery (NULL without filters).
CREATE FUNCTION pd_facet_query(p_country text, p_city text, p_size text, p_language text) RETURNS tsquery
LANGUAGE plpgsql STABLE AS $$
DECLARE v tsquery; t text;
BEGIN
  FOREACH t IN ARRAY ARRAY[
      'country:' || pd_facet_slug(p_country), 'city:' || pd_facet_slug(p_city), 'size:' || pd_facet_slug(p_size), 'lang:' || pd_facet_slug(p_language)] LOOP
    CONTINUE WHEN t LIKE '%:';
    v := CASE WHEN v IS NULL THEN quote_literal(t)::tsquery ELSE v && quote_literal(t)::tsquery END;
  END LOOP;
  RETURN v;
END $$;
--> statement-breakpoint
-- What a visitor typed as a tsquery (NULL when empty or only stop words).
CREATE FUNCTION pd_text_query(p_query text) RETURNS tsquery
LANGUAGE sql STABLE AS $$
  SELECT q FROM (SELECT websearch_to_tsquery('english', coalesce(p_query, '')) AS q) t WHERE numnode(q) > 0
$$;
--> statement-breakpoint
-- The search documents: name and keywords (the first ranking tier) with the filters; and all of it
-- with the description and cities. Plus the copied name and Partner ID.
CREATE FUNCTION pd_listing_document() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  SELECT o.name, lower(o.name), o.partner_number INTO NEW.name, NEW.sort_name, NEW.partner_number
    FROM organisations o WHERE o.id = NEW.partner_org_id AND o.kind = 'partner';
  IF NEW.name IS NULL THEN RAISE EXCEPTION 'a listing belongs to a partner organisation'; END IF;
  NEW.keyword_vector :=
    setweight(to_tsvector('english', NEW.name), 'A') ||
    setweight(to_tsvector('english', array_to_string(NEW.keywords, ' ')), 'A') ||
    pd_listing_facets(NEW.countries, NEW.sizes, NEW.languages, NEW.cities);
  NEW.search_vector :=
    NEW.keyword_vector ||
    setweight(to_tsvector('english', NEW.description), 'B') ||
    setweight(to_tsvector('english', array_to_string(NEW.cities, ' ')), 'C');
  RETURN NEW;
END $$;
--> statement-breakpoint
CREATE TRIGGER partner_listings_document BEFORE INSERT OR UPDATE ON partner_listings
  FOR EACH ROW EXECUTE FUNCTION pd_listing_document();
--> statement-breakpoint
CREATE FUNCTION pd_listing_partner_renamed() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  UPDATE partner_listings SET updated_at = now() WHERE partner_org_id = NEW.id;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER organisations_listing_name AFTER UPDATE OF name ON organisations
  FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name AND NEW.kind = 'partner') EXECUTE FUNCTION pd_listing_partner_renamed();
--> statement-breakpoint
-- The directory: listed partners only, ranked in two tiers (name or keywords match, then the
-- description or cities), by name within a tier, keyset-paged on (tier, name, id); p_after_rank is
-- the cursor row's tier. Each tier is read in index order, so a page costs about the same whether a
-- word matches ten partners or ten thousand. Without text, by name.
CREATE FUNCTION pd_directory_search(p_query text, p_country text, p_city text, p_size text, p_language text,
    p_after_rank real, p_after_name text, p_after_id uuid, p_limit integer)
RETURNS TABLE (partner_org_id uuid, partner_number integer, name text, sort_name text, description text, countries text[],
    cities text[], sizes text[], keywords text[], languages text[], rank real)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE v_q tsquery := pd_text_query(p_query); v_f tsquery := pd_facet_query(p_country, p_city, p_size, p_language); v_all tsquery; v_found integer := 0;
BEGIN
  v_all := CASE WHEN v_q IS NULL THEN v_f WHEN v_f IS NULL THEN v_q ELSE v_q && v_f END;
  IF v_all IS NULL THEN
    -- Everything listed, by name.
    RETURN QUERY
      SELECT l.partner_org_id, l.partner_number, l.name, l.sort_name, l.description, l.countries, l.cities, l.sizes,
             l.keywords, l.languages, 0::real
      FROM partner_listings l
      WHERE l.listed AND (p_after_id IS NULL OR (l.sort_name, l.partner_org_id) > (p_after_name, p_after_id))
      ORDER BY l.sort_name, l.partner_org_id
      LIMIT p_limit;
    RETURN;
  END IF;
  IF v_q IS NULL THEN
    -- Filters only: by name.
    RETURN QUERY
      SELECT l.partner_org_id, l.partner_number, l.name, l.sort_name, l.description, l.countries, l.cities, l.sizes,
             l.keywords, l.languages, 0::real
      FROM partner_listings l
      WHERE l.listed AND l.search_vector @@ v_all
        AND (p_after_id IS NULL OR (l.sort_name, l.partner_org_id) > (p_after_name, p_after_id))
      ORDER BY l.sort_name, l.partner_org_id
      LIMIT p_limit;
    RETURN;
  END IF;
  -- Tier 1: the name or keywords match (and the filters).
  IF p_after_id IS NULL OR p_after_rank <= 1 THEN
    RETURN QUERY
      SELECT l.partner_org_id, l.partner_number, l.name, l.sort_name, l.description, l.countries, l.cities, l.sizes,
             l.keywords, l.languages, 1::real
      FROM partner_listings l
      WHERE l.listed AND l.keyword_vector @@ v_all
        AND (p_after_id IS NULL OR (l.sort_name, l.partner_org_id) > (p_after_name, p_after_id))
      ORDER BY l.sort_name, l.partner_org_id
      LIMIT p_limit;
    GET DIAGNOSTICS v_found = ROW_COUNT;
    IF v_found >= p_limit THEN RETURN; END IF;
  END IF;
  -- Tier 2: matched with help of the description or cities.
  RETURN QUERY
    SELECT l.partner_org_id, l.partner_number, l.name, l.sort_name, l.description, l.countries, l.cities, l.sizes,
           l.keywords, l.languages, 2::real
    FROM partner_listings l
    WHERE l.listed AND l.search_vector @@ v_all AND NOT (l.keyword_vector @@ v_all)
      AND (p_after_id IS NULL OR p_after_rank < 2 OR (l.sort_name, l.partner_org_id) > (p_after_name, p_after_id))
    ORDER BY l.sort_name, l.partner_org_id
    LIMIT p_limit - v_found;
END $$;
--> statement-breakpoint
-- How many listed partners match (exact up to p_cap, then p_cap + 1 meaning "more").
CREATE FUNCTION pd_directory_count(p_query text, p_country text, p_city text, p_size text, p_language text, p_cap integer)
RETURNS integer
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE v_q tsquery := pd_text_query(p_query); v_f tsquery := pd_facet_query(p_country, p_city, p_size, p_language); v_all tsquery; v_n integer;
BEGIN
  v_all := CASE WHEN v_q IS NULL THEN v_f WHEN v_f IS NULL THEN v_q ELSE v_q && v_f END;
  IF v_all IS NULL THEN
    SELECT count(*) INTO v_n FROM (SELECT 1 FROM partner_listings l WHERE l.listed LIMIT p_cap + 1) s;
  ELSE
    SELECT count(*) INTO v_n FROM (SELECT 1 FROM partner_listings l WHERE l.listed AND l.search_vector @@ v_all LIMIT p_cap + 1) s;
  END IF;
  RETURN v_n;
END $$;
--> statement-breakpoint
-- One listed partner's public page: the listing and the contact details of its profile.
CREATE FUNCTION pd_directory_partner(p_partner_number integer)
RETURNS TABLE (partner_org_id uuid, partner_number integer, name text, description text, countries text[], cities text[],
    sizes text[], keywords text[], languages text[], email text, phone text, website text, address_line text,
    postal_code text, city text, country text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT l.partner_org_id, l.partner_number, l.name, l.description, l.countries, l.cities, l.sizes, l.keywords, l.languages,
         o.email, o.phone, o.website, o.address_line, o.postal_code, o.city, o.country
  FROM partner_listings l JOIN organisations o ON o.id = l.partner_org_id
  WHERE l.listed AND l.partner_number = p_partner_number
$$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION pd_directory_search(text, text, text, text, text, real, text, uuid, integer) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION pd_directory_search(text, text, text, text, text, real, text, uuid, integer) TO partnerdesk_app;
--> statement-breakpoint
REVOKE ALL ON FUNCTION pd_directory_count(text, text, text, text, text, integer) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION pd_directory_count(text, text, text, text, text, integer) TO partnerdesk_app;
--> statement-breakpoint
REVOKE ALL ON FUNCTION pd_directory_partner(integer) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION pd_directory_partner(integer) TO partnerdesk_app;
--> statement-breakpoint
CREATE INDEX partner_listings_number_idx ON partner_listings (partner_number) WHERE listed;
--> statement-breakpoint
-- Contact requests: rate-limit state of the public form, written in the system context only.
ALTER TABLE contact_requests ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE contact_requests FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
-- Leads and their notes: the partner's own rows. Leads are created by the contact form (system
-- context); the partner works them.
ALTER TABLE leads ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE leads FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY leads_own ON leads FOR ALL TO partnerdesk_app
  USING (partner_org_id = app_org_id()) WITH CHECK (partner_org_id = app_org_id());
--> statement-breakpoint
GRANT SELECT, DELETE ON leads TO partnerdesk_app;
--> statement-breakpoint
GRANT UPDATE (status, status_changed_at, assigned_user_id, answered_link_id, answered_at, answer_token) ON leads TO partnerdesk_app;
--> statement-breakpoint
ALTER TABLE lead_notes ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE lead_notes FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY lead_notes_own ON lead_notes FOR ALL TO partnerdesk_app
  USING (partner_org_id = app_org_id()) WITH CHECK (partner_org_id = app_org_id());
--> statement-breakpoint
GRANT SELECT, INSERT, DELETE ON lead_notes TO partnerdesk_app;
--> statement-breakpoint
-- Listings change rarely and are read on every search: no GIN pending list (fastupdate) to scan at
-- read time; each write updates the index directly.
ALTER INDEX partner_listings_search_idx SET (fastupdate = off);
--> statement-breakpoint
ALTER INDEX partner_listings_keyword_idx SET (fastupdate = off);
