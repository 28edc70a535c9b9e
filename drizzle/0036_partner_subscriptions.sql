-- The partner_subscriptions read model and its totals (ADR 0013), and audit_log indexes for the
-- action filter (IF NOT EXISTS: on a large installation, build them beforehand CONCURRENTLY).
CREATE TABLE "partner_subscription_total_changes" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "partner_subscription_total_changes_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"partner_org_id" uuid NOT NULL,
	"status" text NOT NULL,
	"product_id" text NOT NULL,
	"subscriptions" integer NOT NULL,
	"licences" integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE "partner_subscription_totals" (
	"partner_org_id" uuid NOT NULL,
	"status" text NOT NULL,
	"product_id" text NOT NULL,
	"subscriptions" bigint NOT NULL,
	"licences" bigint NOT NULL,
	CONSTRAINT "partner_subscription_totals_partner_org_id_status_product_id_pk" PRIMARY KEY("partner_org_id","status","product_id")
);
--> statement-breakpoint
CREATE TABLE "partner_subscriptions" (
	"partner_org_id" uuid NOT NULL,
	"subscription_id" uuid NOT NULL,
	"customer_org_id" uuid NOT NULL,
	"product_id" text NOT NULL,
	"licences" integer NOT NULL,
	"status" text NOT NULL,
	"is_partner_of_record" boolean NOT NULL,
	"is_reseller" boolean NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"ends_at" timestamp with time zone,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "partner_subscriptions_partner_org_id_subscription_id_pk" PRIMARY KEY("partner_org_id","subscription_id")
);
--> statement-breakpoint
CREATE INDEX "partner_subscription_total_changes_partner_idx" ON "partner_subscription_total_changes" USING btree ("partner_org_id","status","product_id");--> statement-breakpoint
CREATE INDEX "partner_subscriptions_created_idx" ON "partner_subscriptions" USING btree ("partner_org_id","created_at","subscription_id");--> statement-breakpoint
CREATE INDEX "partner_subscriptions_status_idx" ON "partner_subscriptions" USING btree ("partner_org_id","status","created_at","subscription_id");--> statement-breakpoint
CREATE INDEX "partner_subscriptions_customer_idx" ON "partner_subscriptions" USING btree ("partner_org_id","customer_org_id");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "audit_log_actor_action_idx" ON "audit_log" USING btree ("actor_org_id","action","id");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "audit_log_subject_action_idx" ON "audit_log" USING btree ("subject_org_id","action","id");