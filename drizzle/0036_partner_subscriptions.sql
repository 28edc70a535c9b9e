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
CREATE INDEX "partner_subscriptions_created_idx" ON "partner_subscriptions" USING btree ("partner_org_id","created_at","subscription_id");--> statement-breakpoint
CREATE INDEX "partner_subscriptions_status_idx" ON "partner_subscriptions" USING btree ("partner_org_id","status","created_at","subscription_id");--> statement-breakpoint
CREATE INDEX "partner_subscriptions_customer_idx" ON "partner_subscriptions" USING btree ("partner_org_id","customer_org_id");--> statement-breakpoint
CREATE INDEX "partner_subscriptions_totals_idx" ON "partner_subscriptions" USING btree ("partner_org_id","status","product_id","licences");