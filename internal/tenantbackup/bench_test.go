package tenantbackup_test

import (
	"context"
	"fmt"
	"os"
	osexec "os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/slrt-id/slrt/internal/tenantbackup"
)

// BenchmarkBackupAndRestore takes a backup of a tenant-sized database and
// restores it (each with every table fingerprinted and checked), against
// the floor of PostgreSQL's own tools doing the same copy with nothing else:
// pg_dump to a file, pg_restore from it.
//
//	SLRT_BENCH_ROWS=200000 go test ./internal/tenantbackup -run '^$' -bench BackupAndRestore -benchtime 3x
func BenchmarkBackupAndRestore(b *testing.B) {
	ctx := context.Background()
	rows := 100000
	if v, err := strconv.Atoi(os.Getenv("SLRT_BENCH_ROWS")); err == nil && v > 0 {
		rows = v
	}
	tools := tenantbackup.Tools{BinDir: pg.Bin()}
	store := tenantbackup.Store{Dir: b.TempDir()}
	src := database(b, "bench_source")
	exec(b, src,
		`CREATE EXTENSION IF NOT EXISTS pg_trgm`,
		`CREATE TABLE person (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, nik text NOT NULL UNIQUE, name text NOT NULL,
		   birth date, income bigint, facts jsonb, seen timestamptz DEFAULT now())`,
		`CREATE INDEX person_name_trgm ON person USING gin (name gin_trgm_ops)`,
		fmt.Sprintf(`INSERT INTO person (nik, name, birth, income, facts)
		 SELECT lpad((3273000000000000 + i)::text, 16, '0'), 'Warga ' || md5(i::text), date '1950-01-01' + (i %% 25000),
		        i * 7 %% 5000000, jsonb_build_object('rt', i %% 20, 'pkh', i %% 3 = 0)
		   FROM generate_series(1, %d) i`, rows))

	var ours, floor time.Duration
	var size int64
	for i := 0; b.Loop(); i++ {
		start := time.Now()
		dumped, err := tools.Dump(ctx, src, store, "bench.dump")
		if err != nil {
			b.Fatal(err)
		}
		dst := database(b, fmt.Sprintf("bench_copy_%d", i))
		if err := tools.Restore(ctx, dst, store, "bench.dump", dumped.SHA256, dumped.Tables); err != nil {
			b.Fatal(err)
		}
		ours += time.Since(start)
		size = dumped.Size

		start = time.Now()
		plain := filepath.Join(store.Dir, "plain.dump")
		run(b, src, "pg_dump", "--format=custom", "--file="+plain, "--dbname="+src.Database)
		floorDst := database(b, fmt.Sprintf("bench_floor_%d", i))
		run(b, floorDst, "pg_restore", "--single-transaction", "--exit-on-error", "--no-owner", "--no-acl", "--dbname="+floorDst.Database, plain)
		floor += time.Since(start)
	}
	n := float64(b.N)
	b.ReportMetric(ours.Seconds()/n, "s-backup+restore")
	b.ReportMetric(floor.Seconds()/n, "s-floor")
	b.ReportMetric(ours.Seconds()/floor.Seconds(), "x-floor")
	b.ReportMetric(float64(size)/1e6, "MB-dump")
	b.ReportMetric(float64(rows), "rows")
}

// run runs a PostgreSQL client program against c, as the floor does.
func run(b *testing.B, c tenantbackup.Conn, program string, args ...string) {
	b.Helper()
	cmd := osexec.Command(filepath.Join(pg.Bin(), program), args...)
	cmd.Env = append(os.Environ(), "PGHOST="+c.Host, "PGPORT="+strconv.Itoa(c.Port), "PGUSER="+c.User, "PGPASSWORD="+c.Password, "PGSSLMODE=disable")
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("%s: %v\n%s", program, err, out)
	}
}
