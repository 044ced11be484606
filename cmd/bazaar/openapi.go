package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"

	"github.com/bazaar-market/bazaar/internal/server"
)

// openapi writes the server's OpenAPI document (what GET
// /api/v1/openapi.json answers) to stdout or a file, without a running
// server: it builds the server on an empty SQLite database in a temporary
// directory and asks it, so the document is exactly the served one.
func openapi(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, c := command("openapi", stderr)
	out := fs.String("o", "", "write the document to this file instead of stdout")
	if err := parse(fs, args); err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "bazaar-openapi-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	cfg := c.cfg
	cfg.DataDir, cfg.DatabaseURL, cfg.EventsURL = dir, "", ""
	s, err := server.New(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		return err
	}
	defer s.Close()
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, httptest.NewRequestWithContext(ctx, http.MethodGet, server.OpenAPIPath, nil))
	if rec.Code != http.StatusOK {
		return fmt.Errorf("GET %s answered %d: %.300s", server.OpenAPIPath, rec.Code, rec.Body.Bytes())
	}
	if *out == "" {
		_, err = stdout.Write(rec.Body.Bytes())
		return err
	}
	return os.WriteFile(*out, rec.Body.Bytes(), 0o644)
}
