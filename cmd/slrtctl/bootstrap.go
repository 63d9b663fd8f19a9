package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/spf13/cobra"

	"github.com/slrt-id/slrt/internal/authz"
	"github.com/slrt-id/slrt/internal/controldb"
	"github.com/slrt-id/slrt/internal/password"
	"github.com/slrt-id/slrt/internal/store"
)

func databaseURLFlag(cmd *cobra.Command) *string {
	return cmd.Flags().String("database-url", os.Getenv("SLRT_DATABASE_URL"), "control database connection URI (env SLRT_DATABASE_URL)")
}

func newMigrate() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "migrate",
		Short: "Apply pending control database migrations (slrt-api also does at start-up)",
		Args:  cobra.NoArgs,
	}
	url := databaseURLFlag(cmd)
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		if *url == "" {
			return errors.New("--database-url is required")
		}
		v, err := controldb.Migrate(cmd.Context(), *url)
		if err != nil {
			return err
		}
		fmt.Fprintf(cmd.OutOrStdout(), "control database at version %d\n", v)
		return nil
	}
	return cmd
}

func newCreateAdmin() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "create-admin USERNAME",
		Short: "Create a city IT admin on a new installation; the password is read from standard input",
		Args:  cobra.ExactArgs(1),
	}
	url := databaseURLFlag(cmd)
	name := cmd.Flags().String("display-name", "", "the admin's name as shown to staff (required)")
	domain := cmd.Flags().String("domain", "32.73", "the area the admin administers (a kota code)")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if *url == "" {
			return errors.New("--database-url is required")
		}
		if strings.TrimSpace(*name) == "" {
			return errors.New("--display-name is required")
		}
		if authz.DomainLevel(*domain) != authz.LevelKota {
			return fmt.Errorf("--domain %q: want a kota code such as 32.73", *domain)
		}
		password, err := readPassword(cmd.InOrStdin())
		if err != nil {
			return err
		}
		if len([]rune(password)) < 10 {
			return errors.New("the password (standard input, line 1) must have at least 10 characters")
		}
		return createAdmin(cmd.Context(), *url, args[0], *name, *domain, password, cmd.OutOrStdout())
	}
	return cmd
}

func createAdmin(ctx context.Context, url, username, name, domain, pw string, out io.Writer) error {
	if _, err := controldb.Migrate(ctx, url); err != nil {
		return err
	}
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		return err
	}
	defer pool.Close()
	st := store.New(pool)
	hash, err := password.Hash(ctx, pw)
	if err != nil {
		return err
	}
	acct, err := st.CreateAccount(ctx, username, name, hash)
	if errors.Is(err, store.ErrConflict) {
		return fmt.Errorf("account %q exists already", username)
	}
	if err != nil {
		return err
	}
	if _, err := st.CreateGrant(ctx, acct.ID, authz.RoleAdmin, domain, 0); err != nil {
		return err
	}
	fmt.Fprintf(out, "created admin %s for %s\n", username, domain)
	return nil
}

func readPassword(in io.Reader) (string, error) { return readLine(bufio.NewReader(in)) }

// readLine reads one line of standard input without its end.
func readLine(in *bufio.Reader) (string, error) {
	line, err := in.ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("reading the password from standard input: %w", err)
	}
	return strings.TrimRight(line, "\r\n"), nil
}
