package account

import (
	"context"
	"fmt"
	"time"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/ratelimit"
)

// limiters are the sign-in throttles (see Options): none of them lets a
// stranger lock an owner out.
type limiters struct {
	client   ratelimit.Limiter // failures per (client, account), backoff
	guarded  ratelimit.Limiter // the same, the backoff while under attack
	account  ratelimit.Limiter // failures per account from anyone: the guard
	ip       ratelimit.Limiter // failures per client IP across accounts, backoff
	register ratelimit.Limiter // registrations per client IP
	reauth   ratelimit.Limiter // wrong current passwords per signed-in user, backoff
}

func newLimiters(o Options) limiters {
	return limiters{
		client:   o.Limits.Backoff("login-client", o.ClientBackoff),
		guarded:  o.Limits.Backoff("login-guarded", o.GuardedBackoff),
		account:  o.Limits.Limiter("login-account", o.AccountGuard),
		ip:       o.Limits.Backoff("login-ip", o.IPBackoff),
		register: o.Limits.Limiter("register-ip", o.RegisterLimit),
		reauth:   o.Limits.Backoff("reauth", o.ClientBackoff),
	}
}

// clientKey names a client at an account: its IP (its /64 for IPv6) and,
// when it sends one, its device cookie, so an owner behind the same
// address as an attacker keeps its own count.
func clientKey(c Client, email string) string {
	k := "local"
	if c.IP != "" {
		k = ipBucket(c.IP)
	}
	if validTokenShape(c.Device) {
		k += "|" + hashValue("cookie:" + c.Device)[:16]
	}
	return k + "|" + email
}

// signInAttempt is one sign-in's place in the throttles.
type signInAttempt struct {
	l                      *limiters
	clientKey, acct, ipKey string
}

// begin refuses the attempt (RateLimited) if its client owes a wait, and
// otherwise counts it as a failure of its client until done(true) says it
// succeeded. Concurrent guesses thus cannot overshoot the backoff. A known
// device (its cookie one the account signed in from) owes only its own
// backoff: neither its IP's failures nor an attack on the account hold it
// back.
func (l *limiters) begin(ctx context.Context, c Client, email string, knownDevice bool) (signInAttempt, error) {
	a := signInAttempt{l: l, clientKey: clientKey(c, email), acct: email}
	if c.IP != "" {
		a.ipKey = ipBucket(c.IP)
	}
	var wait time.Duration
	if a.ipKey != "" && !knownDevice {
		d, err := l.ip.Wait(ctx, a.ipKey)
		if err != nil {
			return a, fmt.Errorf("sign-in rate limit: %w", err)
		}
		wait = max(wait, d)
	}
	underAttack, err := l.account.Wait(ctx, a.acct)
	if err != nil {
		return a, fmt.Errorf("sign-in rate limit: %w", err)
	}
	if underAttack > 0 && !knownDevice {
		d, err := l.guarded.Wait(ctx, a.clientKey)
		if err != nil {
			return a, fmt.Errorf("sign-in rate limit: %w", err)
		}
		wait = max(wait, d)
	}
	d, err := l.client.Wait(ctx, a.clientKey)
	if err != nil {
		return a, fmt.Errorf("sign-in rate limit: %w", err)
	}
	// The longest wait owed, so that waiting as told lets the next try in.
	if wait = max(wait, d); wait > 0 {
		return a, tooManyAttempts(wait)
	}
	d, err = l.client.Take(ctx, a.clientKey)
	if err != nil {
		return a, fmt.Errorf("sign-in rate limit: %w", err)
	}
	if d > 0 {
		return a, tooManyAttempts(d)
	}
	return a, nil
}

// done records the attempt's outcome: a success forgets its client's
// failures (the account guard keeps counting what others did); a failure
// counts against the client's guarded backoff, the account and the IP.
func (a signInAttempt) done(ctx context.Context, ok bool) error {
	if ok {
		return errorsJoin(a.l.client.Reset(ctx, a.clientKey), a.l.guarded.Reset(ctx, a.clientKey))
	}
	_, err1 := a.l.guarded.Add(ctx, a.clientKey)
	_, err2 := a.l.account.Add(ctx, a.acct)
	var err3 error
	if a.ipKey != "" {
		_, err3 = a.l.ip.Add(ctx, a.ipKey)
	}
	return errorsJoin(err1, err2, err3)
}

func errorsJoin(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return fmt.Errorf("sign-in rate limit: %w", err)
		}
	}
	return nil
}

// takeRegistration counts a registration from c's IP; RateLimited over
// Options.RegisterLimit. In-process callers (no IP) are not limited.
func (l *limiters) takeRegistration(ctx context.Context, c Client) error {
	if c.IP == "" {
		return nil
	}
	d, err := l.register.Take(ctx, ipBucket(c.IP))
	if err != nil {
		return fmt.Errorf("registration rate limit: %w", err)
	}
	if d > 0 {
		return apperr.RateLimited(d, "too many sign-ups from this address; try again in %d seconds", int(d.Seconds()+0.999))
	}
	return nil
}
