-- +goose Up
-- A starting set of Kota Bandung's receiving agencies; Dinas Sosial keeps the
-- list current through the admin API.
INSERT INTO agency (code, name) VALUES
    ('DINSOS', 'Dinas Sosial Kota Bandung'),
    ('DINKES', 'Dinas Kesehatan Kota Bandung'),
    ('DISDIK', 'Dinas Pendidikan Kota Bandung'),
    ('DISDUKCAPIL', 'Dinas Kependudukan dan Pencatatan Sipil Kota Bandung'),
    ('BPJSKES', 'BPJS Kesehatan Kantor Cabang Bandung'),
    ('PDAM', 'Perumda Air Minum Tirtawening Kota Bandung'),
    ('DISPERKIM', 'Dinas Perumahan dan Kawasan Permukiman Kota Bandung'),
    ('DISNAKER', 'Dinas Tenaga Kerja Kota Bandung'),
    ('DP3A', 'Dinas Pemberdayaan Perempuan dan Perlindungan Anak Kota Bandung');

-- +goose Down
DELETE FROM agency;
