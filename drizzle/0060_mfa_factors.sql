CREATE TABLE "recovery_codes" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"code_hash" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"used_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "sign_in_challenges" (
	"id_hash" text PRIMARY KEY NOT NULL,
	"user_id" uuid,
	"redirect_to" text,
	"webauthn_challenge" text,
	"new_device" boolean DEFAULT false NOT NULL,
	"failures" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "user_factors" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"name" text NOT NULL,
	"totp_secret" text,
	"totp_last_step" bigint,
	"credential_id" text,
	"public_key" text,
	"sign_count" bigint,
	"transports" text[],
	"confirmed_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_used_at" timestamp with time zone,
	CONSTRAINT "user_factors_shape" CHECK ((kind = 'totp' and totp_secret is not null and credential_id is null) or (kind = 'passkey' and credential_id is not null and public_key is not null and confirmed_at is not null)),
	CONSTRAINT "user_factors_name_length" CHECK (length(name) between 1 and 60)
);
--> statement-breakpoint
ALTER TABLE "memberships" ADD COLUMN "sessions_not_before" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "organisations" ADD COLUMN "require_mfa" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "sessions" ADD COLUMN "mfa_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "sessions" ADD COLUMN "webauthn_challenge" text;--> statement-breakpoint
ALTER TABLE "recovery_codes" ADD CONSTRAINT "recovery_codes_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sign_in_challenges" ADD CONSTRAINT "sign_in_challenges_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "user_factors" ADD CONSTRAINT "user_factors_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "recovery_codes_user_hash_key" ON "recovery_codes" USING btree ("user_id","code_hash");--> statement-breakpoint
CREATE INDEX "sign_in_challenges_user_idx" ON "sign_in_challenges" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "sign_in_challenges_expires_idx" ON "sign_in_challenges" USING btree ("expires_at");--> statement-breakpoint
CREATE INDEX "user_factors_user_idx" ON "user_factors" USING btree ("user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "user_factors_one_totp" ON "user_factors" USING btree ("user_id") WHERE kind = 'totp';--> statement-breakpoint
CREATE UNIQUE INDEX "user_factors_credential_key" ON "user_factors" USING btree ("credential_id");--> statement-breakpoint
-- Issue 31 (ADR 0042): second factors, recovery codes and sign-ins waiting for their second factor
-- are the person's, global like the account: no policy and no grant, so the app role sees nothing;
-- they are read and written on the auth path (system context) for the signed-in person only.
ALTER TABLE user_factors ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE user_factors FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE recovery_codes ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE recovery_codes FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE sign_in_challenges ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE sign_in_challenges FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
GRANT UPDATE (require_mfa) ON organisations TO partnerdesk_app;
--> statement-breakpoint
-- Only the organisation's own active global admin changes whether it requires a second factor: not
-- a partner acting in a customer, not any other role. A partner's staff always need one (the app
-- does not read the column for partners), so switching it off there changes nothing.
CREATE FUNCTION pd_require_mfa_guard() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
  IF current_user <> 'partnerdesk_app' OR NEW.require_mfa IS NOT DISTINCT FROM OLD.require_mfa THEN
    RETURN NEW;
  END IF;
  IF nullif(current_setting('app.acting_partner_id', true), '') IS NOT NULL
     OR app_org_id() IS DISTINCT FROM NEW.id
     OR NOT EXISTS (SELECT 1 FROM memberships m
                     WHERE m.org_id = NEW.id AND m.user_id = app_user_id() AND m.status = 'active' AND 'global_admin' = ANY (m.roles)) THEN
    RAISE EXCEPTION 'only the organisation''s global admin changes its sign-in settings' USING ERRCODE = '42501';
  END IF;
  RETURN NEW;
END $$;
--> statement-breakpoint
CREATE TRIGGER organisations_require_mfa_guard BEFORE UPDATE OF require_mfa ON organisations
  FOR EACH ROW EXECUTE FUNCTION pd_require_mfa_guard();
--> statement-breakpoint
-- What an organisation's global admin sees of its members' second factors: whether each active
-- member has one, nothing more (not which, not when). Nothing for anyone else, nor for partner
-- staff acting in a customer.
CREATE FUNCTION pd_member_second_factors() RETURNS TABLE (user_id uuid, enrolled boolean)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT m.user_id, EXISTS (SELECT 1 FROM user_factors f WHERE f.user_id = m.user_id AND f.confirmed_at IS NOT NULL)
    FROM memberships m
   WHERE m.org_id = app_org_id() AND m.status = 'active'
     AND nullif(current_setting('app.acting_partner_id', true), '') IS NULL
     AND EXISTS (SELECT 1 FROM memberships me
                  WHERE me.org_id = app_org_id() AND me.user_id = app_user_id() AND me.status = 'active' AND 'global_admin' = ANY (me.roles))
$$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION pd_member_second_factors() FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION pd_member_second_factors() TO partnerdesk_app;
--> statement-breakpoint
-- An organisation's global admin ends a member's sessions in that organisation (the person's
-- sessions elsewhere are other organisations' business, but none of them may come back here);
-- returns how many ended.
CREATE FUNCTION pd_end_member_sessions(p_user uuid) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  n integer;
BEGIN
  IF nullif(current_setting('app.acting_partner_id', true), '') IS NOT NULL OR app_org_id() IS NULL
     OR NOT EXISTS (SELECT 1 FROM memberships me
                     WHERE me.org_id = app_org_id() AND me.user_id = app_user_id() AND me.status = 'active' AND 'global_admin' = ANY (me.roles)) THEN
    RAISE EXCEPTION 'only the organisation''s global admin ends its members'' sessions' USING ERRCODE = '42501';
  END IF;
  -- Sessions made until now no longer reach this organisation, also those now in another one the
  -- person belongs to (they cannot switch back here); then the ones here end.
  UPDATE memberships SET sessions_not_before = now() WHERE org_id = app_org_id() AND user_id = p_user;
  DELETE FROM sessions s
   WHERE s.user_id = p_user AND s.org_id = app_org_id()
     AND EXISTS (SELECT 1 FROM memberships m WHERE m.org_id = app_org_id() AND m.user_id = p_user);
  GET DIAGNOSTICS n = ROW_COUNT;
  RETURN n;
END $$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION pd_end_member_sessions(uuid) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION pd_end_member_sessions(uuid) TO partnerdesk_app;
