-- +goose Up
-- The categories of Pemerlu Pelayanan Kesejahteraan Sosial (PPKS, formerly
-- PMKS): the 26 of Permensos 08/2012, as data. An assessment records the
-- resident's categories; the reports count households and persons by them.
-- Several name health and conduct (HIV, drugs, sex work): special personal
-- data under UU 27/2022, shown only inside a case file, counted with small
-- cells suppressed outside the kecamatan.
CREATE TABLE ppks_category (
    code      text PRIMARY KEY CHECK (code ~ '^[a-z_]{2,40}$'),
    name      text NOT NULL CHECK (length(name) BETWEEN 1 AND 150),
    position  integer NOT NULL,
    active    boolean NOT NULL DEFAULT true
);
INSERT INTO ppks_category (code, name, position) VALUES
    ('anak_balita_telantar', 'Anak balita telantar', 1),
    ('anak_telantar', 'Anak telantar', 2),
    ('anak_berhadapan_hukum', 'Anak yang berhadapan dengan hukum', 3),
    ('anak_jalanan', 'Anak jalanan', 4),
    ('anak_disabilitas', 'Anak dengan kedisabilitasan', 5),
    ('anak_korban_kekerasan', 'Anak yang menjadi korban tindak kekerasan atau diperlakukan salah', 6),
    ('anak_perlindungan_khusus', 'Anak yang memerlukan perlindungan khusus', 7),
    ('lansia_telantar', 'Lanjut usia telantar', 8),
    ('penyandang_disabilitas', 'Penyandang disabilitas', 9),
    ('tuna_susila', 'Tuna susila', 10),
    ('gelandangan', 'Gelandangan', 11),
    ('pengemis', 'Pengemis', 12),
    ('pemulung', 'Pemulung', 13),
    ('kelompok_minoritas', 'Kelompok minoritas', 14),
    ('bekas_warga_binaan', 'Bekas warga binaan lembaga pemasyarakatan', 15),
    ('odha', 'Orang dengan HIV/AIDS', 16),
    ('korban_napza', 'Korban penyalahgunaan NAPZA', 17),
    ('korban_trafficking', 'Korban perdagangan orang', 18),
    ('korban_kekerasan', 'Korban tindak kekerasan', 19),
    ('pekerja_migran_bermasalah', 'Pekerja migran bermasalah sosial', 20),
    ('korban_bencana_alam', 'Korban bencana alam', 21),
    ('korban_bencana_sosial', 'Korban bencana sosial', 22),
    ('perempuan_rawan_sosial_ekonomi', 'Perempuan rawan sosial ekonomi', 23),
    ('fakir_miskin', 'Fakir miskin', 24),
    ('keluarga_bermasalah_psikologis', 'Keluarga bermasalah sosial psikologis', 25),
    ('komunitas_adat_terpencil', 'Komunitas adat terpencil', 26);

-- +goose Down
DROP TABLE ppks_category;
