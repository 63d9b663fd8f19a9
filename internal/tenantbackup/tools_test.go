package tenantbackup

import (
	"strings"
	"testing"
)

func TestErrorsOfTheClientProgramsCarryNoData(t *testing.T) {
	// What pg_restore prints when COPY fails on a row: the row's field is quoted.
	stderr := `pg_restore: while PROCESSING TOC:
pg_restore: from TOC entry 3340; 0 16390 TABLE DATA person slrt_32_73_03
pg_restore: error: COPY failed for table "person": ERROR:  invalid input syntax for type integer: "3273011234567890"
CONTEXT:  COPY person, line 1, column nik: "3273011234567890"`
	got := firstError(stderr)
	if strings.Contains(got, "3273011234567890") {
		t.Fatalf("the error carries a NIK: %s", got)
	}
	if !strings.HasPrefix(got, "pg_restore: error: COPY failed for table") {
		t.Fatalf("the error line is lost: %s", got)
	}
}
