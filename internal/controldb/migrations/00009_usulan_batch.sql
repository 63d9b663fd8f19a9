-- +goose Up
-- The batches Dinas Sosial sends proposals to the centre in (the BNBA
-- upload). A batch is made here first; each kecamatan's verified
-- proposals then join it in the kecamatan's own database (usulan.batch),
-- and the counts are written back. A kecamatan that could not be reached
-- keeps its proposals verified, for the next batch.
CREATE TABLE usulan_batch (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- The period the batch sends ('' for every period).
    period           text NOT NULL DEFAULT '',
    created_by       bigint NOT NULL REFERENCES account (id),
    created_at       timestamptz NOT NULL DEFAULT now(),
    -- A retried request with the same key is the same batch.
    idempotency_key  text CHECK (length(idempotency_key) BETWEEN 1 AND 200),
    -- {"32.73.03": 12, ...}: how many proposals each kecamatan sent.
    sent             jsonb NOT NULL DEFAULT '{}',
    -- The kecamatan that could not be reached, and why.
    unavailable      jsonb NOT NULL DEFAULT '[]',
    UNIQUE (created_by, idempotency_key)
);

-- +goose Down
DROP TABLE usulan_batch;
