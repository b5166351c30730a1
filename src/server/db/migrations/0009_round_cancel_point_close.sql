ALTER TABLE "collection_points" ADD COLUMN "closed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "test_rounds" ADD COLUMN "cancelled_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "test_rounds" ADD COLUMN "cancel_reason" text;--> statement-breakpoint
-- Tube codes are kept in capitals from now on (one barcode, however typed): existing ones follow,
-- those whose capital form no other tube shares (two tubes that differ only by case stay as they
-- are: renaming either would take the other's code).
WITH unique_upper AS (SELECT upper("code") AS up FROM "tubes" GROUP BY 1 HAVING count(*) = 1)
UPDATE "tubes" t SET "code" = upper(t."code") FROM unique_upper c
WHERE t."code" <> upper(t."code") AND c.up = upper(t."code");
