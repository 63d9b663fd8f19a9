-- +goose Up
-- A set-based write can give each household of one statement its own
-- reason: with slrt.reasons set to 'on', the history reads a household
-- change's reason from the session's temporary table registry_reason
-- (household_id, reason), which the writer fills first. The centre's
-- result applies this way, each household's change naming its proposal.
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION registry_record_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    old_j  jsonb := to_jsonb(OLD) - registry_change_noise();
    new_j  jsonb := to_jsonb(NEW) - registry_change_noise();
    b      jsonb;
    a      jsonb;
    hh     bigint;
    why    text;
BEGIN
    SELECT jsonb_object_agg(e.key, old_j -> e.key), jsonb_object_agg(e.key, e.value)
      INTO b, a
      FROM jsonb_each(new_j) e
     WHERE e.value IS DISTINCT FROM old_j -> e.key;
    IF a IS NULL THEN
        RETURN NULL;
    END IF;
    IF TG_TABLE_NAME = 'household' THEN
        hh := NEW.id;
    ELSIF TG_TABLE_NAME = 'membership' THEN
        hh := NEW.household_id;
    END IF;
    why := nullif(current_setting('slrt.reason', true), '');
    -- Planned only when taken: the table exists only for such a writer.
    IF TG_TABLE_NAME = 'household' AND current_setting('slrt.reasons', true) = 'on' THEN
        SELECT r.reason INTO why FROM registry_reason r WHERE r.household_id = NEW.id;
    END IF;
    INSERT INTO registry_change (entity, entity_id, household_id, kind, actor, username, via, reason, before, after)
    VALUES (TG_TABLE_NAME, NEW.id, hh, 'changed',
            nullif(current_setting('slrt.actor', true), '')::bigint,
            coalesce(current_setting('slrt.username', true), ''),
            coalesce(nullif(current_setting('slrt.via', true), ''), 'edit'),
            why, b, a);
    RETURN NULL;
END
$$;
-- +goose StatementEnd

-- +goose Down
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION registry_record_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    old_j  jsonb := to_jsonb(OLD) - registry_change_noise();
    new_j  jsonb := to_jsonb(NEW) - registry_change_noise();
    b      jsonb;
    a      jsonb;
    hh     bigint;
BEGIN
    SELECT jsonb_object_agg(e.key, old_j -> e.key), jsonb_object_agg(e.key, e.value)
      INTO b, a
      FROM jsonb_each(new_j) e
     WHERE e.value IS DISTINCT FROM old_j -> e.key;
    IF a IS NULL THEN
        RETURN NULL;
    END IF;
    IF TG_TABLE_NAME = 'household' THEN
        hh := NEW.id;
    ELSIF TG_TABLE_NAME = 'membership' THEN
        hh := NEW.household_id;
    END IF;
    INSERT INTO registry_change (entity, entity_id, household_id, kind, actor, username, via, reason, before, after)
    VALUES (TG_TABLE_NAME, NEW.id, hh, 'changed',
            nullif(current_setting('slrt.actor', true), '')::bigint,
            coalesce(current_setting('slrt.username', true), ''),
            coalesce(nullif(current_setting('slrt.via', true), ''), 'edit'),
            nullif(current_setting('slrt.reason', true), ''),
            b, a);
    RETURN NULL;
END
$$;
-- +goose StatementEnd
