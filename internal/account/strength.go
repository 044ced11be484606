package account

import (
	_ "embed"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// common_passwords.txt lists the passwords of 8 characters or more that
// breached password dumps hold most often (see
// common_passwords_LICENSE.txt for where it comes from), one a line,
// lower-cased.
//
//go:embed common_passwords.txt
var commonPasswordList string

var commonPasswords = sync.OnceValue(func() map[string]struct{} {
	m := make(map[string]struct{}, 18000)
	for line := range strings.Lines(commonPasswordList) {
		if line = strings.TrimSpace(line); line != "" {
			m[line] = struct{}{}
		}
	}
	return m
})

// siteWords are words of this site a password must not be made of.
var siteWords = []string{"bazaar", "bazaarmarket", "bazaar-market"}

// weakPassword says why pw is too easy to guess, as NIST SP 800-63B asks
// verifiers to check: "" if it is not. It refuses passwords on the list of
// the most common breached ones, passwords made of one of words (the
// user's e-mail local part, its name) or of the site's name with only
// digits or symbols around them, and repetitive or sequential ones
// ("aaaaaaaa", "abcabcabc", "12345678", "qwertyuiop").
func weakPassword(pw string, words ...string) string {
	lower := strings.ToLower(pw)
	if _, ok := commonPasswords()[lower]; ok {
		return "is too common: it is on a list of passwords found in data breaches"
	}
	core := strings.TrimFunc(lower, func(r rune) bool { return !unicode.IsLetter(r) })
	for _, w := range append(words, siteWords...) {
		w = strings.ToLower(strings.TrimSpace(w))
		if utf8.RuneCountInString(w) >= 3 && (core == w || lower == w) {
			return "is too easy to guess: it is made of your e-mail address, your name or the site's name"
		}
	}
	if _, ok := commonPasswords()[core]; ok && utf8.RuneCountInString(core) >= 6 && core != lower && onlyDigitsAround(lower, core) {
		return "is too common: it is a common password with digits or symbols added"
	}
	if repetitive(lower) || sequential(lower) {
		return "is too easy to guess: it repeats or runs through characters in order"
	}
	return ""
}

// onlyDigitsAround reports whether s is core with at most 3 digits or
// symbols around it in all ("password1!", not "password-2024").
func onlyDigitsAround(s, core string) bool {
	i := strings.Index(s, core)
	return i >= 0 && len(s)-len(core) <= 3
}

// repetitive reports whether s is one short unit repeated ("aaaaaaaa",
// "abababab", "123123123").
func repetitive(s string) bool {
	r := []rune(s)
	for unit := 1; unit <= 3 && unit < len(r); unit++ {
		if len(r)%unit != 0 && unit > 1 {
			continue
		}
		same := true
		for i := unit; i < len(r); i++ {
			if r[i] != r[i%unit] {
				same = false
				break
			}
		}
		if same {
			return true
		}
	}
	return false
}

// keyboardRows are sequences people run their fingers along.
var keyboardRows = []string{
	"abcdefghijklmnopqrstuvwxyz", "01234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm", "qwertzuiop", "azertyuiop",
	"1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p",
}

// sequential reports whether s runs along an alphabet, the digits or a
// keyboard row, forwards or backwards.
func sequential(s string) bool {
	for _, row := range keyboardRows {
		if strings.Contains(row, s) || strings.Contains(reverse(row), s) {
			return true
		}
	}
	return false
}

func reverse(s string) string {
	r := []rune(s)
	for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
		r[i], r[j] = r[j], r[i]
	}
	return string(r)
}
