CREATE TABLE "lookup_marks" (
	"user_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"mask" text DEFAULT '' NOT NULL,
	"hash" text NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "lookup_marks_user_id_kind_mask_hash_pk" PRIMARY KEY("user_id","kind","mask","hash")
);
