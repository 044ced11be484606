package recommend

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/recommend/recmodel"
	"github.com/bazaar-market/bazaar/internal/unit"
)

// Options tunes a Service.
type Options struct {
	// Horizon is how far back signals count (older ones are neither
	// loaded nor kept); 0 for 180 days.
	Horizon time.Duration
	// TrainEvery is how often the models are retrained; 0 for 10 minutes.
	TrainEvery time.Duration
	// TailEvery is how often new signals are read from the table; 0 for
	// one second.
	TailEvery time.Duration
	// Replica names this process's copy of the models, whose consumer
	// follows the catalog and the stores; "default" when empty. Every
	// process sharing a database needs its own name.
	Replica string
	// Refs, if set, gives the chosen products' details as the catalog has
	// them now, in one batch per list (*catalog.Service satisfies it);
	// nil: as the module last heard of them.
	Refs Refs
	// Model tunes the models.
	Model recmodel.Options
	// Logger is for progress and errors; nil for slog.Default().
	Logger *slog.Logger
	// Now is the clock; nil for time.Now.
	Now func() time.Time
}

// Service learns from shoppers' signals and answers recommendation lists.
// Its models live in memory, one copy per process, loaded from the signals
// table at start and kept in step by tailing it.
type Service struct {
	store   Store
	cat     Catalog
	stock   Stock
	sellers Sellers
	opts    Options
	log     *slog.Logger

	model *recmodel.Model
	items *recmodel.Interner // product IDs
	users *recmodel.Interner // subjects
	cats  *recmodel.Interner // category IDs
	shops *recmodel.Interner // seller IDs

	content content
	stores  stores
	tail    tailer
	loaded  atomic.Bool
	kick    chan struct{}
	loadMu  sync.Mutex // one load or tail step at a time
}

// New returns a service over store; stock and sellers may be nil (every
// product is then in stock, every store active). Its models are empty until
// Load (a job of Jobs) reads the table.
func New(store Store, cat Catalog, stock Stock, sellers Sellers, opts Options) *Service {
	if opts.Horizon <= 0 {
		opts.Horizon = 180 * 24 * time.Hour
	}
	if opts.TrainEvery <= 0 {
		opts.TrainEvery = 10 * time.Minute
	}
	if opts.TailEvery <= 0 {
		opts.TailEvery = time.Second
	}
	if opts.Replica == "" {
		opts.Replica = "default"
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	s := &Service{store: store, cat: cat, stock: stock, sellers: sellers, opts: opts, log: opts.Logger,
		model: recmodel.New(opts.Model), items: recmodel.NewInterner(), users: recmodel.NewInterner(),
		cats: recmodel.NewInterner(), shops: recmodel.NewInterner(), kick: make(chan struct{}, 1)}
	s.content.init()
	s.tail.init()
	return s
}

// Horizon is how far back signals count.
func (s *Service) Horizon() time.Duration { return s.opts.Horizon }

// Import bulk-loads signals into the table (the demo generator's history):
// the serving processes' models pick them up as they tail it. progress, if
// not nil, gets a line per batch.
func (s *Service) Import(ctx context.Context, signals []Signal, progress io.Writer) error {
	const per = 50000
	for start := 0; start < len(signals); start += per {
		part := signals[start:min(start+per, len(signals))]
		for i, sg := range part {
			if err := checkSignal(sg); err != nil {
				return fmt.Errorf("import signal %d: %w", start+i, err)
			}
		}
		if err := s.store.Insert(ctx, part); err != nil {
			return fmt.Errorf("import signals: %w", err)
		}
		if progress != nil {
			fmt.Fprintf(progress, "recommend: imported %d of %d signals\n", start+len(part), len(signals))
		}
	}
	s.wake()
	return nil
}

// checkSignal rejects a signal the models cannot use.
func checkSignal(sg Signal) error {
	switch {
	case len(sg.Subject) < 3 || sg.Subject[:2] != "u:" && sg.Subject[:2] != "s:":
		return fmt.Errorf("subject %q is neither u:<user> nor s:<session>", sg.Subject)
	case sg.ProductID == "":
		return fmt.Errorf("no product")
	case sg.Kind < recmodel.View || sg.Kind > recmodel.Return:
		return fmt.Errorf("unknown kind %d", sg.Kind)
	case sg.Kind == recmodel.Rate && (sg.Value < 1 || sg.Value > 5):
		return fmt.Errorf("a rating of %d stars", sg.Value)
	case sg.At.IsZero():
		return fmt.Errorf("no time")
	}
	return nil
}

// View records that a shopper saw a product's page (the beacon): for the
// user when signed in, else for the guest session. An unknown product is
// NotFound.
func (s *Service) View(ctx context.Context, user id.User, session, product string) error {
	if user == "" && session == "" {
		return apperr.Invalid("validation_failed", "the request has invalid fields",
			apperr.FieldError{Field: "session", Message: "is required without a bearer token"})
	}
	p, err := s.product(ctx, product)
	if err != nil {
		return err
	}
	subject := SessionSubject(session)
	if user != "" {
		subject = UserSubject(user)
	}
	if err := s.store.Insert(ctx, []Signal{{Subject: subject, ProductID: p.id, Kind: recmodel.View, At: s.opts.Now()}}); err != nil {
		return err
	}
	s.wake()
	return nil
}

// wake asks the tailer to read the table now.
func (s *Service) wake() {
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

// Train retrains the models.
func (s *Service) Train(ctx context.Context) error {
	start := time.Now()
	if err := s.model.Train(ctx); err != nil {
		return fmt.Errorf("train the recommendation models: %w", err)
	}
	s.log.Info("recommend: models trained", "took", time.Since(start).Round(time.Millisecond))
	return nil
}

// Ready reports whether the models have loaded the table.
func (s *Service) Ready() bool { return s.loaded.Load() }

// Jobs are the background work of every process that hosts the module:
// loading the models (products, then signals) and tailing the table
// (recommend.run), retraining them (recommend.train), and, in one process
// at a time, deleting signals past the horizon (recommend.purge).
func (s *Service) Jobs() []unit.Job {
	return []unit.Job{
		{Name: "recommend.run", Run: s.Run},
		{Name: "recommend.train", Run: s.runTrain},
		{Name: "recommend.purge", Singleton: true, Every: time.Hour, Tick: func(ctx context.Context) error {
			n, err := s.store.Purge(ctx, s.opts.Now().Add(-s.opts.Horizon))
			if n > 0 {
				s.log.Info("recommend: signals past the horizon deleted", "signals", n)
			}
			return err
		}},
	}
}

// Run loads the models and keeps them in step with the table until ctx
// ends.
func (s *Service) Run(ctx context.Context) {
	for !s.loaded.Load() {
		if err := s.Load(ctx); err != nil {
			if ctx.Err() != nil {
				return
			}
			s.log.Error("recommend: load the models", "err", err)
			select {
			case <-ctx.Done():
				return
			case <-time.After(5 * time.Second):
			}
		}
	}
	t := time.NewTicker(s.opts.TailEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-s.kick:
		}
		if _, err := s.Tail(ctx); err != nil && ctx.Err() == nil {
			s.log.Warn("recommend: read new signals", "err", err)
		}
	}
}

// runTrain trains the models once they are loaded, then every
// Options.TrainEvery.
func (s *Service) runTrain(ctx context.Context) {
	for !s.loaded.Load() {
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Second):
		}
	}
	t := time.NewTicker(s.opts.TrainEvery)
	defer t.Stop()
	for {
		if err := s.Train(ctx); err != nil && ctx.Err() == nil {
			s.log.Error("recommend: train", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Load reads every product and then every signal within the horizon into
// the models, logging progress. Run calls it; tests call it directly.
func (s *Service) Load(ctx context.Context) error {
	start := time.Now()
	n, err := s.loadProducts(ctx)
	if err != nil {
		return err
	}
	s.log.Info("recommend: products loaded", "products", n, "took", time.Since(start).Round(time.Millisecond))
	last, err := s.store.LastSeq(ctx)
	if err != nil {
		return err
	}
	s.tail.fence = last
	read, err := s.Tail(ctx)
	if err != nil {
		return err
	}
	s.loaded.Store(true)
	s.log.Info("recommend: signals loaded", "signals", read, "took", time.Since(start).Round(time.Millisecond))
	return nil
}
