package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/slrt-id/slrt/internal/bnba"
	"github.com/slrt-id/slrt/internal/registryload"
)

func newImport(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "import KECAMATAN FILE",
		Short: "Load a DTKS/BNBA extract (CSV or XLSX) into a kecamatan (Dinas Sosial)",
		Long: `Checks every row of FILE first and reports each problem with its line and field; with a
problem nothing is loaded unless --skip-invalid. Then sends the file to the API, which checks it
again and loads it in one transaction (COPY, then upsert by No KK and NIK: running it again
changes nothing). Columns: docs/import.md.`,
		Args: cobra.ExactArgs(2),
	}
	skip := cmd.Flags().Bool("skip-invalid", false, "load the good rows and report the bad ones")
	dryRun := cmd.Flags().Bool("dry-run", false, "check and load without keeping anything: how the columns were read, what would be created, updated and moved")
	allowMoves := cmd.Flags().Bool("allow-moves", false, "load even when the file puts more than 5% of its registered persons into other households")
	mapFile := cmd.Flags().String("map", "", "a file naming columns for header cells docs/import.md does not list: one `HEADER CELL = column` a line")
	encoding := cmd.Flags().String("encoding", "", "a CSV file's encoding: utf-8 or windows-1252 (default: UTF-8, or Windows-1252 when the file is not UTF-8)")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		c, err := g.client()
		if err != nil {
			return err
		}
		code, path := args[0], args[1]
		out, errOut := cmd.OutOrStdout(), cmd.ErrOrStderr()
		var columns map[string]string // as written in the map file, sent to the API
		columnMap := bnba.ColumnMap{}
		if *mapFile != "" {
			if columns, columnMap, err = readColumnMap(*mapFile); err != nil {
				return err
			}
		}
		problems, rows, err := checkFile(code, path, *encoding, columnMap, errOut)
		if err != nil {
			return err
		}
		// Problems that stop the import are diagnostics (standard error);
		// rows skipped on request are part of the report (standard output).
		report := out
		if !*skip {
			report = errOut
		}
		for _, p := range problems {
			fmt.Fprintln(report, p.String())
		}
		if len(problems) > 0 && !*skip {
			return fmt.Errorf("%d problems in %d rows of %s; nothing imported (fix them, or --skip-invalid to load the good rows)", len(problems), rows, path)
		}
		res, err := upload(c, code, path, uploadOptions{encoding: *encoding, skip: *skip, dryRun: *dryRun, allowMoves: *allowMoves, columns: columns}, errOut)
		if res != nil && (*dryRun || errors.Is(err, errTooManyMoves)) {
			printPreview(out, res)
		}
		if err != nil {
			return err
		}
		for _, p := range res.Problems {
			if !containsProblem(problems, p) {
				fmt.Fprintln(out, p.String())
			}
		}
		verb := "loaded"
		if *dryRun {
			verb = "would load (dry run: nothing kept)"
		}
		fmt.Fprintf(out, "%d rows: %d %s, %d skipped; households %d new, %d updated; persons %d new, %d updated, %d moved\n",
			res.Rows, res.Loaded, verb, res.Skipped, res.HouseholdsCreated, res.HouseholdsUpdated, res.PersonsCreated, res.PersonsUpdated, res.Moved)
		return nil
	}
	return cmd
}

func containsProblem(ps []bnba.Problem, p bnba.Problem) bool {
	for _, q := range ps {
		if q.Line == p.Line && q.Field == p.Field && q.Code == p.Code {
			return true
		}
	}
	return false
}

// checkFile reads the whole file once and checks every row, alone and
// against the rows before it, showing progress on a terminal.
// readColumnMap reads a --map file: the pairs as written, and as a map.
func readColumnMap(path string) (map[string]string, bnba.ColumnMap, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	m, err := bnba.ParseColumnMap(bytes.NewReader(data))
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	pairs := map[string]string{}
	for _, line := range strings.Split(string(data), "\n") {
		text, _, _ := strings.Cut(line, "#")
		if cell, column, ok := strings.Cut(text, "="); ok {
			pairs[strings.TrimSpace(cell)] = strings.TrimSpace(column)
		}
	}
	return pairs, m, nil
}

func checkFile(code, path, encoding string, columns bnba.ColumnMap, progress io.Writer) ([]bnba.Problem, int, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, err
	}
	defer f.Close()
	r, err := bnba.Open(path, f, encoding)
	if err != nil {
		return nil, 0, err
	}
	now, rows := time.Now(), 0
	extract, problems, err := bnba.ReadMapped(r, code, now, columns)
	var p *bnba.Problem
	if errors.As(err, &p) {
		return []bnba.Problem{*p}, 0, nil
	}
	if err != nil {
		return nil, 0, fmt.Errorf("%s: %w", path, err)
	}
	if problems != nil {
		return problems, 0, nil
	}
	show := newProgress(progress, "checking")
	// The kecamatan's kelurahan list is the server's to check.
	across := bnba.NewAcross(nil)
	for {
		row, _, ps, err := extract.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if errors.As(err, &p) {
			problems = append(problems, *p)
			break // a broken CSV line ends the reading
		}
		if err != nil {
			return nil, rows, err
		}
		rows++
		problems = append(problems, ps...)
		if row != nil {
			problems = append(problems, across.Check(row)...)
		}
		show.rows(rows)
	}
	show.done(fmt.Sprintf("%d rows checked", rows))
	return problems, rows, nil
}

// importResult is the API's answer to an import.
type importResult struct {
	registryload.Result
	Committed bool `json:"committed"`
}

// upload streams the file as it is to the API, so that the lines the API
// reports are the file's own.
// uploadOptions say how the API loads a file.
type uploadOptions struct {
	encoding                 string
	skip, dryRun, allowMoves bool
	// columns are a --map file's pairs, header cell to column.
	columns map[string]string
}

// errTooManyMoves is the API's refusal of a file that moves too many
// registered persons.
var errTooManyMoves = errors.New("the file would put more than 5% of its registered persons into other households; nothing imported (check the moves listed, then run again with --allow-moves)")

// printPreview says how the file's columns were read and whom the load
// puts into another household.
func printPreview(out io.Writer, res *importResult) {
	columns := make([]string, 0, len(res.Columns))
	for column, cell := range res.Columns {
		columns = append(columns, fmt.Sprintf("  %-18s <- %q", column, cell))
	}
	sort.Strings(columns)
	fmt.Fprintln(out, "columns read:")
	for _, c := range columns {
		fmt.Fprintln(out, c)
	}
	fmt.Fprintf(out, "registered persons in the file: %d; put into another household: %d\n", res.Registered, res.HouseholdChanges)
	for _, m := range res.Moves {
		fmt.Fprintf(out, "  line %d: %s %s moves from KK %s to KK %s\n", m.Line, m.NIK, m.Name, m.From, m.To)
	}
}

func upload(c *apiClient, code, path string, o uploadOptions, progress io.Writer) (*importResult, error) {
	q := url.Values{}
	for name, on := range map[string]bool{"skipInvalid": o.skip, "dryRun": o.dryRun, "allowMoves": o.allowMoves} {
		if on {
			q.Set(name, "true")
		}
	}
	for cell, column := range o.columns {
		q.Add("column", cell+"="+column)
	}
	status, data, err := postFile(c, "/api/v1/kecamatan/"+url.PathEscape(code)+"/impor", q, path, o.encoding, progress)
	if err != nil {
		return nil, err
	}
	var res importResult
	_ = json.Unmarshal(data, &res)
	if status == http.StatusUnprocessableEntity {
		for _, p := range res.Problems {
			fmt.Fprintln(progress, p.String())
		}
		return nil, fmt.Errorf("the API found %d problems; nothing imported", res.ProblemCount)
	}
	if status == http.StatusConflict && res.HouseholdChanges > 0 {
		return &res, errTooManyMoves
	}
	if err := answerProblem(status, data); err != nil {
		return nil, err
	}
	return &res, nil
}

func newExport(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "export KECAMATAN",
		Short: "Write a kecamatan's registry as a DTKS/BNBA extract, the shape import reads (Dinas Sosial)",
		Args:  cobra.ExactArgs(1),
	}
	format := cmd.Flags().String("format", "csv", "csv or xlsx")
	kelurahan := cmd.Flags().String("kelurahan", "", "only this kelurahan")
	file := cmd.Flags().StringP("file", "f", "", "where to write (default bnba-KECAMATAN.FORMAT)")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		c, err := g.client()
		if err != nil {
			return err
		}
		code := args[0]
		path := *file
		if path == "" {
			path = "bnba-" + code + "." + *format
		}
		q := url.Values{"format": {*format}}
		if *kelurahan != "" {
			q.Set("kelurahan", *kelurahan)
		}
		n, err := getFile(c, "/api/v1/kecamatan/"+url.PathEscape(code)+"/ekspor", q, path, cmd.ErrOrStderr())
		if err != nil {
			return err
		}
		fmt.Fprintf(cmd.OutOrStdout(), "%s: %d bytes\n", path, n)
		return nil
	}
	return cmd
}

// postFile streams the file at path as it is to the API (so that the lines
// the API reports are the file's own), as CSV in encoding or as XLSX by its
// name, and returns the answer's status and body.
func postFile(c *apiClient, apiPath string, q url.Values, path, encoding string, progress io.Writer) (int, []byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, nil, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return 0, nil, err
	}
	show := newProgress(progress, "sending")
	body := &countingReader{r: f, onRead: func(n int64) { show.bytes(n, info.Size()) }}
	req, err := http.NewRequest("POST", c.server+apiPath+"?"+q.Encode(), body)
	if err != nil {
		return 0, nil, err
	}
	req.ContentLength = info.Size()
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Content-Type", "text/csv")
	if encoding != "" {
		req.Header.Set("Content-Type", "text/csv; charset="+encoding)
	}
	if strings.EqualFold(filepath.Ext(path), ".xlsx") {
		req.Header.Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	}
	resp, err := (&http.Client{Timeout: 15 * time.Minute}).Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	show.done("sent; the API is working")
	data, err := io.ReadAll(resp.Body)
	return resp.StatusCode, data, err
}

// getFile writes what the API answers a GET of apiPath into the file dest,
// and returns its size; an error answer writes no file.
func getFile(c *apiClient, apiPath string, q url.Values, dest string, progress io.Writer) (int64, error) {
	req, err := http.NewRequest("GET", c.server+apiPath+"?"+q.Encode(), nil)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	resp, err := (&http.Client{Timeout: 15 * time.Minute}).Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 400 {
		data, _ := io.ReadAll(resp.Body)
		return 0, answerProblem(resp.StatusCode, data)
	}
	out, err := os.Create(dest)
	if err != nil {
		return 0, err
	}
	show := newProgress(progress, "receiving")
	n, err := io.Copy(out, &countingReader{r: resp.Body, onRead: func(n int64) { show.bytes(n, -1) }})
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	show.done("")
	return n, err
}

// answerProblem is an error answer's problem, or nil for a success.
func answerProblem(status int, data []byte) error {
	if status < 400 {
		return nil
	}
	p := &problemError{Status: status, Title: http.StatusText(status)}
	_ = json.Unmarshal(data, p)
	return p
}

// progress shows a line that updates in place, on a terminal only.
type progress struct {
	w    io.Writer
	what string
	tty  bool
	last time.Time
}

func newProgress(w io.Writer, what string) *progress {
	f, ok := w.(*os.File)
	return &progress{w: w, what: what, tty: ok && term.IsTerminal(int(f.Fd()))}
}

func (p *progress) tick() bool {
	if !p.tty || time.Since(p.last) < 100*time.Millisecond {
		return false
	}
	p.last = time.Now()
	return true
}

func (p *progress) rows(n int) {
	if p.tick() {
		fmt.Fprintf(p.w, "\r%s: %d rows", p.what, n)
	}
}

func (p *progress) bytes(n, total int64) {
	if !p.tick() {
		return
	}
	if total > 0 {
		fmt.Fprintf(p.w, "\r%s: %.1f / %.1f MiB (%d%%)", p.what, float64(n)/(1<<20), float64(total)/(1<<20), n*100/total)
	} else {
		fmt.Fprintf(p.w, "\r%s: %.1f MiB", p.what, float64(n)/(1<<20))
	}
}

func (p *progress) done(msg string) {
	if p.tty {
		fmt.Fprintf(p.w, "\r\033[K")
		if msg != "" {
			fmt.Fprintf(p.w, "%s\n", msg)
		}
	}
}

// countingReader reports how much has been read.
type countingReader struct {
	r      io.Reader
	n      atomic.Int64
	onRead func(int64)
}

func (c *countingReader) Read(b []byte) (int, error) {
	n, err := c.r.Read(b)
	c.onRead(c.n.Add(int64(n)))
	return n, err
}
