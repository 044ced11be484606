package edge

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/auth"
	"github.com/bazaar-market/bazaar/internal/ratelimit"
)

// Limits are the token buckets of the API doors. A bucket with Burst 0 is
// off.
type Limits struct {
	// IP is every API request's bucket per client IP (its /64 for IPv6).
	IP ratelimit.Bucket
	// User is every signed-in API request's bucket per user.
	User ratelimit.Bucket
	// Auth is the stricter bucket per client IP of sign-in, registration,
	// token refresh and password reset requests.
	Auth ratelimit.Bucket
	// Buckets keeps the buckets (in memory, or Redis to share them).
	Buckets ratelimit.Buckets
	// Error answers a refused request (429) or a failing store.
	Error ErrorWriter
}

// authPaths are the REST routes the Auth bucket guards (POST only), and
// authMethods the gRPC methods (by their last path element).
var (
	authPaths = []string{"/api/v1/auth/login", "/api/v1/auth/register", "/api/v1/auth/refresh",
		"/api/v1/auth/password-reset", "/api/v1/auth/password-reset/confirm", "/api/v1/auth/oidc/exchange",
		"/api/v1/auth/verify-email/resend"}
	authMethods = []string{"Login", "Register", "Refresh", "RequestPasswordReset", "ResetPassword"}
)

// IsAuth reports whether r signs in, registers or resets a password.
func IsAuth(r *http.Request) bool {
	if r.Method != http.MethodPost {
		return false
	}
	p := r.URL.Path
	for _, a := range authPaths {
		if p == a {
			return true
		}
	}
	if IsRPCPath(p) {
		i := strings.LastIndexByte(p, '/')
		for _, m := range authMethods {
			if p[i+1:] == m {
				return true
			}
		}
	}
	return false
}

// ByIP takes a token from the client IP's bucket (and its Auth bucket for
// sign-in and the like) for every API request; see headers.
func (l *Limits) ByIP(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !IsAPI(r) || r.Method == http.MethodOptions {
			next.ServeHTTP(w, r)
			return
		}
		ip := ipKey(ClientIP(r))
		if !l.take(w, r, "ip:"+ip, l.IP) {
			return
		}
		if IsAuth(r) && !l.take(w, r, "auth:"+ip, l.Auth) {
			return
		}
		next.ServeHTTP(w, r)
	})
}

// ByUser takes a token from the signed-in user's bucket for every API
// request that carries a valid access token; it runs after the
// bearer-token middleware.
func (l *Limits) ByUser(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, ok := auth.From(r.Context())
		if !ok || !IsAPI(r) || r.Method == http.MethodOptions {
			next.ServeHTTP(w, r)
			return
		}
		if !l.take(w, r, "user:"+string(p.UserID), l.User) {
			return
		}
		next.ServeHTTP(w, r)
	})
}

// take takes a token from key's bucket b, sets the RateLimit headers when
// this bucket is the tightest so far, and refuses the request (false) when
// it is empty.
func (l *Limits) take(w http.ResponseWriter, r *http.Request, key string, b ratelimit.Bucket) bool {
	if b.Burst < 1 {
		return true
	}
	res, err := l.Buckets.Take(r.Context(), key, b)
	if err != nil {
		// A store that fails must not take the site down with it: let the
		// request through and say so in the log.
		logger(r).WarnContext(r.Context(), "rate limit store failed; request let through", "err", err)
		return true
	}
	h := w.Header()
	if cur, err := strconv.Atoi(h.Get("RateLimit-Remaining")); err != nil || res.Remaining < cur || !res.Allowed {
		h.Set("RateLimit-Limit", strconv.Itoa(res.Limit))
		h.Set("RateLimit-Remaining", strconv.Itoa(max(res.Remaining, 0)))
		h.Set("RateLimit-Reset", strconv.Itoa(seconds(res.Reset)))
		h.Set("RateLimit-Policy", strconv.Itoa(res.Limit)+";w="+strconv.Itoa(seconds(b.Window())))
	}
	if res.Allowed {
		return true
	}
	retry := seconds(res.RetryAfter)
	h.Set("Retry-After", strconv.Itoa(retry))
	l.Error(w, r, apperr.RateLimited(time.Duration(retry)*time.Second, "too many requests; try again in %d seconds", retry))
	return false
}

// seconds rounds d up to whole seconds.
func seconds(d time.Duration) int {
	if d <= 0 {
		return 0
	}
	return int((d + time.Second - 1) / time.Second)
}

// ParseBucket parses a bucket as "N/D": a burst of N, refilled at N per
// D ("600/1m": 600 at once, 10 a second). "0" or "off" is no bucket.
func ParseBucket(s string) (ratelimit.Bucket, error) {
	s = strings.TrimSpace(s)
	if s == "0" || s == "off" || s == "" {
		return ratelimit.Bucket{}, nil
	}
	n, d, ok := strings.Cut(s, "/")
	burst, err := strconv.Atoi(n)
	if !ok || err != nil || burst < 1 {
		return ratelimit.Bucket{}, apperr.Invalid("bad_rate", "a rate is N/D, e.g. 600/1m", apperr.FieldError{Field: "rate", Message: s})
	}
	per, err := time.ParseDuration(d)
	if err != nil || per <= 0 {
		return ratelimit.Bucket{}, apperr.Invalid("bad_rate", "a rate is N/D, e.g. 600/1m", apperr.FieldError{Field: "rate", Message: s})
	}
	return ratelimit.Bucket{Burst: burst, Rate: float64(burst) / per.Seconds()}, nil
}
