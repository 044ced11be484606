package account

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/auth"
	"github.com/bazaar-market/bazaar/internal/id"
)

// IdentityProvider is an OpenID Connect provider users may sign in with
// ("Sign in with Google"). accountoidc implements it over go-oidc; the
// service keeps the flow's state, nonce and PKCE verifier itself.
type IdentityProvider interface {
	// Name is the provider's key in URLs and links ("google").
	Name() string
	// Label is what the sign-in button names ("Google").
	Label() string
	// AuthURL is the provider's authorization URL for one flow (code flow
	// with a.State, a.Nonce and a.Verifier's S256 challenge).
	AuthURL(ctx context.Context, a Authorization) (string, error)
	// Identify exchanges code with a.Verifier and verifies the ID token:
	// signature, issuer, audience, expiry and that its nonce is a.Nonce.
	// Refusals are Unauthorized with an oidc_* code
	// (oidc_nonce_mismatch, oidc_token_invalid, oidc_exchange_failed).
	Identify(ctx context.Context, a Authorization, code string) (Identity, error)
}

// Authorization is one sign-in flow as the provider sees it.
type Authorization struct {
	RedirectURL string // our callback URL, registered with the provider
	State       string
	Nonce       string
	Verifier    string // PKCE code verifier
}

// Identity is who the provider says signed in.
type Identity struct {
	Subject       string // the provider's stable user ID ("sub")
	Email         string
	EmailVerified bool
	Name          string
}

// ProviderInfo describes a configured provider for the sign-in page.
type ProviderInfo struct {
	Name  string `json:"name"`
	Label string `json:"label"`
}

// OIDCFlow is a started sign-in kept until its callback, at most
// OIDCFlowTTL. Only the state's hash and the browser binding's hash are
// stored.
type OIDCFlow struct {
	StateHash   string
	Provider    string
	Nonce       string
	Verifier    string
	BindingHash string // SHA-256 of the browser's binding cookie
	RedirectURL string
	Next        string // the web app path to land on
	CreatedAt   time.Time
	ExpiresAt   time.Time
}

// OIDCHandoff is a finished sign-in waiting for the web app to exchange
// its single-use code for our tokens.
type OIDCHandoff struct {
	CodeHash    string
	UserID      id.User
	BindingHash string
	CreatedAt   time.Time
	ExpiresAt   time.Time
}

// IdentityLink ties a provider's subject to a user.
type IdentityLink struct {
	Provider  string
	Subject   string
	UserID    id.User
	Email     string
	CreatedAt time.Time
}

// Lifetimes of a started flow (the user has this long at the provider) and
// of a hand-off code (the web app exchanges it at once).
const (
	OIDCFlowTTL    = 10 * time.Minute
	OIDCHandoffTTL = time.Minute
)

// OIDCCallback is what the provider sent back to the callback.
type OIDCCallback struct {
	State string
	Code  string
	Error string // the provider's "error" parameter (access_denied, ...)
	// Binding is the browser's binding cookie: the callback must come from
	// the browser that started the flow.
	Binding string
}

// IdentityProviders lists the configured providers in configuration order.
func (s *Service) IdentityProviders() []ProviderInfo {
	out := make([]ProviderInfo, 0, len(s.opts.Providers))
	for _, p := range s.opts.Providers {
		out = append(out, ProviderInfo{Name: p.Name(), Label: p.Label()})
	}
	return out
}

func (s *Service) provider(name string) (IdentityProvider, error) {
	for _, p := range s.opts.Providers {
		if p.Name() == name {
			return p, nil
		}
	}
	return nil, apperr.New(apperr.KindNotFound, "oidc_provider_unknown", "no sign-in provider is called %q", name)
}

// NewBinding returns a fresh browser binding value for a flow's cookie.
func NewBinding() string { return randomToken() }

// StartOIDC starts a sign-in with provider: it keeps a new flow (random
// state, nonce and PKCE verifier, bound to the browser's binding value) and
// returns the provider's authorization URL to redirect to. next is the web
// app path to land on after signing in (anything but a same-site path is
// dropped).
func (s *Service) StartOIDC(ctx context.Context, provider, redirectURL, binding, next string) (string, error) {
	p, err := s.provider(provider)
	if err != nil {
		return "", err
	}
	if binding == "" {
		return "", fmt.Errorf("start oidc: no browser binding")
	}
	a := Authorization{RedirectURL: redirectURL, State: randomToken(), Nonce: randomToken(), Verifier: randomToken()}
	now := s.now()
	f := OIDCFlow{StateHash: hashValue(a.State), Provider: provider, Nonce: a.Nonce, Verifier: a.Verifier,
		BindingHash: hashValue(binding), RedirectURL: redirectURL, Next: safeNext(next), CreatedAt: now, ExpiresAt: now.Add(OIDCFlowTTL)}
	u, err := p.AuthURL(ctx, a)
	if err != nil {
		return "", err
	}
	if err := s.store.CreateOIDCFlow(ctx, f); err != nil {
		return "", fmt.Errorf("start oidc: %w", err)
	}
	return u, nil
}

func stateInvalid() error {
	return apperr.Unauthorized("oidc_state_invalid", "this sign-in is unknown, expired or already used; start again")
}

// FinishOIDC completes a sign-in at the callback. The flow is taken (used
// once, whatever the outcome); an unknown, used, expired or other browser's
// state is Unauthorized "oidc_state_invalid". Then the provider's code is
// exchanged and its ID token verified, and the identity is resolved to a
// user: an existing link signs that user in; else, if the provider vouches
// for the e-mail and an account has it, the identity is linked to that
// account; else a customer is created. It returns a single-use hand-off
// code (valid OIDCHandoffTTL, bound to the same browser) and the path to
// land on.
func (s *Service) FinishOIDC(ctx context.Context, provider string, cb OIDCCallback) (code, next string, err error) {
	p, err := s.provider(provider)
	if err != nil {
		return "", "", err
	}
	if cb.State == "" || len(cb.State) > 200 {
		return "", "", stateInvalid()
	}
	f, err := s.store.TakeOIDCFlow(ctx, hashValue(cb.State))
	if apperr.Is(err, apperr.KindNotFound) {
		return "", "", stateInvalid()
	} else if err != nil {
		return "", "", fmt.Errorf("finish oidc: %w", err)
	}
	now := s.now()
	if f.Provider != provider || !now.Before(f.ExpiresAt) || !sameHash(f.BindingHash, hashValue(cb.Binding)) {
		return "", "", stateInvalid()
	}
	if cb.Error != "" {
		return "", "", apperr.Unauthorized("oidc_denied", "the sign-in was cancelled or refused at the provider")
	}
	if cb.Code == "" {
		return "", "", apperr.Unauthorized("oidc_exchange_failed", "the provider sent no authorization code")
	}
	ident, err := p.Identify(ctx, Authorization{RedirectURL: f.RedirectURL, State: cb.State, Nonce: f.Nonce, Verifier: f.Verifier}, cb.Code)
	if err != nil {
		return "", "", err
	}
	u, err := s.userFor(ctx, provider, ident)
	if err != nil {
		return "", "", err
	}
	if u.Status != UserActive {
		return "", "", apperr.Unauthorized("account_suspended", "this account is suspended")
	}
	code = randomToken()
	h := OIDCHandoff{CodeHash: hashValue(code), UserID: u.ID, BindingHash: f.BindingHash, CreatedAt: now, ExpiresAt: now.Add(OIDCHandoffTTL)}
	if err := s.store.CreateOIDCHandoff(ctx, h); err != nil {
		return "", "", fmt.Errorf("finish oidc: %w", err)
	}
	return code, f.Next, nil
}

// userFor finds or makes the user an identity signs in as.
func (s *Service) userFor(ctx context.Context, provider string, ident Identity) (User, error) {
	if ident.Subject == "" {
		return User{}, apperr.Unauthorized("oidc_token_invalid", "the provider's ID token names no subject")
	}
	uid, err := s.store.IdentityUser(ctx, provider, ident.Subject)
	if err == nil {
		return s.store.User(ctx, uid)
	}
	if !apperr.Is(err, apperr.KindNotFound) {
		return User{}, fmt.Errorf("find identity: %w", err)
	}
	email := NormalizeEmail(ident.Email)
	if !validEmail(email) {
		return User{}, apperr.Unauthorized("oidc_email_missing", "the provider did not share an e-mail address; allow it and try again")
	}
	now := s.now()
	link := IdentityLink{Provider: provider, Subject: ident.Subject, Email: email, CreatedAt: now}
	existing, err := s.store.UserByEmail(ctx, email)
	switch {
	case err == nil && ident.EmailVerified && existing.Role != auth.Customer && existing.Role != auth.Seller:
		// Staff accounts are never linked by e-mail: a provider that marks
		// e-mails verified carelessly would hand over an admin account.
		return User{}, apperr.Unauthorized("oidc_link_refused",
			"an account with this e-mail exists that cannot be signed in to through a provider; sign in with your password")
	case err == nil && ident.EmailVerified:
		link.UserID = existing.ID
		if err := s.store.LinkIdentity(ctx, link); err != nil {
			return s.linkRace(ctx, provider, ident.Subject, err)
		}
		if !existing.EmailVerified {
			// The provider vouches for the address.
			if v, err := s.store.SetEmailVerified(ctx, existing.ID, existing.Email, now); err == nil {
				existing = v
			} else if !apperr.Is(err, apperr.KindNotFound) {
				return User{}, fmt.Errorf("verify e-mail: %w", err)
			}
		}
		return existing, nil
	case err == nil:
		return User{}, apperr.Unauthorized("oidc_email_unverified",
			"an account with this e-mail exists, but the provider has not verified the e-mail; sign in with your password")
	case !apperr.Is(err, apperr.KindNotFound):
		return User{}, fmt.Errorf("find user: %w", err)
	}
	name := strings.TrimSpace(ident.Name)
	var f apperr.Fields
	if checkName(&f, "name", name, true, maxName); f.Err() != nil {
		name, _, _ = strings.Cut(email, "@")
	}
	u := User{ID: id.Make[id.User](), Email: email, Name: name, Role: auth.Customer, Status: UserActive,
		EmailVerified: ident.EmailVerified, CreatedAt: now, UpdatedAt: now}
	link.UserID = u.ID
	if err := s.store.CreateUserWithIdentity(ctx, u, link); err != nil {
		if apperr.CodeOf(err) == "email_taken" {
			// Someone registered this e-mail meanwhile: treat as above.
			return User{}, apperr.Unauthorized("oidc_email_unverified", "an account with this e-mail exists; sign in with your password")
		}
		return s.linkRace(ctx, provider, ident.Subject, err)
	}
	return u, nil
}

// linkRace resolves a concurrent first sign-in of the same identity: the
// other one linked it, so sign in as its user.
func (s *Service) linkRace(ctx context.Context, provider, subject string, err error) (User, error) {
	if apperr.CodeOf(err) != "identity_linked" {
		return User{}, fmt.Errorf("link identity: %w", err)
	}
	uid, err := s.store.IdentityUser(ctx, provider, subject)
	if err != nil {
		return User{}, fmt.Errorf("link identity: %w", err)
	}
	return s.store.User(ctx, uid)
}

// ExchangeOIDC trades a hand-off code from FinishOIDC, once, for a session,
// in the browser that started the sign-in. An unknown, used, expired or
// other browser's code is Unauthorized "oidc_code_invalid".
func (s *Service) ExchangeOIDC(ctx context.Context, code, binding string) (Session, error) {
	invalid := apperr.Unauthorized("oidc_code_invalid", "this sign-in code is unknown, expired or already used; sign in again")
	if code == "" || len(code) > 200 {
		return Session{}, invalid
	}
	h, err := s.store.TakeOIDCHandoff(ctx, hashValue(code))
	if apperr.Is(err, apperr.KindNotFound) {
		return Session{}, invalid
	} else if err != nil {
		return Session{}, fmt.Errorf("exchange oidc code: %w", err)
	}
	if !s.now().Before(h.ExpiresAt) || !sameHash(h.BindingHash, hashValue(binding)) {
		return Session{}, invalid
	}
	u, err := s.store.User(ctx, h.UserID)
	if err != nil {
		return Session{}, fmt.Errorf("exchange oidc code: %w", err)
	}
	if u.Status != UserActive {
		return Session{}, apperr.Unauthorized("account_suspended", "this account is suspended")
	}
	return s.startSession(ctx, u)
}

// safeNext keeps only same-site paths: never an open redirect.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n") || len(next) > 500 {
		return ""
	}
	return next
}

// randomToken is 32 random bytes, base64url.
func randomToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(b)
}

func hashValue(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func sameHash(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }
