package retrieval

import (
	"math"
	"slices"
	"testing"

	"github.com/lorehq/lore/knowledge"
)

func TestWeigh(t *testing.T) {
	hit := func(id string, kind knowledge.Kind, conf float64, sr int, ss float64, dr int, ds float64) knowledge.Hit {
		return knowledge.Hit{Item: knowledge.Item{ID: id, Kind: kind, Confidence: conf},
			SparseRank: sr, SparseScore: ss, DenseRank: dr, DenseScore: ds}
	}
	rrf := func(rs ...int) float64 { // sparse rank, then dense rank at weight 0.5
		s := 0.0
		if rs[0] > 0 {
			s += 1 / float64(knowledge.RRFK+rs[0])
		}
		if len(rs) > 1 && rs[1] > 0 {
			s += 0.5 / float64(knowledge.RRFK+rs[1])
		}
		return s
	}
	ruleW := map[knowledge.Kind]float64{knowledge.KindRule: 1.15, knowledge.KindFAQ: 1}
	tests := []struct {
		name    string
		hits    []knowledge.Hit
		weights map[knowledge.Kind]float64
		order   []string
		scores  []float64
	}{
		{
			name: "a prior lifts a close item",
			hits: []knowledge.Hit{
				hit("faq", knowledge.KindFAQ, 0, 1, 30, 0, 0),
				hit("rule-close", knowledge.KindRule, 0, 2, 28, 0, 0),
				hit("rule-far", knowledge.KindRule, 0, 3, 10, 0, 0),
			},
			weights: ruleW,
			order:   []string{"rule-close", "faq", "rule-far"},
			scores:  []float64{rrf(1), rrf(2), rrf(3)},
		},
		{
			name: "a prior does not lift an item that matches three times worse",
			hits: []knowledge.Hit{
				hit("faq-a", knowledge.KindFAQ, 0, 1, 43, 0, 0),
				hit("faq-b", knowledge.KindFAQ, 0, 2, 42, 0, 0),
				hit("rule", knowledge.KindRule, 0, 3, 15, 0, 0),
			},
			weights: ruleW,
			order:   []string{"faq-a", "faq-b", "rule"},
			scores:  []float64{rrf(1), rrf(2), rrf(3)},
		},
		{
			name: "confidence weighs mined items, dense ranking re-ordered too",
			hits: []knowledge.Hit{
				hit("mined", knowledge.KindFAQ, 1.0/3, 1, 20, 1, 0.80),
				hit("curated", knowledge.KindFAQ, 0.9, 2, 19.5, 2, 0.79),
				hit("dense-only", knowledge.KindPassage, 0, 0, 0, 3, 0.5),
			},
			order:  []string{"curated", "mined", "dense-only"},
			scores: []float64{rrf(1, 1), rrf(2, 2), rrf(0, 3)},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := weigh(slices.Clone(tc.hits), tc.weights, 0.5)
			var ids []string
			for _, h := range got {
				ids = append(ids, h.Item.ID)
			}
			if !slices.Equal(ids, tc.order) {
				t.Fatalf("order %q, want %q", ids, tc.order)
			}
			for i, h := range got {
				if math.Abs(h.Score-tc.scores[i]) > 1e-12 {
					t.Errorf("%s: score %v, want %v", h.Item.ID, h.Score, tc.scores[i])
				}
				orig := tc.hits[slices.IndexFunc(tc.hits, func(x knowledge.Hit) bool { return x.Item.ID == h.Item.ID })]
				if h.SparseRank != orig.SparseRank || h.DenseRank != orig.DenseRank {
					t.Errorf("%s: ranks changed to %d/%d", h.Item.ID, h.SparseRank, h.DenseRank)
				}
			}
		})
	}
	t.Run("no prior leaves hits as they are", func(t *testing.T) {
		in := []knowledge.Hit{hit("b", knowledge.KindRule, 0, 2, 5, 0, 0), hit("a", knowledge.KindRule, 1, 1, 9, 0, 0)}
		in[0].Score, in[1].Score = 0.7, 0.3
		got := weigh(slices.Clone(in), map[knowledge.Kind]float64{knowledge.KindRule: 1}, 0.5)
		if got[0].Item.ID != "b" || got[0].Score != 0.7 || got[1].Score != 0.3 {
			t.Errorf("got %+v", got)
		}
	})
}
