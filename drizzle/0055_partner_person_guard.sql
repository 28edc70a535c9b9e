-- Issue 30 (fixes 0050): the guard on a member's partner ran as SECURITY DEFINER, so inside it
-- current_user was the owner and it never refused the app role. It runs as the caller now (like
-- pd_membership_transition_guard) and asks pd_partner_name whether the named organisation is a
-- partner (the customer cannot see a partner it has no relationship with).
CREATE OR REPLACE FUNCTION pd_membership_partner_guard() RETURNS trigger
LANGUAGE plpgsql SECURITY INVOKER SET search_path = public, pg_temp AS $$
BEGIN
  IF current_user <> 'partnerdesk_app' THEN RETURN NEW; END IF;
  IF TG_OP = 'UPDATE' THEN
    IF NEW.partner_org_id IS DISTINCT FROM OLD.partner_org_id THEN
      RAISE EXCEPTION 'a member''s partner is named only with the invitation' USING ERRCODE = '42501';
    END IF;
    RETURN NEW;
  END IF;
  IF NEW.partner_org_id IS NOT NULL AND (
       NOT EXISTS (SELECT 1 FROM organisations o WHERE o.id = NEW.org_id AND o.kind = 'customer')
       OR pd_partner_name(NEW.partner_org_id) IS NULL) THEN
    RAISE EXCEPTION 'only a customer invites a partner''s person, and only of a partner' USING ERRCODE = '42501';
  END IF;
  RETURN NEW;
END $$;
