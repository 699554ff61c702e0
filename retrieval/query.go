package retrieval

import (
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/lorehq/lore/knowledge"
	"github.com/lorehq/lore/retrieval/understand"
)

// queryVectors embeds the question and its expansions and combines them:
// the sparse vector is the question's term counts plus each expansion's
// counts times its weight (the expansion's weight times
// Options.ExpansionWeight); the dense vector is the question's vector plus
// each expansion's times that weight, L2-normalised. An all-zero dense
// result is dropped, so the sparse ranking alone decides; so is every
// dense vector when Options.DenseWeight is negative.
func (s *Searcher) queryVectors(ctx context.Context, text string, exps []understand.Expansion) (knowledge.Vectors, error) {
	base, err := s.emb.EmbedQuery(ctx, text)
	if err != nil {
		return knowledge.Vectors{}, fmt.Errorf("retrieval: embed query: %w", err)
	}
	if s.opt.DenseWeight < 0 {
		base.Dense = nil
	}
	if s.opt.ExpansionWeight < 0 {
		exps = nil
	}
	if len(exps) == 0 {
		if allZero(base.Dense) {
			base.Dense = nil
		}
		return base, nil
	}
	sparse := map[uint32]float64{}
	addSparse(sparse, base.Sparse, 1)
	dense := make([]float64, len(base.Dense))
	addDense(dense, base.Dense, 1)
	for _, e := range exps {
		v, err := s.emb.EmbedQuery(ctx, e.Text)
		if err != nil {
			return knowledge.Vectors{}, fmt.Errorf("retrieval: embed expansion %q: %w", e.Text, err)
		}
		w := e.Weight * s.opt.ExpansionWeight
		addSparse(sparse, v.Sparse, w)
		if len(dense) > 0 && len(v.Dense) == len(dense) {
			addDense(dense, v.Dense, w)
		}
	}
	out := knowledge.Vectors{Sparse: toSparse(sparse), Dense: normalise(dense)}
	return out, nil
}

func addSparse(acc map[uint32]float64, sp knowledge.Sparse, w float64) {
	for i, idx := range sp.Indices {
		acc[idx] += w * float64(sp.Values[i])
	}
}

func addDense(acc []float64, d []float32, w float64) {
	for i, v := range d {
		acc[i] += w * float64(v)
	}
}

// toSparse returns the terms of acc with non-zero weight, indices
// ascending.
func toSparse(acc map[uint32]float64) knowledge.Sparse {
	sp := knowledge.Sparse{Indices: make([]uint32, 0, len(acc)), Values: make([]float32, 0, len(acc))}
	for idx, v := range acc {
		if v != 0 {
			sp.Indices = append(sp.Indices, idx)
		}
	}
	slices.Sort(sp.Indices)
	for _, idx := range sp.Indices {
		sp.Values = append(sp.Values, float32(acc[idx]))
	}
	return sp
}

// normalise returns v scaled to unit length as float32, or nil when v is
// empty or all zero.
func normalise(v []float64) []float32 {
	var sum float64
	for _, x := range v {
		sum += x * x
	}
	if sum == 0 {
		return nil
	}
	inv := 1 / math.Sqrt(sum)
	out := make([]float32, len(v))
	for i, x := range v {
		out[i] = float32(x * inv)
	}
	return out
}

// ConfidenceFloor is the weight of an item its extractor has no
// confidence in; an item's scores are multiplied by
// ConfidenceFloor + (1-ConfidenceFloor)·confidence. An answer mined from a
// single dialogue (confidence 1/3) weighs two thirds of a policy's FAQ
// (confidence 0.9, weight 0.95). The prior is that strong because mined
// items are written in customers' words, as questions are: they match a
// colloquial question better than the curated answer to it, so a mild
// prior would let the anecdote outrank the policy; a mined item that
// matches clearly better (by more than a third) still comes first. An
// item without a confidence (0) weighs 1.
const ConfidenceFloor = 0.5

// weigh applies the priors of a search and fuses again: each hit's sparse
// and dense scores are multiplied by the weight of its kind (weights; 1
// for a kind without one) and by the confidence prior, each ranking is
// re-ordered by the weighted scores, and the hits are fused by reciprocal
// rank as the index fused them, the dense ranking at denseWeight, and
// sorted by the new Score (ties by item id). The priors act on scores, not
// on fused ranks: reciprocal-rank scores of neighbouring ranks differ by
// about 1.5 %, so a 10 % prior applied to them would outrank an item that
// matches three times better. SparseRank and DenseRank keep the index's
// ranks. With no prior to apply the hits are returned as they are.
func weigh(hits []knowledge.Hit, weights map[knowledge.Kind]float64, denseWeight float64) []knowledge.Hit {
	ws := make([]float64, len(hits))
	changed := false
	for i := range hits {
		w := 1.0
		if kw, ok := weights[hits[i].Item.Kind]; ok {
			w = kw
		}
		if c := min(hits[i].Item.Confidence, 1); c > 0 {
			w *= ConfidenceFloor + (1-ConfidenceFloor)*c
		}
		ws[i] = w
		changed = changed || w != 1
	}
	if !changed {
		return hits
	}
	fused := make([]float64, len(hits))
	fuse := func(rank func(h *knowledge.Hit) int, score func(h *knowledge.Hit) float64, weight float64) {
		var in []int
		for i := range hits {
			if rank(&hits[i]) > 0 {
				in = append(in, i)
			}
		}
		slices.SortStableFunc(in, func(a, b int) int {
			sa, sb := score(&hits[a])*ws[a], score(&hits[b])*ws[b]
			switch {
			case sa > sb:
				return -1
			case sa < sb:
				return 1
			}
			return rank(&hits[a]) - rank(&hits[b])
		})
		for r, i := range in {
			fused[i] += weight / float64(knowledge.RRFK+r+1)
		}
	}
	fuse(func(h *knowledge.Hit) int { return h.SparseRank }, func(h *knowledge.Hit) float64 { return h.SparseScore }, 1)
	if denseWeight <= 0 {
		denseWeight = 1
	}
	fuse(func(h *knowledge.Hit) int { return h.DenseRank }, func(h *knowledge.Hit) float64 { return h.DenseScore }, denseWeight)
	for i := range hits {
		hits[i].Score = fused[i]
	}
	sortByScore(hits)
	return hits
}

// sortByScore orders hits by Score, highest first, ties by item id.
func sortByScore(hits []knowledge.Hit) {
	slices.SortStableFunc(hits, func(a, b knowledge.Hit) int {
		switch {
		case a.Score > b.Score:
			return -1
		case a.Score < b.Score:
			return 1
		}
		switch {
		case a.Item.ID < b.Item.ID:
			return -1
		case a.Item.ID > b.Item.ID:
			return 1
		}
		return 0
	})
}
