-- +goose Up
-- The resident's PPKS categories, as the assessment found them (codes of
-- the control database's ppks_category).
ALTER TABLE assessment ADD COLUMN ppks text[] NOT NULL DEFAULT '{}'
    CHECK (cardinality(ppks) <= 26);

-- +goose Down
ALTER TABLE assessment DROP COLUMN ppks;
