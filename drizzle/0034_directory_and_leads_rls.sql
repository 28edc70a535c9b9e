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
-- The search document and the copied name, Partner ID and lower-cased cities.
CREATE FUNCTION pd_listing_document() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  SELECT o.name, lower(o.name), o.partner_number INTO NEW.name, NEW.sort_name, NEW.partner_number
    FROM organisations o WHERE o.id = NEW.partner_org_id AND o.kind = 'partner';
  IF NEW.name IS NULL THEN RAISE EXCEPTION 'a listing belongs to a partner organisation'; END IF;
  NEW.cities_lower := coalesce((SELECT array_agg(lower(c)) FROM unnest(NEW.cities) AS c), '{}');
  NEW.search_vector :=
    setweight(to_tsvector('english', NEW.name), 'A') ||
    setweight(to_tsvector('english', array_to_string(NEW.keywords, ' ')), 'A') ||
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
-- The directory: listed partners only, filtered by text (ranked), country, city, size, language;
-- keyset-paged by (rank, name, id) with a text query and by (name, id) without.
CREATE FUNCTION pd_directory_search(p_query text, p_country text, p_city text, p_size text, p_language text,
    p_after_rank real, p_after_name text, p_after_id uuid, p_limit integer)
RETURNS TABLE (partner_org_id uuid, partner_number integer, name text, sort_name text, description text, countries text[],
    cities text[], sizes text[], keywords text[], languages text[], rank real)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE v_q tsquery;
BEGIN
  IF coalesce(btrim(p_query), '') <> '' THEN
    v_q := websearch_to_tsquery('english', p_query);
    IF numnode(v_q) = 0 THEN v_q := NULL; END IF;
  END IF;
  IF v_q IS NOT NULL THEN
    RETURN QUERY
      SELECT m.* FROM (
        SELECT l.partner_org_id, l.partner_number, l.name, l.sort_name, l.description, l.countries, l.cities, l.sizes,
               l.keywords, l.languages, ts_rank(l.search_vector, v_q)::real AS rank
        FROM partner_listings l
        WHERE l.listed AND l.search_vector @@ v_q
          AND (p_country IS NULL OR l.countries @> ARRAY[p_country])
          AND (p_city IS NULL OR l.cities_lower @> ARRAY[lower(p_city)])
          AND (p_size IS NULL OR l.sizes @> ARRAY[p_size])
          AND (p_language IS NULL OR l.languages @> ARRAY[p_language])
      ) m
      WHERE p_after_id IS NULL OR m.rank < p_after_rank OR (m.rank = p_after_rank AND (m.sort_name, m.partner_org_id) > (p_after_name, p_after_id))
      ORDER BY m.rank DESC, m.sort_name, m.partner_org_id
      LIMIT p_limit;
  ELSE
    RETURN QUERY
      SELECT l.partner_org_id, l.partner_number, l.name, l.sort_name, l.description, l.countries, l.cities, l.sizes,
             l.keywords, l.languages, 0::real
      FROM partner_listings l
      WHERE l.listed
        AND (p_country IS NULL OR l.countries @> ARRAY[p_country])
        AND (p_city IS NULL OR l.cities_lower @> ARRAY[lower(p_city)])
        AND (p_size IS NULL OR l.sizes @> ARRAY[p_size])
        AND (p_language IS NULL OR l.languages @> ARRAY[p_language])
        AND (p_after_id IS NULL OR (l.sort_name, l.partner_org_id) > (p_after_name, p_after_id))
      ORDER BY l.sort_name, l.partner_org_id
      LIMIT p_limit;
  END IF;
END $$;
--> statement-breakpoint
-- How many listed partners match (exact up to p_cap, then p_cap + 1 meaning "more").
CREATE FUNCTION pd_directory_count(p_query text, p_country text, p_city text, p_size text, p_language text, p_cap integer)
RETURNS integer
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE v_q tsquery; v_n integer;
BEGIN
  IF coalesce(btrim(p_query), '') <> '' THEN
    v_q := websearch_to_tsquery('english', p_query);
    IF numnode(v_q) = 0 THEN v_q := NULL; END IF;
  END IF;
  SELECT count(*) INTO v_n FROM (
    SELECT 1 FROM partner_listings l
    WHERE l.listed AND (v_q IS NULL OR l.search_vector @@ v_q)
      AND (p_country IS NULL OR l.countries @> ARRAY[p_country])
      AND (p_city IS NULL OR l.cities_lower @> ARRAY[lower(p_city)])
      AND (p_size IS NULL OR l.sizes @> ARRAY[p_size])
      AND (p_language IS NULL OR l.languages @> ARRAY[p_language])
    LIMIT p_cap + 1) s;
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
