-- +goose Up
-- Households counted by what targeting asks of them: kelurahan, desil and
-- the programmes received, with their current members. Statement triggers
-- keep it as households and memberships change (a load pays one
-- aggregated statement, not a trigger per row), so that any cut-off's
-- exclusion and inclusion are a sum over a few hundred rows rather than a
-- pass over the registry. A household without a desil is not counted.
CREATE TABLE household_profile (
    kelurahan_code  text NOT NULL,
    desil           smallint NOT NULL,
    -- Sorted, so that one set of programmes is one row.
    programmes      text[] NOT NULL,
    households      bigint NOT NULL,
    persons         bigint NOT NULL,
    PRIMARY KEY (kelurahan_code, desil, programmes)
);

-- +goose StatementBegin
CREATE FUNCTION sorted_programmes(p text[]) RETURNS text[] LANGUAGE sql IMMUTABLE AS $$
    SELECT coalesce(array_agg(x ORDER BY x), '{}') FROM unnest(p) AS x
$$;
-- +goose StatementEnd

-- Adds signed counts (households and persons) to their profiles.
-- +goose StatementBegin
CREATE FUNCTION household_profile_add(kel text[], desil smallint[], programmes text[], households bigint[], persons bigint[])
RETURNS void LANGUAGE sql AS $$
    INSERT INTO household_profile AS p (kelurahan_code, desil, programmes, households, persons)
    SELECT d.k, d.d, string_to_array(d.p, ','), sum(d.h), sum(d.n)
    FROM unnest(kel, desil, programmes, households, persons) AS d(k, d, p, h, n)
    GROUP BY 1, 2, 3
    ON CONFLICT (kelurahan_code, desil, programmes) DO UPDATE
        SET households = p.households + EXCLUDED.households, persons = p.persons + EXCLUDED.persons
$$;
-- +goose StatementEnd

-- A household's current members.
-- +goose StatementBegin
-- ($1, not a name: in a SQL function a column of the same name would win.)
CREATE FUNCTION household_profile_members_of(household bigint) RETURNS bigint LANGUAGE sql STABLE AS $$
    SELECT count(*) FROM membership m WHERE m.household_id = $1 AND m.until IS NULL
$$;
-- +goose StatementEnd

-- A statement on household: the old rows leave their profile, the new
-- join theirs, each with its current members. (A transition table exists
-- only for the operations that have it, hence a query per operation.)
-- +goose StatementBegin
CREATE FUNCTION household_profile_households() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM household_profile_add(array_agg(kelurahan_code), array_agg(desil), array_agg(array_to_string(sorted_programmes(programmes), ',')),
            array_agg(-1::bigint), array_agg(-household_profile_members_of(id)))
        FROM old_rows WHERE desil IS NOT NULL HAVING count(*) > 0;
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        PERFORM household_profile_add(array_agg(kelurahan_code), array_agg(desil), array_agg(array_to_string(sorted_programmes(programmes), ',')),
            array_agg(1::bigint), array_agg(household_profile_members_of(id)))
        FROM new_rows WHERE desil IS NOT NULL HAVING count(*) > 0;
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

-- A statement on membership: a current membership that ends, begins or
-- moves changes its household's persons.
-- +goose StatementBegin
CREATE FUNCTION household_profile_members() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM household_profile_add(array_agg(h.kelurahan_code), array_agg(h.desil),
            array_agg(array_to_string(sorted_programmes(h.programmes), ',')), array_agg(0::bigint), array_agg(-1::bigint))
        FROM old_rows o JOIN household h ON h.id = o.household_id WHERE o.until IS NULL AND h.desil IS NOT NULL HAVING count(*) > 0;
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        PERFORM household_profile_add(array_agg(h.kelurahan_code), array_agg(h.desil),
            array_agg(array_to_string(sorted_programmes(h.programmes), ',')), array_agg(0::bigint), array_agg(1::bigint))
        FROM new_rows n JOIN household h ON h.id = n.household_id WHERE n.until IS NULL AND h.desil IS NOT NULL HAVING count(*) > 0;
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER household_profile_insert AFTER INSERT ON household REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION household_profile_households();
CREATE TRIGGER household_profile_update AFTER UPDATE ON household REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION household_profile_households();
CREATE TRIGGER household_profile_delete AFTER DELETE ON household REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION household_profile_households();
CREATE TRIGGER membership_profile_insert AFTER INSERT ON membership REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION household_profile_members();
CREATE TRIGGER membership_profile_update AFTER UPDATE ON membership REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION household_profile_members();
CREATE TRIGGER membership_profile_delete AFTER DELETE ON membership REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION household_profile_members();

INSERT INTO household_profile (kelurahan_code, desil, programmes, households, persons)
SELECT h.kelurahan_code, h.desil, sorted_programmes(h.programmes), count(*), coalesce(sum(m.n), 0)
FROM household h
LEFT JOIN (SELECT household_id, count(*) AS n FROM membership WHERE until IS NULL GROUP BY household_id) m ON m.household_id = h.id
WHERE h.desil IS NOT NULL
GROUP BY 1, 2, 3;

-- +goose Down
DROP TRIGGER household_profile_insert ON household;
DROP TRIGGER household_profile_update ON household;
DROP TRIGGER household_profile_delete ON household;
DROP TRIGGER membership_profile_insert ON membership;
DROP TRIGGER membership_profile_update ON membership;
DROP TRIGGER membership_profile_delete ON membership;
DROP FUNCTION household_profile_members();
DROP FUNCTION household_profile_households();
DROP FUNCTION household_profile_members_of(bigint);
DROP FUNCTION household_profile_add(text[], smallint[], text[], bigint[], bigint[]);
DROP FUNCTION sorted_programmes(text[]);
DROP TABLE household_profile;
