// Package accountoidc is an account.IdentityProvider over any OpenID
// Connect provider (Google, Keycloak, ...), found by its issuer URL
// (discovery) with go-oidc and golang.org/x/oauth2: the authorization code
// flow with PKCE (S256), and ID tokens verified for signature, issuer,
// audience, expiry and nonce.
package accountoidc

import (
	"context"
	"crypto/subtle"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/bazaar-market/bazaar/internal/account"
	"github.com/bazaar-market/bazaar/internal/apperr"
)

// Config names one provider.
type Config struct {
	Name         string // key in URLs ("google")
	Label        string // button text after "Sign in with" ("Google")
	Issuer       string // exactly as the provider's discovery document says it
	ClientID     string
	ClientSecret string // empty for a public client (PKCE only)
	// HTTPClient talks to the provider (a 10 s timeout when nil).
	HTTPClient *http.Client
	Logger     *slog.Logger
}

// Provider implements account.IdentityProvider. Discovery runs on first use
// and is retried until it succeeds, so a provider that is down at start-up
// does not stop the server.
type Provider struct {
	cfg Config

	mu       sync.Mutex
	provider *oidc.Provider
	verifier *oidc.IDTokenVerifier
}

var _ account.IdentityProvider = (*Provider)(nil)

// New returns the provider cfg describes.
func New(cfg Config) *Provider {
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Label == "" {
		cfg.Label = cfg.Name
	}
	return &Provider{cfg: cfg}
}

// Name implements account.IdentityProvider.
func (p *Provider) Name() string { return p.cfg.Name }

// Label implements account.IdentityProvider.
func (p *Provider) Label() string { return p.cfg.Label }

func (p *Provider) ctx(ctx context.Context) context.Context {
	return oidc.ClientContext(ctx, p.cfg.HTTPClient)
}

func (p *Provider) discover(ctx context.Context) (*oidc.Provider, *oidc.IDTokenVerifier, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.provider != nil {
		return p.provider, p.verifier, nil
	}
	// go-oidc keeps this context for fetching signing keys later: never the
	// request's, which ends. The HTTP client's timeout bounds each call.
	op, err := oidc.NewProvider(p.ctx(context.WithoutCancel(ctx)), p.cfg.Issuer)
	if err != nil {
		p.cfg.Logger.Warn("oidc discovery failed", "provider", p.cfg.Name, "issuer", p.cfg.Issuer, "err", err)
		return nil, nil, apperr.New(apperr.KindUnavailable, "oidc_provider_unavailable", "the sign-in provider cannot be reached; try again later")
	}
	p.provider = op
	p.verifier = op.Verifier(&oidc.Config{ClientID: p.cfg.ClientID})
	return p.provider, p.verifier, nil
}

func (p *Provider) oauth(op *oidc.Provider, redirectURL string) *oauth2.Config {
	return &oauth2.Config{
		ClientID:     p.cfg.ClientID,
		ClientSecret: p.cfg.ClientSecret,
		Endpoint:     op.Endpoint(),
		RedirectURL:  redirectURL,
		Scopes:       []string{oidc.ScopeOpenID, "email", "profile"},
	}
}

// AuthURL implements account.IdentityProvider.
func (p *Provider) AuthURL(ctx context.Context, a account.Authorization) (string, error) {
	op, _, err := p.discover(ctx)
	if err != nil {
		return "", err
	}
	return p.oauth(op, a.RedirectURL).AuthCodeURL(a.State, oidc.Nonce(a.Nonce), oauth2.S256ChallengeOption(a.Verifier)), nil
}

// claims are the ID token's (or userinfo's) claims Bazaar reads.
type claims struct {
	Email         string   `json:"email"`
	EmailVerified flexBool `json:"email_verified"`
	Name          string   `json:"name"`
	GivenName     string   `json:"given_name"`
	FamilyName    string   `json:"family_name"`
}

// flexBool reads a boolean some providers send as a string ("true").
type flexBool bool

func (b *flexBool) UnmarshalJSON(data []byte) error {
	s := strings.Trim(string(data), `"`)
	*b = flexBool(s == "true")
	return nil
}

// Identify implements account.IdentityProvider.
func (p *Provider) Identify(ctx context.Context, a account.Authorization, code string) (account.Identity, error) {
	op, verifier, err := p.discover(ctx)
	if err != nil {
		return account.Identity{}, err
	}
	tok, err := p.oauth(op, a.RedirectURL).Exchange(p.ctx(ctx), code, oauth2.VerifierOption(a.Verifier))
	if err != nil {
		p.cfg.Logger.Warn("oidc code exchange failed", "provider", p.cfg.Name, "err", err)
		return account.Identity{}, apperr.Unauthorized("oidc_exchange_failed", "the provider did not accept the sign-in; start again")
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return account.Identity{}, apperr.Unauthorized("oidc_token_invalid", "the provider sent no ID token")
	}
	idt, err := verifier.Verify(p.ctx(ctx), raw)
	if err != nil {
		p.cfg.Logger.Warn("oidc id token refused", "provider", p.cfg.Name, "err", err)
		return account.Identity{}, apperr.Unauthorized("oidc_token_invalid", "the provider's ID token is not valid")
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(a.Nonce)) != 1 || a.Nonce == "" {
		return account.Identity{}, apperr.Unauthorized("oidc_nonce_mismatch", "the provider's ID token does not belong to this sign-in")
	}
	var c claims
	if err := idt.Claims(&c); err != nil {
		return account.Identity{}, apperr.Unauthorized("oidc_token_invalid", "the provider's ID token is not valid")
	}
	if c.Email == "" {
		// Many providers put the e-mail in userinfo only.
		ui, err := op.UserInfo(p.ctx(ctx), oauth2.StaticTokenSource(tok))
		if err != nil {
			p.cfg.Logger.Warn("oidc userinfo failed", "provider", p.cfg.Name, "err", err)
			return account.Identity{}, apperr.New(apperr.KindUnavailable, "oidc_provider_unavailable", "the sign-in provider did not answer; try again")
		}
		if ui.Subject != idt.Subject {
			return account.Identity{}, apperr.Unauthorized("oidc_token_invalid", "the provider's user info is for another user")
		}
		if err := ui.Claims(&c); err != nil {
			return account.Identity{}, fmt.Errorf("oidc userinfo claims: %w", err)
		}
	}
	name := c.Name
	if name == "" {
		name = strings.TrimSpace(c.GivenName + " " + c.FamilyName)
	}
	return account.Identity{Subject: idt.Subject, Email: c.Email, EmailVerified: bool(c.EmailVerified), Name: name}, nil
}

// ParseProviders reads the --oidc-providers list:
// "name=issuer|client_id[|label],..." ("google=https://accounts.google.com|123.apps.googleusercontent.com").
// A missing label is the name with a capital first letter. Names are
// lower-case letters, digits and '-'.
func ParseProviders(s string) ([]Config, error) {
	var out []Config
	seen := map[string]bool{}
	for item := range strings.SplitSeq(s, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		name, rest, ok := strings.Cut(item, "=")
		parts := strings.Split(rest, "|")
		if !ok || len(parts) < 2 || len(parts) > 3 {
			return nil, fmt.Errorf("%q: want name=issuer|client_id[|label]", item)
		}
		name = strings.TrimSpace(name)
		if !validName(name) {
			return nil, fmt.Errorf("%q: a provider name is 1 to 32 lower-case letters, digits or '-'", name)
		}
		if seen[name] {
			return nil, fmt.Errorf("provider %q is named twice", name)
		}
		seen[name] = true
		c := Config{Name: name, Issuer: strings.TrimSpace(parts[0]), ClientID: strings.TrimSpace(parts[1])}
		if !strings.HasPrefix(c.Issuer, "https://") && !strings.HasPrefix(c.Issuer, "http://") {
			return nil, fmt.Errorf("%s: the issuer must be an http(s) URL", name)
		}
		if c.ClientID == "" {
			return nil, fmt.Errorf("%s: the client ID is empty", name)
		}
		if len(parts) == 3 {
			c.Label = strings.TrimSpace(parts[2])
		}
		if c.Label == "" {
			c.Label = strings.ToUpper(name[:1]) + name[1:]
		}
		out = append(out, c)
	}
	return out, nil
}

// SecretEnv is the environment variable holding a provider's client
// secret: BAZAAR_OIDC_<NAME>_CLIENT_SECRET, the name upper-cased with '-'
// as '_'.
func SecretEnv(name string) string {
	return "BAZAAR_OIDC_" + strings.ToUpper(strings.ReplaceAll(name, "-", "_")) + "_CLIENT_SECRET"
}

func validName(s string) bool {
	if s == "" || len(s) > 32 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
			return false
		}
	}
	return true
}
