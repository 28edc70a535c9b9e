-- Issue 30, MPSA purchase sharing (seeds 000/002/004: "If you have worked with several partners
-- through the MPSA program, you can allow them to see each other's purchases"). A customer setting;
-- while it is on, each active MPSA partner of the customer reads, through one SECURITY DEFINER
-- function, the subscriptions whose partner of record is another active MPSA partner of that
-- customer, and nothing more. No policy on subscriptions widens: the partner's own reads stay as
-- they were.
ALTER TABLE "organisations" ADD COLUMN "mpsa_share_purchases" boolean DEFAULT false NOT NULL;
--> statement-breakpoint
GRANT UPDATE (mpsa_share_purchases) ON organisations TO partnerdesk_app;
--> statement-breakpoint
-- Only the customer's own active global admin changes the setting: not a partner (its context is
-- not the customer's: organisations_update refuses it), not partner staff acting in the customer,
-- not a billing admin or user.
CREATE FUNCTION pd_mpsa_sharing_guard() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
  IF current_user <> 'partnerdesk_app' OR NEW.mpsa_share_purchases IS NOT DISTINCT FROM OLD.mpsa_share_purchases THEN
    RETURN NEW;
  END IF;
  IF NEW.kind <> 'customer' THEN
    RAISE EXCEPTION 'only a customer shares its MPSA purchases' USING ERRCODE = '42501';
  END IF;
  IF nullif(current_setting('app.acting_partner_id', true), '') IS NOT NULL
     OR app_org_id() IS DISTINCT FROM NEW.id
     OR NOT EXISTS (SELECT 1 FROM memberships m
                     WHERE m.org_id = NEW.id AND m.user_id = app_user_id() AND m.status = 'active' AND 'global_admin' = ANY (m.roles)) THEN
    RAISE EXCEPTION 'only the customer''s global admin changes MPSA purchase sharing' USING ERRCODE = '42501';
  END IF;
  RETURN NEW;
END $$;
--> statement-breakpoint
CREATE TRIGGER organisations_mpsa_sharing_guard BEFORE UPDATE OF mpsa_share_purchases ON organisations
  FOR EACH ROW EXECUTE FUNCTION pd_mpsa_sharing_guard();
--> statement-breakpoint
-- What the calling partner (app_org_id()) may see of the customer's purchases through its other
-- MPSA partners: nothing unless the customer shares, the caller is an active MPSA partner of it
-- and not acting inside it; then the subscriptions whose partner of record is another active MPSA
-- partner of the same customer.
CREATE FUNCTION pd_mpsa_shared_purchases(p_customer uuid)
RETURNS TABLE (subscription_id uuid, customer_org_id uuid, partner_org_id uuid, product_name text, licences integer, status text,
               started_at timestamptz, ended_at timestamptz, partner_name text, partner_number integer)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT s.id, s.customer_org_id, s.advisor_partner_org_id, p.name, s.licences, s.status, s.started_at, s.ended_at, o.name, o.partner_number
    FROM organisations c
    JOIN subscriptions s ON s.customer_org_id = c.id
    JOIN products p ON p.id = s.product_id
    JOIN organisations o ON o.id = s.advisor_partner_org_id
   WHERE c.id = p_customer AND c.kind = 'customer' AND c.mpsa_share_purchases
     AND app_org_id() IS NOT NULL
     AND nullif(current_setting('app.acting_partner_id', true), '') IS NULL
     AND s.advisor_partner_org_id <> app_org_id()
     AND EXISTS (SELECT 1 FROM relationships r
                  WHERE r.partner_org_id = app_org_id() AND r.customer_org_id = c.id AND r.type = 'mpsa' AND r.status = 'active')
     AND EXISTS (SELECT 1 FROM relationships r
                  WHERE r.partner_org_id = s.advisor_partner_org_id AND r.customer_org_id = c.id AND r.type = 'mpsa' AND r.status = 'active')
   ORDER BY o.name, p.name, s.started_at, s.id
$$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION pd_mpsa_shared_purchases(uuid) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION pd_mpsa_shared_purchases(uuid) TO partnerdesk_app;
