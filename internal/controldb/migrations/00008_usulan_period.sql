-- +goose Up
-- The city's proposal periods (periode usulan): Dinas Sosial opens them as
-- the national registry's updates require (four a year by default). A
-- proposal is submitted into the period open that day; a kelurahan holds
-- its musyawarah by muskel_by. Periods never overlap.
CREATE TABLE usulan_period (
    code        text PRIMARY KEY CHECK (code ~ '^[0-9]{4}-[0-9A-Za-z]{1,8}$'),
    opens_on    date NOT NULL,
    closes_on   date NOT NULL CHECK (closes_on >= opens_on),
    muskel_by   date NOT NULL CHECK (muskel_by >= opens_on),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    EXCLUDE USING gist (daterange(opens_on, closes_on, '[]') WITH &&)
);

-- A period's changes are kept as the catalogue's are.
ALTER TABLE catalogue_change DROP CONSTRAINT catalogue_change_kind_check;
ALTER TABLE catalogue_change ADD CONSTRAINT catalogue_change_kind_check
    CHECK (kind IN ('layanan', 'kategori', 'libur', 'periode'));

-- +goose Down
DELETE FROM catalogue_change WHERE kind = 'periode';
ALTER TABLE catalogue_change DROP CONSTRAINT catalogue_change_kind_check;
ALTER TABLE catalogue_change ADD CONSTRAINT catalogue_change_kind_check
    CHECK (kind IN ('layanan', 'kategori', 'libur'));
DROP TABLE usulan_period;
