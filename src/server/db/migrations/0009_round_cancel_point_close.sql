ALTER TABLE "collection_points" ADD COLUMN "closed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "test_rounds" ADD COLUMN "cancelled_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "test_rounds" ADD COLUMN "cancel_reason" text;