package casework

// The coded values of complaints. The OpenAPI description and the tenant
// schema's CHECKs repeat them; a test holds the description to these.
var (
	Channels          = []string{"datang_langsung", "telepon", "whatsapp", "laporan_rt_rw", "kunjungan_rumah", "surat", "media_sosial", "lainnya"}
	Urgencies         = []string{"biasa", "segera", "darurat"}
	ComplaintStatuses = []string{"baru", "dikaji", "dirujuk", "ditutup"}
	FollowUpKinds     = []string{"kunjungan_rumah", "telepon", "koordinasi_instansi", "pendampingan", "lainnya"}
	Outcomes          = []string{"selesai_di_kelurahan", "selesai_dirujuk", "tidak_terselesaikan", "dibatalkan"}
)
