package account

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/auth"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/ratelimit"
)

// Options tune a Service. The zero value gives production defaults. The
// access-token lifetime is the auth.Tokens' own (auth.NewTokens).
type Options struct {
	// RefreshTTL is how long a refresh token stays usable (30 days).
	RefreshTTL time.Duration
	// AccountLimit caps failed sign-ins per account (5 per 15 minutes).
	AccountLimit ratelimit.Rule
	// IPLimit caps failed sign-ins per client IP (20 per 15 minutes).
	IPLimit ratelimit.Rule
	// AccountLimiter and IPLimiter replace the in-memory limiters built
	// from the rules above (e.g. with a shared Redis one).
	AccountLimiter, IPLimiter ratelimit.Limiter
	// CheckTTL is how long Check may trust what it read about a user and
	// session (2 s). A negative value disables the cache.
	CheckTTL time.Duration
	// HashConcurrency caps concurrent password hashes (runtime.NumCPU()).
	HashConcurrency int
	// Mailer sends verification, reset and notice mail; nil sends none.
	Mailer Mailer
	// MailLimit caps account mails to one address (5 per hour).
	MailLimit ratelimit.Rule
	// MailIPLimit caps password reset requests per client IP (20 per hour).
	MailIPLimit ratelimit.Rule
	// MailLimiter and MailIPLimiter replace the in-memory limiters built
	// from the two rules above.
	MailLimiter, MailIPLimiter ratelimit.Limiter
	// ResetDelay is the least time a password reset request takes to
	// answer (250 ms), whether or not the address has an account.
	ResetDelay time.Duration
	// Logger records what fails besides a request (a notice not mailed).
	Logger *slog.Logger
	// Providers are the OpenID Connect providers users may sign in with.
	Providers []IdentityProvider
	// Now is the clock (time.Now).
	Now func() time.Time
}

func (o *Options) defaults() {
	if o.RefreshTTL <= 0 {
		o.RefreshTTL = 30 * 24 * time.Hour
	}
	if o.AccountLimit == (ratelimit.Rule{}) {
		o.AccountLimit = ratelimit.Rule{Limit: 5, Window: 15 * time.Minute}
	}
	if o.IPLimit == (ratelimit.Rule{}) {
		o.IPLimit = ratelimit.Rule{Limit: 20, Window: 15 * time.Minute}
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.AccountLimiter == nil {
		o.AccountLimiter = ratelimit.NewMemory(o.AccountLimit, o.Now)
	}
	if o.IPLimiter == nil {
		o.IPLimiter = ratelimit.NewMemory(o.IPLimit, o.Now)
	}
	if o.MailLimit == (ratelimit.Rule{}) {
		o.MailLimit = ratelimit.Rule{Limit: 5, Window: time.Hour}
	}
	if o.MailIPLimit == (ratelimit.Rule{}) {
		o.MailIPLimit = ratelimit.Rule{Limit: 20, Window: time.Hour}
	}
	if o.MailLimiter == nil {
		o.MailLimiter = ratelimit.NewMemory(o.MailLimit, o.Now)
	}
	if o.MailIPLimiter == nil {
		o.MailIPLimiter = ratelimit.NewMemory(o.MailIPLimit, o.Now)
	}
	if o.ResetDelay == 0 {
		o.ResetDelay = 250 * time.Millisecond
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.CheckTTL == 0 {
		o.CheckTTL = 2 * time.Second
	}
}

// Service is the account module's use cases. Every method checks the
// caller's rights itself (auth.From), except those documented as privileged,
// which are for the CLI, seeding and other modules in process.
type Service struct {
	store  Store
	tokens *auth.Tokens
	opts   Options
	hash   *hasher
	cache  checkCache
}

// New returns a Service over store that issues access tokens with tokens.
func New(store Store, tokens *auth.Tokens, opts Options) *Service {
	opts.defaults()
	return &Service{
		store:  store,
		tokens: tokens,
		opts:   opts,
		hash:   newHasher(opts.HashConcurrency),
		cache:  checkCache{entries: make(map[checkKey]checkEntry)},
	}
}

func (s *Service) now() time.Time { return s.opts.Now().UTC() }

// Check confirms that the principal of a verified access token may still
// act: its user exists and is active and its session is not revoked. It
// returns the principal with the user's current role. It is the hook for
// auth.Tokens.Middleware and runs on every authenticated request, so it
// trusts what it read for Options.CheckTTL; this process's own suspensions
// and revocations take effect at once.
func (s *Service) Check(ctx context.Context, p auth.Principal) (auth.Principal, error) {
	k := checkKey{userID: p.UserID, sessionID: p.SessionID}
	now := s.opts.Now()
	if e, ok := s.cache.get(k, now); ok {
		return e.apply(p)
	}
	a, err := s.store.Access(ctx, p.UserID, p.SessionID)
	e := checkEntry{expires: now.Add(s.opts.CheckTTL)}
	switch {
	case apperr.Is(err, apperr.KindNotFound):
		e.err = apperr.Unauthorized("invalid_token", "the access token is not valid")
	case err != nil:
		return auth.Principal{}, fmt.Errorf("check access: %w", err)
	case a.Status != UserActive:
		e.err = apperr.Unauthorized("account_suspended", "this account is suspended")
	case p.SessionID == "" || !a.SessionActive:
		e.err = apperr.Unauthorized("session_revoked", "this session has ended; sign in again")
	default:
		e.role = a.Role
	}
	if s.opts.CheckTTL > 0 {
		s.cache.put(k, e, now)
	}
	return e.apply(p)
}

type checkKey struct {
	userID    id.User
	sessionID id.Session
}

type checkEntry struct {
	role    auth.Role
	err     error
	expires time.Time
}

func (e checkEntry) apply(p auth.Principal) (auth.Principal, error) {
	if e.err != nil {
		return auth.Principal{}, e.err
	}
	p.Role = e.role
	return p, nil
}

// checkCache remembers Check's answers briefly.
type checkCache struct {
	mu      sync.Mutex
	entries map[checkKey]checkEntry
}

const maxCheckEntries = 100_000

func (c *checkCache) get(k checkKey, now time.Time) (checkEntry, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[k]
	if !ok || !now.Before(e.expires) {
		return checkEntry{}, false
	}
	return e, true
}

func (c *checkCache) put(k checkKey, e checkEntry, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) >= maxCheckEntries {
		for k, old := range c.entries {
			if !now.Before(old.expires) {
				delete(c.entries, k)
			}
		}
		if len(c.entries) >= maxCheckEntries {
			clear(c.entries)
		}
	}
	c.entries[k] = e
}

// forget drops what is cached about a user (sessionID "") or one session.
func (c *checkCache) forget(userID id.User, sessionID id.Session) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k := range c.entries {
		if (userID != "" && k.userID == userID) || (sessionID != "" && k.sessionID == sessionID) {
			delete(c.entries, k)
		}
	}
}
