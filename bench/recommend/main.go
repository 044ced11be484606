// Command recommend is the recommend module's benchmark and load tool.
// Every target is on this machine (loopback); every loop is bounded.
//
//	go run ./bench/recommend seed  -data DIR -products N -signals M -seed S
//	go run ./bench/recommend serve -data DIR -addr 127.0.0.1:8092
//	go run ./bench/recommend load  -url http://127.0.0.1:8092 -n 3000 -c 2
//
// -db is a postgres:// URL or sqlite:PATH (default: SQLite in -data).
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
	"time"

	"github.com/bazaar-market/bazaar/internal/account"
	"github.com/bazaar-market/bazaar/internal/account/accountsql"
	"github.com/bazaar-market/bazaar/internal/auth"
	"github.com/bazaar-market/bazaar/internal/catalog/cataloggen"
	"github.com/bazaar-market/bazaar/internal/catalog/catalogsql"
	"github.com/bazaar-market/bazaar/internal/event"
	"github.com/bazaar-market/bazaar/internal/inventory/inventorysql"
	"github.com/bazaar-market/bazaar/internal/recommend/recommendsql"
	"github.com/bazaar-market/bazaar/internal/sqldb"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: recommend seed|serve|load [flags]")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "seed":
		err = seed(ctx, os.Args[2:])
	case "serve":
		err = serve(ctx, os.Args[2:])
	case "load":
		err = load(ctx, os.Args[2:])
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "recommend:", err)
		os.Exit(1)
	}
}

// common are the flags that say where the data is.
type common struct {
	db, data string
}

func (c *common) register(fs *flag.FlagSet) {
	fs.StringVar(&c.db, "db", "", "postgres://... or sqlite:PATH (default: bazaar.db in -data)")
	fs.StringVar(&c.data, "data", "./bench-data", "data directory")
}

// open opens and migrates the database.
func (c *common) open(ctx context.Context) (*sqldb.DB, error) {
	db, err := sqldb.Open(ctx, c.db, c.data)
	if err != nil {
		return nil, err
	}
	for _, m := range []func(context.Context, *sqldb.DB) error{event.Migrate, accountsql.Migrate, catalogsql.Migrate, inventorysql.Migrate, recommendsql.Migrate} {
		if err := m(ctx, db); err != nil {
			db.Close()
			return nil, err
		}
	}
	return db, nil
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func accounts(db *sqldb.DB) *account.Service {
	key, _ := auth.LoadKey("", os.TempDir())
	return account.New(accountsql.New(db), auth.NewTokens(key, time.Minute), account.Options{})
}

// genStock is the generated marketplace's stock (cataloggen.OnHand): the
// generator writes no inventory rows, so the bench reads stock from it.
type genStock struct{}

func (genStock) Available(ctx context.Context, skus []string) (map[string]int64, error) {
	out := make(map[string]int64, len(skus))
	for _, s := range skus {
		out[s] = cataloggen.OnHand(s)
	}
	return out, nil
}

// bulk readies the process for a bulk load (fewer GCs unless GOGC is set).
func bulk() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
}
