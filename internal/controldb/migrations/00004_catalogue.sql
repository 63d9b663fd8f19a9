-- +goose Up
-- What Dinas Sosial keeps for the whole city: complaint categories, the
-- documents services ask for, the service catalogue with its targets, and the
-- holiday calendar the targets skip. Plus the cross-kecamatan NIK index.

CREATE TABLE complaint_category (
    code        text PRIMARY KEY CHECK (code ~ '^[A-Z0-9_]{2,40}$'),
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    active      boolean NOT NULL DEFAULT true,
    position    integer NOT NULL DEFAULT 0,
    updated_at  timestamptz NOT NULL DEFAULT now()
);

-- The categories seen in Bandung practice.
INSERT INTO complaint_category (code, name, position) VALUES
    ('IURAN_BPJS', 'Tidak mampu membayar iuran BPJS Kesehatan / PBI', 10),
    ('MISKIN_BARU', 'Keluarga miskin baru', 20),
    ('PUTUS_SEKOLAH', 'Anak putus sekolah', 30),
    ('RTLH', 'Rumah tidak layak huni', 40),
    ('AIR_BERSIH', 'Tidak ada akses air bersih', 50),
    ('LISTRIK', 'Tidak ada sambungan listrik', 60),
    ('ADMINDUK', 'Dokumen kependudukan (KTP, KK, akta)', 70),
    ('DISABILITAS', 'Penyandang disabilitas', 80),
    ('LANSIA', 'Lanjut usia', 90),
    ('PERLINDUNGAN_ANAK', 'Perlindungan anak', 100),
    ('KEKERASAN', 'Kekerasan (KDRT, kekerasan terhadap perempuan)', 110),
    ('PEKERJAAN', 'Pekerjaan', 120),
    ('LAINNYA', 'Lainnya', 1000);

CREATE TABLE document_type (
    code  text PRIMARY KEY CHECK (code ~ '^[A-Z0-9_]{2,40}$'),
    name  text NOT NULL CHECK (length(name) BETWEEN 1 AND 200)
);

INSERT INTO document_type (code, name) VALUES
    ('KTP', 'KTP-el'),
    ('KK', 'Kartu Keluarga'),
    ('AKTA_LAHIR', 'Akta kelahiran'),
    ('SURAT_NIKAH', 'Buku/akta nikah'),
    ('SKTM', 'Surat keterangan tidak mampu'),
    ('PENGANTAR_RT_RW', 'Surat pengantar RT/RW'),
    ('KARTU_BPJS', 'Kartu BPJS Kesehatan / KIS'),
    ('SURAT_KETERANGAN_SEKOLAH', 'Surat keterangan aktif / putus sekolah'),
    ('SURAT_DOKTER', 'Surat keterangan dokter'),
    ('FOTO_RUMAH', 'Foto kondisi rumah'),
    ('BUKTI_TANAH', 'Bukti kepemilikan tanah'),
    ('SURAT_KEMATIAN', 'Surat keterangan kematian'),
    ('SURAT_PINDAH', 'Surat keterangan pindah');

-- The service catalogue. Targets are in working days: weekends and the
-- holidays below do not count. shared_fields is what the receiving agency
-- may see of the resident (docs/registry.md).
CREATE TABLE service (
    code                text PRIMARY KEY CHECK (code ~ '^[A-Z0-9_]{2,40}$'),
    name                text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    agency_code         text NOT NULL REFERENCES agency (code),
    required_documents  text[] NOT NULL DEFAULT '{}',
    shared_fields       text[] NOT NULL DEFAULT '{nama}'
        CHECK (shared_fields <@ ARRAY['nama', 'nik', 'no_kk', 'tanggal_lahir', 'jenis_kelamin', 'alamat', 'pendidikan', 'disabilitas', 'penyakit_kronis', 'kehamilan', 'desil', 'program']),
    response_days       integer NOT NULL CHECK (response_days BETWEEN 0 AND 60),
    completion_days     integer NOT NULL CHECK (completion_days BETWEEN 1 AND 365),
    active              boolean NOT NULL DEFAULT true,
    updated_at          timestamptz NOT NULL DEFAULT now(),
    CHECK (completion_days >= response_days)
);

-- A Kota Bandung starting set; Dinas Sosial adjusts it through the API.
INSERT INTO service (code, name, agency_code, required_documents, shared_fields, response_days, completion_days) VALUES
    ('PBI_JK', 'Pendaftaran PBI-JK / KIS (APBN atau APBD)', 'DINKES', '{KTP,KK,SKTM}', '{nama,nik,no_kk,tanggal_lahir,jenis_kelamin,alamat,penyakit_kronis,desil}', 3, 14),
    ('REAKTIVASI_PBI', 'Reaktivasi kepesertaan PBI-JK nonaktif', 'BPJSKES', '{KTP,KK,KARTU_BPJS}', '{nama,nik,no_kk,tanggal_lahir}', 2, 7),
    ('KIP_PIP', 'Kartu Indonesia Pintar / Program Indonesia Pintar', 'DISDIK', '{KK,AKTA_LAHIR,SURAT_KETERANGAN_SEKOLAH}', '{nama,nik,no_kk,tanggal_lahir,jenis_kelamin,alamat,pendidikan,desil}', 5, 30),
    ('KEMBALI_SEKOLAH', 'Anak putus sekolah kembali bersekolah', 'DISDIK', '{KK,AKTA_LAHIR}', '{nama,tanggal_lahir,jenis_kelamin,alamat,pendidikan,disabilitas}', 5, 30),
    ('KTP_EL', 'Perekaman dan pencetakan KTP-el', 'DISDUKCAPIL', '{KK,PENGANTAR_RT_RW}', '{nama,nik,no_kk,tanggal_lahir,jenis_kelamin,alamat}', 3, 14),
    ('KK_BARU', 'Penerbitan / perubahan Kartu Keluarga', 'DISDUKCAPIL', '{KTP,KK,SURAT_NIKAH}', '{nama,nik,no_kk,tanggal_lahir,jenis_kelamin,alamat}', 3, 14),
    ('AKTA_KELAHIRAN', 'Penerbitan akta kelahiran', 'DISDUKCAPIL', '{KK,SURAT_NIKAH,PENGANTAR_RT_RW}', '{nama,nik,no_kk,tanggal_lahir,jenis_kelamin,alamat}', 3, 14),
    ('RTLH', 'Rehabilitasi rumah tidak layak huni', 'DISPERKIM', '{KTP,KK,BUKTI_TANAH,FOTO_RUMAH}', '{nama,nik,no_kk,alamat,desil}', 10, 90),
    ('PKH', 'Usulan Program Keluarga Harapan', 'DINSOS', '{KTP,KK}', '{nama,nik,no_kk,tanggal_lahir,alamat,pendidikan,disabilitas,kehamilan,desil,program}', 5, 30),
    ('SEMBAKO', 'Usulan Bantuan Sembako (BPNT)', 'DINSOS', '{KTP,KK}', '{nama,nik,no_kk,alamat,desil,program}', 5, 30),
    ('ATENSI', 'Asistensi rehabilitasi sosial (disabilitas, lansia, anak)', 'DINSOS', '{KTP,KK,SURAT_DOKTER}', '{nama,nik,tanggal_lahir,jenis_kelamin,alamat,disabilitas,penyakit_kronis}', 3, 30),
    ('AIR_BERSIH', 'Sambungan air bersih bagi masyarakat berpenghasilan rendah', 'PDAM', '{KTP,KK,PENGANTAR_RT_RW}', '{nama,alamat}', 5, 30),
    ('PELATIHAN_KERJA', 'Pelatihan dan penempatan kerja', 'DISNAKER', '{KTP,KK}', '{nama,tanggal_lahir,jenis_kelamin,alamat,pendidikan,disabilitas}', 5, 30),
    ('PERLINDUNGAN_PA', 'Perlindungan perempuan dan anak (UPTD PPA)', 'DP3A', '{}', '{nama,tanggal_lahir,jenis_kelamin,alamat}', 1, 14);

-- Days that do not count toward targets besides Saturdays and Sundays. Seeded
-- with the fixed-date national holidays; the moving ones (Idul Fitri, Nyepi,
-- Waisak, ...) and cuti bersama are set each year by decree and entered by
-- Dinas Sosial.
CREATE TABLE holiday (
    day         date PRIMARY KEY,
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

INSERT INTO holiday (day, name) VALUES
    ('2026-01-01', 'Tahun Baru Masehi'),
    ('2026-05-01', 'Hari Buruh Internasional'),
    ('2026-06-01', 'Hari Lahir Pancasila'),
    ('2026-08-17', 'Hari Kemerdekaan Republik Indonesia'),
    ('2026-12-25', 'Hari Raya Natal'),
    ('2027-01-01', 'Tahun Baru Masehi'),
    ('2027-05-01', 'Hari Buruh Internasional'),
    ('2027-06-01', 'Hari Lahir Pancasila'),
    ('2027-08-17', 'Hari Kemerdekaan Republik Indonesia'),
    ('2027-12-25', 'Hari Raya Natal');

-- Which kecamatan hold a person with a given NIK, by a keyed hash (HMAC-SHA256
-- with a key kept in a Secret, never in a database): the control database
-- can answer "registered elsewhere" without holding any NIK.
CREATE TABLE nik_index (
    nik_hash    bytea NOT NULL CHECK (length(nik_hash) = 32),
    tenant      text NOT NULL CHECK (tenant ~ '^[0-9]{2}\.[0-9]{2}\.[0-9]{2}$'),
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (nik_hash, tenant)
);

-- +goose Down
DROP TABLE nik_index, holiday, service, document_type, complaint_category;
