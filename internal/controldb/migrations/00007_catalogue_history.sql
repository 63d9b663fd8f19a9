-- +goose Up
-- Every change Dinas Sosial makes to what it keeps for the city (a service,
-- a complaint category, a holiday): who, when, why, and the entry before
-- and after as JSON (before is null when it was created, after when it was
-- deleted). Written in the same transaction as the change.
CREATE TABLE catalogue_change (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind        text NOT NULL CHECK (kind IN ('layanan', 'kategori', 'libur')),
    code        text NOT NULL,
    account_id  bigint REFERENCES account (id) ON DELETE SET NULL,
    reason      text NOT NULL DEFAULT '' CHECK (length(reason) <= 500),
    before      jsonb,
    after       jsonb,
    changed_at  timestamptz NOT NULL DEFAULT now(),
    CHECK (before IS NOT NULL OR after IS NOT NULL)
);

CREATE INDEX catalogue_change_entry ON catalogue_change (kind, code, id DESC);
CREATE INDEX catalogue_change_kind ON catalogue_change (kind, id DESC);

-- +goose Down
DROP TABLE catalogue_change;
