package operator

import (
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/types"

	slrtv1 "github.com/slrt-id/slrt/api/v1alpha1"
	"github.com/slrt-id/slrt/internal/tenantschema"
)

// verifyEvery is how long a Ready tenant goes without a pass that connects
// with its own credentials when nothing about it changed. Every pass still
// checks the role, its login and the database over the admin connection;
// the tenant's connection (a new backend on its server, its schema version
// and kelurahan) is made when the spec, the credentials or the role changed,
// and otherwise once an hour, not at every 10-minute resync: with 7,300
// tenants that was 12 new backends a second for servers with nothing else
// to do (docs/benchmarks.md).
const verifyEvery = time.Hour

// verifications remembers, per tenant, what its last connecting pass saw.
// It lives in memory: a restarted operator connects once to every tenant.
type verifications struct {
	mu sync.Mutex
	m  map[types.UID]verified
}

type verified struct {
	at          time.Time
	generation  int64
	credentials string
}

// recent reports whether kec was verified with its present spec and
// credentials less than verifyEvery ago, at the current schema.
func (v *verifications) recent(kec *slrtv1.Kecamatan) bool {
	if kec.Status.SchemaVersion != tenantschema.LatestVersion() || !meta.IsStatusConditionTrue(kec.Status.Conditions, slrtv1.ConditionSchemaReady) {
		return false
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	last, ok := v.m[kec.UID]
	return ok && last.generation == kec.Generation && last.credentials == kec.Status.CredentialsVersion &&
		time.Since(last.at) < verifyEvery
}

func (v *verifications) record(kec *slrtv1.Kecamatan) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.m == nil {
		v.m = map[types.UID]verified{}
	}
	v.m[kec.UID] = verified{at: time.Now(), generation: kec.Generation, credentials: kec.Status.CredentialsVersion}
}

func (v *verifications) forget(kec *slrtv1.Kecamatan) {
	v.mu.Lock()
	defer v.mu.Unlock()
	delete(v.m, kec.UID)
}
