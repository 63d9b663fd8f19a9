package httpapi

// apiRoutes are the JSON API's routes (docs/api.md, openapi.json), each
// with the permission it needs and where.
func (s *Server) apiRoutes(rt *Routes) {
	rt.API("DELETE", "/api/v1/session", OwnPassword, s.sessionDelete)
	rt.API("GET", "/api/v1/me", OwnPassword, s.meShow)
	rt.API("PUT", "/api/v1/me/password", OwnPassword, s.passwordChange)
	rt.API("GET", "/api/v1/me/tokens", Self, s.tokenList)
	rt.API("POST", "/api/v1/me/tokens", Self, s.tokenCreate)
	rt.API("DELETE", "/api/v1/me/tokens/{id}", Self, s.tokenRevoke)

	rt.API("GET", "/api/v1/kecamatan/{code}/kelurahan", InTenant("kelurahan", "read"), s.kelurahanList)
	rt.API("GET", "/api/v1/kecamatan/{code}/kelurahan/{kelurahan}", inKelurahan("kelurahan", "read"), s.kelurahanShow)

	// The social registry of a kecamatan. Searching is a POST so that a NIK
	// never travels in a URL.
	rt.API("POST", "/api/v1/kecamatan/{code}/keluarga", InTenant("penduduk", "write"), s.householdCreate)
	rt.API("GET", "/api/v1/kecamatan/{code}/keluarga/{id}", InTenant("penduduk", "read"), s.householdShow)
	rt.API("PATCH", "/api/v1/kecamatan/{code}/keluarga/{id}", InTenant("penduduk", "write"), s.householdUpdate)
	rt.API("GET", "/api/v1/kecamatan/{code}/keluarga/{id}/riwayat", InTenant("penduduk", "read"), s.householdHistory)
	rt.API("POST", "/api/v1/kecamatan/{code}/penduduk", InTenant("penduduk", "write"), s.personCreate)
	rt.API("POST", "/api/v1/kecamatan/{code}/penduduk/cari", InTenant("penduduk", "read"), s.personSearch)
	rt.API("GET", "/api/v1/kecamatan/{code}/penduduk/{id}", InTenant("penduduk", "read"), s.personShow)
	rt.API("PATCH", "/api/v1/kecamatan/{code}/penduduk/{id}", InTenant("penduduk", "write"), s.personUpdate)
	// DTKS/BNBA extracts in and out: bodies streamed, not held to the JSON
	// limits and validator.
	rt.bulk("POST", "/api/v1/kecamatan/{code}/impor", InTenant("penduduk", "import"), s.registryImport)
	rt.bulk("GET", "/api/v1/kecamatan/{code}/ekspor", InTenant("penduduk", "export"), s.registryExport)

	// Complaints (keluhan) and their case files.
	rt.API("POST", "/api/v1/kecamatan/{code}/keluhan", InTenant("keluhan", "write"), s.complaintCreate)
	rt.API("GET", "/api/v1/kecamatan/{code}/keluhan", InTenant("keluhan", "read"), s.complaintList)
	rt.API("GET", "/api/v1/kecamatan/{code}/keluhan/{id}", InTenant("keluhan", "read"), s.complaintShow)
	rt.API("PUT", "/api/v1/kecamatan/{code}/keluhan/{id}/asesmen", InTenant("keluhan", "write"), s.complaintAssess)
	rt.API("POST", "/api/v1/kecamatan/{code}/keluhan/{id}/tindak-lanjut", InTenant("keluhan", "write"), s.followUpCreate)
	rt.API("POST", "/api/v1/kecamatan/{code}/keluhan/{id}/tutup", InTenant("keluhan", "close"), s.complaintClose)
	// A case the kelurahan cannot solve goes to Dinas Sosial, which takes
	// it from the city's queue and decides.
	rt.API("POST", "/api/v1/kecamatan/{code}/keluhan/{id}/eskalasi", InTenant("eskalasi", "write"), s.complaintEscalate)
	rt.API("POST", "/api/v1/kecamatan/{code}/keluhan/{id}/eskalasi/ambil", InTenant("eskalasi", "decide"), s.escalationTake)
	rt.API("POST", "/api/v1/kecamatan/{code}/keluhan/{id}/eskalasi/keputusan", InTenant("eskalasi", "decide"), s.escalationDecide)
	rt.API("GET", "/api/v1/eskalasi", Anywhere("eskalasi", "decide"), s.escalationQueue)

	// Referrals (rujukan), from the Puskesos side.
	rt.API("POST", "/api/v1/kecamatan/{code}/rujukan", InTenant("rujukan", "write"), s.referralCreate)
	rt.API("GET", "/api/v1/kecamatan/{code}/rujukan", InTenant("rujukan", "read"), s.referralList)
	rt.API("GET", "/api/v1/kecamatan/{code}/rujukan/terlambat", InTenant("rujukan", "read"), s.referralOverdue)
	rt.API("GET", "/api/v1/kecamatan/{code}/rujukan/{id}", InTenant("rujukan", "read"), s.referralShow)
	rt.API("GET", "/api/v1/kecamatan/{code}/rujukan/{id}/surat", InTenant("rujukan", "read"), s.referralLetter)
	rt.API("POST", "/api/v1/kecamatan/{code}/rujukan/{id}/status", InTenant("rujukan", "write"), s.referralTransition)
	rt.API("GET", "/api/v1/rujukan/terlambat", Anywhere("rujukan_kota", "read"), s.cityOverdue)

	// Proposals (usulan) to the national registry, and the musyawarah
	// kelurahan that decides them: only a recorded muskel moves a submitted
	// proposal.
	rt.API("POST", "/api/v1/kecamatan/{code}/usulan", InTenant("usulan", "write"), s.proposalCreate)
	rt.API("GET", "/api/v1/kecamatan/{code}/usulan", InTenant("usulan", "read"), s.proposalList)
	rt.API("GET", "/api/v1/kecamatan/{code}/usulan/{id}", InTenant("usulan", "read"), s.proposalShow)
	rt.API("POST", "/api/v1/kecamatan/{code}/usulan/{id}/status", InTenant("usulan", "write"), s.proposalTransition)
	rt.API("POST", "/api/v1/kecamatan/{code}/musyawarah", InTenant("usulan", "decide"), s.musyawarahCreate)
	rt.API("GET", "/api/v1/kecamatan/{code}/musyawarah", InTenant("usulan", "read"), s.musyawarahList)
	rt.API("GET", "/api/v1/kecamatan/{code}/musyawarah/terlambat", InTenant("usulan", "read"), s.musyawarahLate)
	rt.API("GET", "/api/v1/kecamatan/{code}/musyawarah/{id}", InTenant("usulan", "read"), s.musyawarahShow)
	rt.API("GET", "/api/v1/kecamatan/{code}/musyawarah/{id}/berita-acara", InTenant("usulan", "read"), s.musyawarahMinutes)
	// Dinas Sosial verifies what the muskel agreed, sends the verified in
	// batches (the BNBA upload) and brings the centre's result back.
	rt.API("GET", "/api/v1/usulan/verifikasi", Anywhere("usulan", "verify"), s.verificationQueue)
	rt.API("POST", "/api/v1/kecamatan/{code}/usulan/{id}/verifikasi", InTenant("usulan", "verify"), s.proposalVerify)
	rt.API("POST", "/api/v1/usulan/batch", Anywhere("usulan", "verify"), s.batchCreate)
	rt.API("GET", "/api/v1/usulan/batch", Anywhere("usulan", "verify"), s.batchList)
	rt.API("GET", "/api/v1/usulan/batch/{id}", Anywhere("usulan", "verify"), s.batchShow)
	rt.bulk("GET", "/api/v1/usulan/batch/{id}/bnba", Anywhere("usulan", "verify"), s.batchFile)
	rt.bulk("POST", "/api/v1/usulan/hasil", Anywhere("usulan", "verify"), s.resultImport)
	rt.API("GET", "/api/v1/usulan/periode", Self, s.periodList)
	rt.API("PUT", "/api/v1/usulan/periode/{period}", Anywhere("usulan_periode", "write"), s.periodPut)

	// Households moving between kecamatan (pindah): asked for by the
	// receiving side or offered by the sending one, decided by the other
	// side's koordinator, carried out by a background job.
	rt.API("POST", "/api/v1/kecamatan/{code}/pindah/permintaan", InTenant("pindah", "write"), s.transferRequest)
	rt.API("POST", "/api/v1/kecamatan/{code}/pindah/tawaran", InTenant("pindah", "write"), s.transferOffer)
	rt.API("GET", "/api/v1/kecamatan/{code}/pindah", InTenant("pindah", "read"), s.transferList)
	rt.API("GET", "/api/v1/kecamatan/{code}/pindah/{id}", InTenant("pindah", "read"), s.transferShow)
	rt.API("POST", "/api/v1/kecamatan/{code}/pindah/{id}/keputusan", InTenant("pindah", "decide"), s.transferDecide)
	rt.API("POST", "/api/v1/kecamatan/{code}/pindah/{id}/batal", InTenant("pindah", "write"), s.transferRevoke)
	rt.API("GET", "/api/v1/pindah", Anywhere("pindah_kota", "read"), s.cityTransfers)

	// Monitoring: counts for a date range, as JSON, CSV or XLSX.
	rt.API("GET", "/api/v1/kecamatan/{code}/laporan", InTenant("laporan", "read"), s.kecamatanReport)
	rt.API("GET", "/api/v1/laporan", Anywhere("laporan_kota", "read"), s.cityReport)

	// Targeting: who is eligible for a programme by desil but missed, and
	// who receives it above the cut-off; the cut-offs and quotas are
	// Dinas Sosial's data.
	rt.API("GET", "/api/v1/kecamatan/{code}/sasaran", InTenant("laporan", "read"), s.kecamatanTargeting)
	rt.API("GET", "/api/v1/kecamatan/{code}/sasaran/keluarga", InTenant("penduduk", "read"), s.targetHouseholds)
	rt.API("GET", "/api/v1/sasaran", Anywhere("laporan_kota", "read"), s.cityTargeting)
	rt.API("GET", "/api/v1/program", Self, s.programmeList)
	rt.API("PUT", "/api/v1/program/{programme}", Anywhere("katalog", "write"), s.programmePut)

	// The receiving agency's inbox, across every kecamatan.
	rt.API("GET", "/api/v1/instansi/{agency}/rujukan", InAgency("rujukan_inbox", "read"), s.inboxList)
	rt.API("GET", "/api/v1/instansi/{agency}/rujukan/{code}/{id}", InAgency("rujukan_inbox", "read"), s.inboxShow)
	rt.API("POST", "/api/v1/instansi/{agency}/rujukan/{code}/{id}/status", InAgency("rujukan_inbox", "write"), s.inboxTransition)

	// What Dinas Sosial keeps for the city: readable by all staff.
	rt.API("GET", "/api/v1/layanan", Self, s.catalogueShow)
	rt.API("PUT", "/api/v1/layanan/{service}", Anywhere("katalog", "write"), s.servicePut)
	rt.API("GET", "/api/v1/kategori-keluhan", Self, s.categoryList)
	rt.API("GET", "/api/v1/ppks", Self, s.ppksList)
	rt.API("PUT", "/api/v1/kategori-keluhan/{category}", Anywhere("katalog", "write"), s.categoryPut)
	rt.API("GET", "/api/v1/hari-libur", Self, s.holidayList)
	rt.API("PUT", "/api/v1/hari-libur/{date}", Anywhere("katalog", "write"), s.holidayPut)
	rt.API("DELETE", "/api/v1/hari-libur/{date}", Anywhere("katalog", "write"), s.holidayDelete)
	rt.API("GET", "/api/v1/katalog/riwayat", Anywhere("katalog", "read"), s.catalogueChanges)

	// City IT's administration.
	rt.API("GET", "/api/v1/admin/kecamatan", Anywhere("tenant", "read"), s.adminKecamatanList)
	rt.API("POST", "/api/v1/admin/kecamatan", Anywhere("tenant", "write"), s.adminKecamatanCreate)
	rt.API("PATCH", "/api/v1/admin/kecamatan/{code}", Anywhere("tenant", "write"), s.adminKecamatanUpdate)
	rt.API("GET", "/api/v1/admin/kecamatan/{code}/backups", Anywhere("tenant", "read"), s.adminBackupList)
	rt.API("POST", "/api/v1/admin/kecamatan/{code}/backups", Anywhere("tenant", "write"), s.adminBackupCreate)
	rt.API("GET", "/api/v1/admin/accounts", Anywhere("account", "read"), s.adminAccountList)
	rt.API("POST", "/api/v1/admin/accounts", Anywhere("account", "write"), s.adminAccountCreate)
	rt.API("PATCH", "/api/v1/admin/accounts/{username}", Anywhere("account", "write"), s.adminAccountUpdate)
	rt.API("POST", "/api/v1/admin/accounts/{username}/password-reset", Anywhere("account", "write"), s.adminPasswordReset)
	rt.API("GET", "/api/v1/admin/grants", Anywhere("grant", "read"), s.adminGrantList)
	rt.API("POST", "/api/v1/admin/grants", Anywhere("grant", "write"), s.adminGrantCreate)
	rt.API("DELETE", "/api/v1/admin/grants/{id}", Anywhere("grant", "write"), s.adminGrantDelete)
	rt.API("GET", "/api/v1/admin/accounts/{username}/tokens", Anywhere("token", "read"), s.adminTokenList)
	rt.API("DELETE", "/api/v1/admin/tokens/{id}", Anywhere("token", "write"), s.adminTokenRevoke)
	rt.API("GET", "/api/v1/audit", Anywhere("audit", "read"), s.auditList)
	rt.API("POST", "/api/v1/audit/reads", Anywhere("audit", "read"), s.auditReads)
}
