package glossary

import (
	"cmp"
	"maps"
	"math"
	"slices"
	"sort"
	"strings"
)

// sparse is a context vector: feature ids ascending, with weights.
type sparse struct {
	ids  []int
	w    []float64
	norm float64
}

// pairs finds the synonym candidates among terms (indices into s.terms
// with enough occurrences): context vectors are positive PMI weights of
// the context features, with the feature distribution smoothed (exponent
// 0.75) so that rare contexts do not dominate; similarity is their cosine.
// Pairs where one term contains the other are skipped.
func (s *Selection) pairs(keep []int) []Pair {
	// Feature ids in sorted order, so that every sum below runs in the same
	// order on every run.
	ids := map[string]int{}
	for _, k := range keep {
		for f := range s.obs[k].features {
			ids[f] = 0
		}
	}
	names := slices.Sorted(maps.Keys(ids))
	for i, f := range names {
		ids[f] = i
	}
	featTotal := make([]float64, len(names))
	var total float64
	for _, k := range keep {
		for f, n := range s.obs[k].features {
			featTotal[ids[f]] += float64(n)
			total += float64(n)
		}
	}
	if total == 0 {
		return nil
	}
	var smoothed float64
	for _, n := range featTotal {
		smoothed += math.Pow(n, 0.75)
	}
	vecs := make([]sparse, len(keep))
	for vi, k := range keep {
		o := s.obs[k]
		var tn float64
		for _, n := range o.features {
			tn += float64(n)
		}
		var v sparse
		for f, n := range o.features {
			id := ids[f]
			pf := math.Pow(featTotal[id], 0.75) / smoothed
			if w := math.Log(float64(n) / tn / pf); w > 0 {
				v.ids = append(v.ids, id)
				v.w = append(v.w, w)
			}
		}
		sort.Sort(byID(v))
		for _, w := range v.w {
			v.norm += w * w
		}
		v.norm = math.Sqrt(v.norm)
		vecs[vi] = v
	}
	var out []Pair
	for a := range keep {
		for b := a + 1; b < len(keep); b++ {
			ta, tb := s.terms[keep[a]].Term, s.terms[keep[b]].Term
			if strings.Contains(ta, tb) || strings.Contains(tb, ta) {
				continue
			}
			sim := cosine(vecs[a], vecs[b])
			if sim < s.opt.MinSimilarity {
				continue
			}
			fa, fb := s.obs[keep[a]].freq, s.obs[keep[b]].freq
			if fb > fa || (fb == fa && tb < ta) {
				ta, tb = tb, ta
			}
			out = append(out, Pair{A: ta, B: tb, Similarity: sim})
		}
	}
	slices.SortFunc(out, func(x, y Pair) int {
		if d := cmp.Compare(y.Similarity, x.Similarity); d != 0 {
			return d
		}
		if d := strings.Compare(x.A, y.A); d != 0 {
			return d
		}
		return strings.Compare(x.B, y.B)
	})
	if len(out) > s.opt.MaxTerms {
		out = out[:s.opt.MaxTerms]
	}
	return out
}

type byID sparse

func (v byID) Len() int           { return len(v.ids) }
func (v byID) Less(i, j int) bool { return v.ids[i] < v.ids[j] }
func (v byID) Swap(i, j int) {
	v.ids[i], v.ids[j] = v.ids[j], v.ids[i]
	v.w[i], v.w[j] = v.w[j], v.w[i]
}

func cosine(a, b sparse) float64 {
	if a.norm == 0 || b.norm == 0 {
		return 0
	}
	var dot float64
	for i, j := 0, 0; i < len(a.ids) && j < len(b.ids); {
		switch {
		case a.ids[i] < b.ids[j]:
			i++
		case a.ids[i] > b.ids[j]:
			j++
		default:
			dot += a.w[i] * b.w[j]
			i++
			j++
		}
	}
	return min(1, dot/(a.norm*b.norm))
}
