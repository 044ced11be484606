package search

import (
	"bufio"
	"fmt"
	"io"
	"slices"
	"strings"
)

// Synonyms expand query words into equivalent words and phrases. The list is
// configurable, one rule a line in the format search engines share:
//
//	tee, t-shirt, tshirt          # equivalent: each one finds the others
//	sneakers => running shoes     # one way: "sneakers" also finds "running shoes"
//
// Blank lines and text after '#' are ignored. Words are matched as the index
// splits them (lower case, letters and digits), so "t-shirt" is the phrase
// "t shirt".
type Synonyms struct {
	rules   map[string][][]string // phrase -> alternatives
	longest int                   // words in the longest phrase
}

// DefaultSynonyms is the list used when none is configured.
const DefaultSynonyms = `# Bazaar's default synonyms (search.ParseSynonyms format)
tee, t-shirt, tshirt
sneakers, trainers, running shoes
hoodie, hooded sweatshirt
laptop, notebook computer
phone, smartphone, mobile phone, cell phone
tv, television
headphones, headset, earphones
earbuds, wireless earphones
couch, sofa
pants, trousers
sweater, jumper
pullover => sweater    # one way: a "pullover hoodie" is no jumper
jacket, coat
bag, handbag
backpack, rucksack
fridge, refrigerator
cellphone => phone
mens => men
womens => women
`

// ParseSynonyms reads rules from r.
func ParseSynonyms(r io.Reader) (*Synonyms, error) {
	s := &Synonyms{rules: make(map[string][][]string)}
	sc := bufio.NewScanner(r)
	line := 0
	for sc.Scan() {
		line++
		text := sc.Text()
		if i := strings.IndexByte(text, '#'); i >= 0 {
			text = text[:i]
		}
		if strings.TrimSpace(text) == "" {
			continue
		}
		if from, to, ok := strings.Cut(text, "=>"); ok {
			lhs, rhs := phrases(from), phrases(to)
			if len(lhs) == 0 || len(rhs) == 0 {
				return nil, fmt.Errorf("synonyms line %d: a rule needs phrases on both sides of =>", line)
			}
			for _, l := range lhs {
				s.add(l, rhs)
			}
			continue
		}
		group := phrases(text)
		if len(group) < 2 {
			return nil, fmt.Errorf("synonyms line %d: a group needs at least two phrases separated by commas", line)
		}
		for _, l := range group {
			s.add(l, group)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read synonyms: %w", err)
	}
	return s, nil
}

// MustParseSynonyms is ParseSynonyms for constant lists.
func MustParseSynonyms(text string) *Synonyms {
	s, err := ParseSynonyms(strings.NewReader(text))
	if err != nil {
		panic(err)
	}
	return s
}

func phrases(list string) [][]string {
	var out [][]string
	for _, p := range strings.Split(list, ",") {
		if ws := Tokenize(p); len(ws) > 0 {
			out = append(out, ws)
		}
	}
	return out
}

func (s *Synonyms) add(from []string, to [][]string) {
	key := strings.Join(from, " ")
	for _, t := range to {
		if slices.Equal(t, from) || slices.ContainsFunc(s.rules[key], func(x []string) bool { return slices.Equal(x, t) }) {
			continue
		}
		s.rules[key] = append(s.rules[key], t)
	}
	s.longest = max(s.longest, len(from))
}

// match finds the longest phrase at the start of words that has synonyms
// and returns its length in words and its alternatives; 0 if none.
func (s *Synonyms) match(words []string) (int, [][]string) {
	if s == nil {
		return 0, nil
	}
	for n := min(s.longest, len(words)); n > 0; n-- {
		if alts, ok := s.rules[strings.Join(words[:n], " ")]; ok {
			return n, alts
		}
		// "tees" finds the synonyms of "tee"
		sing := make([]string, n)
		for i, w := range words[:n] {
			sing[i] = singular(w)
		}
		if alts, ok := s.rules[strings.Join(sing, " ")]; ok {
			return n, alts
		}
	}
	return 0, nil
}

// singular drops a plural "s" (not from "ss" or short words).
func singular(w string) string {
	if len(w) > 3 && strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss") {
		return w[:len(w)-1]
	}
	return w
}

// Len is the number of phrases that have synonyms.
func (s *Synonyms) Len() int {
	if s == nil {
		return 0
	}
	return len(s.rules)
}
