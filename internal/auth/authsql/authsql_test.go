package authsql_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"sync"
	"testing"

	"github.com/bazaar-market/bazaar/internal/auth"
	"github.com/bazaar-market/bazaar/internal/auth/authsql"
	"github.com/bazaar-market/bazaar/internal/sqldb"
	"github.com/bazaar-market/bazaar/internal/sqldb/sqldbtest"
)

func TestLoadKey(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		if err := authsql.Migrate(ctx, db); err != nil {
			t.Fatal(err)
		}
		// An earlier version's key file in the data dir is adopted, so
		// tokens issued before the upgrade stay valid.
		oldDir := t.TempDir()
		old, err := auth.LoadKey("", oldDir)
		if err != nil {
			t.Fatal(err)
		}
		adopted, err := authsql.LoadKey(ctx, db, "", oldDir)
		if err != nil || !bytes.Equal(adopted, old) {
			t.Fatalf("LoadKey with an old key file = another key (%v); want the file's", err)
		}
		if _, err := db.Exec(ctx, `DELETE FROM auth_signing_key`); err != nil {
			t.Fatal(err)
		}
		// Processes starting together (each with its own data dir) agree.
		keys := make([]ed25519.PrivateKey, 6)
		var wg sync.WaitGroup
		for i := range keys {
			wg.Go(func() {
				k, err := authsql.LoadKey(ctx, db, "", t.TempDir())
				if err != nil {
					t.Errorf("LoadKey: %v", err)
				}
				keys[i] = k
			})
		}
		wg.Wait()
		for i, k := range keys {
			if !bytes.Equal(k, keys[0]) {
				t.Fatalf("process %d loaded another key than process 0", i)
			}
		}
		// A restart reads the same key back.
		again, err := authsql.LoadKey(ctx, db, "", t.TempDir())
		if err != nil || !bytes.Equal(again, keys[0]) {
			t.Fatalf("LoadKey after restart = another key (%v)", err)
		}
		// The configured key wins and is not stored.
		seed := bytes.Repeat([]byte{7}, ed25519.SeedSize)
		env, err := authsql.LoadKey(ctx, db, base64.StdEncoding.EncodeToString(seed), t.TempDir())
		if err != nil || !bytes.Equal(env.Seed(), seed) {
			t.Fatalf("LoadKey(env) = %v; want the configured key", err)
		}
		if k, _ := authsql.LoadKey(ctx, db, "", t.TempDir()); !bytes.Equal(k, keys[0]) {
			t.Error("the configured key replaced the stored one")
		}
		if _, err := authsql.LoadKey(ctx, db, "not base64!", t.TempDir()); err == nil {
			t.Error("LoadKey accepted a malformed BAZAAR_JWT_KEY")
		}
	})
}
