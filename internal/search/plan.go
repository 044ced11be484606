package search

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Plan is free text analysed for an engine: every clause must match.
type Plan struct {
	Clauses []Clause
}

// Empty reports whether there is nothing to match (browse).
func (p Plan) Empty() bool { return len(p.Clauses) == 0 }

// Words lists every word of the plan, synonyms included (for highlighting).
func (p Plan) Words() []Term {
	var out []Term
	for _, c := range p.Clauses {
		for _, alt := range c.Alternatives {
			out = append(out, alt...)
		}
	}
	return out
}

// Clause is satisfied by any of its alternatives; an alternative is
// satisfied when all of its terms match. The first alternative is what the
// shopper typed, the others are synonyms (engines rank them lower).
type Clause struct {
	Alternatives [][]Term
}

// Term is one word to match. Engines match it against stemmed text exactly,
// and against unstemmed words within Fuzziness edits (an adjacent
// transposition counts as one edit), and, with Prefix, as the start of a
// word.
type Term struct {
	Word      string
	Fuzziness int
	Prefix    bool
}

// Fuzziness is the edits a word may be off by: none below 5 letters, one
// from 5, two from 9. Words with digits (model numbers, sizes) must match
// exactly.
func Fuzziness(word string) int {
	if strings.ContainsFunc(word, unicode.IsDigit) {
		return 0
	}
	switch n := utf8.RuneCountInString(word); {
	case n >= 9:
		return 2
	case n >= 5:
		return 1
	}
	return 0
}

// minPrefix is the shortest last word that is also matched as a prefix:
// shorter ones would expand to too much of the vocabulary.
const minPrefix = 2

// stopWords are dropped from queries of more than one word.
var stopWords = map[string]bool{
	"a": true, "an": true, "and": true, "the": true, "for": true, "with": true, "of": true,
	"in": true, "on": true, "to": true, "by": true, "or": true,
}

// maxWords bounds the words of a query an engine has to match.
const maxWords = 12

// Tokenize splits text into lower-case words of letters and digits, the way
// the index splits product text. A possessive "'s" is dropped and other
// apostrophes are removed ("men's" -> "men", "o'neill" -> "oneill").
func Tokenize(text string) []string {
	words := strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '\'' && r != '’'
	})
	out := words[:0]
	for _, w := range words {
		if strings.ContainsAny(w, "'’") {
			w = strings.TrimSuffix(strings.TrimSuffix(w, "'s"), "’s")
			w = strings.NewReplacer("'", "", "’", "").Replace(w)
		}
		if w != "" {
			out = append(out, w)
		}
	}
	return out
}

// Analyze turns free text into a Plan: words in order, stop words dropped
// (unless that leaves nothing), synonyms added as alternatives (longest
// phrase first), typo tolerance by word length, and the last word also
// matched as a prefix unless the text ends with a space.
func Analyze(text string, syn *Synonyms) Plan { return analyze(text, syn, Fuzziness) }

// AnalyzeLenient is Analyze with one more edit allowed per word (one from 4
// letters, two from 7): the second try when nothing matched.
func AnalyzeLenient(text string, syn *Synonyms) Plan { return analyze(text, syn, lenientFuzziness) }

func lenientFuzziness(word string) int {
	if strings.ContainsFunc(word, unicode.IsDigit) {
		return 0
	}
	switch n := utf8.RuneCountInString(word); {
	case n >= 7:
		return 2
	case n >= 4:
		return 1
	}
	return 0
}

func analyze(text string, syn *Synonyms, fuzziness func(string) int) Plan {
	words := Tokenize(text)
	if len(words) > maxWords {
		words = words[:maxWords]
	}
	if len(words) > 1 {
		kept := words[:0:0]
		for _, w := range words {
			if !stopWords[w] {
				kept = append(kept, w)
			}
		}
		if len(kept) > 0 {
			words = kept
		}
	}
	prefixLast := len(words) > 0 && !strings.HasSuffix(text, " ")
	var p Plan
	for i := 0; i < len(words); {
		n, alts := syn.match(words[i:])
		if n == 0 {
			n = 1
		}
		var orig []Term
		for j := i; j < i+n; j++ {
			t := Term{Word: words[j], Fuzziness: fuzziness(words[j])}
			if j == len(words)-1 && prefixLast && utf8.RuneCountInString(t.Word) >= minPrefix {
				t.Prefix = true
			}
			orig = append(orig, t)
		}
		c := Clause{Alternatives: [][]Term{orig}}
		for _, a := range alts {
			var ts []Term
			for _, w := range a {
				ts = append(ts, Term{Word: w})
			}
			c.Alternatives = append(c.Alternatives, ts)
		}
		p.Clauses = append(p.Clauses, c)
		i += n
	}
	return p
}
