// Command slrtctl does what a city IT admin does, without a browser: it
// migrates the control database and creates the first admin on a new
// installation (talking to the database directly), and manages kecamatan,
// accounts, grants and tokens and reads the audit log through the API.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	err := newRoot().ExecuteContext(ctx)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "slrtctl:", err)
		os.Exit(1)
	}
}

type globals struct {
	server string
	token  string
	output string
}

func newRoot() *cobra.Command {
	g := &globals{}
	root := &cobra.Command{
		Use:           "slrtctl",
		Short:         "Administer an SLRT platform installation",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.PersistentFlags().StringVar(&g.server, "server", os.Getenv("SLRT_SERVER"), "API address, e.g. https://slrt.example (env SLRT_SERVER)")
	root.PersistentFlags().StringVar(&g.token, "token", os.Getenv("SLRT_TOKEN"), "API token (env SLRT_TOKEN)")
	root.PersistentFlags().StringVarP(&g.output, "output", "o", "table", "table or json")
	root.AddCommand(newMigrate(), newCreateAdmin(), newLogin(g), newKecamatan(g), newAccounts(g), newGrants(g), newAudit(g), newImport(g), newExport(g), newUsulan(g))
	return root
}
