// Package auth carries the authenticated caller (the Principal) through a
// request and signs and verifies its access tokens: EdDSA (Ed25519) JWTs with
// the algorithm pinned and exp, iss and aud required. Services check roles
// and ownership themselves with the Principal in the context, so REST,
// GraphQL and gRPC agree.
package auth

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/id"
)

// Role is what a user is on the marketplace.
type Role string

const (
	Customer Role = "customer"
	Seller   Role = "seller"
	Admin    Role = "admin"
	Delivery Role = "delivery"
	Support  Role = "support"
)

// Roles lists every role.
var Roles = []Role{Customer, Seller, Admin, Delivery, Support}

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return slices.Contains(Roles, r) }

// Principal is the authenticated caller of a request.
type Principal struct {
	UserID    id.User
	Role      Role
	SessionID id.Session // the refresh-token family the access token came from
}

// Is reports whether the principal has one of roles.
func (p Principal) Is(roles ...Role) bool { return slices.Contains(roles, p.Role) }

type ctxKey struct{}

// With returns ctx carrying p.
func With(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, ctxKey{}, p)
}

// From returns the request's principal, if the caller is signed in.
func From(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(ctxKey{}).(Principal)
	return p, ok
}

// Require returns the principal, or an Unauthorized error for anonymous
// callers. With roles, it also requires one of them (Forbidden otherwise).
func Require(ctx context.Context, roles ...Role) (Principal, error) {
	p, ok := From(ctx)
	if !ok {
		return Principal{}, apperr.Unauthorized("unauthenticated", "sign in to do this")
	}
	if len(roles) > 0 && !p.Is(roles...) {
		return Principal{}, apperr.Forbidden("this needs the %s role", joinRoles(roles))
	}
	return p, nil
}

func joinRoles(roles []Role) string {
	s := make([]string, len(roles))
	for i, r := range roles {
		s[i] = string(r)
	}
	return strings.Join(s, " or ")
}

// Tokens signs and verifies access tokens.
type Tokens struct {
	key      ed25519.PrivateKey
	issuer   string
	audience string
	ttl      time.Duration
	now      func() time.Time
}

// NewTokens returns a signer with key. Tokens live for ttl.
func NewTokens(key ed25519.PrivateKey, ttl time.Duration) *Tokens {
	return &Tokens{key: key, issuer: "bazaar", audience: "bazaar-api", ttl: ttl, now: time.Now}
}

// TTL is how long an access token lives.
func (t *Tokens) TTL() time.Duration { return t.ttl }

type claims struct {
	jwt.RegisteredClaims
	Role string `json:"role"`
	SID  string `json:"sid,omitempty"`
}

// Issue returns a signed access token for p and its expiry.
func (t *Tokens) Issue(p Principal) (string, time.Time, error) {
	now := t.now()
	exp := now.Add(t.ttl)
	c := claims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    t.issuer,
			Subject:   string(p.UserID),
			Audience:  jwt.ClaimStrings{t.audience},
			IssuedAt:  jwt.NewNumericDate(now),
			NotBefore: jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(exp),
		},
		Role: string(p.Role),
		SID:  string(p.SessionID),
	}
	s, err := jwt.NewWithClaims(jwt.SigningMethodEdDSA, c).SignedString(t.key)
	if err != nil {
		return "", time.Time{}, fmt.Errorf("sign token: %w", err)
	}
	return s, exp, nil
}

// Verify checks a token's signature, algorithm, issuer, audience and expiry
// and returns its principal.
func (t *Tokens) Verify(token string) (Principal, error) {
	p, _, err := t.VerifyUntil(token)
	return p, err
}

// VerifyUntil is Verify that also returns when the token expires, for a
// connection that must end with its token (a WebSocket).
func (t *Tokens) VerifyUntil(token string) (Principal, time.Time, error) {
	var c claims
	_, err := jwt.ParseWithClaims(token, &c, func(*jwt.Token) (any, error) {
		return t.key.Public(), nil
	},
		jwt.WithValidMethods([]string{jwt.SigningMethodEdDSA.Alg()}),
		jwt.WithIssuer(t.issuer),
		jwt.WithAudience(t.audience),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithLeeway(5*time.Second),
		jwt.WithTimeFunc(t.now),
	)
	if err != nil {
		if errors.Is(err, jwt.ErrTokenExpired) {
			return Principal{}, time.Time{}, apperr.Unauthorized("token_expired", "the access token has expired; refresh it")
		}
		return Principal{}, time.Time{}, apperr.Unauthorized("invalid_token", "the access token is not valid")
	}
	role := Role(c.Role)
	if c.Subject == "" || !role.Valid() || c.ExpiresAt == nil {
		return Principal{}, time.Time{}, apperr.Unauthorized("invalid_token", "the access token is not valid")
	}
	return Principal{UserID: id.User(c.Subject), Role: role, SessionID: id.Session(c.SID)}, c.ExpiresAt.Time, nil
}

// Checker confirms that a verified principal may still act (the user is not
// suspended, the session not revoked). It may return a different role if the
// user's role changed since the token was issued.
type Checker func(ctx context.Context, p Principal) (Principal, error)

// ErrorWriter writes an error response (rest.Error).
type ErrorWriter func(w http.ResponseWriter, r *http.Request, err error)

// Middleware authenticates requests carrying "Authorization: Bearer ...". A
// request without the header goes on anonymously; one with a bad, expired or
// revoked token is refused with 401.
func (t *Tokens) Middleware(check Checker, writeErr ErrorWriter) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			h := r.Header.Get("Authorization")
			if h == "" {
				next.ServeHTTP(w, r)
				return
			}
			scheme, tok, ok := strings.Cut(h, " ")
			if !ok || !strings.EqualFold(scheme, "Bearer") || tok == "" {
				writeErr(w, r, apperr.Unauthorized("invalid_token", "the Authorization header must be 'Bearer <access token>'"))
				return
			}
			p, err := t.Verify(strings.TrimSpace(tok))
			if err == nil && check != nil {
				p, err = check(r.Context(), p)
			}
			if err != nil {
				writeErr(w, r, err)
				return
			}
			next.ServeHTTP(w, r.WithContext(With(r.Context(), p)))
		})
	}
}

// KeyFile is the signing key's file in the data dir.
const KeyFile = "jwt-ed25519.pem"

// LoadKey returns the token signing key: from env (a base64 Ed25519 seed of 32
// bytes) when given, else from keyfile in dataDir, creating it (mode 0600) on
// first start so tokens survive restarts.
func LoadKey(env, dataDir string) (ed25519.PrivateKey, error) {
	if env != "" {
		seed, err := base64.StdEncoding.DecodeString(env)
		if err != nil || len(seed) != ed25519.SeedSize {
			return nil, errors.New("BAZAAR_JWT_KEY must be a base64-encoded 32-byte Ed25519 seed")
		}
		return ed25519.NewKeyFromSeed(seed), nil
	}
	path := filepath.Join(dataDir, KeyFile)
	if b, err := os.ReadFile(path); err == nil {
		blk, _ := pem.Decode(b)
		if blk == nil {
			return nil, fmt.Errorf("%s: not a PEM file", path)
		}
		k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		ek, ok := k.(ed25519.PrivateKey)
		if !ok {
			return nil, fmt.Errorf("%s: not an Ed25519 key", path)
		}
		return ek, nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dataDir, 0o750); err != nil {
		return nil, err
	}
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		return nil, fmt.Errorf("write signing key: %w", err)
	}
	return key, nil
}
