package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/slrt-id/slrt/internal/bnba"
	"github.com/slrt-id/slrt/internal/proposal"
)

// newUsulan is Dinas Sosial's batch work on proposals (usulan): sending
// the verified to the centre and bringing the result back.
func newUsulan(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "usulan",
		Short: "Send verified proposals to the centre in a batch, and import the centre's result (Dinas Sosial)",
	}
	cmd.AddCommand(newBatch(g), newBatchFile(g), newResult(g))
	return cmd
}

type batchView struct {
	ID          int64          `json:"id"`
	Code        string         `json:"code"`
	Period      string         `json:"period"`
	Sent        map[string]int `json:"sent"`
	Unavailable []struct {
		Kecamatan string `json:"kecamatan"`
		Reason    string `json:"reason"`
	} `json:"unavailable"`
}

func newBatch(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "batch",
		Short: "Send every verified proposal of the city in a new batch, and print its id and what each kecamatan sent",
		Long: `Each kecamatan's verified proposals become dikirim in the batch, in the kecamatan's own
transaction; a kecamatan that cannot be reached is named and keeps its proposals for the next
batch. Running it again with the same --key returns the same batch and sends nothing more.`,
		Args: cobra.NoArgs,
	}
	period := cmd.Flags().String("period", "", "send only this period's verified proposals")
	key := cmd.Flags().String("key", "", "an idempotency key: the same key is the same batch")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		c, err := g.client()
		if err != nil {
			return err
		}
		if *key != "" {
			c.headers = map[string]string{"Idempotency-Key": *key}
		}
		var b batchView
		if err := c.do("POST", "/api/v1/usulan/batch", map[string]string{"period": *period}, &b); err != nil {
			return err
		}
		if g.output == "json" {
			return json.NewEncoder(cmd.OutOrStdout()).Encode(b)
		}
		total := 0
		var parts []string
		for _, code := range slices.Sorted(maps.Keys(b.Sent)) {
			total += b.Sent[code]
			parts = append(parts, fmt.Sprintf("%s %d", code, b.Sent[code]))
		}
		fmt.Fprintf(cmd.OutOrStdout(), "batch %d (%s): %d proposals sent", b.ID, b.Code, total)
		if len(parts) > 0 {
			fmt.Fprintf(cmd.OutOrStdout(), " (%s)", strings.Join(parts, ", "))
		}
		fmt.Fprintln(cmd.OutOrStdout())
		for _, u := range b.Unavailable {
			fmt.Fprintf(cmd.ErrOrStderr(), "kecamatan %s not reached (%s): its verified proposals wait for the next batch\n", u.Kecamatan, u.Reason)
		}
		return nil
	}
	return cmd
}

func newBatchFile(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "bnba BATCH",
		Short: "Write a batch's BNBA upload for the centre (CSV or XLSX; columns in docs/import.md)",
		Args:  cobra.ExactArgs(1),
	}
	format := cmd.Flags().String("format", "csv", "csv or xlsx")
	file := cmd.Flags().StringP("file", "f", "", "where to write (default the batch's code and the format)")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		c, err := g.client()
		if err != nil {
			return err
		}
		var b batchView
		if err := c.do("GET", "/api/v1/usulan/batch/"+url.PathEscape(args[0]), nil, &b); err != nil {
			return err
		}
		path := *file
		if path == "" {
			path = b.Code + "." + *format
		}
		n, err := getFile(c, fmt.Sprintf("/api/v1/usulan/batch/%d/bnba", b.ID), url.Values{"format": {*format}}, path, cmd.ErrOrStderr())
		if err != nil {
			return err
		}
		fmt.Fprintf(cmd.OutOrStdout(), "%s: %d bytes\n", path, n)
		return nil
	}
	return cmd
}

// resultAnswer is the API's answer to a result import.
type resultAnswer struct {
	Rows         int            `json:"rows"`
	Decided      int            `json:"decided"`
	NotDecided   int            `json:"notDecided"`
	Already      int            `json:"already"`
	Registered   int            `json:"registered"`
	Problems     []bnba.Problem `json:"problems"`
	ProblemCount int            `json:"problemCount"`
	Committed    bool           `json:"committed"`
}

func newResult(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "hasil FILE",
		Short: "Import the centre's result (CSV or XLSX): desil, programmes, and each proposal ditetapkan or tidak ditetapkan",
		Long: `Checks every row of FILE first and reports each problem with its line and column; with a
problem nothing is applied unless --skip-invalid. The API checks each row against its proposal
and applies the file in one transaction per kecamatan: decided proposals take effect (a new
household registered, a correction applied, a deactivation marked), the households get their
desil, programmes and DTSEN id, and the registry's history names the proposal. Importing the
same file again changes nothing. Columns: docs/import.md.`,
		Args: cobra.ExactArgs(1),
	}
	skip := cmd.Flags().Bool("skip-invalid", false, "apply the good rows and report the bad ones")
	dryRun := cmd.Flags().Bool("dry-run", false, "check and apply without keeping anything")
	encoding := cmd.Flags().String("encoding", "", "a CSV file's encoding: utf-8 or windows-1252")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		c, err := g.client()
		if err != nil {
			return err
		}
		path := args[0]
		out, errOut := cmd.OutOrStdout(), cmd.ErrOrStderr()
		problems, err := checkResultFile(path, *encoding)
		if err != nil {
			return err
		}
		report := out
		if !*skip {
			report = errOut
		}
		for _, p := range problems {
			fmt.Fprintln(report, p.String())
		}
		if len(problems) > 0 && !*skip {
			return fmt.Errorf("%d problems in %s; nothing imported (fix them, or --skip-invalid to apply the good rows)", len(problems), path)
		}
		q := url.Values{}
		if *skip {
			q.Set("skipInvalid", "true")
		}
		if *dryRun {
			q.Set("dryRun", "true")
		}
		status, data, err := postFile(c, "/api/v1/usulan/hasil", q, path, *encoding, errOut)
		if err != nil {
			return err
		}
		var res resultAnswer
		_ = json.Unmarshal(data, &res)
		if status == http.StatusUnprocessableEntity {
			for _, p := range res.Problems {
				fmt.Fprintln(errOut, p.String())
			}
			return fmt.Errorf("the API found %d problems; nothing imported", res.ProblemCount)
		}
		if err := answerProblem(status, data); err != nil {
			return err
		}
		for _, p := range res.Problems {
			if !containsProblem(problems, p) {
				fmt.Fprintln(out, p.String())
			}
		}
		verb := "applied"
		if *dryRun {
			verb = "would apply (dry run: nothing kept)"
		}
		fmt.Fprintf(out, "%d rows %s: %d ditetapkan, %d tidak ditetapkan, %d already imported, %d skipped; %d households registered\n",
			res.Rows, verb, res.Decided, res.NotDecided, res.Already, res.ProblemCount, res.Registered)
		return nil
	}
	return cmd
}

// checkResultFile checks a result file's rows as the API will, without the
// database.
func checkResultFile(path, encoding string) ([]bnba.Problem, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r, err := bnba.Open(path, f, encoding)
	if err != nil {
		return nil, err
	}
	_, problems, err := proposal.ReadResult(r, time.Now())
	if err != nil {
		var p *bnba.Problem
		if errors.As(err, &p) {
			return []bnba.Problem{*p}, nil
		}
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return problems, nil
}
