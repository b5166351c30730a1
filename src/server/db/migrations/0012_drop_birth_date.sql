-- See 0011: the birth date was half the ID number in clear.
ALTER TABLE "persons" DROP COLUMN "birth_date";