package main

import (
	"bufio"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
)

type page[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"nextCursor"`
}

func newLogin(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "login USERNAME | login --oidc",
		Short: "Sign in (password on standard input, or --oidc through the city's identity provider) and print a new API token for --token",
		Args:  cobra.MaximumNArgs(1),
	}
	useOIDC := cmd.Flags().Bool("oidc", false, "sign in through the city's identity provider in a browser (single sign-on) instead of with a password")
	oidcPort := cmd.Flags().Int("oidc-port", 0, "port on 127.0.0.1 to receive the provider's redirect on (0: any free port)")
	name := cmd.Flags().String("token-name", "slrtctl", "name of the token, as listed later")
	days := cmd.Flags().Int("days", 30, "days until the token expires")
	setPassword := cmd.Flags().Bool("set-password", false,
		"read a second line, a password of your own, and set it first (needed after a one-time password from city IT)")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if g.server == "" {
			return fmt.Errorf("--server (or SLRT_SERVER) is required")
		}
		if *useOIDC == (len(args) == 1) {
			return errors.New("give a USERNAME (password sign-in) or --oidc (single sign-on), not both")
		}
		jar := &cookieJar{}
		c := &apiClient{server: strings.TrimRight(g.server, "/"), http: &http.Client{Jar: jar}}
		var sess struct {
			CSRFToken string `json:"csrfToken"`
		}
		var (
			stdin    = bufio.NewReader(cmd.InOrStdin())
			password string
			err      error
		)
		if *useOIDC {
			err = oidcSignIn(cmd.Context(), c, *oidcPort, cmd.ErrOrStderr(), &sess)
		} else if password, err = readLine(stdin); err == nil {
			err = c.do("POST", "/api/v1/session", map[string]string{"username": args[0], "password": password}, &sess)
		}
		if err != nil {
			return err
		}
		c.headers = map[string]string{"X-CSRF-Token": sess.CSRFToken}
		if *setPassword && !*useOIDC {
			own, err := readLine(stdin)
			if err != nil {
				return err
			}
			if err := c.do("PUT", "/api/v1/me/password", map[string]string{"currentPassword": password, "newPassword": own}, nil); err != nil {
				return err
			}
		}
		var created struct {
			Secret string `json:"secret"`
		}
		err = c.do("POST", "/api/v1/me/tokens", map[string]any{"name": *name, "expiresInDays": *days}, &created)
		if p := (*problemError)(nil); errors.As(err, &p) && p.has("password.must_change") {
			return errors.New("this account holds a one-time password from city IT: run login again with --set-password and two lines on standard input (it, then a password of your own), or set one in the web app")
		}
		if err != nil {
			return err
		}
		_ = c.do("DELETE", "/api/v1/session", nil, nil)
		fmt.Fprintln(cmd.OutOrStdout(), created.Secret)
		return nil
	}
	return cmd
}

type kecamatanView struct {
	Code           string `json:"code"`
	DisplayName    string `json:"displayName"`
	Ready          bool   `json:"ready"`
	Reason         string `json:"reason"`
	Suspended      bool   `json:"suspended"`
	SchemaVersion  int64  `json:"schemaVersion"`
	KelurahanCount int    `json:"kelurahanCount"`
}

func newKecamatan(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "kecamatan", Short: "List, onboard, suspend and resume kecamatan"}
	list := &cobra.Command{Use: "list", Short: "Kecamatan with their status", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			var p page[kecamatanView]
			if err := c.do("GET", "/api/v1/admin/kecamatan", nil, &p); err != nil {
				return err
			}
			var rows [][]string
			for _, k := range p.Items {
				rows = append(rows, []string{k.Code, k.DisplayName, strconv.FormatBool(k.Ready), k.Reason,
					strconv.FormatBool(k.Suspended), strconv.FormatInt(k.SchemaVersion, 10), strconv.Itoa(k.KelurahanCount)})
			}
			return render(cmd.OutOrStdout(), g.output, p, []string{"CODE", "NAME", "READY", "REASON", "SUSPENDED", "SCHEMA", "KELURAHAN"}, rows)
		}}
	onboard := &cobra.Command{Use: "onboard CODE NAME", Short: "Onboard a kecamatan (the operator provisions it)", Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			if err := c.do("POST", "/api/v1/admin/kecamatan", map[string]string{"code": args[0], "displayName": args[1]}, nil); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "kecamatan %s onboarded; `slrtctl kecamatan list` shows when it is ready\n", args[0])
			return nil
		}}
	suspend := func(use string, suspended bool) *cobra.Command {
		return &cobra.Command{Use: use + " CODE", Short: use + " a kecamatan", Args: cobra.ExactArgs(1),
			RunE: func(cmd *cobra.Command, args []string) error {
				c, err := g.client()
				if err != nil {
					return err
				}
				if err := c.do("PATCH", "/api/v1/admin/kecamatan/"+url.PathEscape(args[0]), map[string]bool{"suspended": suspended}, nil); err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "kecamatan %s: suspended=%t\n", args[0], suspended)
				return nil
			}}
	}
	cmd.AddCommand(list, onboard, suspend("suspend", true), suspend("resume", false))
	return cmd
}

func newAccounts(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "accounts", Short: "List, create, disable and link staff accounts"}
	list := &cobra.Command{Use: "list", Short: "Staff accounts", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			var all []map[string]any
			var rows [][]string
			for cursor := ""; ; {
				var p page[map[string]any]
				if err := c.do("GET", "/api/v1/admin/accounts?limit=500&cursor="+url.QueryEscape(cursor), nil, &p); err != nil {
					return err
				}
				for _, a := range p.Items {
					all = append(all, a)
					rows = append(rows, []string{fmt.Sprint(a["username"]), fmt.Sprint(a["displayName"]), fmt.Sprint(a["disabled"])})
				}
				if cursor = p.NextCursor; cursor == "" {
					break
				}
			}
			return render(cmd.OutOrStdout(), g.output, all, []string{"USERNAME", "NAME", "DISABLED"}, rows)
		}}
	create := &cobra.Command{Use: "create USERNAME", Short: "Create an account; its password is read from standard input (none with --sso)", Args: cobra.ExactArgs(1)}
	display := create.Flags().String("display-name", "", "name shown to staff (required)")
	sso := create.Flags().String("sso", "", "the person's subject at the city's identity provider: the account has no password and signs in only there")
	create.RunE = func(cmd *cobra.Command, args []string) error {
		c, err := g.client()
		if err != nil {
			return err
		}
		body := map[string]string{"username": args[0], "displayName": *display}
		if *sso != "" {
			body["oidcSubject"] = *sso
		} else if body["password"], err = readPassword(cmd.InOrStdin()); err != nil {
			return err
		}
		if err := c.do("POST", "/api/v1/admin/accounts", body, nil); err != nil {
			return err
		}
		fmt.Fprintf(cmd.OutOrStdout(), "account %s created\n", args[0])
		return nil
	}
	disable := &cobra.Command{Use: "disable USERNAME", Short: "Disable an account: its sessions and tokens stop at once", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			return c.do("PATCH", "/api/v1/admin/accounts/"+url.PathEscape(args[0]), map[string]bool{"disabled": true}, nil)
		}}
	reset := &cobra.Command{Use: "reset-password USERNAME", Short: "Give an account a one-time password, printed once; its holder sets their own at the first sign-in",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			var out struct {
				OneTimePassword string `json:"oneTimePassword"`
			}
			if err := c.do("POST", "/api/v1/admin/accounts/"+url.PathEscape(args[0])+"/password-reset", nil, &out); err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), out.OneTimePassword)
			return nil
		}}
	link := &cobra.Command{Use: "link-sso USERNAME SUBJECT", Short: "Link an account to a person at the city's identity provider (their subject, or the claim slrt-api's --oidc-subject-claim names); \"\" unlinks",
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			return c.do("PATCH", "/api/v1/admin/accounts/"+url.PathEscape(args[0]), map[string]string{"oidcSubject": args[1]}, nil)
		}}
	cmd.AddCommand(list, create, disable, reset, link)
	return cmd
}

func newGrants(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "grants", Short: "List, add and remove role grants"}
	list := &cobra.Command{Use: "list", Short: "Role grants", Args: cobra.NoArgs}
	username := list.Flags().String("username", "", "only this account's grants")
	list.RunE = func(cmd *cobra.Command, _ []string) error {
		c, err := g.client()
		if err != nil {
			return err
		}
		var p page[map[string]any]
		if err := c.do("GET", "/api/v1/admin/grants?limit=500&username="+url.QueryEscape(*username), nil, &p); err != nil {
			return err
		}
		var rows [][]string
		for _, gr := range p.Items {
			rows = append(rows, []string{fmt.Sprint(gr["id"]), fmt.Sprint(gr["username"]), fmt.Sprint(gr["role"]), fmt.Sprint(gr["domain"])})
		}
		return render(cmd.OutOrStdout(), g.output, p, []string{"ID", "USERNAME", "ROLE", "DOMAIN"}, rows)
	}
	add := &cobra.Command{Use: "add USERNAME ROLE DOMAIN", Short: "Give an account a role in a domain (an area code or agency:CODE)", Args: cobra.ExactArgs(3),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			var out struct {
				ID int64 `json:"id"`
			}
			if err := c.do("POST", "/api/v1/admin/grants", map[string]string{"username": args[0], "role": args[1], "domain": args[2]}, &out); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "grant %d: %s is %s in %s\n", out.ID, args[0], args[1], args[2])
			return nil
		}}
	remove := &cobra.Command{Use: "remove ID", Short: "Withdraw a grant", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			return c.do("DELETE", "/api/v1/admin/grants/"+url.PathEscape(args[0]), nil, nil)
		}}
	cmd.AddCommand(list, add, remove)
	return cmd
}

func newAudit(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "audit", Short: "Read the audit log, newest first (auditors)", Args: cobra.NoArgs}
	q := map[string]*string{}
	for _, f := range []string{"username", "tenant", "action", "outcome", "from", "to"} {
		q[f] = cmd.Flags().String(f, "", "filter by "+f)
	}
	limit := cmd.Flags().Int("limit", 50, "entries to show")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		c, err := g.client()
		if err != nil {
			return err
		}
		v := url.Values{"limit": {strconv.Itoa(*limit)}}
		for k, p := range q {
			if *p != "" {
				v.Set(k, *p)
			}
		}
		var p page[map[string]any]
		if err := c.do("GET", "/api/v1/audit?"+v.Encode(), nil, &p); err != nil {
			return err
		}
		var rows [][]string
		for _, e := range p.Items {
			rows = append(rows, []string{fmt.Sprint(e["at"]), fmt.Sprint(e["username"]), fmt.Sprint(e["action"]), fmt.Sprint(e["object"]), fmt.Sprint(e["outcome"])})
		}
		return render(cmd.OutOrStdout(), g.output, p, []string{"AT", "USERNAME", "ACTION", "OBJECT", "OUTCOME"}, rows)
	}
	return cmd
}
