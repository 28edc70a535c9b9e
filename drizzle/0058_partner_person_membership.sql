-- Issue 30 review, finding 8: a customer's global admin names a partner on a "partner's person"
-- invitation (by Partner ID any partner), and accepting it makes the pair's 'partner' relationship
-- active (0050). Without a check, any address made any partner the customer's partner without the
-- partner knowing. A member naming a partner becomes active (accepted, or written active) only when
-- the account is an active member of that partner organisation; otherwise PD003, which the
-- acceptance maps to a 409 telling the person to use their account at the partner.
CREATE FUNCTION pd_partner_person_member_check() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  IF NEW.partner_org_id IS NULL OR NEW.status = 'invited' THEN RETURN NEW; END IF;
  IF TG_OP = 'UPDATE' AND OLD.status <> 'invited' THEN RETURN NEW; END IF;
  IF NOT EXISTS (SELECT 1 FROM memberships m
                  WHERE m.org_id = NEW.partner_org_id AND m.user_id = NEW.user_id AND m.status = 'active') THEN
    RAISE EXCEPTION 'a partner''s person must be an active member of that partner' USING ERRCODE = 'PD003';
  END IF;
  RETURN NEW;
END $$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION pd_partner_person_member_check() FROM PUBLIC;
--> statement-breakpoint
CREATE TRIGGER memberships_partner_person_member BEFORE INSERT OR UPDATE OF status ON memberships
  FOR EACH ROW EXECUTE FUNCTION pd_partner_person_member_check();
