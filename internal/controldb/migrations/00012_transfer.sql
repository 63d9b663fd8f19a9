-- +goose Up
-- Households moving between kecamatan (pindah, docs/slrt.md). A transfer
-- is asked for by the receiving Puskesos or offered by the sending one,
-- decided by the other side's koordinator, then carried out by a
-- background job in steps, each recorded here so that both sides and Dinas
-- Sosial see where it is and a job tried again resumes after the last.
-- Personal data stays in the tenant databases: this row names the
-- household by its id in the sending kecamatan's database.
CREATE TABLE transfer (
    id                uuid PRIMARY KEY,
    from_tenant       text NOT NULL CHECK (from_tenant ~ '^[0-9]{2}\.[0-9]{2}\.[0-9]{2}$'),
    household_id      bigint NOT NULL,
    from_kelurahan    text NOT NULL CHECK (from_kelurahan ~ '^[0-9]{2}\.[0-9]{2}\.[0-9]{2}\.[0-9]{4}$'),
    to_tenant         text NOT NULL CHECK (to_tenant ~ '^[0-9]{2}\.[0-9]{2}\.[0-9]{2}$' AND to_tenant <> from_tenant),
    -- Where the household will live: named by the receiving side, when it
    -- asks or when it accepts an offer. The address is cleared once done.
    to_kelurahan      text CHECK (to_kelurahan ~ '^[0-9]{2}\.[0-9]{2}\.[0-9]{2}\.[0-9]{4}$'),
    address           jsonb,
    initiated_by      text NOT NULL CHECK (initiated_by IN ('penerima', 'pengirim')),
    status            text NOT NULL DEFAULT 'diminta'
        CHECK (status IN ('diminta', 'diterima', 'ditolak', 'dibatalkan', 'selesai', 'gagal')),
    -- The last step done of an accepted transfer.
    step              text NOT NULL DEFAULT '' CHECK (step IN ('', 'ditahan', 'disalin', 'diindeks')),
    reason            text NOT NULL CHECK (length(reason) BETWEEN 1 AND 1000),
    decision_reason   text CHECK (length(decision_reason) <= 1000),
    -- Why the job waits (a database it cannot reach) or why it failed.
    waiting           text,
    members           integer,
    complaints        integer,
    new_household_id  bigint,
    requested_by      bigint NOT NULL REFERENCES account (id),
    requested_at      timestamptz NOT NULL DEFAULT now(),
    decided_by        bigint REFERENCES account (id),
    decided_at        timestamptz,
    completed_at      timestamptz,
    updated_at        timestamptz NOT NULL DEFAULT now(),
    -- A create sent again with its key gets the transfer it made.
    idempotency_key   text,
    UNIQUE (requested_by, idempotency_key),
    CHECK (status <> 'diterima' OR to_kelurahan IS NOT NULL)
);
-- One open transfer per household: two asked at once from both sides, one wins.
CREATE UNIQUE INDEX transfer_one_open ON transfer (from_tenant, household_id) WHERE status IN ('diminta', 'diterima');
CREATE INDEX transfer_from ON transfer (from_tenant, requested_at DESC);
CREATE INDEX transfer_to ON transfer (to_tenant, requested_at DESC);

-- The background jobs' queue (River), migrated with this database.
CREATE SCHEMA river;

-- +goose Down
DROP SCHEMA river CASCADE;
DROP TABLE transfer;
