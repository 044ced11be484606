package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

func TestOpenAPIWritesTheDocument(t *testing.T) {
	// The data dir of the environment must not matter: the command builds
	// the server on a temporary one.
	t.Setenv("BAZAAR_DATA_DIR", filepath.Join(t.TempDir(), "untouched"))
	var out, errs bytes.Buffer
	if err := run(context.Background(), []string{"openapi"}, nil, &out, &errs); err != nil {
		t.Fatalf("openapi: %v\n%s", err, errs.String())
	}
	var doc struct {
		OpenAPI string         `json:"openapi"`
		Paths   map[string]any `json:"paths"`
	}
	if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%.300s", err, out.String())
	}
	if doc.OpenAPI != "3.1.0" || doc.Paths["/api/v1/order/{id}"] == nil {
		t.Errorf("openapi = %q with %d paths, want 3.1.0 with /api/v1/order/{id}", doc.OpenAPI, len(doc.Paths))
	}
	if _, err := os.Stat(os.Getenv("BAZAAR_DATA_DIR")); !os.IsNotExist(err) {
		t.Errorf("the data dir was touched: %v", err)
	}

	file := filepath.Join(t.TempDir(), "openapi.json")
	if err := run(context.Background(), []string{"openapi", "-o", file}, nil, &out, &errs); err != nil {
		t.Fatalf("openapi -o: %v", err)
	}
	if b, err := os.ReadFile(file); err != nil || !bytes.Equal(b, out.Bytes()) {
		t.Errorf("openapi -o wrote %d bytes (%v), want what stdout had (%d)", len(b), err, out.Len())
	}
}
