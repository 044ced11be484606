package account

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/id"
)

// Address is a postal address kept by a user for shipping and billing.
type Address struct {
	ID         id.Address `json:"id"`
	UserID     id.User    `json:"user_id"`
	Name       string     `json:"name"`
	Line1      string     `json:"line1"`
	Line2      string     `json:"line2"`
	City       string     `json:"city"`
	Region     string     `json:"region"`
	PostalCode string     `json:"postal_code"`
	Country    string     `json:"country"` // ISO 3166-1 alpha-2, upper case
	Phone      string     `json:"phone"`
	IsDefault  bool       `json:"is_default"`
	CreatedAt  time.Time  `json:"created_at"`
	UpdatedAt  time.Time  `json:"updated_at"`
}

// AddressInput is what a user gives to create or replace an address.
type AddressInput struct {
	Name       string `json:"name"`
	Line1      string `json:"line1"`
	Line2      string `json:"line2"`
	City       string `json:"city"`
	Region     string `json:"region"`
	PostalCode string `json:"postal_code"`
	Country    string `json:"country"`
	Phone      string `json:"phone"`
	IsDefault  bool   `json:"is_default"`
}

// MaxAddresses is how many addresses one user may keep.
const MaxAddresses = 50

func (in *AddressInput) normalize() error {
	for _, p := range []*string{&in.Name, &in.Line1, &in.Line2, &in.City, &in.Region, &in.PostalCode, &in.Phone} {
		*p = strings.TrimSpace(*p)
	}
	in.Country = strings.ToUpper(strings.TrimSpace(in.Country))
	var f apperr.Fields
	checkName(&f, "name", in.Name, true, maxName)
	checkName(&f, "line1", in.Line1, true, 200)
	checkName(&f, "line2", in.Line2, false, 200)
	checkName(&f, "city", in.City, true, 100)
	checkName(&f, "region", in.Region, false, 100)
	checkName(&f, "postal_code", in.PostalCode, false, 20)
	switch {
	case in.Country == "":
		f.Add("country", "is required")
	case !ValidCountry(in.Country):
		f.Add("country", "must be an ISO 3166-1 alpha-2 country code such as US or IN")
	}
	if in.Phone != "" && !validPhone(in.Phone) {
		f.Add("phone", "must be a phone number of up to 32 digits, spaces and + - ( )")
	}
	return f.Err()
}

func validPhone(s string) bool {
	if utf8.RuneCountInString(s) > 32 {
		return false
	}
	digits := 0
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == '+' && i == 0, r == ' ', r == '-', r == '(', r == ')', r == '.':
		default:
			return false
		}
	}
	return digits >= 4
}

func (in AddressInput) apply(a *Address) {
	a.Name, a.Line1, a.Line2, a.City, a.Region = in.Name, in.Line1, in.Line2, in.City, in.Region
	a.PostalCode, a.Country, a.Phone, a.IsDefault = in.PostalCode, in.Country, in.Phone, in.IsDefault
}
