package bnba

import (
	"slices"
	"sort"
	"strings"
	"unicode"

	"github.com/agnivade/levenshtein"
)

// The spellings people and exporting systems give the columns and the
// coded values of an extract, beyond the canonical ones (docs/import.md
// lists them). Names are compared as normalName writes them: lower case,
// "_", ".", "/" and "-" read as spaces, runs of spaces as one.
var columnAliases = map[string][]string{
	"no_kk":             {"no kk", "nomor kk", "nokk", "no kartu keluarga", "nomor kartu keluarga", "kk"},
	"nik":               {"no nik", "nomor nik", "nomor induk kependudukan"},
	"nama":              {"nama lengkap", "nama art", "nama anggota keluarga"},
	"tempat_lahir":      {"tmp lahir", "tmpt lahir", "tempat lhr"},
	"tanggal_lahir":     {"tgl lahir", "tanggal lhr", "tgl lhr"},
	"jenis_kelamin":     {"jk", "kelamin", "l p", "jenis kel"},
	"hubungan":          {"hubungan dalam keluarga", "hubungan keluarga", "hub keluarga", "shdk", "status hubungan dalam keluarga", "hub dgn kk", "hubungan dengan kepala keluarga"},
	"pendidikan":        {"pendidikan terakhir", "pendidikan tertinggi", "ijazah tertinggi"},
	"pekerjaan":         {"pekerjaan utama", "jenis pekerjaan"},
	"disabilitas":       {"jenis disabilitas", "penyandang disabilitas", "jenis cacat", "cacat"},
	"penyakit_kronis":   {"penyakit kronis menahun", "penyakit menahun"},
	"hamil":             {"status hamil", "sedang hamil", "status kehamilan"},
	"status_keberadaan": {"keberadaan", "status keberadaan art"},
	"kelurahan":         {"kode kelurahan", "kode desa", "kd kel", "kode kel", "kode desa kelurahan", "kd desa", "kode wilayah kelurahan"},
	"rt":                {"no rt", "nomor rt"},
	"rw":                {"no rw", "nomor rw"},
	"alamat":            {"alamat lengkap", "alamat rumah", "jalan"},
	"id_dtks":           {"iddtks", "id dtsen", "iddtsen", "id art", "id keluarga"},
	"desil":             {"desil nasional", "peringkat desil", "desil kesejahteraan"},
	"program":           {"bansos", "program bansos", "bantuan", "program bantuan", "penerima bantuan"},
	"penghasilan":       {"penghasilan per bulan", "pendapatan", "pendapatan per bulan", "penghasilan sebulan"},
	"pengeluaran":       {"pengeluaran per bulan", "pengeluaran sebulan"},
}

// valueAliases map a column's values as written to the coded value, after
// normalValue (lower case, spaces and "-" as "_").
var valueAliases = map[string]map[string]string{
	"jenis_kelamin": {"laki_laki": "L", "laki": "L", "lk": "L", "pria": "L", "1": "L", "l": "L",
		"perempuan": "P", "pr": "P", "wanita": "P", "2": "P", "p": "P"},
	// SHDK, as the family card writes it, and its numbers.
	"hubungan": {"kepala": "kepala_keluarga", "kk": "kepala_keluarga", "kepala_rumah_tangga": "kepala_keluarga",
		"istri_suami": "istri", "suami_istri": "istri", "anak_kandung": "anak", "anak_tiri": "anak", "anak_angkat": "anak",
		"orangtua": "orang_tua", "famili": "famili_lain", "lain_lain": "lainnya", "lain": "lainnya",
		"1": "kepala_keluarga", "2": "suami", "3": "istri", "4": "anak", "5": "menantu", "6": "cucu", "7": "orang_tua",
		"8": "mertua", "9": "famili_lain", "10": "pembantu", "11": "lainnya"},
	"pendidikan": {"tidak_belum_sekolah": "tidak_sekolah", "belum_sekolah": "tidak_sekolah", "tidak_pernah_sekolah": "tidak_sekolah",
		"tidak_tamat_sd": "belum_tamat_sd", "belum_tamat_sd_sederajat": "belum_tamat_sd", "tamat_sd": "sd", "tamat_sd_sederajat": "sd", "sd_sederajat": "sd",
		"sd_mi": "sd", "sltp": "smp", "smp_sederajat": "smp", "smp_mts": "smp", "sltp_sederajat": "smp", "slta": "sma",
		"sma_sederajat": "sma", "slta_sederajat": "sma", "smk": "sma", "sma_smk": "sma", "sma_ma": "sma", "d1": "diploma",
		"d2": "diploma", "d3": "diploma", "diploma_i_ii": "diploma", "akademi_diploma_iii_s_muda": "diploma", "diploma_iii": "diploma",
		"d4": "s1", "diploma_iv_strata_i": "s1", "strata_i": "s1", "sarjana": "s1", "strata_ii": "s2", "strata_iii": "s3"},
	"hamil": {"y": "ya", "1": "ya", "hamil": "ya", "t": "tidak", "n": "tidak", "0": "tidak", "tidak_hamil": "tidak"},
	"status_keberadaan": {"ada": "tinggal", "tinggal_bersama": "tinggal", "pindah_alamat": "pindah", "sudah_meninggal": "meninggal",
		"tidak_diketahui": "tidak_ditemukan"},
}

// programmeAliases map a programme as written (upper case, spaces and "-"
// as "_") to its code.
var programmeAliases = map[string]string{"SEMBAKO": "BPNT", "BPNT_SEMBAKO": "BPNT", "PBI": "PBI_JK", "KIS": "PBI_JK",
	"PBI_APBN": "PBI_JK", "PBI_APBD": "PBI_DAERAH", "KIP_KULIAH": "KIP", "BSU": "BLT", "BLT_DD": "BLT"}

// columnOf maps a header cell to its column, or "".
var columnOf = func() map[string]string {
	m := map[string]string{}
	for _, c := range Columns {
		m[normalName(c)] = c
	}
	for c, names := range columnAliases {
		for _, n := range names {
			m[normalName(n)] = c
		}
	}
	return m
}()

// columnNamed returns the column a header cell names, if any. A dot reads
// as a space ("No.KK"), or else as nothing ("N.I.K").
func columnNamed(cell string) (string, bool) {
	if c, ok := columnOf[normalName(cell)]; ok {
		return c, true
	}
	c, ok := columnOf[normalName(strings.ReplaceAll(cell, ".", ""))]
	return c, ok
}

// normalName is a header cell as it is compared: lower case, a BOM, "_",
// ".", "/", "-" and brackets dropped or read as spaces, spaces collapsed.
func normalName(s string) string {
	s = strings.ToLower(strings.TrimPrefix(s, "\ufeff"))
	s = strings.Map(func(r rune) rune {
		switch r {
		case '_', '.', '/', '-', '(', ')', ':':
			return ' '
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

// normalValue is a coded value as it is compared: lower case, spaces, "-"
// and "/" read as "_".
func normalValue(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	s = strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == '-' || r == '/' || r == '.' {
			return '_'
		}
		return r
	}, s)
	for strings.Contains(s, "__") {
		s = strings.ReplaceAll(s, "__", "_")
	}
	return strings.Trim(s, "_")
}

// codedValue reads a coded column's value as written: the canonical code,
// or what the column's aliases make of it.
func codedValue(column, v string) string {
	n := normalValue(v)
	if code, ok := valueAliases[column][n]; ok {
		return code
	}
	return n
}

// Programme reads one programme as written: its code, or what the aliases
// make of it (SEMBAKO is BPNT, KIS is PBI_JK).
func Programme(v string) string {
	n := strings.ToUpper(normalValue(v))
	if code, ok := programmeAliases[n]; ok {
		return code
	}
	return n
}

// nearest lists the known column names closest to a header cell, for a
// column that maps to none.
func nearest(name string) []string {
	n := normalName(name)
	type scored struct {
		column string
		d      int
	}
	var best []scored
	for known, column := range columnOf {
		best = append(best, scored{column, levenshtein.ComputeDistance(n, known)})
	}
	sort.Slice(best, func(i, j int) bool {
		if best[i].d != best[j].d {
			return best[i].d < best[j].d
		}
		return best[i].column < best[j].column
	})
	var out []string
	for _, s := range best {
		if len(out) == 3 {
			break
		}
		if !slices.Contains(out, s.column) {
			out = append(out, s.column)
		}
	}
	return out
}

// HeaderName is a header cell as files of other shapes compare it too:
// lower case, separators read as spaces.
func HeaderName(s string) string { return normalName(s) }
