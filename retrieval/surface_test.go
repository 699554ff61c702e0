package retrieval

import (
	"strings"
	"testing"

	"github.com/lorehq/lore/knowledge"
)

func TestSurfaceKind(t *testing.T) {
	h := func(id string, kind knowledge.Kind, score float64) knowledge.Hit {
		return knowledge.Hit{Item: knowledge.Item{ID: id, Kind: kind}, Score: score}
	}
	pool := []knowledge.Hit{
		h("f1", knowledge.KindFAQ, 1), h("r1", knowledge.KindRule, 0.95), h("f2", knowledge.KindFAQ, 0.9),
		h("s1", knowledge.KindScript, 0.85), h("s2", knowledge.KindScript, 0.5),
	}
	scriptQ := map[knowledge.Kind]float64{knowledge.KindScript: 1.15, knowledge.KindFAQ: 1.05}
	ids := func(hs []knowledge.Hit) string {
		var out []string
		for _, x := range hs {
			out = append(out, x.Item.ID)
		}
		return strings.Join(out, " ")
	}
	cases := []struct {
		name    string
		hits    []knowledge.Hit
		pool    []knowledge.Hit
		weights map[knowledge.Kind]float64
		want    string
	}{
		{"moved up to second", pool[:3], pool, scriptQ, "f1 s1 r1"},
		{"already in the first two", []knowledge.Hit{pool[3], pool[0], pool[1]}, pool, scriptQ, "s1 f1 r1"},
		{"no preferred kind", pool[:3], pool, map[knowledge.Kind]float64{knowledge.KindFAQ: 1.05}, "f1 r1 f2"},
		{"too weak to surface", pool[:3], []knowledge.Hit{pool[0], pool[1], pool[2], pool[4]}, scriptQ, "f1 r1 f2"},
		{"none of the kind", pool[:3], pool[:3], scriptQ, "f1 r1 f2"},
		{"fact questions prefer FAQs only mildly", []knowledge.Hit{pool[1], pool[3], pool[2]}, pool, map[knowledge.Kind]float64{knowledge.KindFAQ: 1.1}, "r1 s1 f2"},
	}
	for _, c := range cases {
		if got := ids(surfaceKind(c.hits, c.pool, c.weights, 3)); got != c.want {
			t.Errorf("%s: %s, want %s", c.name, got, c.want)
		}
	}
}
