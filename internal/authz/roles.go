package authz

import (
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

// DomainLevel returns the level of a domain, or "" when it is malformed:
// kota 32.73, kecamatan 32.73.03, kelurahan 32.73.03.1002, agency
// agency:DINKES. Checked by hand rather than by regular expressions: every
// request asks, and the four matches cost more than its decision.
func DomainLevel(domain string) string {
	switch {
	case digitGroups(domain, 2, 2):
		return LevelKota
	case digitGroups(domain, 2, 2, 2):
		return LevelKecamatan
	case digitGroups(domain, 2, 2, 2, 4):
		return LevelKelurahan
	case agencyCode(domain):
		return LevelAgency
	}
	return ""
}

// digitGroups reports whether s is groups of digits of the given lengths
// joined by dots.
func digitGroups(s string, lengths ...int) bool {
	i := 0
	for g, n := range lengths {
		if g > 0 {
			if i >= len(s) || s[i] != '.' {
				return false
			}
			i++
		}
		for range n {
			if i >= len(s) || s[i] < '0' || s[i] > '9' {
				return false
			}
			i++
		}
	}
	return i == len(s)
}

// agencyCode reports whether s is an agency's domain: the prefix, then 2 to
// 32 of A-Z, 0-9, _ and -.
func agencyCode(s string) bool {
	code, ok := strings.CutPrefix(s, AgencyPrefix)
	if !ok || len(code) < 2 || len(code) > 32 {
		return false
	}
	for i := 0; i < len(code); i++ {
		c := code[i]
		upper, digit := c >= 'A' && c <= 'Z', c >= '0' && c <= '9'
		if !upper && !digit && c != '_' && c != '-' {
			return false
		}
	}
	return true
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
