-- +goose Up
-- A household moving to another kecamatan (pindah, docs/slrt.md): this
-- database's side of a transfer. Every step is keyed by the transfer's id
-- (the control database holds the transfer itself), so that a step tried
-- again after a crash finds it done instead of doing it twice.

-- A household on its way out, from the moment its rows are copied until
-- they are gone: its rows take no change, so that nothing written after the
-- copy is lost. Released when the transfer fails.
CREATE TABLE transfer_hold (
    transfer_id   uuid PRIMARY KEY,
    household_id  bigint NOT NULL,
    person_ids    bigint[] NOT NULL,
    held_at       timestamptz NOT NULL DEFAULT now()
);

-- A household that arrived: the copy's transaction writes it, so the copy
-- happens once.
CREATE TABLE household_arrival (
    transfer_id     uuid PRIMARY KEY,
    household_id    bigint REFERENCES household (id) ON DELETE SET NULL,
    from_kecamatan  text NOT NULL,
    arrived_at      timestamptz NOT NULL DEFAULT now()
);

-- What is left of a household that went (its tombstone): where and when,
-- how many, and the tracking codes of its referrals so that a resident's
-- code still answers. No personal data.
CREATE TABLE household_departure (
    transfer_id     uuid PRIMARY KEY,
    kelurahan_code  text NOT NULL REFERENCES kelurahan (code),
    to_kecamatan    text NOT NULL CHECK (to_kecamatan ~ '^[0-9]{2}\.[0-9]{2}\.[0-9]{2}$'),
    departed_at     timestamptz NOT NULL DEFAULT now(),
    members         integer NOT NULL,
    complaints      integer NOT NULL,
    tracking_codes  text[] NOT NULL DEFAULT '{}'
);
CREATE INDEX household_departure_kelurahan ON household_departure (kelurahan_code, departed_at);
CREATE INDEX household_departure_tracking ON household_departure USING gin (tracking_codes);

-- The registry's history says a household arrived by a transfer.
ALTER TABLE registry_change DROP CONSTRAINT registry_change_via_check;
ALTER TABLE registry_change ADD CONSTRAINT registry_change_via_check CHECK (via IN ('edit', 'import', 'usulan', 'pindah'));

-- Refuses a statement that wrote a row of a held household. Statement
-- triggers over the changed rows: with no hold (nearly always) the check
-- is one look at an empty table, whatever the statement's size.
-- +goose StatementBegin
CREATE FUNCTION transfer_refuse_held() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    held boolean;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM transfer_hold) THEN
        RETURN NULL;
    END IF;
    CASE TG_TABLE_NAME
    WHEN 'household' THEN
        SELECT EXISTS (SELECT 1 FROM changed c JOIN transfer_hold h ON h.household_id = c.id) INTO held;
    WHEN 'house' THEN
        SELECT EXISTS (SELECT 1 FROM changed c JOIN household x ON x.house_id = c.id JOIN transfer_hold h ON h.household_id = x.id) INTO held;
    WHEN 'person' THEN
        SELECT EXISTS (SELECT 1 FROM changed c JOIN transfer_hold h ON c.id = ANY (h.person_ids)) INTO held;
    WHEN 'membership' THEN
        SELECT EXISTS (SELECT 1 FROM changed c JOIN transfer_hold h ON c.person_id = ANY (h.person_ids) OR c.household_id = h.household_id) INTO held;
    WHEN 'complaint', 'referral' THEN
        SELECT EXISTS (SELECT 1 FROM changed c JOIN transfer_hold h ON c.person_id = ANY (h.person_ids)) INTO held;
    WHEN 'usulan' THEN
        SELECT EXISTS (SELECT 1 FROM changed c JOIN transfer_hold h ON c.person_id = ANY (h.person_ids) OR c.household_id = h.household_id) INTO held;
    WHEN 'referral_event' THEN
        SELECT EXISTS (SELECT 1 FROM changed c JOIN referral r ON r.id = c.referral_id JOIN transfer_hold h ON r.person_id = ANY (h.person_ids)) INTO held;
    ELSE -- assessment, complaint_event, follow_up
        SELECT EXISTS (SELECT 1 FROM changed c JOIN complaint k ON k.id = c.complaint_id JOIN transfer_hold h ON k.person_id = ANY (h.person_ids)) INTO held;
    END CASE;
    IF held THEN
        RAISE EXCEPTION 'the household is being moved to another kecamatan' USING ERRCODE = 'SL409';
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['house', 'household', 'person', 'membership', 'complaint', 'assessment',
                             'complaint_event', 'follow_up', 'referral', 'referral_event', 'usulan'] LOOP
        EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON %I REFERENCING NEW TABLE AS changed
                        FOR EACH STATEMENT EXECUTE FUNCTION transfer_refuse_held()', t || '_held_insert', t);
        EXECUTE format('CREATE TRIGGER %I AFTER UPDATE ON %I REFERENCING NEW TABLE AS changed
                        FOR EACH STATEMENT EXECUTE FUNCTION transfer_refuse_held()', t || '_held_update', t);
    END LOOP;
END
$$;
-- +goose StatementEnd

-- +goose Down
-- +goose StatementBegin
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['house', 'household', 'person', 'membership', 'complaint', 'assessment',
                             'complaint_event', 'follow_up', 'referral', 'referral_event', 'usulan'] LOOP
        EXECUTE format('DROP TRIGGER %I ON %I', t || '_held_insert', t);
        EXECUTE format('DROP TRIGGER %I ON %I', t || '_held_update', t);
    END LOOP;
END
$$;
-- +goose StatementEnd
DROP FUNCTION transfer_refuse_held();
ALTER TABLE registry_change DROP CONSTRAINT registry_change_via_check;
ALTER TABLE registry_change ADD CONSTRAINT registry_change_via_check CHECK (via IN ('edit', 'import', 'usulan'));
DROP TABLE household_departure, household_arrival, transfer_hold;
