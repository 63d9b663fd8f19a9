-- +goose Up
-- A password city IT generated for an account (a new one, or a reset) is
-- for one sign-in: until its holder sets their own, the account may do
-- nothing but that.
ALTER TABLE account ADD COLUMN must_change_password boolean NOT NULL DEFAULT false;

-- +goose Down
ALTER TABLE account DROP COLUMN must_change_password;
