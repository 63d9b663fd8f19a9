-- +goose Up
-- Receiving agencies (Dinkes, Disdik, Disdukcapil, BPJS, PDAM, ...): the
-- second authorisation axis beside areas.
CREATE TABLE agency (
    code text PRIMARY KEY CHECK (code ~ '^[A-Z0-9_-]{2,32}$'),
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200)
);

-- Staff accounts. A local password is optional so that accounts signing in
-- through an OpenID Connect provider map to the same rows.
CREATE TABLE account (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    username       text NOT NULL UNIQUE CHECK (username ~ '^[a-z0-9][a-z0-9._-]{2,63}$'),
    display_name   text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 200),
    password_hash  text,
    oidc_issuer    text,
    oidc_subject   text,
    disabled       boolean NOT NULL DEFAULT false,
    failed_logins  integer NOT NULL DEFAULT 0,
    locked_until   timestamptz,
    created_at     timestamptz NOT NULL DEFAULT now(),
    UNIQUE (oidc_issuer, oidc_subject)
);

-- Who holds which role where. Domain is an area code or agency:CODE.
CREATE TABLE role_grant (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id  bigint NOT NULL REFERENCES account (id) ON DELETE CASCADE,
    role        text NOT NULL CHECK (role IN ('petugas', 'koordinator', 'supervisor', 'dinsos', 'agency', 'admin', 'auditor')),
    domain      text NOT NULL CHECK (domain ~ '^([0-9]{2}\.[0-9]{2}(\.[0-9]{2}(\.[0-9]{4})?)?|agency:[A-Z0-9_-]{2,32})$'),
    created_at  timestamptz NOT NULL DEFAULT now(),
    created_by  bigint REFERENCES account (id) ON DELETE SET NULL,
    UNIQUE (account_id, role, domain)
);

-- Every API replica rebuilds its authorisation snapshot when grants, or the
-- accounts they belong to, change.
-- +goose StatementBegin
CREATE FUNCTION notify_grants_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('slrt_grants', '');
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE TRIGGER role_grant_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON role_grant
    FOR EACH STATEMENT EXECUTE FUNCTION notify_grants_changed();
CREATE TRIGGER account_disabled_changed AFTER UPDATE OF disabled OR DELETE ON account
    FOR EACH STATEMENT EXECUTE FUNCTION notify_grants_changed();

-- Browser sessions. The cookie carries id and secret; only the secret's hash
-- is stored.
CREATE TABLE session (
    id            text PRIMARY KEY,
    secret_hash   bytea NOT NULL,
    account_id    bigint NOT NULL REFERENCES account (id) ON DELETE CASCADE,
    csrf_token    text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz NOT NULL,
    last_seen_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX session_account ON session (account_id);

-- API tokens: random, stored only as a hash, with expiry; revocable.
CREATE TABLE api_token (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id    bigint NOT NULL REFERENCES account (id) ON DELETE CASCADE,
    name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    token_hash    bytea NOT NULL UNIQUE,
    created_at    timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz NOT NULL,
    last_used_at  timestamptz,
    revoked_at    timestamptz
);
CREATE INDEX api_token_account ON api_token (account_id);

-- The audit log: every write and every read of a personal record. Append-only:
-- rows can be inserted and read, never changed or removed.
CREATE TABLE audit_log (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at          timestamptz NOT NULL DEFAULT now(),
    request_id  text NOT NULL,
    account_id  bigint,
    username    text,
    roles       text NOT NULL DEFAULT '',
    tenant      text,
    kelurahan   text,
    action      text NOT NULL,
    object      text NOT NULL,
    outcome     text NOT NULL CHECK (outcome IN ('success', 'denied', 'failure')),
    purpose     text,
    client_ip   text
);
CREATE INDEX audit_log_at ON audit_log (at, id);
CREATE INDEX audit_log_account ON audit_log (account_id, at);
CREATE INDEX audit_log_tenant ON audit_log (tenant, at);

-- +goose StatementBegin
CREATE FUNCTION audit_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only' USING ERRCODE = 'insufficient_privilege';
END $$;
-- +goose StatementEnd
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_is_append_only();

-- +goose Down
DROP TABLE audit_log, api_token, session, role_grant, account, agency;
DROP FUNCTION audit_log_is_append_only, notify_grants_changed;
