// Package benchkit is what the load scripts under bench/ share: where the
// data is, opening and migrating the database, a silent logger, the
// account service, and the generated marketplace's stock.
package benchkit

import (
	"context"
	"flag"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/bazaar-market/bazaar/internal/account"
	"github.com/bazaar-market/bazaar/internal/account/accountsql"
	"github.com/bazaar-market/bazaar/internal/auth"
	"github.com/bazaar-market/bazaar/internal/catalog/cataloggen"
	"github.com/bazaar-market/bazaar/internal/catalog/catalogsql"
	"github.com/bazaar-market/bazaar/internal/event"
	"github.com/bazaar-market/bazaar/internal/inventory/inventorysql"
	"github.com/bazaar-market/bazaar/internal/sqldb"
)

// Data says where the data is: the database and the data directory.
type Data struct {
	DB, Dir string
}

// Register adds -db and -data to fs; dirHelp describes -data.
func (d *Data) Register(fs *flag.FlagSet, dirHelp string) {
	fs.StringVar(&d.DB, "db", "", "postgres://... or sqlite:PATH (default: bazaar.db in -data)")
	fs.StringVar(&d.Dir, "data", "./bench-data", dirHelp)
}

// Open opens the database and migrates the event, account, catalog and
// inventory tables, then those of more.
func (d *Data) Open(ctx context.Context, more ...func(context.Context, *sqldb.DB) error) (*sqldb.DB, error) {
	db, err := sqldb.Open(ctx, d.DB, d.Dir)
	if err != nil {
		return nil, err
	}
	migrations := append([]func(context.Context, *sqldb.DB) error{event.Migrate, accountsql.Migrate, catalogsql.Migrate, inventorysql.Migrate}, more...)
	for _, m := range migrations {
		if err := m(ctx, db); err != nil {
			db.Close()
			return nil, err
		}
	}
	return db, nil
}

// Quiet is a logger that writes nothing.
func Quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// Accounts is the account service over db, with a throwaway signing key.
func Accounts(db *sqldb.DB) *account.Service {
	key, _ := auth.LoadKey("", os.TempDir())
	return account.New(accountsql.New(db), auth.NewTokens(key, time.Minute), account.Options{})
}

// GenStock is the generated marketplace's stock (cataloggen.OnHand): the
// generator writes no inventory rows, so the scripts read stock from it.
type GenStock struct{}

// Available reports cataloggen.OnHand for each SKU.
func (GenStock) Available(ctx context.Context, skus []string) (map[string]int64, error) {
	out := make(map[string]int64, len(skus))
	for _, s := range skus {
		out[s] = cataloggen.OnHand(s)
	}
	return out, nil
}
