package registry

// The coded values of the registry. The OpenAPI description and the tenant
// schema's CHECKs repeat them; a test holds the description to these.
var (
	Relationships    = []string{"kepala_keluarga", "suami", "istri", "anak", "menantu", "cucu", "orang_tua", "mertua", "famili_lain", "pembantu", "lainnya"}
	Educations       = []string{"tidak_sekolah", "belum_tamat_sd", "sd", "smp", "sma", "diploma", "s1", "s2", "s3"}
	Disabilities     = []string{"fisik", "intelektual", "mental", "sensorik_netra", "sensorik_rungu", "sensorik_wicara"}
	ChronicIllnesses = []string{"hipertensi", "diabetes", "jantung", "stroke", "tbc", "kanker", "gagal_ginjal", "hiv", "gangguan_jiwa", "lainnya"}
	Presences        = []string{"tinggal", "pindah", "meninggal", "tidak_ditemukan"}
	Programmes       = []string{"PKH", "BPNT", "PBI_JK", "PBI_DAERAH", "KIP", "PIP", "RTLH", "BLT", "ATENSI"}
	Assets           = []string{"sepeda_motor", "mobil", "kulkas", "ac", "televisi", "komputer", "emas", "lahan", "rumah_lain", "ternak"}
)

// The coded values of a house's condition.
var (
	Ownerships     = []string{"milik_sendiri", "kontrak_sewa", "bebas_sewa", "dinas", "lainnya"}
	FloorMaterials = []string{"keramik", "ubin", "semen", "kayu", "bambu", "tanah", "lainnya"}
	WallMaterials  = []string{"tembok", "plester_anyaman_bambu", "kayu", "bambu", "lainnya"}
	RoofMaterials  = []string{"beton", "genteng", "seng", "asbes", "kayu", "lainnya"}
	Toilets        = []string{"sendiri", "bersama", "umum", "tidak_ada"}
	WaterSources   = []string{"ledeng", "sumur_bor", "sumur_terlindung", "sumur_tidak_terlindung", "mata_air", "air_hujan", "air_kemasan", "lainnya"}
	Lightings      = []string{"pln_meteran", "pln_tanpa_meteran", "non_pln", "tidak_ada"}
	CookingFuels   = []string{"listrik", "gas", "minyak_tanah", "kayu_bakar", "lainnya"}
)
