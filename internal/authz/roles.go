package authz

import (
	"regexp"
	"strings"
)

// Role is what a grant gives its holder; role permissions live in
// config/casbin/policy.csv.
type Role string

// The roles of the platform (see docs/authorization.md).
const (
	RolePetugas     Role = "petugas"     // petugas Puskesos, one kelurahan
	RoleKoordinator Role = "koordinator" // koordinator Puskesos, one kelurahan
	RoleSupervisor  Role = "supervisor"  // supervisor kecamatan (TKSK, Kasi Kesos)
	RoleDinsos      Role = "dinsos"      // Dinas Sosial staff, the city
	RoleAgency      Role = "agency"      // receiving agency staff, agency:CODE
	RoleAdmin       Role = "admin"       // city IT admin, the city
	RoleAuditor     Role = "auditor"     // auditor / data protection officer, the city
)

// Roles lists every role.
var Roles = []Role{RolePetugas, RoleKoordinator, RoleSupervisor, RoleDinsos, RoleAgency, RoleAdmin, RoleAuditor}

// Domain levels.
const (
	LevelKota      = "kota"      // 32.73
	LevelKecamatan = "kecamatan" // 32.73.03
	LevelKelurahan = "kelurahan" // 32.73.03.1002
	LevelAgency    = "agency"    // agency:DINKES
)

// AgencyPrefix starts the domain of a receiving agency.
const AgencyPrefix = "agency:"

var (
	kotaRe      = regexp.MustCompile(`^[0-9]{2}\.[0-9]{2}$`)
	kecamatanRe = regexp.MustCompile(`^[0-9]{2}\.[0-9]{2}\.[0-9]{2}$`)
	kelurahanRe = regexp.MustCompile(`^[0-9]{2}\.[0-9]{2}\.[0-9]{2}\.[0-9]{4}$`)
	agencyRe    = regexp.MustCompile(`^agency:[A-Z0-9_-]{2,32}$`)
)

// DomainLevel returns the level of a domain, or "" when it is malformed.
func DomainLevel(domain string) string {
	switch {
	case kotaRe.MatchString(domain):
		return LevelKota
	case kecamatanRe.MatchString(domain):
		return LevelKecamatan
	case kelurahanRe.MatchString(domain):
		return LevelKelurahan
	case agencyRe.MatchString(domain):
		return LevelAgency
	}
	return ""
}

// grantLevel is the level at which each role is granted: a petugas works in
// one kelurahan, a supervisor in one kecamatan, and so on.
var grantLevel = map[Role]string{
	RolePetugas:     LevelKelurahan,
	RoleKoordinator: LevelKelurahan,
	RoleSupervisor:  LevelKecamatan,
	RoleDinsos:      LevelKota,
	RoleAgency:      LevelAgency,
	RoleAdmin:       LevelKota,
	RoleAuditor:     LevelKota,
}

// GrantLevel returns the level of domain a role is granted at, and whether
// the role exists.
func GrantLevel(r Role) (string, bool) {
	l, ok := grantLevel[r]
	return l, ok
}

// Ancestors returns an area code and every code above it, most specific
// first: 32.73.03.1002, 32.73.03, 32.73. An agency domain has none above it.
func Ancestors(domain string) []string {
	if strings.HasPrefix(domain, AgencyPrefix) {
		return []string{domain}
	}
	out := []string{domain}
	for {
		i := strings.LastIndexByte(domain, '.')
		if i < 0 || strings.Count(domain, ".") <= 1 {
			return out
		}
		domain = domain[:i]
		out = append(out, domain)
	}
}

// Covers reports whether a grant on domain covers code: the same code, or
// one under it.
func Covers(domain, code string) bool {
	return domain == code || strings.HasPrefix(code, domain+".")
}
