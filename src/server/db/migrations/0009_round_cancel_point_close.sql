ALTER TABLE "collection_points" ADD COLUMN "closed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "test_rounds" ADD COLUMN "cancelled_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "test_rounds" ADD COLUMN "cancel_reason" text;--> statement-breakpoint
-- Tube codes are kept in capitals from now on (one barcode, however typed): existing ones follow,
-- unless their capital form is already another tube's.
UPDATE "tubes" t SET "code" = upper(t."code")
WHERE t."code" <> upper(t."code") AND NOT EXISTS (SELECT 1 FROM "tubes" u WHERE u."code" = upper(t."code"));
