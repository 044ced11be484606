// Package lease runs singleton jobs (sweepers, relays, reconcilers) so that
// however many processes share a database, each job runs in one of them at a
// time. A process holds a job's lease for a TTL and renews it while the job
// runs; a process that dies stops renewing, and another takes the job over
// once the lease has run out.
//
// Table: job_lease (name, holder, expires_at).
package lease

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"log/slog"
	"time"

	"github.com/bazaar-market/bazaar/internal/sqldb"
)

//go:embed migrations
var migrations embed.FS

// Migrate creates the lease table.
func Migrate(ctx context.Context, db *sqldb.DB) error {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return err
	}
	return db.Migrate(ctx, "lease", sub)
}

// Leases takes and renews leases on behalf of one process.
type Leases struct {
	db     *sqldb.DB
	holder string
	log    *slog.Logger
	now    func() time.Time

	// TTL is how long a lease lasts without renewal; a job is renewed every
	// TTL/3. A process that dies leaves its jobs idle for at most TTL.
	TTL time.Duration
}

// New returns the leases of the process named holder (unique per process).
func New(db *sqldb.DB, holder string, log *slog.Logger) *Leases {
	return &Leases{db: db, holder: holder, log: log, now: time.Now, TTL: 15 * time.Second}
}

// Holder is the name this process holds leases under.
func (l *Leases) Holder() string { return l.holder }

// Acquire takes or renews the lease on name for ttl and reports whether
// this process holds it now.
func (l *Leases) Acquire(ctx context.Context, name string, ttl time.Duration) (bool, error) {
	now := l.now()
	res, err := l.db.Exec(ctx, `
		INSERT INTO job_lease (name, holder, expires_at) VALUES ($1, $2, $3)
		ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
		WHERE job_lease.holder = excluded.holder OR job_lease.expires_at <= $4`,
		name, l.holder, sqldb.Micros(now.Add(ttl)), sqldb.Micros(now))
	if err != nil {
		return false, fmt.Errorf("acquire lease %s: %w", name, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("acquire lease %s: %w", name, err)
	}
	return n == 1, nil
}

// Release gives up the lease on name if this process holds it, so another
// process can take the job at once.
func (l *Leases) Release(ctx context.Context, name string) error {
	_, err := l.db.Exec(ctx, `DELETE FROM job_lease WHERE name = $1 AND holder = $2`, name, l.holder)
	if err != nil {
		return fmt.Errorf("release lease %s: %w", name, err)
	}
	return nil
}

// HolderOf returns who holds the lease on name now ("" when nobody does).
func (l *Leases) HolderOf(ctx context.Context, name string) (string, error) {
	var holder string
	var expires int64
	err := l.db.Read().QueryRowContext(ctx, `SELECT holder, expires_at FROM job_lease WHERE name = $1`, name).Scan(&holder, &expires)
	if err != nil || sqldb.Time(expires).Before(l.now()) {
		return "", nil //nolint:nilerr // no row or an expired lease: nobody
	}
	return holder, nil
}

// Run runs job whenever this process holds the lease on name, until ctx
// ends: it tries to take the lease every TTL/3, runs job with a context that
// is cancelled as soon as a renewal fails (another process may take over
// then), and gives the lease up when job returns or ctx ends. A job that
// returns by itself while still holding the lease is started again after
// TTL/3.
func (l *Leases) Run(ctx context.Context, name string, job func(ctx context.Context)) {
	every := max(l.TTL/3, 10*time.Millisecond)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		ok, err := l.Acquire(ctx, name, l.TTL)
		if err != nil && ctx.Err() == nil {
			l.log.Warn("lease", "job", name, "err", err)
		}
		if ok {
			l.log.Debug("lease taken", "job", name, "holder", l.holder)
			l.hold(ctx, name, every, job)
			// Give the job up so another process need not wait for the TTL.
			rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
			_ = l.Release(rctx, name)
			cancel()
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// hold runs job while renewing the lease.
func (l *Leases) hold(ctx context.Context, name string, every time.Duration, job func(ctx context.Context)) {
	jctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan struct{})
	go func() {
		defer close(done)
		job(jctx)
	}()
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-done:
			return
		case <-t.C:
			ok, err := l.Acquire(jctx, name, l.TTL)
			if err != nil || !ok {
				if jctx.Err() == nil {
					l.log.Warn("lease lost; stopping the job", "job", name, "err", err)
				}
				cancel()
				<-done
				return
			}
		}
	}
}
