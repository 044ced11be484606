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
	// ClientBackoff slows failed sign-ins of one client (its IP, and its
	// device cookie when it has one) at one account: 3 free, then 1 s,
	// 2 s, 4 s ... up to 15 minutes. A success from that client forgets
	// them. No other client is slowed by them: a stranger's failures never
	// lock the owner out.
	ClientBackoff ratelimit.Backoff
	// AccountGuard is the failures at one account, from any client, past
	// which the account counts as under attack (10 per 15 minutes). While
	// it is, a client also gets GuardedBackoff, which ends the free tries
	// after the first (1 s, 2 s, then 4 s; ClientBackoff takes over
	// beyond): the first try of a client that has not been failing is
	// always free, so the owner's right password from it always works.
	AccountGuard   ratelimit.Rule
	GuardedBackoff ratelimit.Backoff
	// IPBackoff slows a client IP failing at many accounts (credential
	// stuffing): 20 failures free, then 1 s, 2 s, 4 s ... up to 15
	// minutes; forgotten after 15 minutes without a failure.
	IPBackoff ratelimit.Backoff
	// RegisterLimit caps registrations per client IP (10 per hour).
	RegisterLimit ratelimit.Rule
	// Limits makes the limiters; nil keeps them in this process. A
	// *ratelimit.Redis shares them between processes.
	Limits ratelimit.Store
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
	if o.ClientBackoff == (ratelimit.Backoff{}) {
		o.ClientBackoff = ratelimit.Backoff{Free: 3, Base: time.Second, Max: 15 * time.Minute, Forget: time.Hour}
	}
	if o.GuardedBackoff == (ratelimit.Backoff{}) {
		o.GuardedBackoff = ratelimit.Backoff{Free: 1, Base: time.Second, Max: 4 * time.Second, Forget: time.Hour}
	}
	if o.AccountGuard == (ratelimit.Rule{}) {
		o.AccountGuard = ratelimit.Rule{Limit: 10, Window: 15 * time.Minute}
	}
	if o.IPBackoff == (ratelimit.Backoff{}) {
		o.IPBackoff = ratelimit.Backoff{Free: 20, Base: time.Second, Max: 15 * time.Minute, Forget: 15 * time.Minute}
	}
	if o.RegisterLimit == (ratelimit.Rule{}) {
		o.RegisterLimit = ratelimit.Rule{Limit: 10, Window: time.Hour}
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Limits == nil {
		o.Limits = ratelimit.MemoryStore{Now: o.Now}
	}
	if o.MailLimit == (ratelimit.Rule{}) {
		o.MailLimit = ratelimit.Rule{Limit: 5, Window: time.Hour}
	}
	if o.MailIPLimit == (ratelimit.Rule{}) {
		o.MailIPLimit = ratelimit.Rule{Limit: 20, Window: time.Hour}
	}
	if o.MailLimiter == nil {
		o.MailLimiter = o.Limits.Limiter("mail", o.MailLimit)
	}
	if o.MailIPLimiter == nil {
		o.MailIPLimiter = o.Limits.Limiter("mailip", o.MailIPLimit)
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
	limits limiters
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
		limits: newLimiters(opts),
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
