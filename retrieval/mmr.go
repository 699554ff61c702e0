package retrieval

import (
	"slices"
	"strings"
	"unicode"

	"github.com/lorehq/lore/knowledge"
	"github.com/lorehq/lore/retrieval/segment"
)

// diversify picks up to limit hits by maximal marginal relevance. A hit's
// relevance is its fused score scaled to 0..1 over the pool (min-max, so
// the best is 1 and the worst 0); its similarity to another hit is the
// Jaccard index of their shingle sets (see shingles). Each step picks the
// hit maximising lambda·relevance − (1−lambda)·(greatest similarity to a
// hit already picked); ties go to the earlier hit in fused order. With
// lambda 1 the fused order is kept. hits must be in fused order.
func diversify(hits []knowledge.Hit, limit int, lambda float64) []knowledge.Hit {
	if limit > len(hits) {
		limit = len(hits)
	}
	if lambda >= 1 || limit <= 1 {
		return hits[:limit]
	}
	lo, hi := hits[0].Score, hits[0].Score
	for _, h := range hits {
		lo, hi = min(lo, h.Score), max(hi, h.Score)
	}
	rel := make([]float64, len(hits))
	sh := make([][]uint64, len(hits))
	for i, h := range hits {
		rel[i] = 1
		if hi > lo {
			rel[i] = (h.Score - lo) / (hi - lo)
		}
		sh[i] = shingles(&hits[i].Item)
	}
	picked := make([]bool, len(hits))
	maxSim := make([]float64, len(hits))
	out := make([]knowledge.Hit, 0, limit)
	for len(out) < limit {
		best, bestScore := -1, 0.0
		for i := range hits {
			if picked[i] {
				continue
			}
			if sc := lambda*rel[i] - (1-lambda)*maxSim[i]; best < 0 || sc > bestScore {
				best, bestScore = i, sc
			}
		}
		picked[best] = true
		out = append(out, hits[best])
		for i := range hits {
			if !picked[i] {
				maxSim[i] = max(maxSim[i], jaccard(sh[i], sh[best]))
			}
		}
	}
	return out
}

// shingles returns the sorted, unique hashes of an item's body shingles
// (its title's when the body is empty): the Han character bigrams and the
// lower-cased words of other letters and digits. It needs no segmenter, so
// it costs no store or dictionary call; near-duplicate texts share almost
// all their shingles.
func shingles(it *knowledge.Item) []uint64 {
	text := it.Body
	if strings.TrimSpace(text) == "" {
		text = it.Title
	}
	text = strings.ToLower(text)
	var out []uint64
	for _, b := range segment.Bigrams(text) {
		out = append(out, fnv64("b", b))
	}
	for _, w := range strings.FieldsFunc(text, func(r rune) bool {
		return !(unicode.IsLetter(r) || unicode.IsDigit(r)) || unicode.Is(unicode.Han, r)
	}) {
		out = append(out, fnv64("w", w))
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// jaccard is |a∩b| / |a∪b| of two sorted, unique sets; 0 when both are empty.
func jaccard(a, b []uint64) float64 {
	if len(a) == 0 && len(b) == 0 {
		return 0
	}
	inter := 0
	for i, j := 0, 0; i < len(a) && j < len(b); {
		switch {
		case a[i] < b[j]:
			i++
		case a[i] > b[j]:
			j++
		default:
			inter++
			i++
			j++
		}
	}
	return float64(inter) / float64(len(a)+len(b)-inter)
}

// fnv64 is FNV-1a (64 bit) of kind+s.
func fnv64(kind, s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(kind); i++ {
		h = (h ^ uint64(kind[i])) * 1099511628211
	}
	for i := 0; i < len(s); i++ {
		h = (h ^ uint64(s[i])) * 1099511628211
	}
	return h
}
