package segment

import (
	"strings"
	"unicode/utf8"
)

// RareFreq is the dictionary frequency below which a noun counts as
// specific. The embedded dictionary gives everyday nouns (时候, 方面, 客户,
// 环节) frequencies in the thousands and up, and the names of particular
// things (按揭, 车险, 公积金) a few hundred or less.
const RareFreq = 1000

// Specific returns the words of text that name particular things: nouns
// (dictionary tags n, nz, vn, …, but not person names) rarer than RareFreq, Han words the
// dictionary does not know at all when at least two characters long, and
// Latin words of three or more letters that are not function words. A
// question whose specific words appear in none of the retrieved items is
// about something the knowledge base does not hold.
func (s *Segmenter) Specific(text string) []string {
	norm := s.Normalize(text)
	var out []string
	seen := map[string]bool{}
	for _, w := range s.Split(norm) {
		if seen[w] {
			continue
		}
		seen[w] = true
		if allHan(w) {
			if utf8.RuneCountInString(w) < 2 {
				continue
			}
			s.mu.RLock()
			freq, pos, ok := s.gse.Find(w)
			s.mu.RUnlock()
			// Person names (nr) are left out: customers' names are not a
			// question's topic, and the dictionary tags some phrases as
			// names (多少钱).
			// gse finds every prefix of a dictionary word, with frequency 0.
			if !ok || freq == 0 || freq < RareFreq && (strings.HasPrefix(pos, "n") && pos != "nr" || pos == "vn") {
				out = append(out, w)
			}
			continue
		}
		if len(w) >= 3 && isLatinWord(w) && !latinFunction[w] {
			out = append(out, w)
		}
	}
	return out
}

func isLatinWord(w string) bool {
	for _, r := range w {
		if r < 'a' || r > 'z' {
			return false
		}
	}
	return true
}

// latinFunction are English words that ask or connect rather than name.
var latinFunction = map[string]bool{
	"the": true, "and": true, "for": true, "you": true, "your": true, "our": true, "are": true,
	"can": true, "could": true, "would": true, "should": true, "does": true, "did": true,
	"how": true, "what": true, "when": true, "where": true, "why": true, "which": true, "who": true,
	"with": true, "from": true, "into": true, "about": true, "after": true, "before": true,
	"this": true, "that": true, "these": true, "those": true, "their": true, "them": true, "they": true,
	"have": true, "has": true, "had": true, "will": true, "there": true, "long": true, "much": true,
	"many": true, "any": true, "all": true, "not": true, "off": true, "out": true, "get": true,
	"ask": true, "tell": true, "keep": true, "make": true, "need": true, "want": true, "still": true,
}

// Known reports whether the dictionary knows the word, so new-word
// discovery can tell new domain terms from everyday words.
func (s *Segmenter) Known(word string) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	freq, _, ok := s.gse.Find(s.Normalize(word))
	return ok && freq > 0 // a prefix of a dictionary word has frequency 0
}
