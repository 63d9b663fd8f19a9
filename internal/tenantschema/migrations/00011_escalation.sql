-- +goose Up
-- A case the kelurahan cannot solve (no service fits, agencies failed it
-- twice, an emergency), escalated by the koordinator to Dinas Sosial,
-- which takes it from the city's queue and records its decision. One open
-- escalation per case.
CREATE TABLE escalation (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    complaint_id    bigint NOT NULL REFERENCES complaint (id),
    reason          text NOT NULL CHECK (reason IN ('tidak_ada_layanan', 'instansi_gagal', 'darurat')),
    note            text NOT NULL CHECK (length(note) BETWEEN 1 AND 2000),
    status          text NOT NULL DEFAULT 'menunggu' CHECK (status IN ('menunggu', 'ditangani', 'diputuskan')),
    escalated_by    bigint NOT NULL,
    escalated_name  text NOT NULL,
    escalated_at    timestamptz NOT NULL DEFAULT now(),
    taken_by        bigint,
    taken_name      text,
    taken_at        timestamptz,
    decision        text CHECK (length(decision) BETWEEN 1 AND 4000),
    decided_name    text,
    decided_at      timestamptz,
    CHECK ((status = 'menunggu') = (taken_at IS NULL)),
    CHECK ((status = 'diputuskan') = (decided_at IS NOT NULL))
);
CREATE UNIQUE INDEX escalation_one_open ON escalation (complaint_id) WHERE status <> 'diputuskan';
CREATE INDEX escalation_open ON escalation (escalated_at) WHERE status <> 'diputuskan';
CREATE INDEX escalation_complaint ON escalation (complaint_id);

-- +goose Down
DROP TABLE escalation;
