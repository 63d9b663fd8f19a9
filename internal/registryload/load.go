// Package registryload loads a DTKS/BNBA extract into a kecamatan's
// registry in one transaction: rows are checked as they stream in, alone
// and against each other (a NIK twice, a household whose rows disagree,
// two heads), copied into a staging table with COPY, then upserted by No KK
// and NIK into houses, households, persons and memberships. Loading the
// same file again changes nothing.
package registryload

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/slrt-id/slrt/internal/bnba"
	"github.com/slrt-id/slrt/internal/registry"
)

// Options shape a load.
type Options struct {
	// Kecamatan is the code of the kecamatan loaded into.
	Kecamatan string
	// SkipInvalid loads the good rows and reports the bad ones; without it
	// one bad row loads nothing.
	SkipInvalid bool
	// Actor is the account recorded on new memberships.
	Actor int64
	// Now bounds dates of birth and issue.
	Now time.Time
	// AllowMoves loads a file that moves more than MaxMoveShare of its
	// registered persons into other households.
	AllowMoves bool
	// Columns names columns for header cells the aliases do not cover.
	Columns bnba.ColumnMap
}

// Result says what a load did.
type Result struct {
	Rows              int `json:"rows"`
	Loaded            int `json:"loaded"`
	Skipped           int `json:"skipped"`
	HouseholdsCreated int `json:"householdsCreated"`
	HouseholdsUpdated int `json:"householdsUpdated"`
	PersonsCreated    int `json:"personsCreated"`
	PersonsUpdated    int `json:"personsUpdated"`
	Moved             int `json:"moved"`
	// Registered counts the file's persons already in the registry, and
	// HouseholdChanges those of them the load puts into another household
	// (Moves lists them); Moved counts those too, and relationships changed.
	Registered       int    `json:"registered"`
	HouseholdChanges int    `json:"householdChanges"`
	Moves            []Move `json:"moves"`
	// Columns says how the file's header was read: each column, and the
	// header cell it was found under.
	Columns map[string]string `json:"columns,omitempty"`
	// HeaderLine is the line (or row) the header was found on.
	HeaderLine   int            `json:"headerLine,omitempty"`
	Problems     []bnba.Problem `json:"problems"`
	ProblemCount int            `json:"problemCount"`
	// NIKs are the NIKs loaded, for the cross-kecamatan index.
	NIKs []string `json:"-"`
}

// analyzeAfter is the size of a load after which statistics are refreshed.
const analyzeAfter = 1000

// Analyze refreshes the registry tables' statistics after a large load, so
// that searches are planned for what is there now (autovacuum would,
// minutes later). It runs after the commit, outside the load's
// transaction: inside, it would wait on autovacuum's lock while holding
// the load's.
func Analyze(ctx context.Context, db interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
}) error {
	_, err := db.Exec(ctx, `ANALYZE house, household, person, membership`)
	return err
}

// Large reports whether a load is large enough to refresh statistics after.
func (r *Result) Large() bool { return r.Loaded >= analyzeAfter }

// MaxProblems bounds the problems a result lists; ProblemCount has all.
const MaxProblems = 1000

func (r *Result) add(ps ...bnba.Problem) {
	for _, p := range ps {
		r.ProblemCount++
		if len(r.Problems) < MaxProblems {
			r.Problems = append(r.Problems, p)
		}
	}
}

// Failed reports whether the load must not be committed.
func (r *Result) Failed(o Options) bool { return r.ProblemCount > 0 && !o.SkipInvalid }

// stageDDL makes the staging table of a load.
const stageDDL = `CREATE TEMP TABLE bnba_stage (
	line int, no_kk text, nik text, name text, name_key text, birth_place text, birth_date date, sex text, relationship text,
	education text, occupation text, disabilities text[], chronic_illnesses text[], pregnant boolean, presence text,
	kelurahan text, rt text, rw text, street text, dtks_id text, desil smallint, programmes text[], income bigint, spending bigint
) ON COMMIT DROP`

var stageColumns = []string{"line", "no_kk", "nik", "name", "name_key", "birth_place", "birth_date", "sex", "relationship",
	"education", "occupation", "disabilities", "chronic_illnesses", "pregnant", "presence", "kelurahan", "rt", "rw", "street",
	"dtks_id", "desil", "programmes", "income", "spending"}

// source feeds COPY with the rows that pass their own checks and the
// checks across rows. Once a row has failed and bad rows are not skipped,
// the rest of the file is still checked (to report every problem) but no
// longer copied: the load will be rolled back.
type source struct {
	r      *bnba.Extract
	o      Options
	across *bnba.Across
	res    *Result
	values []any
	err    error
}

func (s *source) Next() bool {
	for {
		row, _, problems, err := s.r.Next()
		if errors.Is(err, io.EOF) {
			return false
		}
		var p *bnba.Problem
		if errors.As(err, &p) {
			s.res.Rows++
			s.res.add(*p)
			if !s.o.SkipInvalid {
				return false // the file cannot be read past a broken line
			}
			continue
		}
		if err != nil {
			s.err = err
			return false
		}
		s.res.Rows++
		if row != nil {
			problems = s.across.Check(row)
		}
		if problems != nil {
			s.res.add(problems...)
			continue
		}
		if s.res.Failed(s.o) {
			continue
		}
		s.res.NIKs = append(s.res.NIKs, row.NIK)
		s.values = []any{row.Line, row.NoKK, row.NIK, row.Name, registry.NameKey(row.Name), row.BirthPlace, row.BirthDate, row.Sex,
			row.Relationship, row.Education, row.Occupation, row.Disabilities, row.ChronicIllnesses, row.Pregnant, row.Presence,
			row.Kelurahan, row.RT, row.RW, row.Street, row.DTKSID, row.Desil, row.Programmes, row.Income, row.Spending}
		return true
	}
}

func (s *source) Values() ([]any, error) { return s.values, nil }
func (s *source) Err() error             { return s.err }

// Stage reads an extract from r, checks every row, and copies the good
// ones into the load's staging table within tx; Upsert then writes them
// into the registry. When the result has problems and SkipInvalid is off,
// the caller rolls tx back: nothing is loaded. The two are separate so
// that the caller can do other work (the NIK index, in another database)
// while the upsert runs.
func Stage(ctx context.Context, tx pgx.Tx, r bnba.Reader, o Options) (*Result, error) {
	res := &Result{Problems: []bnba.Problem{}}
	extract, problems, err := bnba.ReadMapped(r, o.Kecamatan, o.Now, o.Columns)
	var p *bnba.Problem
	if errors.As(err, &p) {
		res.add(*p)
		return res, nil
	}
	if err != nil {
		return nil, err
	}
	if problems != nil {
		res.add(problems...)
		return res, nil
	}
	res.Columns, res.HeaderLine = extract.Columns, extract.HeaderLine
	rows, err := tx.Query(ctx, `SELECT code FROM kelurahan`)
	if err != nil {
		return nil, fmt.Errorf("while reading the kecamatan's kelurahan: %w", err)
	}
	kelurahan, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("while reading the kecamatan's kelurahan: %w", err)
	}
	if _, err := tx.Exec(ctx, stageDDL); err != nil {
		return nil, fmt.Errorf("while making the staging table: %w", err)
	}
	src := &source{r: extract, o: o, across: bnba.NewAcross(kelurahan), res: res}
	n, err := tx.CopyFrom(ctx, pgx.Identifier{"bnba_stage"}, stageColumns, src)
	if err != nil {
		return nil, fmt.Errorf("while copying the rows: %w", err)
	}
	res.Loaded = int(n)
	res.Skipped = res.Rows - res.Loaded
	if res.Failed(o) {
		res.NIKs = nil
	}
	return res, nil
}

type step struct {
	doing string
	sql   string
	count func(*Result) *int
}

// steps are the upsert's statements, in order, over bnba_stage; opening
// memberships takes the actor as $1. Inserts skip existing rows with ON
// CONFLICT on their unique index, not NOT EXISTS: an anti-join against the
// table being filled, planned as a nested loop, rescans the pages the same
// statement is writing (quadratic: 3.5 s instead of 0.3 s for 23,000
// persons once autovacuum had seen the table empty). No step refreshes
// statistics: the planner scales a table's estimate by its current size,
// so the joins below are planned as hash joins even on tables autovacuum
// saw empty, and an ANALYZE inside the load cost a fifth of it.
var steps = []step{
	{"while updating households", `
			WITH hh AS (SELECT DISTINCT ON (no_kk) * FROM bnba_stage ORDER BY no_kk, line)
			UPDATE household h SET kelurahan_code = hh.kelurahan, dtks_id = hh.dtks_id, desil = hh.desil, programmes = hh.programmes,
				monthly_income = hh.income, monthly_spending = hh.spending, updated_at = now()
			FROM hh WHERE h.no_kk = hh.no_kk
				AND (h.kelurahan_code, h.dtks_id, h.desil, h.programmes, h.monthly_income, h.monthly_spending)
					IS DISTINCT FROM (hh.kelurahan, hh.dtks_id, hh.desil, hh.programmes, hh.income, hh.spending)`, func(r *Result) *int { return &r.HouseholdsUpdated }},
	{"while updating houses", `
			WITH hh AS (SELECT DISTINCT ON (no_kk) * FROM bnba_stage ORDER BY no_kk, line)
			UPDATE house ho SET kelurahan_code = hh.kelurahan, rt = hh.rt, rw = hh.rw, street = hh.street, updated_at = now()
			FROM household h JOIN hh ON hh.no_kk = h.no_kk
			WHERE ho.id = h.house_id AND (ho.kelurahan_code, ho.rt, ho.rw, ho.street) IS DISTINCT FROM (hh.kelurahan, hh.rt, hh.rw, hh.street)`, nil},
	{"while choosing new houses", `
			CREATE TEMP TABLE bnba_new_household ON COMMIT DROP AS
			SELECT hh.*, nextval(pg_get_serial_sequence('house', 'id')) AS house_id
			FROM (SELECT DISTINCT ON (no_kk) * FROM bnba_stage ORDER BY no_kk, line) hh
			WHERE NOT EXISTS (SELECT 1 FROM household h WHERE h.no_kk = hh.no_kk)`, nil},
	{"while creating houses", `
			INSERT INTO house (id, kelurahan_code, rt, rw, street) OVERRIDING SYSTEM VALUE
			SELECT house_id, kelurahan, rt, rw, street FROM bnba_new_household`, nil},
	{"while creating households", `
			INSERT INTO household (no_kk, house_id, kelurahan_code, dtks_id, desil, programmes, monthly_income, monthly_spending)
			SELECT no_kk, house_id, kelurahan, dtks_id, desil, coalesce(programmes, '{}'), income, spending FROM bnba_new_household`, func(r *Result) *int { return &r.HouseholdsCreated }},
	{"while updating persons", `
			UPDATE person p SET name = s.name, name_key = s.name_key, birth_place = s.birth_place, birth_date = s.birth_date, sex = s.sex,
				education = s.education, occupation = s.occupation, disabilities = s.disabilities, chronic_illnesses = s.chronic_illnesses,
				pregnant = s.pregnant, presence = s.presence, kelurahan_code = s.kelurahan, updated_at = now()
			FROM bnba_stage s WHERE p.nik = s.nik
				AND (p.name, p.birth_place, p.birth_date, p.sex, p.education, p.occupation, p.disabilities, p.chronic_illnesses, p.pregnant, p.presence, p.kelurahan_code)
					IS DISTINCT FROM (s.name, s.birth_place, s.birth_date, s.sex, s.education, s.occupation, s.disabilities, s.chronic_illnesses, s.pregnant, s.presence, s.kelurahan)`, func(r *Result) *int { return &r.PersonsUpdated }},
	{"while creating persons", `
			INSERT INTO person (nik, name, name_key, birth_place, birth_date, sex, education, occupation, disabilities, chronic_illnesses,
				pregnant, presence, kelurahan_code)
			SELECT nik, name, name_key, birth_place, birth_date, sex, education, occupation, disabilities, chronic_illnesses,
				pregnant, presence, kelurahan FROM bnba_stage s
			ON CONFLICT (nik) DO NOTHING`, func(r *Result) *int { return &r.PersonsCreated }},
	{"while closing memberships that changed", `
			UPDATE membership m SET until = now(), reason = 'impor DTKS'
			FROM bnba_stage s JOIN person p ON p.nik = s.nik JOIN household h ON h.no_kk = s.no_kk
			WHERE m.person_id = p.id AND m.until IS NULL AND (m.household_id <> h.id OR m.relationship <> s.relationship)`, func(r *Result) *int { return &r.Moved }},
	{"while opening memberships", `
			INSERT INTO membership (person_id, household_id, relationship, recorded_by)
			SELECT p.id, h.id, s.relationship, $1 FROM bnba_stage s JOIN person p ON p.nik = s.nik JOIN household h ON h.no_kk = s.no_kk
			ON CONFLICT (person_id) WHERE until IS NULL DO NOTHING`, nil},
}

// Upsert writes the rows Stage copied into the registry by No KK and NIK,
// within the same tx. It first lists the registered persons the load moves
// into other households, and refuses with ErrTooManyMoves when they are
// more than MaxMoveShare of the registered persons in the file, unless the
// options allow it.
func Upsert(ctx context.Context, tx pgx.Tx, o Options, res *Result) error {
	if err := findMoves(ctx, tx, res); err != nil {
		return err
	}
	if res.tooManyMoves() && !o.AllowMoves {
		return ErrTooManyMoves
	}
	// The registry's history records each row the load changes, as an
	// import's, and none it creates.
	if err := registry.Because(ctx, tx, registry.ViaImport, ""); err != nil {
		return err
	}
	for _, st := range steps {
		var args []any
		if st.doing == "while opening memberships" {
			args = append(args, o.Actor)
		}
		tag, err := tx.Exec(ctx, st.sql, args...)
		if err != nil {
			return fmt.Errorf("%s: %w", st.doing, explain(err))
		}
		if st.count != nil {
			*st.count(res) = int(tag.RowsAffected())
		}
	}
	return nil
}

// ErrHeadConflict is a household whose file lists a new head while the
// registry's head is not in the file.
var ErrHeadConflict = errors.New("a household in the file names a kepala_keluarga while the registry has another one not in the file; list the household's current head in the file too")

// explain turns the one constraint a consistent file can still break into
// words: a new head for a household whose registered head is not in it.
func explain(err error) error {
	var pgErr interface{ SQLState() string }
	if errors.As(err, &pgErr) && pgErr.SQLState() == "23505" {
		return fmt.Errorf("%w (%v)", ErrHeadConflict, err)
	}
	return err
}
