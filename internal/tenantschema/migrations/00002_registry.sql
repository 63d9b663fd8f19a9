-- +goose Up
-- The social registry of this kecamatan: houses, the households (KK) living in
-- them, and the persons in each household, with the fields of DTKS/DTSEN.
-- Enumerated values are codes (docs/registry.md); the API checks them first,
-- these CHECKs are the last line.

-- pg_trgm is a trusted extension: the database owner (the tenant role) may
-- create it. It backs the name search that tolerates spelling variants.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- A house (bangunan tempat tinggal): several KK can live in one.
CREATE TABLE house (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kelurahan_code  text NOT NULL REFERENCES kelurahan (code),
    rt              text NOT NULL CHECK (rt ~ '^[0-9]{3}$'),
    rw              text NOT NULL CHECK (rw ~ '^[0-9]{3}$'),
    street          text NOT NULL CHECK (length(street) BETWEEN 1 AND 200),
    latitude        double precision CHECK (latitude BETWEEN -90 AND 90),
    longitude       double precision CHECK (longitude BETWEEN -180 AND 180),
    ownership       text CHECK (ownership IN ('milik_sendiri', 'kontrak_sewa', 'bebas_sewa', 'dinas', 'lainnya')),
    floor_area_m2   numeric(7, 1) CHECK (floor_area_m2 > 0),
    floor_material  text CHECK (floor_material IN ('keramik', 'ubin', 'semen', 'kayu', 'bambu', 'tanah', 'lainnya')),
    wall_material   text CHECK (wall_material IN ('tembok', 'plester_anyaman_bambu', 'kayu', 'bambu', 'lainnya')),
    roof_material   text CHECK (roof_material IN ('beton', 'genteng', 'seng', 'asbes', 'kayu', 'lainnya')),
    toilet          text CHECK (toilet IN ('sendiri', 'bersama', 'umum', 'tidak_ada')),
    water_source    text CHECK (water_source IN ('ledeng', 'sumur_bor', 'sumur_terlindung', 'sumur_tidak_terlindung', 'mata_air', 'air_hujan', 'air_kemasan', 'lainnya')),
    lighting        text CHECK (lighting IN ('pln_meteran', 'pln_tanpa_meteran', 'non_pln', 'tidak_ada')),
    cooking_fuel    text CHECK (cooking_fuel IN ('listrik', 'gas', 'minyak_tanah', 'kayu_bakar', 'lainnya')),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX house_kelurahan ON house (kelurahan_code);

-- A household (keluarga), identified by its family card number (No KK).
CREATE TABLE household (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    no_kk             text NOT NULL UNIQUE CHECK (no_kk ~ '^[0-9]{16}$'),
    house_id          bigint NOT NULL REFERENCES house (id),
    -- Denormalised from the house, so that every query can filter by the
    -- kelurahan the caller works in without a join.
    kelurahan_code    text NOT NULL REFERENCES kelurahan (code),
    dtks_id           text CHECK (length(dtks_id) BETWEEN 1 AND 40),
    desil             smallint CHECK (desil BETWEEN 1 AND 10),
    programmes        text[] NOT NULL DEFAULT '{}'
        CHECK (programmes <@ ARRAY['PKH', 'BPNT', 'PBI_JK', 'PBI_DAERAH', 'KIP', 'PIP', 'RTLH', 'BLT', 'ATENSI']),
    assets            text[] NOT NULL DEFAULT '{}'
        CHECK (assets <@ ARRAY['sepeda_motor', 'mobil', 'kulkas', 'ac', 'televisi', 'komputer', 'emas', 'lahan', 'rumah_lain', 'ternak']),
    monthly_income    bigint CHECK (monthly_income >= 0),
    monthly_spending  bigint CHECK (monthly_spending >= 0),
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX household_house ON household (house_id);
CREATE INDEX household_kelurahan ON household (kelurahan_code, id);

-- A person (penduduk), identified by NIK.
CREATE TABLE person (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    nik              text NOT NULL UNIQUE CHECK (nik ~ '^[0-9]{16}$'),
    name             text NOT NULL CHECK (length(name) BETWEEN 1 AND 150),
    -- The name folded for matching spelling variants (Muhamad, Muhammad,
    -- Mohammad): written by the API, see internal/registry.
    name_key         text NOT NULL,
    birth_place      text NOT NULL CHECK (length(birth_place) BETWEEN 1 AND 100),
    birth_date       date NOT NULL,
    sex              text NOT NULL CHECK (sex IN ('L', 'P')),
    education        text CHECK (education IN ('tidak_sekolah', 'belum_tamat_sd', 'sd', 'smp', 'sma', 'diploma', 's1', 's2', 's3')),
    occupation       text CHECK (length(occupation) BETWEEN 1 AND 100),
    disabilities     text[] NOT NULL DEFAULT '{}'
        CHECK (disabilities <@ ARRAY['fisik', 'intelektual', 'mental', 'sensorik_netra', 'sensorik_rungu', 'sensorik_wicara']),
    chronic_illnesses text[] NOT NULL DEFAULT '{}'
        CHECK (chronic_illnesses <@ ARRAY['hipertensi', 'diabetes', 'jantung', 'stroke', 'tbc', 'kanker', 'gagal_ginjal', 'hiv', 'gangguan_jiwa', 'lainnya']),
    pregnant         boolean NOT NULL DEFAULT false CHECK (NOT pregnant OR sex = 'P'),
    presence         text NOT NULL DEFAULT 'tinggal' CHECK (presence IN ('tinggal', 'pindah', 'meninggal', 'tidak_ditemukan')),
    -- The kelurahan of the current (or last) household, for filtering.
    kelurahan_code   text NOT NULL REFERENCES kelurahan (code),
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX person_name_key ON person USING gin (name_key gin_trgm_ops);
CREATE INDEX person_kelurahan ON person (kelurahan_code, id);

-- Membership of a person in a household over time. A person belongs to one
-- household at a time (the open row); a move closes it and opens another.
CREATE TABLE membership (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    person_id     bigint NOT NULL REFERENCES person (id),
    household_id  bigint NOT NULL REFERENCES household (id),
    relationship  text NOT NULL CHECK (relationship IN ('kepala_keluarga', 'suami', 'istri', 'anak', 'menantu', 'cucu', 'orang_tua', 'mertua', 'famili_lain', 'pembantu', 'lainnya')),
    since         timestamptz NOT NULL DEFAULT now(),
    until         timestamptz CHECK (until IS NULL OR until >= since),
    reason        text CHECK (length(reason) BETWEEN 1 AND 500),
    recorded_by   bigint NOT NULL
);
CREATE UNIQUE INDEX membership_current ON membership (person_id) WHERE until IS NULL;
CREATE INDEX membership_household ON membership (household_id) WHERE until IS NULL;
-- One head per household at a time.
CREATE UNIQUE INDEX membership_one_head ON membership (household_id)
    WHERE until IS NULL AND relationship = 'kepala_keluarga';

-- A complaint (keluhan) heard by the Puskesos.
CREATE TABLE complaint (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kelurahan_code  text NOT NULL REFERENCES kelurahan (code),
    person_id       bigint NOT NULL REFERENCES person (id),
    household_id    bigint REFERENCES household (id),
    channel         text NOT NULL CHECK (channel IN ('datang_langsung', 'telepon', 'whatsapp', 'laporan_rt_rw', 'kunjungan_rumah', 'surat', 'media_sosial', 'lainnya')),
    -- A code of the city's complaint categories (control database).
    category        text NOT NULL CHECK (category ~ '^[A-Z0-9_]{2,40}$'),
    description     text NOT NULL CHECK (length(description) BETWEEN 1 AND 4000),
    urgency         text NOT NULL CHECK (urgency IN ('biasa', 'segera', 'darurat')),
    status          text NOT NULL DEFAULT 'baru' CHECK (status IN ('baru', 'dikaji', 'dirujuk', 'ditutup')),
    outcome         text CHECK (outcome IN ('selesai_di_kelurahan', 'selesai_dirujuk', 'tidak_terselesaikan', 'dibatalkan')),
    created_by      bigint NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CHECK ((status = 'ditutup') = (outcome IS NOT NULL))
);
CREATE INDEX complaint_kelurahan ON complaint (kelurahan_code, id);
CREATE INDEX complaint_person ON complaint (person_id);

-- The assessment (asesmen) by the back office: one per complaint, revised
-- in place; the registry facts are a snapshot of what staff saw.
CREATE TABLE assessment (
    complaint_id         bigint PRIMARY KEY REFERENCES complaint (id),
    in_dtks              boolean NOT NULL,
    desil                smallint CHECK (desil BETWEEN 1 AND 10),
    programmes           text[] NOT NULL DEFAULT '{}',
    documents_held       text[] NOT NULL DEFAULT '{}',
    recommended_service  text CHECK (recommended_service ~ '^[A-Z0-9_]{2,40}$'),
    notes                text CHECK (length(notes) <= 4000),
    assessed_by          bigint NOT NULL,
    assessed_at          timestamptz NOT NULL DEFAULT now()
);

-- A complaint's status history.
CREATE TABLE complaint_event (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    complaint_id  bigint NOT NULL REFERENCES complaint (id),
    at            timestamptz NOT NULL DEFAULT now(),
    actor_id      bigint NOT NULL,
    actor         text NOT NULL,
    from_status   text,
    to_status     text NOT NULL,
    note          text CHECK (length(note) <= 2000)
);
CREATE INDEX complaint_event_complaint ON complaint_event (complaint_id, id);

-- Follow-ups (tindak lanjut) the Puskesos records on a case.
CREATE TABLE follow_up (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    complaint_id  bigint NOT NULL REFERENCES complaint (id),
    at            timestamptz NOT NULL DEFAULT now(),
    actor_id      bigint NOT NULL,
    actor         text NOT NULL,
    kind          text NOT NULL CHECK (kind IN ('kunjungan_rumah', 'telepon', 'koordinasi_instansi', 'pendampingan', 'lainnya')),
    note          text NOT NULL CHECK (length(note) BETWEEN 1 AND 4000)
);
CREATE INDEX follow_up_complaint ON follow_up (complaint_id, id);

-- A referral (rujukan) to a receiving agency, shaped like a FHIR Task.
CREATE TABLE referral (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tracking_code    text NOT NULL UNIQUE,
    complaint_id     bigint NOT NULL REFERENCES complaint (id),
    kelurahan_code   text NOT NULL REFERENCES kelurahan (code),
    person_id        bigint NOT NULL REFERENCES person (id),
    -- The service and agency as the catalogue had them when referred.
    service_code     text NOT NULL,
    service_name     text NOT NULL,
    agency_code      text NOT NULL,
    shared_fields    text[] NOT NULL DEFAULT '{}',
    response_days    integer NOT NULL CHECK (response_days >= 0),
    completion_days  integer NOT NULL CHECK (completion_days >= response_days),
    -- [{code, name, provided}] from the service's required documents.
    documents        jsonb NOT NULL DEFAULT '[]',
    note             text CHECK (length(note) <= 4000),
    status           text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'requested', 'accepted', 'rejected', 'in-progress', 'completed', 'failed', 'cancelled')),
    -- Set when sent: the SLA clock runs from the request, in working days.
    requested_at     timestamptz,
    response_due     date,
    completion_due   date,
    responded_at     timestamptz,
    closed_at        timestamptz,
    result           text CHECK (length(result) <= 4000),
    created_by       bigint NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    -- A draft has not been sent; anything past requested has. A draft can
    -- be cancelled unsent.
    CHECK (status <> 'draft' OR requested_at IS NULL),
    CHECK (status IN ('draft', 'cancelled') OR requested_at IS NOT NULL)
);
CREATE INDEX referral_kelurahan ON referral (kelurahan_code, id);
CREATE INDEX referral_complaint ON referral (complaint_id);
-- The agency inbox: the referrals sent to one agency, by deadline.
CREATE INDEX referral_inbox ON referral (agency_code, completion_due, id) WHERE requested_at IS NOT NULL;

-- Every transition of a referral: who, when, why.
CREATE TABLE referral_event (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    referral_id  bigint NOT NULL REFERENCES referral (id),
    at           timestamptz NOT NULL DEFAULT now(),
    actor_id     bigint NOT NULL,
    actor        text NOT NULL,
    actor_role   text NOT NULL,
    from_status  text,
    to_status    text NOT NULL,
    reason       text CHECK (length(reason) <= 2000)
);
CREATE INDEX referral_event_referral ON referral_event (referral_id, id);

-- Idempotency keys of creates: a retried request with the same key gets the
-- first answer back instead of creating twice.
CREATE TABLE idempotency_key (
    account_id    bigint NOT NULL,
    key           text NOT NULL,
    route         text NOT NULL,
    request_hash  bytea NOT NULL,
    status        integer,
    response      jsonb,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (account_id, key)
);

-- +goose Down
DROP TABLE idempotency_key, referral_event, referral, follow_up, complaint_event, assessment,
    complaint, membership, person, household, house;
