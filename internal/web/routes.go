package web

import (
	"net/http"

	"github.com/slrt-id/slrt/internal/httpapi"
)

// Routes mounts the pages through the HTTP layer, each with the
// authorisation rule of the API route it stands beside, so that every
// page is in the authorisation matrix.
func (h *Handler) Routes(rt *httpapi.Routes) {
	page := func(method, pattern string, ru httpapi.Rule, fn http.HandlerFunc, mw ...httpapi.Middleware) {
		rt.Page(method, pattern, ru, fn, append([]httpapi.Middleware{h.chooseLanguage}, mw...)...)
	}
	var (
		public, self = httpapi.Public, httpapi.Self
		ownPassword  = httpapi.OwnPassword
		inTenant     = httpapi.InTenant
		inAgency     = httpapi.InAgency
		anywhere     = httpapi.Anywhere
	)
	page("GET", "/static/app.css", public, serveStylesheet)
	page("GET", "/masuk", public, h.loginShow)
	page("POST", "/masuk", public, h.login, rt.LoginLimit())
	page("GET", "/masuk/sso", public, h.ssoBegin, rt.LoginLimit())
	page("GET", ssoRedirectPath, public, h.ssoReturn, rt.LoginLimit())
	page("POST", "/keluar", ownPassword, h.logout)
	page("GET", "/", self, h.home)
	page("GET", "/sandi", ownPassword, h.passwordShow)
	page("POST", "/sandi", ownPassword, h.passwordChange)

	// Puskesos: intake, the case file, referrals.
	page("GET", "/kecamatan/{code}/keluarga/baru", inTenant("penduduk", "write"), h.householdNew)
	page("POST", "/kecamatan/{code}/keluarga", inTenant("penduduk", "write"), h.householdCreate)
	page("GET", "/kecamatan/{code}/keluarga/{id}", inTenant("penduduk", "read"), h.householdShow)
	page("POST", "/kecamatan/{code}/keluarga/{id}", inTenant("penduduk", "write"), h.householdUpdate)
	page("GET", "/kecamatan/{code}/keluarga/{id}/ubah", inTenant("penduduk", "write"), h.householdEdit)
	page("POST", "/kecamatan/{code}/keluarga/{id}/anggota", inTenant("penduduk", "write"), h.memberCreate)
	page("GET", "/kecamatan/{code}/penduduk/{id}", inTenant("penduduk", "read"), h.personShow)
	page("POST", "/kecamatan/{code}/penduduk/{id}", inTenant("penduduk", "write"), h.personUpdate)
	page("POST", "/kecamatan/{code}/penduduk/{id}/pindah", inTenant("penduduk", "write"), h.personMove)
	page("GET", "/kecamatan/{code}/keluhan", inTenant("keluhan", "read"), h.complaintList)
	page("POST", "/kecamatan/{code}/keluhan", inTenant("keluhan", "write"), h.complaintCreate)
	page("GET", "/kecamatan/{code}/keluhan/baru", inTenant("keluhan", "write"), h.complaintNew)
	page("POST", "/kecamatan/{code}/keluhan/baru", inTenant("keluhan", "write"), h.residentSearch)
	page("GET", "/kecamatan/{code}/keluhan/{id}", inTenant("keluhan", "read"), h.complaintShow)
	page("POST", "/kecamatan/{code}/keluhan/{id}/rujukan", inTenant("rujukan", "write"), h.referralCreate)
	page("POST", "/kecamatan/{code}/keluhan/{id}/asesmen", inTenant("keluhan", "write"), h.complaintAssess)
	page("POST", "/kecamatan/{code}/keluhan/{id}/tindak-lanjut", inTenant("keluhan", "write"), h.followUpCreate)
	page("POST", "/kecamatan/{code}/keluhan/{id}/tutup", inTenant("keluhan", "close"), h.complaintClose)
	page("POST", "/kecamatan/{code}/keluhan/{id}/eskalasi", inTenant("eskalasi", "write"), h.complaintEscalate)
	page("POST", "/kecamatan/{code}/keluhan/{id}/eskalasi/ambil", inTenant("eskalasi", "decide"), h.escalationTake)
	page("POST", "/kecamatan/{code}/keluhan/{id}/eskalasi/keputusan", inTenant("eskalasi", "decide"), h.escalationDecide)
	page("GET", "/eskalasi", anywhere("eskalasi", "decide"), h.escalationQueue)
	page("POST", "/kecamatan/{code}/rujukan/{id}/kirim", inTenant("rujukan", "write"), h.referralSend)
	page("POST", "/kecamatan/{code}/rujukan/{id}/batal", inTenant("rujukan", "write"), h.referralCancel)

	// Proposals (usulan) to the national registry and the musyawarah
	// kelurahan that decides them.
	page("GET", "/kecamatan/{code}/usulan", inTenant("usulan", "read"), h.proposalList)
	page("GET", "/kecamatan/{code}/usulan/baru", inTenant("usulan", "write"), h.proposalNew)
	page("POST", "/kecamatan/{code}/usulan", inTenant("usulan", "write"), h.proposalCreate)
	page("GET", "/kecamatan/{code}/usulan/{id}", inTenant("usulan", "read"), h.proposalShow)
	page("POST", "/kecamatan/{code}/usulan/{id}/status", inTenant("usulan", "write"), h.proposalStep)
	page("GET", "/kecamatan/{code}/musyawarah/baru", inTenant("usulan", "decide"), h.musyawarahNew)
	page("POST", "/kecamatan/{code}/musyawarah", inTenant("usulan", "decide"), h.musyawarahCreate)
	page("GET", "/kecamatan/{code}/musyawarah/{id}", inTenant("usulan", "read"), h.musyawarahShow)
	verifies := anywhere("usulan", "verify")
	page("GET", "/usulan/verifikasi", verifies, h.verificationQueue)
	page("POST", "/kecamatan/{code}/usulan/{id}/verifikasi", inTenant("usulan", "verify"), h.proposalVerify)
	page("POST", "/usulan/batch", verifies, h.batchSend)
	page("GET", "/usulan/hasil", verifies, h.resultNew)
	rt.Upload("POST", "/usulan/hasil", verifies, h.resultCreate, h.chooseLanguage)
	page("GET", "/usulan/periode", anywhere("usulan_periode", "write"), h.periods)
	page("POST", "/usulan/periode", anywhere("usulan_periode", "write"), h.periodSave)
	page("POST", "/usulan/periode/isi", anywhere("usulan_periode", "write"), h.periodsFill)

	// Households moving between kecamatan (pindah).
	page("GET", "/kecamatan/{code}/pindah", inTenant("pindah", "read"), h.transferList)
	page("POST", "/kecamatan/{code}/pindah/permintaan", inTenant("pindah", "write"), h.transferAsk)
	page("POST", "/kecamatan/{code}/pindah/tawaran", inTenant("pindah", "write"), h.transferOffer)
	page("GET", "/kecamatan/{code}/pindah/{id}", inTenant("pindah", "read"), h.transferShow)
	page("POST", "/kecamatan/{code}/pindah/{id}/keputusan", inTenant("pindah", "decide"), h.transferDecide)
	page("POST", "/kecamatan/{code}/pindah/{id}/batal", inTenant("pindah", "write"), h.transferRevoke)
	page("GET", "/pindah", anywhere("pindah_kota", "read"), h.cityTransfers)

	// Dinas Sosial: the registry from DTKS/BNBA extracts, previewed first.
	page("GET", "/kecamatan/{code}/impor", inTenant("penduduk", "import"), h.importNew)
	rt.Upload("POST", "/kecamatan/{code}/impor", inTenant("penduduk", "import"), h.importCreate, h.chooseLanguage)

	// Reports, and the referrals past their targets.
	page("GET", "/kecamatan/{code}/laporan", inTenant("laporan", "read"), h.kecamatanReport)
	page("GET", "/laporan", anywhere("laporan_kota", "read"), h.cityReport)
	page("GET", "/kecamatan/{code}/rujukan/terlambat", inTenant("rujukan", "read"), h.kecamatanOverdue)
	page("GET", "/rujukan/terlambat", anywhere("rujukan_kota", "read"), h.cityOverdue)
	page("GET", "/kecamatan/{code}/sasaran", inTenant("laporan", "read"), h.kecamatanTargeting)
	page("GET", "/kecamatan/{code}/sasaran/keluarga", inTenant("penduduk", "read"), h.targetList)
	page("GET", "/sasaran", anywhere("laporan_kota", "read"), h.cityTargeting)

	// Dinas Sosial: the catalogue (services, complaint categories,
	// holidays), each change kept with who, when and why.
	keeps := anywhere("katalog", "write")
	page("GET", "/katalog", keeps, h.catalogue)
	page("GET", "/katalog/layanan/baru", keeps, h.serviceNew)
	page("POST", "/katalog/layanan", keeps, h.serviceCreate)
	page("GET", "/katalog/layanan/{service}", keeps, h.serviceShow)
	page("POST", "/katalog/layanan/{service}", keeps, h.serviceSave)
	page("GET", "/katalog/kategori", keeps, h.categories)
	page("POST", "/katalog/kategori", keeps, h.categoryCreate)
	page("GET", "/katalog/kategori/{category}", keeps, h.categoryShow)
	page("POST", "/katalog/kategori/{category}", keeps, h.categorySave)
	page("GET", "/katalog/libur", keeps, h.holidays)
	page("POST", "/katalog/libur", keeps, h.holidaySave)
	page("POST", "/katalog/libur/{date}/hapus", keeps, h.holidayDelete)
	page("GET", "/katalog/program", keeps, h.programmes)
	page("POST", "/katalog/program", keeps, h.programmeSave)

	// City IT: the kecamatan and their tenants' state.
	page("GET", "/admin/kecamatan", anywhere("tenant", "read"), h.adminKecamatan)
	page("POST", "/admin/kecamatan", anywhere("tenant", "write"), h.adminKecamatanOnboard)
	page("GET", "/admin/akun", anywhere("account", "read"), h.adminAccounts)
	page("POST", "/admin/akun", anywhere("account", "write"), h.adminAccountCreate)
	page("GET", "/admin/akun/{username}", anywhere("account", "read"), h.adminAccountShow)
	page("GET", "/admin/akun/{username}/status", anywhere("account", "write"), h.adminAccountConfirm)
	page("POST", "/admin/akun/{username}/status", anywhere("account", "write"), h.adminAccountStatus)
	page("POST", "/admin/akun/{username}/sandi", anywhere("account", "write"), h.adminPasswordReset)
	page("POST", "/admin/akun/{username}/sso", anywhere("account", "write"), h.adminAccountSSO)
	page("POST", "/admin/akun/{username}/peran", anywhere("grant", "write"), h.adminGrantAdd)
	page("POST", "/admin/akun/{username}/peran/{id}/hapus", anywhere("grant", "write"), h.adminGrantRemove)
	page("POST", "/admin/akun/{username}/token/{id}/cabut", anywhere("token", "write"), h.adminTokenRevoke)
	page("GET", "/admin/kecamatan/{code}/status", anywhere("tenant", "write"), h.adminKecamatanConfirm)
	page("POST", "/admin/kecamatan/{code}/status", anywhere("tenant", "write"), h.adminKecamatanStatus)
	page("GET", "/admin/kecamatan/{code}/cadangan", anywhere("tenant", "read"), h.adminBackups)
	page("POST", "/admin/kecamatan/{code}/cadangan", anywhere("tenant", "write"), h.adminBackupNow)

	// Auditors: the audit log.
	page("GET", "/audit", anywhere("audit", "read"), h.auditList)
	page("POST", "/audit/warga", anywhere("audit", "read"), h.auditResidentReads)

	// The receiving agency.
	page("GET", "/instansi/{agency}/rujukan", inAgency("rujukan_inbox", "read"), h.inboxList)
	page("GET", "/instansi/{agency}/rujukan/{code}/{id}", inAgency("rujukan_inbox", "read"), h.inboxShow)
	page("POST", "/instansi/{agency}/rujukan/{code}/{id}/status", inAgency("rujukan_inbox", "write"), h.inboxTransition)

	// Residents: the status page the QR code on a letter opens. openapi.json
	// describes it, as the address letters print.
	rt.API("GET", "/lacak/{trackingCode}", public, h.trackingShow, rt.TrackLimit())
}
