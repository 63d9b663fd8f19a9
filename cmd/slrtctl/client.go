package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// apiClient calls the SLRT API.
type apiClient struct {
	server  string
	token   string
	headers map[string]string
	http    *http.Client
}

func (g *globals) client() (*apiClient, error) {
	if g.server == "" {
		return nil, errors.New("--server (or SLRT_SERVER) is required")
	}
	if g.token == "" {
		return nil, errors.New("--token (or SLRT_TOKEN) is required; `slrtctl login` issues one")
	}
	return &apiClient{server: strings.TrimRight(g.server, "/"), token: g.token, http: &http.Client{Timeout: time.Minute}}, nil
}

// problemError is an API error, printed with its field errors.
type problemError struct {
	Status int    `json:"status"`
	Title  string `json:"title"`
	Detail string `json:"detail"`
	Errors []struct {
		Field   string `json:"field"`
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"errors"`
}

// has reports whether a field error of the problem has code.
func (p *problemError) has(code string) bool {
	for _, e := range p.Errors {
		if e.Code == code {
			return true
		}
	}
	return false
}

func (p *problemError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d %s: %s", p.Status, p.Title, p.Detail)
	for _, e := range p.Errors {
		fmt.Fprintf(&b, "\n  %s: %s", e.Field, e.Message)
	}
	return b.String()
}

// do sends a JSON request and decodes a JSON answer into out (if not nil).
func (c *apiClient) do(method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		data, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, c.server+path, body)
	if err != nil {
		return err
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	for k, v := range c.headers {
		req.Header.Set(k, v)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode >= 400 {
		p := &problemError{Status: resp.StatusCode, Title: resp.Status}
		_ = json.Unmarshal(data, p)
		return p
	}
	if out != nil && len(data) > 0 {
		return json.Unmarshal(data, out)
	}
	return nil
}
