-- Customers at scale: search extensions and indexes, the customer agreement, the partner_customers
-- read model kept by triggers, RLS, and the named cross-tenant functions. See ADR 0007.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
--> statement-breakpoint
CREATE EXTENSION IF NOT EXISTS btree_gin;
--> statement-breakpoint
CREATE INDEX partner_customers_search_idx ON partner_customers USING gin (partner_org_id, search_text gin_trgm_ops);
--> statement-breakpoint
CREATE INDEX partner_customers_name_prefix_idx ON partner_customers (partner_org_id, sort_name text_pattern_ops);
--> statement-breakpoint
CREATE INDEX partner_customers_domain_prefix_idx ON partner_customers (partner_org_id, primary_domain text_pattern_ops);
--> statement-breakpoint
INSERT INTO customer_agreements (version, title, body, effective_at) VALUES (
  '2026-11', 'Partnerdesk Customer Agreement',
  'This agreement governs the relationship between your organisation and the partners you authorise in Partnerdesk.

1. Partners. A partner you accept may act as your reseller, may be set as the advisor (Partner of Record) on your subscriptions, and, only if you approve it separately, may administer your organisation with the roles you grant.
2. Your control. You can review your partners at any time and remove delegated admin roles. A reseller relationship is ended by the reseller.
3. Data. Your partners see the information about your organisation that their relationship needs: your organisation profile, your subscriptions and, for delegated administrators, the data their roles allow.
4. Billing. Purchases made through a partner are billed by that partner under its own terms.
5. Changes. When this agreement changes, you are asked to accept the new version before a partner can buy or manage anything for you.',
  '2026-11-01T00:00:00Z');
--> statement-breakpoint
CREATE FUNCTION pd_current_agreement_version() RETURNS text LANGUAGE sql STABLE AS
$$ SELECT version FROM customer_agreements WHERE effective_at <= now() ORDER BY effective_at DESC LIMIT 1 $$;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION pd_current_agreement_version() TO partnerdesk_app;
--> statement-breakpoint

-- customer_agreements: global and public text; everyone reads it.
ALTER TABLE customer_agreements ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE customer_agreements FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY customer_agreements_read ON customer_agreements FOR SELECT TO partnerdesk_app USING (true);
--> statement-breakpoint
GRANT SELECT ON customer_agreements TO partnerdesk_app;
--> statement-breakpoint

-- agreement_acceptances: the customer's own.
ALTER TABLE agreement_acceptances ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE agreement_acceptances FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY agreement_acceptances_own ON agreement_acceptances FOR ALL TO partnerdesk_app
  USING (customer_org_id = app_org_id()) WITH CHECK (customer_org_id = app_org_id());
--> statement-breakpoint
GRANT SELECT, INSERT ON agreement_acceptances TO partnerdesk_app;
--> statement-breakpoint

-- partner_customers: the partner's own rows; written only by the triggers below.
ALTER TABLE partner_customers ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE partner_customers FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY partner_customers_own ON partner_customers FOR SELECT TO partnerdesk_app USING (partner_org_id = app_org_id());
--> statement-breakpoint
GRANT SELECT ON partner_customers TO partnerdesk_app;
--> statement-breakpoint

-- customer selections: the partner's own.
ALTER TABLE customer_selections ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE customer_selections FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY customer_selections_own ON customer_selections FOR ALL TO partnerdesk_app
  USING (partner_org_id = app_org_id()) WITH CHECK (partner_org_id = app_org_id());
--> statement-breakpoint
GRANT SELECT, INSERT, DELETE ON customer_selections TO partnerdesk_app;
--> statement-breakpoint
ALTER TABLE customer_selection_items ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE customer_selection_items FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY customer_selection_items_own ON customer_selection_items FOR ALL TO partnerdesk_app
  USING (partner_org_id = app_org_id()) WITH CHECK (partner_org_id = app_org_id());
--> statement-breakpoint
GRANT SELECT, INSERT, DELETE ON customer_selection_items TO partnerdesk_app;
--> statement-breakpoint

-- The read model: one row per partner and customer with a live relationship.
CREATE FUNCTION pd_refresh_partner_customer(p_partner uuid, p_customer uuid) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE v_types text[];
BEGIN
  SELECT array_agg(DISTINCT type ORDER BY type) INTO v_types FROM relationships
   WHERE partner_org_id = p_partner AND customer_org_id = p_customer AND status <> 'ended';
  IF v_types IS NULL THEN
    DELETE FROM partner_customers WHERE partner_org_id = p_partner AND customer_org_id = p_customer;
    RETURN;
  END IF;
  INSERT INTO partner_customers AS pc (partner_org_id, customer_org_id, name, sort_name, primary_domain, country,
      relationship_types, is_reseller, is_advisor, is_dap, is_gdap, agreement_status, search_text, customer_created_at)
  SELECT p_partner, o.id, o.name, lower(o.name), o.primary_domain, coalesce(o.country, ''),
      array_to_string(v_types, ','), 'reseller' = ANY (v_types), 'advisor' = ANY (v_types), 'dap' = ANY (v_types), 'gdap' = ANY (v_types),
      CASE WHEN o.agreement_version IS NOT NULL AND o.agreement_version = pd_current_agreement_version() THEN 'accepted' ELSE 'pending' END,
      lower(o.name || ' ' || o.primary_domain), o.created_at
  FROM organisations o WHERE o.id = p_customer
  ON CONFLICT (partner_org_id, customer_org_id) DO UPDATE SET
    relationship_types = excluded.relationship_types, is_reseller = excluded.is_reseller, is_advisor = excluded.is_advisor,
    is_dap = excluded.is_dap, is_gdap = excluded.is_gdap, agreement_status = excluded.agreement_status,
    name = excluded.name, sort_name = excluded.sort_name, primary_domain = excluded.primary_domain,
    country = excluded.country, search_text = excluded.search_text;
END $$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION pd_refresh_partner_customer(uuid, uuid) FROM PUBLIC;
--> statement-breakpoint
CREATE FUNCTION pd_relationships_changed() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    PERFORM pd_refresh_partner_customer(OLD.partner_org_id, OLD.customer_org_id);
  ELSE
    PERFORM pd_refresh_partner_customer(NEW.partner_org_id, NEW.customer_org_id);
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER relationships_refresh_partner_customers AFTER INSERT OR UPDATE OR DELETE ON relationships
  FOR EACH ROW EXECUTE FUNCTION pd_relationships_changed();
--> statement-breakpoint
CREATE FUNCTION pd_customer_changed() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  UPDATE partner_customers SET
    name = NEW.name, sort_name = lower(NEW.name), primary_domain = NEW.primary_domain,
    country = coalesce(NEW.country, ''), search_text = lower(NEW.name || ' ' || NEW.primary_domain),
    agreement_status = CASE WHEN NEW.agreement_version IS NOT NULL AND NEW.agreement_version = pd_current_agreement_version() THEN 'accepted' ELSE 'pending' END
  WHERE customer_org_id = NEW.id;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER organisations_refresh_partner_customers
  AFTER UPDATE OF name, primary_domain, country, agreement_version ON organisations
  FOR EACH ROW WHEN (NEW.kind = 'customer') EXECUTE FUNCTION pd_customer_changed();
--> statement-breakpoint
-- Accepting the agreement records the version on the customer and activates pending relationships.
CREATE FUNCTION pd_agreement_accepted() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  UPDATE organisations SET agreement_version = NEW.version, agreement_accepted_at = NEW.accepted_at
   WHERE id = NEW.customer_org_id AND kind = 'customer';
  IF NEW.version = pd_current_agreement_version() THEN
    UPDATE relationships SET status = 'active', started_at = now()
     WHERE customer_org_id = NEW.customer_org_id AND status = 'pending';
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER agreement_acceptances_apply AFTER INSERT ON agreement_acceptances
  FOR EACH ROW EXECUTE FUNCTION pd_agreement_accepted();
--> statement-breakpoint
-- Full rebuild for bulk loads (the scale seed runs with triggers off, then calls this).
CREATE FUNCTION pd_rebuild_partner_customers() RETURNS void LANGUAGE sql AS $$
  DELETE FROM partner_customers;
  INSERT INTO partner_customers (partner_org_id, customer_org_id, name, sort_name, primary_domain, country,
      relationship_types, is_reseller, is_advisor, is_dap, is_gdap, agreement_status, search_text, customer_created_at)
  SELECT r.partner_org_id, o.id, o.name, lower(o.name), o.primary_domain, coalesce(o.country, ''),
      string_agg(DISTINCT r.type, ',' ORDER BY r.type), bool_or(r.type = 'reseller'), bool_or(r.type = 'advisor'),
      bool_or(r.type = 'dap'), bool_or(r.type = 'gdap'),
      CASE WHEN o.agreement_version IS NOT NULL AND o.agreement_version = pd_current_agreement_version() THEN 'accepted' ELSE 'pending' END,
      lower(o.name || ' ' || o.primary_domain), o.created_at
  FROM relationships r JOIN organisations o ON o.id = r.customer_org_id
  WHERE r.status <> 'ended'
  GROUP BY r.partner_org_id, o.id;
$$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION pd_rebuild_partner_customers() FROM PUBLIC;
--> statement-breakpoint

-- Search: ILIKE and trigram operators are not leakproof, so under RLS the planner may not use the
-- trigram index. This SECURITY DEFINER function applies the tenant filter itself (app_org_id())
-- and is the only way the app role searches. The statement text comes from pd_customer_search_sql
-- so tests can EXPLAIN exactly what runs.
CREATE FUNCTION pd_like_escape(p text) RETURNS text LANGUAGE sql IMMUTABLE AS
$$ SELECT replace(replace(replace(p, '\', '\\'), '%', '\%'), '_', '\_') $$;
--> statement-breakpoint
CREATE FUNCTION pd_customer_search_sql(p_partner uuid, p_term text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN length(p_term) >= 3 THEN
    format('SELECT customer_org_id FROM partner_customers WHERE partner_org_id = %L AND search_text LIKE %L',
           p_partner, '%' || pd_like_escape(p_term) || '%')
  ELSE
    format('SELECT customer_org_id FROM partner_customers WHERE partner_org_id = %L AND sort_name LIKE %L'
           ' UNION SELECT customer_org_id FROM partner_customers WHERE partner_org_id = %L AND primary_domain LIKE %L',
           p_partner, pd_like_escape(p_term) || '%', p_partner, pd_like_escape(p_term) || '%')
  END
$$;
--> statement-breakpoint
CREATE FUNCTION pd_search_partner_customers(p_term text) RETURNS SETOF uuid
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE v_partner uuid := app_org_id();
BEGIN
  IF v_partner IS NULL OR p_term IS NULL OR length(p_term) = 0 THEN RETURN; END IF;
  RETURN QUERY EXECUTE pd_customer_search_sql(v_partner, lower(p_term));
END $$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION pd_search_partner_customers(text) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION pd_search_partner_customers(text) TO partnerdesk_app;
--> statement-breakpoint

-- A partner creates a customer tenant: the organisation, the reseller relationship (pending the
-- customer agreement), its first global admin (invited) and the activation token (hash given).
CREATE FUNCTION pd_create_customer(p_name text, p_domain text, p_country text, p_admin_email text, p_admin_name text,
    p_token_hash text, p_token_expires timestamptz)
RETURNS TABLE (customer_id uuid, admin_user_id uuid, admin_has_password boolean)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE v_partner uuid := app_org_id(); v_customer uuid; v_user uuid;
BEGIN
  IF v_partner IS NULL OR NOT EXISTS (SELECT 1 FROM organisations WHERE id = v_partner AND kind = 'partner') THEN
    RAISE EXCEPTION 'pd_create_customer needs a partner context';
  END IF;
  INSERT INTO organisations (kind, name, primary_domain, country) VALUES ('customer', p_name, lower(p_domain), p_country)
    RETURNING id INTO v_customer;
  INSERT INTO relationships (partner_org_id, customer_org_id, type, status) VALUES (v_partner, v_customer, 'reseller', 'pending');
  INSERT INTO users (email, display_name) VALUES (lower(p_admin_email), p_admin_name)
    ON CONFLICT (email) DO NOTHING RETURNING id INTO v_user;
  IF v_user IS NULL THEN SELECT id INTO v_user FROM users WHERE email = lower(p_admin_email); END IF;
  INSERT INTO memberships (org_id, user_id, roles, status) VALUES (v_customer, v_user, '{global_admin}', 'invited');
  INSERT INTO auth_tokens (token_hash, kind, user_id, org_id, expires_at) VALUES (p_token_hash, 'activation', v_user, v_customer, p_token_expires);
  RETURN QUERY SELECT v_customer, v_user, (SELECT password_hash IS NOT NULL FROM users WHERE id = v_user);
END $$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION pd_create_customer(text, text, text, text, text, text, timestamptz) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION pd_create_customer(text, text, text, text, text, text, timestamptz) TO partnerdesk_app;
--> statement-breakpoint

-- A partner reads the admins of a customer it has a live relationship with.
CREATE FUNCTION pd_customer_admins(p_customer uuid)
RETURNS TABLE (user_id uuid, display_name text, email text, status text, roles text[])
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT u.id, u.display_name, u.email, m.status, m.roles
  FROM memberships m JOIN users u ON u.id = m.user_id
  WHERE m.org_id = p_customer
    AND m.roles && '{global_admin,billing_admin}'::text[]
    AND EXISTS (SELECT 1 FROM relationships r WHERE r.partner_org_id = app_org_id() AND r.customer_org_id = p_customer AND r.status <> 'ended')
  ORDER BY u.display_name, u.id
$$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION pd_customer_admins(uuid) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION pd_customer_admins(uuid) TO partnerdesk_app;
