package glossary

import (
	"cmp"
	"math"
	"slices"
	"strings"
	"unicode/utf8"
)

// Function characters that never begin or end a term: particles, pronouns,
// conjunctions and prepositions. A candidate such as 的还款 or 随心贷的 is a
// word glued to one of them, not a word.
const (
	badFirst = "个的了着过吗呢吧啊呀哦嘛么们和与及或也都就而被把对从向在是您你我他她它这那此其之请将并则即又再却很该各每给让"
	badLast  = "本的了着吗呢吧啊呀哦嘛和与及或在是您你我他她它这那请将并则即又很被把对从向也都就而该各每给让"
	// badInside are particles that no term holds anywhere.
	badInside = "的了吗呢吧啊呀嘛"
)

// Numerals and the measure words that follow them: 三个月, 第十, 两笔 are
// counts and ordinals, not terms.
const (
	numerals = "零一二三四五六七八九十百千万亿两几第"
	measures = "个条款项期次天月年日元笔份位件名周页章节"
)

// junk reports whether w is bounded by or holds a function character, or
// is a number with its measure word.
func junk(w string) bool {
	first, size := utf8.DecodeRuneInString(w)
	last, _ := utf8.DecodeLastRuneInString(w)
	if strings.ContainsRune(badFirst, first) || strings.ContainsRune(badLast, last) ||
		strings.ContainsAny(w, badInside) {
		return true
	}
	if strings.ContainsRune(numerals, first) {
		second, _ := utf8.DecodeRuneInString(w[size:])
		return first == '第' || len(w) == size+utf8.RuneLen(second) ||
			strings.ContainsRune(numerals, second) || strings.ContainsRune(measures, second)
	}
	return false
}

// candidate is an n-gram under consideration in Select.
type candidate struct {
	count      int64
	lSum, rSum float64 // Σ c·ln c over distinct left (right) neighbours
	lTot, rTot int64   // occurrences with a left (right) neighbour
}

// Select ends the first pass: it scores the candidates and returns the
// Selection of the best MaxTerms, ranked by Score. The Counter must not be
// used afterwards (its table is released).
func (c *Counter) Select() *Selection {
	opt := c.opt
	cands := map[string]*candidate{}
	for g, n := range c.grams {
		if int(n) < opt.MinFreq {
			continue
		}
		if l := utf8.RuneCountInString(g); l > opt.MaxLen || junk(g) {
			continue
		}
		cands[g] = &candidate{count: int64(n)}
	}
	// Neighbour statistics: an (n+1)-gram is one distinct (word, neighbour)
	// pair for its n-character prefix and its n-character suffix.
	for g, n := range c.grams {
		if utf8.RuneCountInString(g) < 3 {
			continue
		}
		_, firstSize := utf8.DecodeRuneInString(g)
		_, lastSize := utf8.DecodeLastRuneInString(g)
		cl := float64(n) * math.Log(float64(n))
		if p := cands[g[:len(g)-lastSize]]; p != nil {
			p.rSum += cl
			p.rTot += int64(n)
		}
		if p := cands[g[firstSize:]]; p != nil {
			p.lSum += cl
			p.lTot += int64(n)
		}
	}
	var terms []Term
	for w, cd := range cands {
		t := Term{Term: w, Freq: int(cd.count)}
		// Rounded: the sums behind them run in map order, and the last bits
		// must not decide the ranking.
		t.PMI = round(c.weakestPMI(w, cd.count))
		t.LeftEntropy = round(entropy(cd.count, cd.lTot, cd.lSum))
		t.RightEntropy = round(entropy(cd.count, cd.rTot, cd.rSum))
		if t.PMI < opt.MinPMI || min(t.LeftEntropy, t.RightEntropy) < opt.MinEntropy {
			continue
		}
		if c.known != nil && c.known.Known(w) || c.localized(w, cands) {
			continue
		}
		t.Score = score(t)
		terms = append(terms, t)
	}
	slices.SortFunc(terms, func(a, b Term) int {
		if d := cmp.Compare(b.Score, a.Score); d != 0 {
			return d
		}
		if d := cmp.Compare(b.Freq, a.Freq); d != 0 {
			return d
		}
		return strings.Compare(a.Term, b.Term)
	})
	terms = dropExtensions(terms, opt.MaxTerms)
	s := newSelection(opt, terms)
	s.stats = Stats{Texts: c.texts, Chars: c.runes, HanChars: c.total, Ngrams: len(c.grams), Prunes: c.prunes, PruneFloor: int(c.floor)}
	c.grams, c.chars = nil, nil
	return s
}

// localizers are the position words that follow a noun phrase: 宽限期内,
// 还款日后, 到期前.
const localizers = "内后前中时起"

// localized reports whether w is a word of two or more characters (known,
// or itself a candidate) followed by a localizer.
func (c *Counter) localized(w string, cands map[string]*candidate) bool {
	last, size := utf8.DecodeLastRuneInString(w)
	head := w[:len(w)-size]
	if !strings.ContainsRune(localizers, last) || utf8.RuneCountInString(head) < 2 {
		return false
	}
	return cands[head] != nil || c.known != nil && c.known.Known(head)
}

// weakestPMI is the least pointwise mutual information over the splits of
// w into two non-empty parts, with probabilities as counts over the Han
// characters seen. A part missing from the table (pruned) counts as often as
// w itself, its least possible count.
func (c *Counter) weakestPMI(w string, n int64) float64 {
	best := math.Inf(1)
	total := float64(max(c.total, 1))
	for i := range w {
		if i == 0 {
			continue
		}
		a, b := max(c.count(w[:i]), n), max(c.count(w[i:]), n)
		pmi := math.Log(float64(n) * total / (float64(a) * float64(b)))
		best = min(best, pmi)
	}
	return best
}

// entropy is the branching entropy of a word seen n times, tot of them with
// a neighbour whose counts c give sum = Σ c·ln c. The n−tot occurrences at a
// text boundary count as distinct neighbours: H = ln N − sum/N.
func entropy(n, tot int64, sum float64) float64 {
	N := float64(max(n, tot))
	if N <= 1 {
		return 0
	}
	return math.Log(N) - sum/N
}

// round rounds x to 9 decimals.
func round(x float64) float64 { return math.Round(x*1e9) / 1e9 }

// score ranks terms: frequency (log-damped) times the weaker branching
// entropy times the cohesion, the last saturating so that rare characters
// do not dominate.
func score(t Term) float64 {
	coh := 1 - math.Exp(-t.PMI/4)
	return math.Log1p(float64(t.Freq)) * min(t.LeftEntropy, t.RightEntropy) * coh
}

// dropExtensions keeps, in rank order, up to max terms that are not a
// better-ranked term with one more character before or after it (下随心贷
// beside 随心贷): such an extension is the term glued to a neighbour, and
// would steal the term's occurrences in the leftmost-longest second pass.
func dropExtensions(ranked []Term, max int) []Term {
	kept := map[string]bool{}
	out := ranked[:0]
	for _, t := range ranked {
		if len(out) == max {
			break
		}
		_, first := utf8.DecodeRuneInString(t.Term)
		_, last := utf8.DecodeLastRuneInString(t.Term)
		if kept[t.Term[first:]] || kept[t.Term[:len(t.Term)-last]] {
			continue
		}
		kept[t.Term] = true
		out = append(out, t)
	}
	return out
}
