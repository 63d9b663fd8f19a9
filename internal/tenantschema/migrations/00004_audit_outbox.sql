-- +goose Up
-- Audit entries of this kecamatan's requests, written in the same
-- transaction as the change they record and shipped to the control
-- database's audit_log (keyed by entry_id there too, so a repeated
-- shipment writes an entry once). Rows leave once the audit log has them.
CREATE TABLE audit_outbox (
    entry_id    text PRIMARY KEY,
    entry       jsonb NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE audit_outbox;
