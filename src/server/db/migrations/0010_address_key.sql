-- Addresses in walking order (第一组9号 before 10号): the key is written with the address by the
-- app (addressSortKey in src/domain/residents.ts). Existing rows get the same key here, once:
-- full-width digits read as ASCII, each digit run padded to 10 (prefixed with ten zeros, then
-- cut back to its last ten digits).
ALTER TABLE "households" ADD COLUMN "address_key" text;--> statement-breakpoint
ALTER TABLE "persons" ADD COLUMN "address_key" text;--> statement-breakpoint
UPDATE "households" SET "address_key" = regexp_replace(regexp_replace(translate("address", '０１２３４５６７８９', '0123456789'), '([0-9]+)', '0000000000\1', 'g'), '0*([0-9]{10})', '\1', 'g');--> statement-breakpoint
UPDATE "persons" SET "address_key" = regexp_replace(regexp_replace(translate("address", '０１２３４５６７８９', '0123456789'), '([0-9]+)', '0000000000\1', 'g'), '0*([0-9]{10})', '\1', 'g');--> statement-breakpoint
ALTER TABLE "households" ALTER COLUMN "address_key" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "persons" ALTER COLUMN "address_key" SET NOT NULL;
