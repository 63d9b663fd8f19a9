-- +goose Up
-- The registry's history of changes: every change of a house, household,
-- person or membership, with who made it, how (edited, imported, through a
-- proposal), why, and the fields that changed before and after. Triggers
-- write the changes of existing rows in the same transaction, whatever path
-- the change took; the application says who and why with
-- transaction-local settings (slrt.actor, slrt.username, slrt.via,
-- slrt.reason).
--
-- A record created by hand is one 'created' entry without its fields (the
-- record holds them), written by the statement that creates it through
-- registry_created; a membership's keeps its household and relationship.
-- A load creates rows without one: its created_at and the import's audit
-- entry tell it, the history does not copy the registry, and a bulk load
-- pays no trigger for its inserts.
CREATE TABLE registry_change (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    entity        text NOT NULL CHECK (entity IN ('house', 'household', 'person', 'membership')),
    entity_id     bigint NOT NULL,
    -- The household a household or membership change belongs to.
    household_id  bigint,
    kind          text NOT NULL CHECK (kind IN ('created', 'changed')),
    actor         bigint,
    username      text NOT NULL DEFAULT '',
    via           text NOT NULL DEFAULT 'edit' CHECK (via IN ('edit', 'import', 'usulan')),
    reason        text CHECK (length(reason) <= 500),
    before        jsonb,
    after         jsonb,
    at            timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX registry_change_entity ON registry_change (entity, entity_id, id);
CREATE INDEX registry_change_household ON registry_change (household_id, id) WHERE household_id IS NOT NULL;

-- Columns a change never lists: bookkeeping, and what is derived.
-- +goose StatementBegin
CREATE FUNCTION registry_change_noise() RETURNS text[] LANGUAGE sql IMMUTABLE AS $$
    SELECT ARRAY['id', 'created_at', 'updated_at', 'name_key', 'recorded_by']
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION registry_created(entity text, entity_id bigint, household_id bigint, after jsonb) RETURNS bigint
LANGUAGE sql AS $$
    INSERT INTO registry_change (entity, entity_id, household_id, kind, actor, username, via, reason, after)
    VALUES (entity, entity_id, household_id, 'created',
            nullif(current_setting('slrt.actor', true), '')::bigint,
            coalesce(current_setting('slrt.username', true), ''),
            coalesce(nullif(current_setting('slrt.via', true), ''), 'edit'),
            nullif(current_setting('slrt.reason', true), ''),
            after)
    RETURNING entity_id
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION registry_record_change() RETURNS trigger LANGUAGE plpgsql AS $$
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

-- A row trigger with a WHEN clause queues nothing for a row it does not
-- fire on: an update that changes nothing costs only the clause.
CREATE TRIGGER house_changed AFTER UPDATE ON house FOR EACH ROW
    WHEN ((to_jsonb(OLD) - 'updated_at') IS DISTINCT FROM (to_jsonb(NEW) - 'updated_at')) EXECUTE FUNCTION registry_record_change();
CREATE TRIGGER household_changed AFTER UPDATE ON household FOR EACH ROW
    WHEN ((to_jsonb(OLD) - 'updated_at') IS DISTINCT FROM (to_jsonb(NEW) - 'updated_at')) EXECUTE FUNCTION registry_record_change();
CREATE TRIGGER person_changed AFTER UPDATE ON person FOR EACH ROW
    WHEN ((to_jsonb(OLD) - 'updated_at') IS DISTINCT FROM (to_jsonb(NEW) - 'updated_at')) EXECUTE FUNCTION registry_record_change();
CREATE TRIGGER membership_changed AFTER UPDATE ON membership FOR EACH ROW
    WHEN (OLD IS DISTINCT FROM NEW) EXECUTE FUNCTION registry_record_change();

-- +goose Down
DROP TABLE registry_change;
DROP FUNCTION registry_record_change() CASCADE;
DROP FUNCTION registry_created(text, bigint, bigint, jsonb);
DROP FUNCTION registry_change_noise();
