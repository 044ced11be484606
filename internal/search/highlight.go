package search

import (
	"html"
	"strings"
	"unicode"
	"unicode/utf8"
)

// snippetLen is the length of a description snippet, in bytes of source text.
const snippetLen = 160

// Highlight marks the words of text that match one of terms with <mark>
// tags and HTML-escapes the rest. With window > 0 it returns only a snippet
// of about window bytes around the first match (with "…" where cut), or ""
// if nothing matches. ok reports whether anything matched.
func Highlight(text string, terms []Term, window int) (out string, ok bool) {
	type span struct{ from, to int }
	var marks []span
	start := -1
	for i, r := range text + " " {
		word := unicode.IsLetter(r) || unicode.IsDigit(r) || r == '\'' || r == '’'
		switch {
		case word && start < 0:
			start = i
		case !word && start >= 0:
			if w := Tokenize(text[start:i]); len(w) == 1 && matchesAny(w[0], terms) {
				marks = append(marks, span{start, i})
			}
			start = -1
		}
	}
	if len(marks) == 0 {
		if window > 0 {
			return "", false
		}
		return html.EscapeString(text), false
	}
	from, to := 0, len(text)
	if window > 0 && len(text) > window {
		from = max(0, marks[0].from-window/4)
		for from > 0 && !utf8.RuneStart(text[from]) {
			from--
		}
		// start at a word boundary
		if from > 0 {
			if sp := strings.IndexByte(text[from:marks[0].from], ' '); sp >= 0 {
				from += sp + 1
			}
		}
		to = min(len(text), from+window)
		for to < len(text) && !utf8.RuneStart(text[to]) {
			to++
		}
		if to < len(text) {
			if sp := strings.LastIndexByte(text[marks[0].to:to], ' '); sp >= 0 {
				to = marks[0].to + sp
			}
		}
	}
	var b strings.Builder
	if from > 0 {
		b.WriteString("…")
	}
	pos := from
	for _, m := range marks {
		if m.from < from || m.to > to {
			continue
		}
		b.WriteString(html.EscapeString(text[pos:m.from]))
		b.WriteString("<mark>")
		b.WriteString(html.EscapeString(text[m.from:m.to]))
		b.WriteString("</mark>")
		pos = m.to
	}
	b.WriteString(html.EscapeString(text[pos:to]))
	if to < len(text) {
		b.WriteString("…")
	}
	return b.String(), true
}

func matchesAny(word string, terms []Term) bool {
	for _, t := range terms {
		if Matches(word, t) {
			return true
		}
	}
	return false
}

// Matches reports whether a word of product text matches t the way the
// engine would: equal, equal after removing common English endings, within
// t.Fuzziness edits, or starting with t.Word when t.Prefix.
func Matches(word string, t Term) bool {
	switch {
	case word == t.Word:
		return true
	case t.Prefix && strings.HasPrefix(word, t.Word):
		return true
	case stem(word) == stem(t.Word):
		return true
	case t.Fuzziness > 0 && abs(len(word)-len(t.Word)) <= t.Fuzziness:
		return Distance(word, t.Word) <= t.Fuzziness
	}
	return false
}

// stem removes common English inflections; it is only for highlighting,
// where being close is enough.
func stem(w string) string {
	for _, suf := range []string{"ies", "es", "s", "ing", "ed"} {
		if len(w) > len(suf)+2 && strings.HasSuffix(w, suf) {
			return strings.TrimSuffix(w, suf)
		}
	}
	return w
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// Distance is the optimal string alignment distance between a and b:
// insertions, deletions, substitutions and adjacent transpositions each
// count as one edit.
func Distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}
