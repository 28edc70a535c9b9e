-- Review of issue 28 (ADR 0026): the app role may mint only invitation tokens, only for a person its
-- organisation has invited; reset and confirmation tokens are made in the system context alone.
DROP POLICY auth_tokens_all ON auth_tokens;
--> statement-breakpoint
CREATE POLICY auth_tokens_select ON auth_tokens FOR SELECT TO partnerdesk_app USING (org_id = app_org_id());
--> statement-breakpoint
CREATE POLICY auth_tokens_insert ON auth_tokens FOR INSERT TO partnerdesk_app WITH CHECK (
  org_id = app_org_id() AND kind = 'activation'
  AND EXISTS (SELECT 1 FROM memberships m WHERE m.org_id = app_org_id() AND m.user_id = auth_tokens.user_id AND m.status = 'invited')
);
--> statement-breakpoint
CREATE POLICY auth_tokens_update ON auth_tokens FOR UPDATE TO partnerdesk_app USING (org_id = app_org_id() AND kind = 'activation') WITH CHECK (org_id = app_org_id() AND kind = 'activation');
--> statement-breakpoint
CREATE POLICY auth_tokens_delete ON auth_tokens FOR DELETE TO partnerdesk_app USING (org_id = app_org_id() AND kind = 'activation');
--> statement-breakpoint

-- An invitation goes to the account's own address: the app role cannot point it elsewhere.
CREATE FUNCTION pd_invitation_address_guard() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  IF NEW.status = 'invited' AND NEW.invited_email IS DISTINCT FROM (SELECT email FROM users WHERE id = NEW.user_id) THEN
    RAISE EXCEPTION 'an invitation goes to the address of the account it invites' USING ERRCODE = '42501';
  END IF;
  RETURN NEW;
END $$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION pd_invitation_address_guard() FROM PUBLIC;
--> statement-breakpoint
CREATE TRIGGER memberships_invitation_address_guard BEFORE INSERT OR UPDATE ON memberships
  FOR EACH ROW EXECUTE FUNCTION pd_invitation_address_guard();
--> statement-breakpoint

-- The home is given when a person joins (an insert as active, or an invitation accepted), never by
-- an organisation reactivating a member it had deactivated.
CREATE OR REPLACE FUNCTION pd_set_home_org() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  IF NEW.status = 'active' AND (TG_OP = 'INSERT' OR OLD.status = 'invited') THEN
    UPDATE users SET home_org_id = NEW.org_id WHERE id = NEW.user_id AND home_org_id IS NULL AND email_confirmed;
  END IF;
  RETURN NULL;
END $$;
