package server

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/bazaar-market/bazaar/internal/event"
	"github.com/bazaar-market/bazaar/internal/event/eventbroker"
)

// openBroker opens the broker named by url; nil for in process.
func openBroker(ctx context.Context, url string, log *slog.Logger) (event.Broker, error) {
	return eventbroker.Open(ctx, url, log)
}

// processName names the process for leases: the host and a hash of its
// absolute data dir (two processes never share a data dir).
func processName(dataDir string) string {
	host, _ := os.Hostname()
	abs, err := filepath.Abs(dataDir)
	if err != nil {
		abs = dataDir
	}
	sum := sha256.Sum256([]byte(abs))
	return host + ":" + hex.EncodeToString(sum[:6])
}

// searchReplica returns the configured replica name, or the one kept in the
// data dir (made up and written there on first start).
func (s *Server) searchReplica() (string, error) {
	if s.cfg.SearchReplica != "" {
		return s.cfg.SearchReplica, nil
	}
	path := filepath.Join(s.cfg.DataDir, "search-replica")
	b, err := os.ReadFile(path)
	if err == nil {
		if name := strings.TrimSpace(string(b)); name != "" {
			return name, nil
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("search replica name: %w", err)
	}
	// A data dir gets a name of its own, except the first to start on a
	// database from before replicas existed: it takes over the queue that
	// database's index had (named "default").
	r := make([]byte, 5)
	_, _ = rand.Read(r)
	name := "r" + hex.EncodeToString(r)
	if legacy, err := s.legacyReplica(); err != nil {
		return "", err
	} else if legacy {
		name = "default"
	}
	if err := os.MkdirAll(s.cfg.DataDir, 0o750); err != nil {
		return "", fmt.Errorf("search replica name: %w", err)
	}
	if err := os.WriteFile(path, []byte(name+"\n"), 0o640); err != nil {
		return "", fmt.Errorf("search replica name: %w", err)
	}
	return name, nil
}

// legacyReplica reports whether the database's search index predates
// replicas (its consumer was "search") and no replica has taken its queue
// over yet.
func (s *Server) legacyReplica() (bool, error) {
	var old, taken int
	err := s.db.Read().QueryRow(`SELECT
		(SELECT COUNT(*) FROM (SELECT 1 FROM event_applied WHERE consumer = 'search' LIMIT 1) o),
		(SELECT COUNT(*) FROM (SELECT 1 FROM event_applied WHERE consumer = 'search@default' LIMIT 1) t)`).Scan(&old, &taken)
	if err != nil {
		return false, fmt.Errorf("search replica name: %w", err)
	}
	return old > 0 && taken == 0, nil
}
