package proposal

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/slrt-id/slrt/internal/bnba"
	"github.com/slrt-id/slrt/internal/casework"
	"github.com/slrt-id/slrt/internal/nik"
	"github.com/slrt-id/slrt/internal/registry"
	"github.com/slrt-id/slrt/internal/usulan"
)

// ResultColumns are the columns of the centre's result file, one row per
// proposal sent (docs/import.md): its reference and No KK as the batch
// gave them, the decision, and the household's desil, programmes and DTSEN
// id as the centre set them. Other columns are ignored.
var ResultColumns = []string{"id_usulan", "no_kk", "hasil", "desil", "program", "id_dtsen", "keterangan"}

// resultRequired are the columns a result file must have.
var resultRequired = []string{"id_usulan", "no_kk", "hasil"}

// The decisions a result row may carry.
const (
	resultDecided    = "ditetapkan"
	resultNotDecided = "tidak_ditetapkan"
)

// ResultRow is one row of a result file, checked.
type ResultRow struct {
	Line      int
	Kecamatan string
	ID        int64
	NoKK      string
	Decided   bool
	Desil     *int16
	// Programmes are the household's programmes as the centre set them;
	// nil when the cell is empty (they stay as they are).
	Programmes []string
	DTSENID    *string
	Note       string
}

// ReadResult reads and checks a result file's rows: a problem names the
// line and the column. Rows with problems are left out of rows.
func ReadResult(r bnba.Reader, now time.Time) (rows []ResultRow, problems []bnba.Problem, err error) {
	var header map[string]int
	seen := map[string]int{}
	for {
		record, line, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var p *bnba.Problem
			if errors.As(err, &p) {
				return rows, append(problems, *p), nil
			}
			return nil, nil, err
		}
		if header == nil {
			if strings.TrimSpace(strings.Join(record, "")) == "" {
				continue
			}
			header = map[string]int{}
			for i, cell := range record {
				header[strings.ReplaceAll(bnba.HeaderName(cell), " ", "_")] = i
			}
			for _, c := range resultRequired {
				if _, ok := header[c]; !ok {
					problems = append(problems, bnba.Problem{Line: line, Field: c, Code: "result.column_missing",
						Message: "the result file needs the column " + c + " (" + strings.Join(ResultColumns, ", ") + ")"})
				}
			}
			if problems != nil {
				return nil, problems, nil
			}
			continue
		}
		get := func(c string) string {
			if i, ok := header[c]; ok && i < len(record) {
				return strings.TrimSpace(record[i])
			}
			return ""
		}
		if strings.TrimSpace(strings.Join(record, "")) == "" {
			continue
		}
		row, ps := checkResult(line, get, now)
		if prev, ok := seen[get("id_usulan")]; ok {
			ps = append(ps, bnba.Problem{Line: line, Field: "id_usulan", Code: "result.twice",
				Message: fmt.Sprintf("this proposal is already decided on line %d", prev)})
		}
		seen[get("id_usulan")] = line
		if ps != nil {
			problems = append(problems, ps...)
			continue
		}
		rows = append(rows, row)
	}
	if header == nil {
		problems = append(problems, bnba.Problem{Line: 1, Field: "id_usulan", Code: "result.empty", Message: "the file has no header and no rows"})
	}
	return rows, problems, nil
}

func checkResult(line int, get func(string) string, now time.Time) (ResultRow, []bnba.Problem) {
	var ps []bnba.Problem
	bad := func(field, code, msg string) {
		ps = append(ps, bnba.Problem{Line: line, Field: field, Code: code, Message: msg})
	}
	row := ResultRow{Line: line, NoKK: get("no_kk"), Note: get("keterangan")}
	var ok bool
	if row.Kecamatan, row.ID, ok = ParseRef(get("id_usulan")); !ok {
		bad("id_usulan", "result.reference", "the proposal's reference as the batch file gave it (kecamatan/id, as 32.73.03/15)")
	}
	if p := nik.CheckKK(row.NoKK, now); p != nil {
		bad("no_kk", p.Code, p.Message)
	}
	switch strings.ToLower(strings.ReplaceAll(get("hasil"), " ", "_")) {
	case resultDecided:
		row.Decided = true
	case resultNotDecided:
	default:
		bad("hasil", "result.decision", "ditetapkan or tidak_ditetapkan")
	}
	if v := get("desil"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 10 {
			bad("desil", "bnba.desil", "a desil from 1 to 10")
		} else {
			d := int16(n)
			row.Desil = &d
		}
	}
	if v := get("program"); v != "" {
		row.Programmes = []string{}
		for _, part := range strings.FieldsFunc(v, func(r rune) bool { return r == ';' || r == ',' }) {
			code := bnba.Programme(part)
			if !slices.Contains(registry.Programmes, code) {
				bad("program", "bnba.program", "programmes from "+strings.Join(registry.Programmes, ", ")+", separated by ;")
				continue
			}
			if !slices.Contains(row.Programmes, code) {
				row.Programmes = append(row.Programmes, code)
			}
		}
	}
	if v := get("id_dtsen"); v != "" {
		if len(v) > 40 {
			bad("id_dtsen", "bnba.too_long", "at most 40 characters")
		}
		row.DTSENID = &v
	}
	if len(row.Note) > 1000 {
		bad("keterangan", "bnba.too_long", "at most 1000 characters")
	}
	return row, ps
}

// Applied is what applying a kecamatan's result rows did.
type Applied struct {
	Decided    int `json:"decided"`
	NotDecided int `json:"notDecided"`
	// Already counts rows whose proposal already carries that decision
	// (the file was imported before): they change nothing.
	Already int `json:"already"`
	// Registered counts new households registered by their decision.
	Registered int `json:"registered"`
	// NIKs are the persons a decision registered, for the city's index.
	NIKs     []string       `json:"-"`
	Problems []bnba.Problem `json:"-"`
}

// ApplyResult applies one kecamatan's result rows in tx: a decided
// proposal takes effect on the registry (a new household is registered
// with its members, a correction applied, a deactivation marked, a
// programme added), the row's desil, programmes and DTSEN id are set on
// the household, and the proposal becomes ditetapkan or tidak ditetapkan,
// with the registry's history naming it. The rows' proposals are read and
// locked at once and checked; those that only set a household's fields
// (most of a result) are applied together in a few statements, the others
// each under a savepoint. A row with a problem is listed and changes nothing; the
// caller decides whether the others stand.
func ApplyResult(ctx context.Context, tx pgx.Tx, kecamatan string, rows []ResultRow, actor casework.Actor) (*Applied, error) {
	out := &Applied{}
	sent, err := lockSent(ctx, tx, rows)
	if err != nil {
		return nil, err
	}
	batch := &pgx.Batch{}
	var fields []fieldsRow
	var complex []int
	seen := map[int64]bool{}
	for i := range rows {
		row := &rows[i]
		p, ok := sent[row.ID]
		if problem := check(row, p, ok, kecamatan, out); problem != nil {
			out.Problems = append(out.Problems, *problem)
			continue
		}
		if !ok || p.status == row.to() {
			continue // already
		}
		// A decision that registers, corrects or deactivates changes
		// the registry's records: it runs under its own savepoint.
		fieldsOnly := p.kind == usulan.Programme || (p.kind == usulan.NewHousehold && p.household != nil)
		switch {
		case row.Decided && !fieldsOnly:
			complex = append(complex, i)
			continue
		case p.household != nil && seen[*p.household]:
			// A household's second proposal in the file: after the first.
			queueSimple(batch, fieldsOf(kecamatan, row, p), row, actor)
		default:
			fields = append(fields, fieldsOf(kecamatan, row, p))
			if p.household != nil {
				seen[*p.household] = true
			}
		}
		if row.Decided {
			out.Decided++
		} else {
			out.NotDecided++
		}
	}
	if err := applyFields(ctx, tx, fields, actor); err != nil {
		return nil, err
	}
	if batch.Len() > 0 {
		if err := tx.SendBatch(ctx, batch).Close(); err != nil {
			return nil, fmt.Errorf("while applying the result: %w", err)
		}
	}
	for _, i := range complex {
		row := &rows[i]
		sp, err := tx.Begin(ctx)
		if err != nil {
			return nil, err
		}
		problem, err := applyRow(ctx, sp, kecamatan, row, sent[row.ID], actor, out)
		if err != nil {
			_ = sp.Rollback(ctx)
			return nil, fmt.Errorf("line %d: %w", row.Line, err)
		}
		if problem != nil {
			out.Problems = append(out.Problems, *problem)
			if err := sp.Rollback(ctx); err != nil {
				return nil, err
			}
			continue
		}
		if err := sp.Commit(ctx); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// sentProposal is what a result row's proposal is, as locked.
type sentProposal struct {
	status    usulan.Status
	kind      usulan.Kind
	household *int64
	person    *int64
	body      json.RawMessage
	noKK      *string
}

// lockSent reads and locks the proposals the rows name.
func lockSent(ctx context.Context, tx pgx.Tx, rows []ResultRow) (map[int64]*sentProposal, error) {
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	res, err := tx.Query(ctx, `SELECT u.id, u.status, u.kind, u.household_id, u.person_id, u.proposal, h.no_kk
		FROM usulan u LEFT JOIN household h ON h.id = u.household_id WHERE u.id = ANY($1) ORDER BY u.id FOR UPDATE OF u`, ids)
	if err != nil {
		return nil, fmt.Errorf("while reading the proposals of the result: %w", err)
	}
	out := map[int64]*sentProposal{}
	var id int64
	var p sentProposal
	_, err = pgx.ForEachRow(res, []any{&id, &p.status, &p.kind, &p.household, &p.person, &p.body, &p.noKK}, func() error {
		cp := p
		if cp.household == nil {
			var h NewHousehold
			if err := json.Unmarshal(cp.body, &h); err != nil {
				return err
			}
			cp.noKK = &h.NoKK
		}
		out[id] = &cp
		return nil
	})
	return out, err
}

// why is the reason the registry's history gives a row's changes: the
// proposal and its decision.
func (r *ResultRow) why(kecamatan string) string {
	return "usulan " + Ref(kecamatan, r.ID) + " " + string(r.to())
}

// to is the status a row's decision gives its proposal.
func (r *ResultRow) to() usulan.Status {
	if r.Decided {
		return usulan.Decided
	}
	return usulan.NotDecided
}

// check finds a row's problem against its proposal; a row whose proposal
// already carries its decision counts as already.
func check(row *ResultRow, p *sentProposal, found bool, kecamatan string, out *Applied) *bnba.Problem {
	switch {
	case !found:
		return resultProblem(row, "id_usulan", "result.unknown", "no such proposal in kecamatan "+kecamatan)
	case p.status == row.to():
		out.Already++
		return nil
	case p.status != usulan.Sent:
		return resultProblem(row, "hasil", "result.not_sent", "the proposal is "+string(p.status)+", not dikirim: only a proposal sent in a batch takes a result")
	case p.noKK == nil || *p.noKK != row.NoKK:
		return resultProblem(row, "no_kk", "result.kk_mismatch", "not the No KK of the proposal's household")
	}
	return nil
}

// fieldsRow is a row that only sets its household's fields (and, for a
// decided programme proposal, adds the programme), as applyFields takes it.
type fieldsRow struct {
	usulan    int64
	household *int64
	to        usulan.Status
	desil     *int16
	dtks      *string
	set       []string // nil: the programmes stay
	added     string
	note      *string
	reason    string
}

func fieldsOf(kecamatan string, row *ResultRow, p *sentProposal) fieldsRow {
	f := fieldsRow{usulan: row.ID, household: p.household, to: row.to(), desil: row.Desil, dtks: row.DTSENID, set: row.Programmes,
		reason: row.why(kecamatan)}
	if row.Decided && p.kind == usulan.Programme {
		var g ProgrammeProposal
		_ = json.Unmarshal(p.body, &g)
		f.added = g.Programme
	}
	if row.Note != "" {
		f.note = &row.Note
	}
	return f
}

// applyFields applies rows of distinct households in a few statements
// over all of them: copied into a temporary table, the households updated
// at once (each change's reason naming its proposal, through
// registry_reason: tenant migration 00009), the proposals moved with their
// steps.
func applyFields(ctx context.Context, tx pgx.Tx, rows []fieldsRow, actor casework.Actor) error {
	if len(rows) == 0 {
		return nil
	}
	// The tables stay with the connection, emptied at each commit: creating
	// them for every import would cost more than their rows.
	for _, ddl := range []string{`CREATE TEMP TABLE IF NOT EXISTS result_row (usulan_id bigint, household_id bigint, to_status text, desil smallint,
		dtks_id text, programmes text[], added text, note text, reason text) ON COMMIT DELETE ROWS`,
		`CREATE TEMP TABLE IF NOT EXISTS registry_reason (household_id bigint PRIMARY KEY, reason text) ON COMMIT DELETE ROWS`} {
		if _, err := tx.Exec(ctx, ddl); err != nil {
			return fmt.Errorf("while staging the result: %w", err)
		}
	}
	_, err := tx.CopyFrom(ctx, pgx.Identifier{"result_row"},
		[]string{"usulan_id", "household_id", "to_status", "desil", "dtks_id", "programmes", "added", "note", "reason"},
		pgx.CopyFromSlice(len(rows), func(i int) ([]any, error) {
			r := rows[i]
			return []any{r.usulan, r.household, string(r.to), r.desil, r.dtks, r.set, r.added, r.note, r.reason}, nil
		}))
	if err != nil {
		return fmt.Errorf("while staging the result: %w", err)
	}
	b := &pgx.Batch{}
	// Its size known, the households are found by their key rather than by
	// reading them all.
	b.Queue(`ANALYZE result_row`)
	b.Queue(`INSERT INTO registry_reason SELECT household_id, reason FROM result_row WHERE household_id IS NOT NULL`)
	b.Queue(`SELECT set_config('slrt.via', $1, true), set_config('slrt.reasons', 'on', true)`, registry.ViaUsulan)
	b.Queue(`UPDATE household h SET desil = coalesce(r.desil, h.desil), dtks_id = coalesce(r.dtks_id, h.dtks_id),
			programmes = CASE WHEN r.programmes IS NOT NULL THEN r.programmes
				WHEN r.added <> '' AND NOT r.added = ANY(h.programmes) THEN array_append(h.programmes, r.added) ELSE h.programmes END,
			updated_at = now()
		FROM result_row r WHERE h.id = r.household_id`)
	b.Queue(`SELECT set_config('slrt.reasons', 'off', true)`)
	b.Queue(`WITH u AS (UPDATE usulan SET status = r.to_status, updated_at = now() FROM result_row r WHERE usulan.id = r.usulan_id
			RETURNING usulan.id, r.to_status, r.note)
		INSERT INTO usulan_event (usulan_id, from_status, to_status, actor, username, role, reason)
		SELECT id, 'dikirim', to_status, $1, $2, $3, note FROM u`, actor.ID, actor.Username, actor.Role)
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return fmt.Errorf("while applying the result: %w", err)
	}
	return nil
}

// queueSimple queues a row of applyFields's kind on its own: the
// history's reason naming the proposal, the household's fields, the
// proposal and its step (for a household's second proposal in a file).
func queueSimple(b *pgx.Batch, f fieldsRow, row *ResultRow, actor casework.Actor) {
	b.Queue(`SELECT set_config('slrt.via', $1, true), set_config('slrt.reason', $2, true)`, registry.ViaUsulan, f.reason)
	if f.household != nil {
		b.Queue(`UPDATE household SET desil = coalesce($2, desil), dtks_id = coalesce($3, dtks_id),
			programmes = CASE WHEN $4::text[] IS NOT NULL THEN $4::text[]
				WHEN $5 <> '' AND NOT $5 = ANY(programmes) THEN array_append(programmes, $5) ELSE programmes END,
			updated_at = now() WHERE id = $1`, *f.household, f.desil, f.dtks, f.set, f.added)
	}
	queueStep(b, row, f.household, actor)
}

// queueStep queues a proposal's move to its result, with the step.
func queueStep(b *pgx.Batch, row *ResultRow, household *int64, actor casework.Actor) {
	var note *string
	if row.Note != "" {
		note = &row.Note
	}
	b.Queue(`WITH u AS (UPDATE usulan SET status = $2, household_id = $3, updated_at = now() WHERE id = $1 RETURNING id)
		INSERT INTO usulan_event (usulan_id, from_status, to_status, actor, username, role, reason)
		SELECT id, 'dikirim', $2, $4, $5, $6, $7 FROM u`, row.ID, row.to(), household, actor.ID, actor.Username, actor.Role, note)
}

// resultProblem is a row's problem with a field of it.
func resultProblem(row *ResultRow, field, code, msg string) *bnba.Problem {
	return &bnba.Problem{Line: row.Line, Field: field, Code: code, Message: msg}
}

// applyRow applies a decided row whose proposal changes the registry's
// records: a new household registered, a correction, a deactivation.
func applyRow(ctx context.Context, tx pgx.Tx, kecamatan string, row *ResultRow, p *sentProposal, actor casework.Actor, out *Applied) (*bnba.Problem, error) {
	why := row.why(kecamatan)
	if err := registry.Because(ctx, tx, registry.ViaUsulan, why); err != nil {
		return nil, err
	}
	household := p.household
	if household == nil {
		var proposed NewHousehold
		if err := json.Unmarshal(p.body, &proposed); err != nil {
			return nil, err
		}
		id, problem, err := register(ctx, tx, row, &proposed, actor, out)
		if problem != nil || err != nil {
			return problem, err
		}
		household = &id
	} else if err := takeEffect(ctx, tx, p.kind, *household, p.person, p.body, why, actor.ID); err != nil {
		if problem := asRowProblem(row, err); problem != nil {
			return problem, nil
		}
		return nil, err
	}
	set := registry.Socioeconomic{Desil: row.Desil, Programmes: row.Programmes, DTKSID: row.DTSENID}
	if err := registry.UpdateHousehold(ctx, tx, *household, &registry.HouseholdChange{Socioeconomic: set,
		Reason: why, Via: registry.ViaUsulan}, nil); err != nil {
		return nil, err
	}
	b := &pgx.Batch{}
	queueStep(b, row, household, actor)
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return nil, err
	}
	out.Decided++
	return nil, nil
}

// register registers a proposed household the centre decided, with its
// members, the row's desil, programmes and DTSEN id.
func register(ctx context.Context, tx pgx.Tx, row *ResultRow, h *NewHousehold, actor casework.Actor, out *Applied) (int64, *bnba.Problem, error) {
	house := h.House
	nh := &registry.NewHousehold{NoKK: h.NoKK, House: &house, Socioeconomic: h.Socioeconomic}
	id, err := registry.CreateHousehold(ctx, tx, nh, nil)
	if problem := asRowProblem(row, err); problem != nil {
		return 0, problem, nil
	}
	if err != nil {
		return 0, nil, err
	}
	for _, m := range h.Members {
		np := &registry.NewPerson{NIK: m.NIK, PersonFacts: m.PersonFacts, HouseholdID: id, Relationship: m.Relationship}
		if np.Presence == "" {
			np.Presence = "tinggal"
		}
		_, err := registry.CreatePerson(ctx, tx, np, actor.ID, nil)
		if problem := asRowProblem(row, err); problem != nil {
			return 0, problem, nil
		}
		if err != nil {
			return 0, nil, err
		}
		out.NIKs = append(out.NIKs, m.NIK)
	}
	out.Registered++
	return id, nil, nil
}

// asRowProblem is a registry's refusal (a No KK or NIK registered since the
// proposal was drafted, a value no longer allowed) as the row's problem.
func asRowProblem(row *ResultRow, err error) *bnba.Problem {
	var conflict *registry.ConflictError
	var inv *registry.InvalidError
	switch {
	case errors.As(err, &conflict):
		return resultProblem(row, "no_kk", "result.registered", conflict.Message+"; the decision cannot register it again")
	case errors.As(err, &inv):
		return resultProblem(row, "id_usulan", "result.cannot_apply", inv.Error())
	case errors.Is(err, registry.ErrNotFound):
		return resultProblem(row, "id_usulan", "result.record_gone", "the household or person the proposal is about is no longer registered here")
	}
	return nil
}

// personPresence is what a deactivation decided makes of a person's
// presence, by the deactivation's reason.
var personPresence = map[string]string{"meninggal": "meninggal", "pindah": "pindah", "ganda": "tidak_ditemukan"}

// takeEffect applies what a decided proposal about a registered household
// asks, the history's changes giving reason.
func takeEffect(ctx context.Context, tx pgx.Tx, kind usulan.Kind, household int64, person *int64, body json.RawMessage, reason string, actor int64) error {
	switch kind {
	case usulan.Correction:
		var c Correction
		if err := json.Unmarshal(body, &c); err != nil {
			return err
		}
		if c.Entity == "person" && person != nil {
			var ch registry.PersonChange
			if err := json.Unmarshal(c.Change, &ch); err != nil {
				return err
			}
			ch.Reason, ch.Via = reason, registry.ViaUsulan
			return registry.UpdatePerson(ctx, tx, *person, &ch, actor, nil)
		}
		var ch registry.HouseholdChange
		if err := json.Unmarshal(c.Change, &ch); err != nil {
			return err
		}
		ch.Reason, ch.Via = reason, registry.ViaUsulan
		return registry.UpdateHousehold(ctx, tx, household, &ch, nil)
	case usulan.Deactivation:
		var d Deactivation
		if err := json.Unmarshal(body, &d); err != nil {
			return err
		}
		presence, ok := personPresence[d.Reason]
		switch {
		case person != nil && ok:
			return registry.UpdatePerson(ctx, tx, *person, &registry.PersonChange{Presence: &presence, Reason: reason, Via: registry.ViaUsulan}, actor, nil)
		case person == nil && ok && d.Reason != "ganda":
			_, err := tx.Exec(ctx, `UPDATE person SET presence = $2 WHERE id IN
				(SELECT person_id FROM membership WHERE household_id = $1 AND until IS NULL)`, household, presence)
			return err
		case person == nil:
			// A household out of DTSEN: a duplicate, or no longer eligible.
			_, err := tx.Exec(ctx, `UPDATE household SET dtks_id = NULL, desil = NULL, programmes = '{}' WHERE id = $1`, household)
			return err
		}
		return nil
	}
	return nil
}
