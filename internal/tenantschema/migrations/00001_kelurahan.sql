-- +goose Up
-- The kelurahan of this kecamatan. Rows are kept in step with the Kecamatan
-- resource by the operator; other tables refer to them by code.
CREATE TABLE kelurahan (
    code text PRIMARY KEY CHECK (code ~ '^[0-9]{2}\.[0-9]{2}\.[0-9]{2}\.[0-9]{4}$'),
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100)
);

-- +goose Down
DROP TABLE kelurahan;
