CREATE TABLE "released_tube_members" (
	"round_id" uuid NOT NULL,
	"person_id" uuid NOT NULL,
	"tube_id" uuid NOT NULL,
	"sampler_id" uuid,
	"scanned_at" timestamp with time zone NOT NULL,
	"released_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "released_tube_members_tube_id_person_id_pk" PRIMARY KEY("tube_id","person_id")
);
--> statement-breakpoint
CREATE INDEX "released_tube_members_round_idx" ON "released_tube_members" USING btree ("round_id");