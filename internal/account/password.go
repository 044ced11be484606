package account

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Argon2id parameters: OWASP's minimum recommendation (m=19 MiB, t=2, p=1).
const (
	argonMemory  = 19 * 1024 // KiB
	argonTime    = 2
	argonThreads = 1
	argonSaltLen = 16
	argonKeyLen  = 32
)

// hasher hashes and verifies passwords as Argon2id PHC strings
// ("$argon2id$v=19$m=19456,t=2,p=1$salt$hash"), at most `cap(sem)` at a time
// so that a burst of sign-ins cannot exhaust memory or starve other work.
type hasher struct {
	sem   chan struct{}
	dummy string // a hash to verify against when the e-mail is unknown
}

func newHasher(concurrency int) *hasher {
	if concurrency < 1 {
		concurrency = runtime.NumCPU()
	}
	h := &hasher{sem: make(chan struct{}, concurrency)}
	// The dummy hash's salt and key are fixed random-looking bytes; nobody
	// has its password, so verification against it always fails, after the
	// same work as a real one.
	salt := base64.RawStdEncoding.EncodeToString([]byte("bazaar-dummy-slt"))
	key := base64.RawStdEncoding.EncodeToString([]byte("bazaar-dummy-key-for-no-account!"))
	h.dummy = fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads, salt, key)
	return h
}

func (h *hasher) acquire(ctx context.Context) error {
	select {
	case h.sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (h *hasher) release() { <-h.sem }

// Hash returns the PHC string for password with a fresh random salt.
func (h *hasher) Hash(ctx context.Context, password string) (string, error) {
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("password salt: %w", err)
	}
	if err := h.acquire(ctx); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	h.release()
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

// Verify reports whether password matches the PHC string encoded, in
// constant time. An empty encoded hash is checked against a dummy hash so that
// an unknown account costs the same time as a wrong password.
func (h *hasher) Verify(ctx context.Context, password, encoded string) (bool, error) {
	if encoded == "" {
		encoded = h.dummy
	}
	p, salt, want, err := parsePHC(encoded)
	if err != nil {
		return false, err
	}
	if err := h.acquire(ctx); err != nil {
		return false, err
	}
	got := argon2.IDKey([]byte(password), salt, p.time, p.memory, p.threads, uint32(len(want)))
	h.release()
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

type argonParams struct {
	memory  uint32
	time    uint32
	threads uint8
}

var errBadHash = errors.New("password hash: not an argon2id PHC string")

// parsePHC reads "$argon2id$v=19$m=..,t=..,p=..$salt$hash", refusing
// parameters far outside what this package writes (a corrupt row must not
// make a sign-in allocate gigabytes).
func parsePHC(s string) (argonParams, []byte, []byte, error) {
	var p argonParams
	parts := strings.Split(s, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return p, nil, nil, errBadHash
	}
	var v int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &v); err != nil || v != argon2.Version {
		return p, nil, nil, errBadHash
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.memory, &p.time, &p.threads); err != nil {
		return p, nil, nil, errBadHash
	}
	if p.memory < 8*1024 || p.memory > 1<<20 || p.time < 1 || p.time > 16 || p.threads < 1 || p.threads > 16 {
		return p, nil, nil, errBadHash
	}
	salt, err := base64.RawStdEncoding.DecodeString(parts[4])
	if err != nil || len(salt) < 8 {
		return p, nil, nil, errBadHash
	}
	key, err := base64.RawStdEncoding.DecodeString(parts[5])
	if err != nil || len(key) < 16 || len(key) > 64 {
		return p, nil, nil, errBadHash
	}
	return p, salt, key, nil
}
