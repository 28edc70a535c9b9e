DROP INDEX "partner_listings_countries_idx";--> statement-breakpoint
DROP INDEX "partner_listings_cities_idx";--> statement-breakpoint
DROP INDEX "partner_listings_sizes_idx";--> statement-breakpoint
DROP INDEX "partner_listings_languages_idx";