-- +goose Up
-- Proposals (usulan) to the national registry and the musyawarah kelurahan
-- (muskel) that discusses them. The statuses and transitions are
-- internal/usulan's; these CHECKs are the last line.

-- A musyawarah kelurahan: a meeting of one kelurahan in a proposal period,
-- recorded by its koordinator, with who attended. The proposals it decided
-- point at it.
CREATE TABLE musyawarah (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kelurahan_code  text NOT NULL REFERENCES kelurahan (code),
    -- The city's proposal period (control database's usulan_period).
    period          text NOT NULL CHECK (length(period) BETWEEN 1 AND 20),
    held_on         date NOT NULL,
    place           text NOT NULL CHECK (length(place) BETWEEN 1 AND 200),
    chair           text NOT NULL CHECK (length(chair) BETWEEN 1 AND 150),
    -- [{"name": ..., "role": ...}], roles as internal/proposal lists them.
    attendees       jsonb NOT NULL CHECK (jsonb_typeof(attendees) = 'array'),
    notes           text CHECK (length(notes) <= 2000),
    recorded_by     bigint NOT NULL,
    recorded_name   text NOT NULL,
    recorded_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX musyawarah_kelurahan ON musyawarah (kelurahan_code, held_on DESC);

CREATE TABLE usulan (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kelurahan_code  text NOT NULL REFERENCES kelurahan (code),
    kind            text NOT NULL CHECK (kind IN ('keluarga_baru', 'perbaikan', 'nonaktif', 'program')),
    status          text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'diajukan', 'disepakati', 'ditolak_muskel',
                        'diverifikasi', 'dikembalikan', 'ditolak_dinsos', 'dikirim', 'ditetapkan', 'tidak_ditetapkan', 'dibatalkan')),
    -- What it is about: a household, a person of one, or (keluarga_baru)
    -- nothing registered yet.
    household_id    bigint REFERENCES household (id),
    person_id       bigint REFERENCES person (id),
    -- The complaint whose assessment led to it, if any.
    complaint_id    bigint REFERENCES complaint (id),
    -- Whom it is about, as lists show it: the head's or the person's name.
    subject         text NOT NULL CHECK (length(subject) BETWEEN 1 AND 150),
    -- What is proposed, by kind: the household with its members; the
    -- fields before and after; the reason and evidence; the programme.
    proposal        jsonb NOT NULL,
    reason          text CHECK (length(reason) <= 1000),
    -- The period it was submitted in; null until submitted.
    period          text,
    musyawarah_id   bigint REFERENCES musyawarah (id),
    -- The batch it was sent to the centre in.
    batch           text,
    created_by      bigint NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CHECK (kind = 'keluarga_baru' OR household_id IS NOT NULL)
);
CREATE INDEX usulan_kelurahan ON usulan (kelurahan_code, status, id);
CREATE INDEX usulan_household ON usulan (household_id) WHERE household_id IS NOT NULL;
CREATE INDEX usulan_musyawarah ON usulan (musyawarah_id) WHERE musyawarah_id IS NOT NULL;

-- Every step of a proposal: who, when, from what to what, and why.
CREATE TABLE usulan_event (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    usulan_id      bigint NOT NULL REFERENCES usulan (id),
    from_status    text,
    to_status      text NOT NULL,
    actor          bigint NOT NULL,
    username       text NOT NULL,
    role           text NOT NULL,
    reason         text CHECK (length(reason) <= 1000),
    musyawarah_id  bigint REFERENCES musyawarah (id),
    at             timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX usulan_event_usulan ON usulan_event (usulan_id, id);

-- +goose Down
DROP TABLE usulan_event;
DROP TABLE usulan;
DROP TABLE musyawarah;
