package sqlite

import (
	"math"
	"sort"

	"github.com/lorehq/lore/knowledge"
)

// boundSlack widens the pruning bounds by far more than the rounding of
// adding a query's terms in another order, so that pruning never drops an
// item the exhaustive ranking would keep.
const boundSlack = 1e-9

// recheck: once theta is known, the k-th best partial score is sought
// again only when the bound of the terms left is below recheck × theta.
// theta grows slowly as terms are walked, the bound falls fast.
const recheck = 1.3

// walkRatio: a term left after pruning is walked (its postings, adding to
// the candidates) rather than looked up in each candidate's vector while
// it has fewer than walkRatio postings a candidate. A lookup is a binary
// search in memory the cache does not hold; a posting, one read in a run.
const walkRatio = 64

// qterm is one query term that has postings.
type qterm struct {
	term uint32
	pl   *postings
	w    float64 // query weight × IDF
	ub   float64 // w × the term's largest weight: the most it adds to an item
}

// sparseScratch is the per-query working memory of sparseRank, pooled.
type sparseScratch struct {
	acc     []float64          // per slot; zero between queries
	touched []uint32           // slots acc holds a score for
	terms   []qterm            // by descending upper bound
	inOrder []qterm            // in query order, for exact scores
	rem     []float64          // rem[j]: the upper bounds of terms[j:] summed
	remLen  []int              // remLen[j]: the postings of terms[j:] counted
	cand    []uint32           // touched slots that may still reach the k best
	seeds   []scored           // the k best partial scores, a min-heap
	exact   map[uint32]float64 // exact scores computed, by slot
}

func (x *index) getScratch() *sparseScratch {
	sc, _ := x.scratch.Get().(*sparseScratch)
	if sc == nil {
		sc = &sparseScratch{exact: map[uint32]float64{}}
	}
	if cap(sc.acc) < len(x.slots) {
		sc.acc = make([]float64, len(x.slots))
	}
	sc.acc = sc.acc[:len(x.slots)]
	sc.touched = sc.touched[:0]
	return sc
}

// sparseRank scores the items matching the query terms and returns the k
// best that pass the filter: the score of an item is the sum, over the
// query terms it holds, of query weight × IDF × its weight, added in query
// order.
//
// With positive weights throughout (the usual case) it prunes, MaxScore
// style, and still returns exactly the ranking of scoring every item: the
// terms are taken by descending upper bound (the most a term can add to an
// item); once k items that pass the filter are sure to score more than the
// terms left could give an item not yet seen, those terms (the common
// ones, with the longest postings) bring in no new item. They are only
// added to the items that could still reach the k best, which drop out as
// their bound falls below the k-th best; the few left are scored from
// their own sparse vectors in query order, so bit for bit as sparseAll
// scores them.
func (x *index) sparseRank(q knowledge.Sparse, p *pred, k int) []scored {
	if len(q.Indices) == 0 || len(x.slots) == 0 || k <= 0 {
		return nil
	}
	sc := x.getScratch()
	defer x.scratch.Put(sc)
	qt := sc.inOrder[:0]
	prune := true
	for i, t := range q.Indices {
		pl := x.postings[t]
		if pl == nil || len(pl.slots) == 0 {
			continue
		}
		w := float64(q.Values[i]) * idf(x.sparseN, int(pl.df))
		if !(w > 0) || pl.nonpos > 0 {
			prune = false
		}
		qt = append(qt, qterm{term: t, pl: pl, w: w, ub: w * float64(pl.maxW)})
	}
	sc.inOrder = qt
	if len(qt) == 0 {
		return nil
	}
	if !prune {
		return x.sparseAll(sc, p, k)
	}

	terms := append(sc.terms[:0], qt...)
	sc.terms = terms
	sort.SliceStable(terms, func(i, j int) bool { return terms[i].ub > terms[j].ub })
	m := len(terms)
	rem, remLen := sc.rem[:0], sc.remLen[:0]
	for range m + 1 {
		rem, remLen = append(rem, 0), append(remLen, 0)
	}
	for j := m - 1; j >= 0; j-- {
		rem[j] = rem[j+1] + terms[j].ub
		remLen[j] = remLen[j+1] + len(terms[j].pl.slots)
	}
	sc.rem, sc.remLen = rem, remLen

	acc, touched := sc.acc, sc.touched
	theta := 0.0 // a lower bound of the k-th best score
	j := 0
	for ; j < m; j++ {
		// Finding the k-th best partial score costs a pass over the
		// touched items: worth it only when much is left to walk, and
		// once theta is known only when the bound nears it.
		if len(touched) >= k && remLen[j] >= 2*len(touched) && (theta == 0 || rem[j] < recheck*theta) {
			theta = max(theta, x.threshold(sc, touched, p, k))
			if rem[j]*(1+boundSlack) < theta {
				break
			}
		}
		touched = addPostings(acc, touched, &terms[j])
	}
	sc.touched = touched

	// Items not touched could score at most rem[j] < theta, a touched
	// item at most its partial score + rem[j]: the candidates. They take
	// the terms left one at a time and drop out as soon as they cannot
	// reach theta. The filter is applied last, to the few left: most
	// candidates drop out first, and matching is a cache miss.
	cand := sc.cand[:0]
	for _, s := range touched {
		if (acc[s]+rem[j])*(1+boundSlack) >= theta {
			cand = append(cand, s)
		} else {
			acc[s] = 0
		}
	}
	for ; len(cand) > k; j++ {
		theta = max(theta, x.threshold(sc, cand, p, k))
		keep := cand[:0]
		for _, s := range cand {
			if (acc[s]+rem[j])*(1+boundSlack) >= theta {
				keep = append(keep, s)
			} else {
				acc[s] = 0
			}
		}
		cand = keep
		if j == m {
			break
		}
		t := &terms[j]
		if len(t.pl.slots) <= walkRatio*len(cand) {
			// Walking the term's postings is cheaper than looking it up
			// in every candidate: a candidate's partial score is > 0, the
			// other slots' 0.
			w, slots := t.w, t.pl.slots
			ws := t.pl.ws[:len(slots)]
			for n, s := range slots {
				if acc[s] != 0 {
					acc[s] += w * float64(ws[n])
				}
			}
			continue
		}
		for _, s := range cand {
			if w, ok := x.weightOf(s, t.term); ok {
				acc[s] += t.w * float64(w)
			}
		}
	}
	sc.cand = cand
	// The candidates left are scored exactly: their partial scores were
	// added in another order.
	h := &topK{k: k, x: x}
	for _, s := range cand {
		acc[s] = 0
		if p.match(x, s) {
			h.offer(scored{slot: s, score: x.exact(sc, s)})
		}
	}
	clear(sc.exact)
	return h.best()
}

// addPostings adds t's contribution to the score of every item it holds
// and returns touched with the items that had none before.
func addPostings(acc []float64, touched []uint32, t *qterm) []uint32 {
	w, slots := t.w, t.pl.slots
	ws := t.pl.ws[:len(slots)]
	for n, s := range slots {
		if acc[s] == 0 {
			touched = append(touched, s)
		}
		acc[s] += w * float64(ws[n])
	}
	return touched
}

// sparseAll is sparseRank without pruning, for queries or terms with
// weights <= 0: every posting of every query term, in query order.
func (x *index) sparseAll(sc *sparseScratch, p *pred, k int) []scored {
	acc, touched := sc.acc, sc.touched
	for i := range sc.inOrder {
		touched = addPostings(acc, touched, &sc.inOrder[i])
	}
	sc.touched = touched
	h := &topK{k: k, x: x}
	for _, s := range touched {
		// The cheap heap bound first: the filter reads the slot's state.
		// A slot touched twice (a zero first) is offered once: acc is
		// zeroed on the first visit.
		if score := acc[s]; score > 0 && (!h.full() || score >= h.items[0].score) && p.match(x, s) {
			h.offer(scored{slot: s, score: score})
		}
		acc[s] = 0
	}
	return h.best()
}

// threshold returns a lower bound of the k-th best score of the slots
// that pass the filter p, 0 when fewer than k pass: the least exact score
// of the k with the best partial scores.
func (x *index) threshold(sc *sparseScratch, slots []uint32, p *pred, k int) float64 {
	acc := sc.acc
	hp := sc.seeds[:0] // a min-heap by partial score
	for _, s := range slots {
		a := acc[s]
		if len(hp) == k && a <= hp[0].score || !p.match(x, s) {
			continue
		}
		if len(hp) < k {
			hp = append(hp, scored{slot: s, score: a})
			for i := len(hp) - 1; i > 0; {
				parent := (i - 1) / 2
				if hp[parent].score <= hp[i].score {
					break
				}
				hp[i], hp[parent] = hp[parent], hp[i]
				i = parent
			}
			continue
		}
		hp[0] = scored{slot: s, score: a}
		for i := 0; ; {
			c := 2*i + 1
			if c >= len(hp) {
				break
			}
			if c+1 < len(hp) && hp[c+1].score < hp[c].score {
				c++
			}
			if hp[i].score <= hp[c].score {
				break
			}
			hp[i], hp[c] = hp[c], hp[i]
			i = c
		}
	}
	sc.seeds = hp
	if len(hp) < k {
		return 0
	}
	least := math.Inf(1)
	for _, s := range hp {
		least = min(least, x.exact(sc, s.slot))
	}
	return least
}

// exact returns exactSparse(s, sc.inOrder), remembered for the query: the
// same slots seed successive thresholds.
func (x *index) exact(sc *sparseScratch, s uint32) float64 {
	if v, ok := sc.exact[s]; ok {
		return v
	}
	v := x.exactSparse(s, sc.inOrder)
	sc.exact[s] = v
	return v
}

// exactSparse scores slot s against the query terms qt as sparseAll adds
// them up, in query order, bit for bit.
func (x *index) exactSparse(s uint32, qt []qterm) float64 {
	var score float64
	for _, t := range qt {
		if w, ok := x.weightOf(s, t.term); ok {
			score += t.w * float64(w)
		}
	}
	return score
}

// weightOf returns slot s's weight of term t.
func (x *index) weightOf(s, t uint32) (float32, bool) {
	e := &x.slots[s]
	terms := x.terms[e.off : e.off+e.n]
	// Binary search: the item's terms are ascending.
	lo, hi := 0, len(terms)
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if terms[mid] < t {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	if lo < len(terms) && terms[lo] == t {
		return x.weights[e.off+lo], true
	}
	return 0, false
}

// idf is Qdrant's IDF modifier: ln(1 + (N - n + 0.5) / (n + 0.5)).
func idf(N, n int) float64 {
	return math.Log(1 + (float64(N)-float64(n)+0.5)/(float64(n)+0.5))
}
