-- +goose Up
-- Each programme's targeting rule as Dinas Sosial keeps it: the highest
-- desil it serves (the cut-off, set by decree and changed by decree) and
-- the city's quota from the centre, if known. Targeting counts who is
-- eligible but missed, and who receives above the cut-off, against these.
CREATE TABLE programme_rule (
    code        text PRIMARY KEY CHECK (code IN ('PKH', 'BPNT', 'PBI_JK', 'PBI_DAERAH', 'KIP', 'PIP', 'RTLH', 'BLT', 'ATENSI')),
    max_desil   smallint NOT NULL CHECK (max_desil BETWEEN 1 AND 10),
    quota       integer CHECK (quota >= 0),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
-- The cut-offs in use when this was written: PKH desil 1-4, Sembako/BPNT
-- and PBI-JK desil 1-5.
INSERT INTO programme_rule (code, max_desil) VALUES ('PKH', 4), ('BPNT', 5), ('PBI_JK', 5);

ALTER TABLE catalogue_change DROP CONSTRAINT catalogue_change_kind_check;
ALTER TABLE catalogue_change ADD CONSTRAINT catalogue_change_kind_check
    CHECK (kind IN ('layanan', 'kategori', 'libur', 'periode', 'program'));

-- +goose Down
DELETE FROM catalogue_change WHERE kind = 'program';
ALTER TABLE catalogue_change DROP CONSTRAINT catalogue_change_kind_check;
ALTER TABLE catalogue_change ADD CONSTRAINT catalogue_change_kind_check
    CHECK (kind IN ('layanan', 'kategori', 'libur', 'periode'));
DROP TABLE programme_rule;
