package account

import (
	"net/mail"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/auth"
	"github.com/bazaar-market/bazaar/internal/id"
)

// UserStatus says whether a user may sign in and act.
type UserStatus string

const (
	UserActive    UserStatus = "active"
	UserSuspended UserStatus = "suspended"
)

// Valid reports whether s is a known status.
func (s UserStatus) Valid() bool { return s == UserActive || s == UserSuspended }

// User is a person or organisation signed up on the marketplace. Its
// password hash never leaves the store except to verify a sign-in.
type User struct {
	ID     id.User    `json:"id"`
	Email  string     `json:"email"`
	Name   string     `json:"name"`
	Role   auth.Role  `json:"role"`
	Status UserStatus `json:"status"`
	// EmailVerified says a mail reached the address: its link was opened
	// (or a password was reset through it, or the identity provider vouched
	// for it). Sellers need it to list products.
	EmailVerified bool      `json:"email_verified"`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`
}

// NewUser is what it takes to create a user.
type NewUser struct {
	Email    string    `json:"email"`
	Password string    `json:"password"`
	Name     string    `json:"name"`
	Role     auth.Role `json:"role"`
}

// Credentials sign a user in.
type Credentials struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

// ProfileUpdate is what a user may change about itself.
type ProfileUpdate struct {
	Name string `json:"name"`
}

// PasswordChange replaces a user's password.
type PasswordChange struct {
	CurrentPassword string `json:"current_password"`
	NewPassword     string `json:"new_password"`
}

// Password length limits, in characters.
const (
	MinPassword = 8
	MaxPassword = 128
	maxEmail    = 254
	maxName     = 100
)

// NormalizeEmail trims and lower-cases an e-mail address.
func NormalizeEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

func validEmail(s string) bool {
	if s == "" || len(s) > maxEmail {
		return false
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s {
		return false
	}
	_, domain, _ := strings.Cut(s, "@")
	return strings.Contains(domain, ".") && !strings.HasPrefix(domain, ".") && !strings.HasSuffix(domain, ".")
}

func checkEmail(f *apperr.Fields, field, email string) {
	switch {
	case email == "":
		f.Add(field, "is required")
	case !validEmail(email):
		f.Add(field, "must be an e-mail address such as ana@example.com")
	}
}

// checkPassword checks a new password: its length, and that it is not
// among the most common or made of words (the user's e-mail local part,
// its name) or patterns that are easy to guess (weakPassword).
func checkPassword(f *apperr.Fields, field, pw string, words ...string) {
	n := utf8.RuneCountInString(pw)
	switch {
	case pw == "":
		f.Add(field, "is required")
	case n < MinPassword || n > MaxPassword:
		f.Add(field, "must be 8 to 128 characters")
	default:
		if why := weakPassword(pw, words...); why != "" {
			f.Add(field, why)
		}
	}
}

// contextWords are the words of a user a password must not be made of.
func contextWords(email, name string) []string {
	local, _, _ := strings.Cut(email, "@")
	return append([]string{local, name}, strings.Fields(name)...)
}

func checkName(f *apperr.Fields, field, name string, required bool, maxLen int) {
	switch n := utf8.RuneCountInString(name); {
	case name == "" && required:
		f.Add(field, "is required")
	case n > maxLen:
		f.Add(field, "must be at most "+strconv.Itoa(maxLen)+" characters")
	case !utf8.ValidString(name) || strings.ContainsFunc(name, isControl):
		f.Add(field, "must not contain control characters")
	}
}

func isControl(r rune) bool { return r < 0x20 && r != '\t' || r == 0x7f }

// normalize trims the user's fields and validates them. roles lists the
// roles the caller may create.
func (in *NewUser) normalize(roles ...auth.Role) error {
	in.Email = NormalizeEmail(in.Email)
	in.Name = strings.TrimSpace(in.Name)
	var f apperr.Fields
	checkEmail(&f, "email", in.Email)
	checkPassword(&f, "password", in.Password, contextWords(in.Email, in.Name)...)
	checkName(&f, "name", in.Name, true, maxName)
	switch {
	case in.Role == "":
		f.Add("role", "is required")
	case !in.Role.Valid() || !slices.Contains(roles, in.Role):
		f.Add("role", "must be one of "+joinRoles(roles))
	}
	return f.Err()
}

func joinRoles(roles []auth.Role) string {
	s := make([]string, len(roles))
	for i, r := range roles {
		s[i] = string(r)
	}
	return strings.Join(s, ", ")
}
