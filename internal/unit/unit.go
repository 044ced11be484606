// Package unit is what a module hands the composition root besides its
// service: its background jobs. (Its migrations are its store adapter's
// Migrate, its routes its HTTP adapter's Routes and Ops, its event
// consumers its service's Subscribe.) The root runs every job of every
// module it hosts, singletons under a lease, so that however many processes
// host a module, each singleton runs in one of them at a time.
package unit

import (
	"context"
	"time"
)

// Job is one background job of a module: either Run, or Tick every Every.
type Job struct {
	// Name is the job's name, "<module>.<job>": the name of its lease.
	Name string
	// Singleton jobs (sweepers, expirers, reconcilers, purges) must run in
	// one process at a time; the others (a search replica's indexer) run in
	// every process that hosts the module.
	Singleton bool
	// Run does the job until ctx ends.
	Run func(ctx context.Context)
	// Tick is called now and then every Every until ctx ends; the root logs
	// its errors under the job's name.
	Tick  func(ctx context.Context) error
	Every time.Duration
}
