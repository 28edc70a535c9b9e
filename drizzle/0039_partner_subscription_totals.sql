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
CREATE INDEX "partner_subscription_total_changes_partner_idx" ON "partner_subscription_total_changes" USING btree ("partner_org_id","status","product_id");