-- +goose Up
-- API replicas cache authenticated credentials briefly; they drop the cache
-- when a token is revoked or removed, a session ends, or an account changes.
-- +goose StatementBegin
CREATE FUNCTION notify_credentials_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('slrt_credentials', '');
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE TRIGGER api_token_changed AFTER UPDATE OF revoked_at, expires_at OR DELETE ON api_token
    FOR EACH STATEMENT EXECUTE FUNCTION notify_credentials_changed();
CREATE TRIGGER session_ended AFTER DELETE ON session
    FOR EACH STATEMENT EXECUTE FUNCTION notify_credentials_changed();
CREATE TRIGGER account_changed AFTER UPDATE OR DELETE ON account
    FOR EACH STATEMENT EXECUTE FUNCTION notify_credentials_changed();

-- +goose Down
DROP TRIGGER account_changed ON account;
DROP TRIGGER session_ended ON session;
DROP TRIGGER api_token_changed ON api_token;
DROP FUNCTION notify_credentials_changed;
