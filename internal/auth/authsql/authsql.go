// Package authsql keeps the access tokens' signing key in the database, so
// that every process serving one shop signs and verifies with the same key
// without configuration: the first process to start creates it, the others
// read it. BAZAAR_JWT_KEY, when set, wins and nothing is stored.
//
// Table: auth_signing_key (name, seed: base64 Ed25519 seed, created_at).
// Whoever can read the database can mint tokens; an operator who keeps the
// database and the key apart sets BAZAAR_JWT_KEY instead.
package authsql

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"database/sql"
	"embed"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/bazaar-market/bazaar/internal/auth"
	"github.com/bazaar-market/bazaar/internal/sqldb"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Migrate creates the key table.
func Migrate(ctx context.Context, db *sqldb.DB) error {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return err
	}
	return db.Migrate(ctx, "auth", sub)
}

// keyName is the access tokens' key's row.
const keyName = "access"

// LoadKey returns the signing key: env's when given (a base64 32-byte
// Ed25519 seed); else the one in the database. On first start it stores a
// key: the key file an earlier version kept in dataDir when there is one
// (so tokens issued before an upgrade stay valid), else a new one. Processes
// starting together all end up with the first one stored.
func LoadKey(ctx context.Context, db *sqldb.DB, env, dataDir string) (ed25519.PrivateKey, error) {
	if env != "" {
		return auth.LoadKey(env, dataDir)
	}
	if key, err := stored(ctx, db); err != nil || key != nil {
		return key, err
	}
	var seed []byte
	if _, err := os.Stat(filepath.Join(dataDir, auth.KeyFile)); err == nil {
		key, err := auth.LoadKey("", dataDir)
		if err != nil {
			return nil, err
		}
		seed = key.Seed()
	} else {
		seed = make([]byte, ed25519.SeedSize)
		if _, err := rand.Read(seed); err != nil {
			return nil, err
		}
	}
	if _, err := db.Exec(ctx, `INSERT INTO auth_signing_key (name, seed, created_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING`,
		keyName, base64.StdEncoding.EncodeToString(seed), sqldb.Micros(time.Now())); err != nil {
		return nil, fmt.Errorf("store signing key: %w", err)
	}
	key, err := stored(ctx, db)
	if err == nil && key == nil {
		err = errors.New("signing key: stored but not found")
	}
	return key, err
}

func stored(ctx context.Context, db *sqldb.DB) (ed25519.PrivateKey, error) {
	var s string
	err := db.Read().QueryRowContext(ctx, `SELECT seed FROM auth_signing_key WHERE name = $1`, keyName).Scan(&s)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read signing key: %w", err)
	}
	seed, err := base64.StdEncoding.DecodeString(s)
	if err != nil || len(seed) != ed25519.SeedSize {
		return nil, errors.New("signing key in the database is not a 32-byte Ed25519 seed")
	}
	return ed25519.NewKeyFromSeed(seed), nil
}
