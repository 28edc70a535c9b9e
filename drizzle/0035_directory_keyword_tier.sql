ALTER TABLE "partner_listings" ADD COLUMN "keyword_vector" "tsvector" DEFAULT ''::tsvector NOT NULL;--> statement-breakpoint
CREATE INDEX "partner_listings_keyword_idx" ON "partner_listings" USING gin ("keyword_vector") WHERE listed;--> statement-breakpoint
-- Ranking in two tiers (ADR 0012): partners whose name or keywords match come first, then those
-- matched in the description or cities only; within a tier, by name. Each tier is read in index
-- order (or from its GIN index when matches are few), so a page costs the same whether a word
-- matches ten partners or ten thousand; a per-row ts_rank would score every match on every page.
CREATE OR REPLACE FUNCTION pd_listing_document() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  SELECT o.name, lower(o.name), o.partner_number INTO NEW.name, NEW.sort_name, NEW.partner_number
    FROM organisations o WHERE o.id = NEW.partner_org_id AND o.kind = 'partner';
  IF NEW.name IS NULL THEN RAISE EXCEPTION 'a listing belongs to a partner organisation'; END IF;
  NEW.cities_lower := coalesce((SELECT array_agg(lower(c)) FROM unnest(NEW.cities) AS c), '{}');
  NEW.keyword_vector :=
    setweight(to_tsvector('english', NEW.name), 'A') ||
    setweight(to_tsvector('english', array_to_string(NEW.keywords, ' ')), 'A');
  NEW.search_vector :=
    NEW.keyword_vector ||
    setweight(to_tsvector('english', NEW.description), 'B') ||
    setweight(to_tsvector('english', array_to_string(NEW.cities, ' ')), 'C');
  RETURN NEW;
END $$;
--> statement-breakpoint
UPDATE partner_listings SET updated_at = updated_at;
--> statement-breakpoint
-- p_after_rank is the tier of the cursor row (1: name or keywords, 2: description only); rank in the
-- result is the tier as well.
CREATE OR REPLACE FUNCTION pd_directory_search(p_query text, p_country text, p_city text, p_size text, p_language text,
    p_after_rank real, p_after_name text, p_after_id uuid, p_limit integer)
RETURNS TABLE (partner_org_id uuid, partner_number integer, name text, sort_name text, description text, countries text[],
    cities text[], sizes text[], keywords text[], languages text[], rank real)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE v_q tsquery; v_found integer := 0;
BEGIN
  IF coalesce(btrim(p_query), '') <> '' THEN
    v_q := websearch_to_tsquery('english', p_query);
    IF numnode(v_q) = 0 THEN v_q := NULL; END IF;
  END IF;
  IF v_q IS NULL THEN
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
    RETURN;
  END IF;
  -- Tier 1: the name or keywords match.
  IF p_after_id IS NULL OR p_after_rank <= 1 THEN
    RETURN QUERY
      SELECT l.partner_org_id, l.partner_number, l.name, l.sort_name, l.description, l.countries, l.cities, l.sizes,
             l.keywords, l.languages, 1::real
      FROM partner_listings l
      WHERE l.listed AND l.keyword_vector @@ v_q
        AND (p_country IS NULL OR l.countries @> ARRAY[p_country])
        AND (p_city IS NULL OR l.cities_lower @> ARRAY[lower(p_city)])
        AND (p_size IS NULL OR l.sizes @> ARRAY[p_size])
        AND (p_language IS NULL OR l.languages @> ARRAY[p_language])
        AND (p_after_id IS NULL OR (l.sort_name, l.partner_org_id) > (p_after_name, p_after_id))
      ORDER BY l.sort_name, l.partner_org_id
      LIMIT p_limit;
    GET DIAGNOSTICS v_found = ROW_COUNT;
    IF v_found >= p_limit THEN RETURN; END IF;
  END IF;
  -- Tier 2: matched elsewhere (description, cities) but not by name or keywords.
  RETURN QUERY
    SELECT l.partner_org_id, l.partner_number, l.name, l.sort_name, l.description, l.countries, l.cities, l.sizes,
           l.keywords, l.languages, 2::real
    FROM partner_listings l
    WHERE l.listed AND l.search_vector @@ v_q AND NOT (l.keyword_vector @@ v_q)
      AND (p_country IS NULL OR l.countries @> ARRAY[p_country])
      AND (p_city IS NULL OR l.cities_lower @> ARRAY[lower(p_city)])
      AND (p_size IS NULL OR l.sizes @> ARRAY[p_size])
      AND (p_language IS NULL OR l.languages @> ARRAY[p_language])
      AND (p_after_id IS NULL OR p_after_rank < 2 OR (l.sort_name, l.partner_org_id) > (p_after_name, p_after_id))
    ORDER BY l.sort_name, l.partner_org_id
    LIMIT p_limit - v_found;
END $$;
