package mine

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// fold lower-cases s and turns full-width ASCII (！, Ａ, １) into half-width,
// so lexicon terms and text compare alike.
func fold(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if r >= 0xFF01 && r <= 0xFF5E {
			r -= 0xFEE0
		} else if r == 0x3000 {
			r = ' '
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// template is the form of a reply or question that clustering compares:
// folded, every number (with its , . : % and separators) replaced by #,
// PII placeholders kept as one character, punctuation and spaces dropped.
func template(s string) []rune {
	out := make([]rune, 0, len(s)/2)
	inNum := false
	for _, r := range fold(s) {
		switch {
		case r >= '0' && r <= '9':
			if !inNum {
				out = append(out, '#')
				inNum = true
			}
			continue
		case inNum && (r == ',' || r == '.' || r == ':' || r == '%'):
			continue
		}
		inNum = false
		if unicode.IsLetter(r) || unicode.Is(unicode.Han, r) {
			out = append(out, r)
		}
	}
	return out
}

// bigrams returns the sorted set of character bigrams of t; a one-character
// template is its single character.
func bigrams(t []rune) []uint64 {
	if len(t) == 0 {
		return nil
	}
	if len(t) == 1 {
		return []uint64{uint64(t[0]) << 32}
	}
	set := make([]uint64, 0, len(t)-1)
	for i := 0; i+1 < len(t); i++ {
		set = append(set, uint64(t[i])<<32|uint64(t[i+1]))
	}
	slices.Sort(set)
	return slices.Compact(set)
}

// jaccard is |a∩b| / |a∪b| of two sorted sets.
func jaccard(a, b []uint64) float64 {
	if len(a) == 0 && len(b) == 0 {
		return 1
	}
	inter, i, j := 0, 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] == b[j]:
			inter++
			i++
			j++
		case a[i] < b[j]:
			i++
		default:
			j++
		}
	}
	return float64(inter) / float64(len(a)+len(b)-inter)
}

// clusterer groups bigram sets by leader clustering: a set joins the
// existing cluster whose leader it is most similar to, when that similarity
// reaches the threshold, and founds a new cluster otherwise. An inverted
// index from bigram to leaders keeps the cost to the leaders sharing a
// bigram. Results depend on the order of assignment; callers feed sets in a
// deterministic order (most frequent first).
type clusterer struct {
	threshold float64
	leaders   [][]uint64
	index     map[uint64][]int32
	counts    []int32 // scratch: intersections per leader
	touched   []int32
}

func newClusterer(threshold float64) *clusterer {
	return &clusterer{threshold: threshold, index: map[uint64][]int32{}}
}

// assign returns the cluster of set, founding one when needed.
func (c *clusterer) assign(set []uint64) int {
	best, bestSim := -1, 0.0
	for _, g := range set {
		for _, l := range c.index[g] {
			if c.counts[l] == 0 {
				c.touched = append(c.touched, l)
			}
			c.counts[l]++
		}
	}
	for _, l := range c.touched {
		inter := int(c.counts[l])
		sim := float64(inter) / float64(len(set)+len(c.leaders[l])-inter)
		if sim > bestSim || (sim == bestSim && int(l) < best) {
			best, bestSim = int(l), sim
		}
		c.counts[l] = 0
	}
	c.touched = c.touched[:0]
	if best >= 0 && bestSim >= c.threshold {
		return best
	}
	id := len(c.leaders)
	c.leaders = append(c.leaders, set)
	c.counts = append(c.counts, 0)
	for _, g := range set {
		c.index[g] = append(c.index[g], int32(id))
	}
	return id
}

// termMatcher finds lexicon terms in folded text. ASCII terms match whole
// words only; others match anywhere.
type termMatcher struct {
	terms []matchTerm
	first map[rune][]int32 // terms by their first rune
}

type matchTerm struct {
	text  string // folded
	ascii bool
	tag   int // caller's index: emotion, intent or violation rule
}

type termHit struct {
	pos, end int // byte offsets in the folded text
	term     *matchTerm
}

func newTermMatcher() *termMatcher { return &termMatcher{first: map[rune][]int32{}} }

func (m *termMatcher) add(term string, tag int) {
	t := strings.TrimSpace(fold(term))
	if t == "" {
		return
	}
	r, _ := utf8.DecodeRuneInString(t)
	m.first[r] = append(m.first[r], int32(len(m.terms)))
	m.terms = append(m.terms, matchTerm{text: t, ascii: isASCII(t), tag: tag})
}

// all returns every occurrence of every term in the folded text s, in
// order of position.
func (m *termMatcher) all(s string) []termHit {
	var hits []termHit
	for pos, r := range s {
		for _, i := range m.first[r] {
			t := &m.terms[i]
			if !strings.HasPrefix(s[pos:], t.text) {
				continue
			}
			end := pos + len(t.text)
			if t.ascii && !wordBounded(s, pos, end) {
				continue
			}
			hits = append(hits, termHit{pos: pos, end: end, term: t})
		}
	}
	return hits
}

// longest keeps, left to right, the longest hit at each position and drops
// hits overlapping a kept one: in 不明白 the term 不明白 wins over 明白.
func longest(hits []termHit) []termHit {
	slices.SortFunc(hits, func(a, b termHit) int {
		if a.pos != b.pos {
			return a.pos - b.pos
		}
		return b.end - a.end
	})
	out := hits[:0]
	end := -1
	for _, h := range hits {
		if h.pos < end {
			continue
		}
		out = append(out, h)
		end = h.end
	}
	return out
}

func wordBounded(s string, pos, end int) bool {
	if pos > 0 && isWordByte(s[pos-1]) && isWordByte(s[pos]) {
		return false
	}
	if end < len(s) && isWordByte(s[end]) && isWordByte(s[end-1]) {
		return false
	}
	return true
}

func isWordByte(c byte) bool { return isAlnum(c) || c == '\'' }

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// negation decides whether a term is negated by what precedes it in its
// clause.
type negation struct {
	cjk, ascii []string // folded negators
	not        []string // folded non-negating words, e.g. 不然
	window     int      // characters (CJK) before the term that may negate it
}

func newNegation(negators, not []string, window int) *negation {
	n := &negation{window: window}
	for _, w := range negators {
		w = fold(strings.TrimSpace(w))
		switch {
		case w == "":
		case isASCII(w):
			n.ascii = append(n.ascii, w)
		default:
			n.cjk = append(n.cjk, w)
		}
	}
	for _, w := range not {
		if w = fold(strings.TrimSpace(w)); w != "" {
			n.not = append(n.not, w)
		}
	}
	return n
}

// negated reports whether the hit at pos in folded text s is negated: a
// CJK negator within window characters before it, or an English negator
// among the three words before it, in the same clause.
func (n *negation) negated(s string, pos int) bool {
	clause := s[:pos]
	if k := strings.LastIndexAny(clause, "，。！？；：,.!?;:\n"); k >= 0 {
		clause = clause[k+1:]
	}
	for _, w := range n.not {
		clause = strings.ReplaceAll(clause, w, " ")
	}
	r := []rune(clause)
	if len(r) > n.window {
		r = r[len(r)-n.window:]
	}
	near := string(r)
	for _, w := range n.cjk {
		if strings.Contains(near, w) {
			return true
		}
	}
	if len(n.ascii) == 0 {
		return false
	}
	words := strings.Fields(clause)
	if len(words) > 3 {
		words = words[len(words)-3:]
	}
	tail := " " + strings.Join(words, " ") + " "
	for _, neg := range n.ascii {
		if strings.HasPrefix(neg, "n'") {
			for _, w := range words {
				if strings.HasSuffix(strings.Trim(w, "\"'()"), neg) {
					return true
				}
			}
		} else if strings.Contains(tail, " "+neg+" ") {
			return true
		}
	}
	return false
}
