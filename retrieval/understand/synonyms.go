package understand

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

//go:embed synonyms.yaml
var defaultSynonymsYAML []byte

// DefaultWeight is the weight of an expansion whose entry sets none and
// whose file sets no default_weight, and of terms added with Synonyms.Add.
const DefaultWeight = 0.6

// Synonyms maps phrases found in questions to the terms they expand to.
// The zero value is an empty list; it is safe for concurrent use, so Add
// may run while questions are being understood.
type Synonyms struct {
	mu       sync.RWMutex
	triggers map[string][]target // normalised trigger phrase → expansions
	order    []string            // triggers in first-seen order, for determinism
	// byRune indexes, by their first rune, the triggers (positions in
	// order) that match anywhere in a question; the others, matched as
	// whole words, are in words.
	byRune map[rune][]int
	words  []int
	pairs  int
}

// target is one expansion of a trigger.
type target struct {
	text   string
	weight float64
}

// synonymsFile is the YAML layout documented in synonyms.yaml.
type synonymsFile struct {
	Version       int     `yaml:"version"`
	DefaultWeight float64 `yaml:"default_weight"`
	Expand        []struct {
		From   []string `yaml:"from"`
		To     []string `yaml:"to"`
		Weight float64  `yaml:"weight"`
	} `yaml:"expand"`
	Equivalents [][]string `yaml:"equivalents"`
}

// DefaultSynonyms returns a fresh copy of the list compiled into the
// binary (synonyms.yaml in this package). A test guarantees that it parses;
// should it not, the result is an empty list.
func DefaultSynonyms() *Synonyms {
	s, err := ParseSynonyms(bytes.NewReader(defaultSynonymsYAML))
	if err != nil {
		return &Synonyms{}
	}
	return s
}

// LoadSynonyms reads a synonyms YAML file (the format of
// configs/synonyms.yaml).
func LoadSynonyms(path string) (*Synonyms, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("understand: read synonyms: %w", err)
	}
	s, err := ParseSynonyms(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("understand: %s: %w", path, err)
	}
	return s, nil
}

// ParseSynonyms reads the YAML synonyms format. Unknown keys, an
// unsupported version, entries without phrases or terms, and weights
// outside (0, 1) are errors.
func ParseSynonyms(r io.Reader) (*Synonyms, error) {
	var f synonymsFile
	dec := yaml.NewDecoder(r)
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("parse synonyms: %w", err)
	}
	if f.Version != 0 && f.Version != 1 {
		return nil, fmt.Errorf("synonyms version %d is not supported, want 1", f.Version)
	}
	def := f.DefaultWeight
	if def == 0 {
		def = DefaultWeight
	}
	if def <= 0 || def >= 1 {
		return nil, fmt.Errorf("default_weight %v is outside (0, 1)", def)
	}
	s := &Synonyms{}
	for i, e := range f.Expand {
		w := e.Weight
		if w == 0 {
			w = def
		}
		switch {
		case w <= 0 || w >= 1:
			return nil, fmt.Errorf("expand entry %d (%v): weight %v is outside (0, 1)", i+1, e.From, w)
		case len(clean(e.From)) == 0 || len(clean(e.To)) == 0:
			return nil, fmt.Errorf("expand entry %d: needs at least one phrase in from and one term in to", i+1)
		}
		s.addLocked(clean(e.From), clean(e.To), w)
	}
	for i, g := range f.Equivalents {
		g = clean(g)
		if len(g) < 2 {
			return nil, fmt.Errorf("equivalents group %d: needs at least two terms", i+1)
		}
		s.addGroupLocked(g, def)
	}
	return s, nil
}

// Add records term and its synonyms as one two-way group: a question that
// contains any of them is expanded with the others, at DefaultWeight. It is
// how glossary terms mined from documents join the list.
func (s *Synonyms) Add(term string, synonyms ...string) {
	g := clean(append([]string{term}, synonyms...))
	if len(g) < 2 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.addGroupLocked(g, DefaultWeight)
}

// Len returns how many (phrase, expansion) pairs the list holds.
func (s *Synonyms) Len() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.pairs
}

func (s *Synonyms) addGroupLocked(group []string, w float64) {
	for i, a := range group {
		var to []string
		for j, b := range group {
			if i != j {
				to = append(to, b)
			}
		}
		s.addLocked([]string{a}, to, w)
	}
}

// addLocked adds from → to with weight w; an existing pair keeps the
// larger weight.
func (s *Synonyms) addLocked(from, to []string, w float64) {
	if s.triggers == nil {
		s.triggers = map[string][]target{}
	}
	for _, f := range from {
		ts, seen := s.triggers[f]
		if !seen {
			s.indexTrigger(f)
		}
	next:
		for _, t := range to {
			if t == f {
				continue
			}
			for k := range ts {
				if ts[k].text == t {
					ts[k].weight = max(ts[k].weight, w)
					continue next
				}
			}
			ts = append(ts, target{text: t, weight: w})
			s.pairs++
		}
		s.triggers[f] = ts
	}
}

// clean lower-cases, trims and de-duplicates phrases and drops empty ones.
// The list is written in simplified Chinese and half-width letters, so
// lower-casing is all the normalisation a phrase needs to compare with
// Segmenter.Normalize output.
func clean(ps []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, p := range ps {
		p = strings.Join(strings.Fields(strings.ToLower(p)), " ")
		if p != "" && !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	return out
}

// match is a trigger found in a question, with where it starts.
type match struct {
	at      int
	targets []target
}

// find returns the triggers present in the normalised question, in order
// of their position. words are the question's segmented words: a trigger
// of one Han character, or of Latin letters, must be one of them (or, for a
// phrase of several Latin words, appear on word boundaries), so 偷 does not
// fire inside 偷偷 and "fine" not inside "define"; a Han trigger of two or
// more characters matches anywhere.
func (s *Synonyms) find(normalized string, words map[string]bool) []match {
	s.mu.RLock()
	defer s.mu.RUnlock()
	type found struct{ at, trig int }
	var hits []found
	// Triggers that match anywhere: each at its first occurrence, found by
	// looking up the triggers that start with each rune of the question.
	matched := map[int]bool{}
	for i, r := range normalized {
		for _, k := range s.byRune[r] {
			if !matched[k] && strings.HasPrefix(normalized[i:], s.order[k]) {
				matched[k] = true
				hits = append(hits, found{i, k})
			}
		}
	}
	for _, k := range s.words {
		trig := s.order[k]
		at := -1
		switch {
		case strings.Contains(trig, " "):
			at = indexWord(normalized, trig)
		case words[trig]:
			at = indexWord(normalized, trig)
			if at < 0 {
				at = strings.Index(normalized, trig)
			}
		}
		if at >= 0 {
			hits = append(hits, found{at, k})
		}
	}
	// By position, then in the list's order.
	sort.Slice(hits, func(i, j int) bool {
		return hits[i].at < hits[j].at || hits[i].at == hits[j].at && hits[i].trig < hits[j].trig
	})
	out := make([]match, len(hits))
	for i, h := range hits {
		// A copy: Add may change the list's weights once the lock is released.
		out[i] = match{at: h.at, targets: append([]target(nil), s.triggers[s.order[h.trig]]...)}
	}
	return out
}

// indexTrigger appends a new trigger to order and files it for find:
// phrases of two or more Han characters, and mixed phrases with Han, match
// anywhere in a question; single Han characters and Latin words or phrases
// only as whole words.
func (s *Synonyms) indexTrigger(trig string) {
	k := len(s.order)
	s.order = append(s.order, trig)
	if isHan(trig) && utf8.RuneCountInString(trig) >= 2 || !isHan(trig) && hasHan(trig) {
		if s.byRune == nil {
			s.byRune = map[rune][]int{}
		}
		r, _ := utf8.DecodeRuneInString(trig)
		s.byRune[r] = append(s.byRune[r], k)
		return
	}
	s.words = append(s.words, k)
}

// indexWord is the first index of phrase in s where it is not glued to
// letters or digits on either side (Han characters around it are fine: a
// Han word's boundaries are checked by segmentation instead).
func indexWord(s, phrase string) int {
	for off := 0; off < len(s); {
		i := strings.Index(s[off:], phrase)
		if i < 0 {
			return -1
		}
		i += off
		j := i + len(phrase)
		before, _ := utf8.DecodeLastRuneInString(s[:i])
		after, _ := utf8.DecodeRuneInString(s[j:])
		if !isLatinAlnum(before) && !isLatinAlnum(after) {
			return i
		}
		off = i + 1
	}
	return -1
}

func isLatinAlnum(r rune) bool {
	return r != utf8.RuneError && (unicode.IsLetter(r) || unicode.IsDigit(r)) && !unicode.Is(unicode.Han, r)
}

func isHan(s string) bool {
	for _, r := range s {
		if !unicode.Is(unicode.Han, r) {
			return false
		}
	}
	return s != ""
}

func hasHan(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}

// Terms returns the terms the list expands to (both sides of an
// equivalents group), sorted: the vocabulary to add to a Segmenter
// (Segmenter.AddWords) so that formal terms are indexed and searched as
// whole words. The colloquial phrases that trigger an expansion are left
// out: they are matched in the question's text, and as words they would
// only make question fillers (哪几步) count as content. Add the terms
// before indexing; the index and the questions must be segmented alike.
func (s *Synonyms) Terms() []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	seen := map[string]bool{}
	for _, ts := range s.triggers {
		for _, t := range ts {
			seen[t.text] = true
		}
	}
	out := make([]string, 0, len(seen))
	for t := range seen {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}
