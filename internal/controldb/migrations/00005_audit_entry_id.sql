-- +goose Up
-- An audit entry's own id, given by the API when the entry is made: an
-- entry shipped twice (from a kecamatan's outbox, after a failure) is kept
-- once. Entries from before it have none.
ALTER TABLE audit_log ADD COLUMN entry_id text UNIQUE;

-- +goose Down
ALTER TABLE audit_log DROP COLUMN entry_id;
