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
	// The first replica of a database keeps the name its queue had before
	// replicas existed; later data dirs get a name of their own.
	name := "default"
	if taken, err := s.replicaTaken(name); err != nil {
		return "", err
	} else if taken {
		r := make([]byte, 5)
		_, _ = rand.Read(r)
		name = "r" + hex.EncodeToString(r)
	}
	if err := os.MkdirAll(s.cfg.DataDir, 0o750); err != nil {
		return "", fmt.Errorf("search replica name: %w", err)
	}
	if err := os.WriteFile(path, []byte(name+"\n"), 0o640); err != nil {
		return "", fmt.Errorf("search replica name: %w", err)
	}
	return name, nil
}

// replicaTaken reports whether a search replica named name has consumed
// events from this database already.
func (s *Server) replicaTaken(name string) (bool, error) {
	var n int
	err := s.db.Read().QueryRow(`SELECT COUNT(*) FROM event_applied WHERE consumer = $1`, "search@"+name).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("search replica name: %w", err)
	}
	return n > 0, nil
}
