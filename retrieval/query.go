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

// weighKinds multiplies each hit's Score by the weight of its kind (1 for
// kinds without one) and re-sorts the hits by Score, ties by item id, as
// an index orders them. Without weights the hits are returned as they are.
func weighKinds(hits []knowledge.Hit, weights map[knowledge.Kind]float64) []knowledge.Hit {
	if len(weights) == 0 {
		return hits
	}
	changed := false
	for i := range hits {
		if w, ok := weights[hits[i].Item.Kind]; ok && w != 1 {
			hits[i].Score *= w
			changed = true
		}
	}
	if changed {
		sortByScore(hits)
	}
	return hits
}

// ConfidenceFloor is the weight of an item its extractor has no
// confidence in; an item's fused score is multiplied by
// ConfidenceFloor + (1-ConfidenceFloor)·confidence. Curated knowledge
// (a policy's FAQ, confidence 0.9) thus edges out the same answer mined
// from a single dialogue (confidence 1/3) by a few ranks among close
// candidates, without burying mined items that match clearly better.
const ConfidenceFloor = 0.9

// weighConfidence applies the confidence prior and re-sorts. An item
// without a confidence (0) is left as it is.
func weighConfidence(hits []knowledge.Hit) []knowledge.Hit {
	changed := false
	for i := range hits {
		if c := min(hits[i].Item.Confidence, 1); c > 0 && c < 1 {
			hits[i].Score *= ConfidenceFloor + (1-ConfidenceFloor)*c
			changed = true
		}
	}
	if changed {
		sortByScore(hits)
	}
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
