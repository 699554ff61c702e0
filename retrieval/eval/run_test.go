package eval

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/lorehq/lore/knowledge"
)

func items(ids ...string) []knowledge.Item {
	out := make([]knowledge.Item, len(ids))
	for i, id := range ids {
		out[i] = knowledge.Item{ID: id, Title: id}
	}
	return out
}

func golds(ids ...string) []Gold {
	out := make([]Gold, len(ids))
	for i, id := range ids {
		out[i] = Gold{ID: id}
	}
	return out
}

func TestScore(t *testing.T) {
	l2 := func(r int) float64 { return 1 / math.Log2(float64(r)+1) }
	tests := []struct {
		name string
		gold []Gold
		got  []knowledge.Item
		want Metrics
		rank int
	}{
		{"first", golds("a"), items("a", "b", "c"),
			Metrics{Hit1: 1, Hit5: 1, Hit10: 1, Recall5: 1, Recall10: 1, MRR10: 1, NDCG10: 1}, 1},
		{"third", golds("c"), items("a", "b", "c"),
			Metrics{Hit5: 1, Hit10: 1, Recall5: 1, Recall10: 1, MRR10: 1.0 / 3, NDCG10: l2(3)}, 3},
		{"seventh, one of two", golds("g", "z"), items("a", "b", "c", "d", "e", "f", "g"),
			Metrics{Hit10: 1, Recall10: 0.5, MRR10: 1.0 / 7, NDCG10: l2(7) / (l2(1) + l2(2))}, 7},
		{"both of two at 2 and 6", golds("b", "f"), items("a", "b", "c", "d", "e", "f"),
			Metrics{Hit5: 1, Hit10: 1, Recall5: 0.5, Recall10: 1, MRR10: 0.5, NDCG10: (l2(2) + l2(6)) / (l2(1) + l2(2))}, 2},
		{"beyond 10 does not count", golds("k"), items("a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k"), Metrics{}, 0},
		{"missing", golds("z"), items("a"), Metrics{}, 0},
		{"no answer", golds("a"), nil, Metrics{}, 0},
		// Two items from one gold source count once.
		{"duplicate match counts once", []Gold{{Source: "s.md"}},
			[]knowledge.Item{
				{ID: "p1", Provenance: []knowledge.Provenance{{Source: "s.md"}}},
				{ID: "p2", Provenance: []knowledge.Provenance{{Source: "s.md"}}},
			},
			Metrics{Hit1: 1, Hit5: 1, Hit10: 1, Recall5: 1, Recall10: 1, MRR10: 1, NDCG10: 1}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := score(tt.gold, tt.got)
			if got.rank != tt.rank {
				t.Errorf("rank = %d, want %d", got.rank, tt.rank)
			}
			g, w := got.Metrics, tt.want
			pairs := [][2]float64{{g.Hit1, w.Hit1}, {g.Hit5, w.Hit5}, {g.Hit10, w.Hit10}, {g.Recall5, w.Recall5},
				{g.Recall10, w.Recall10}, {g.MRR10, w.MRR10}, {g.NDCG10, w.NDCG10}}
			for i, p := range pairs {
				if math.Abs(p[0]-p[1]) > 1e-12 {
					t.Errorf("metric %d = %v, want %v (all: %+v)", i, p[0], p[1], g)
				}
			}
		})
	}
}

func TestLatency(t *testing.T) {
	var ds []time.Duration
	for i := 100; i >= 1; i-- {
		ds = append(ds, time.Duration(i)*time.Millisecond)
	}
	got := latency(ds)
	if got != (Latency{P50: 50, P90: 90, P95: 95, P99: 99}) {
		t.Errorf("latency = %+v, want 50/90/95/99", got)
	}
	if got := latency([]time.Duration{3 * time.Millisecond}); got != (Latency{3, 3, 3, 3}) {
		t.Errorf("latency of one = %+v", got)
	}
	if got := latency(nil); got != (Latency{}) {
		t.Errorf("latency of none = %+v", got)
	}
}

// listSystem answers every question with the same list, or fails on one.
type listSystem struct {
	name  string
	list  []knowledge.Item
	failQ string
}

func (s listSystem) Name() string { return s.name }
func (s listSystem) Search(_ context.Context, q string, limit int) ([]knowledge.Item, error) {
	if q == s.failQ {
		return nil, errors.New("index closed")
	}
	return s.list[:min(limit, len(s.list))], nil
}

func TestRun(t *testing.T) {
	qs := []Question{
		{ID: "q1", Text: "一", Gold: golds("a")},
		{ID: "q2", Text: "二", Gold: golds("b")},
	}
	systems := []System{
		listSystem{name: "base", list: items("x", "a", "b")},
		listSystem{name: "better", list: items("a", "b"), failQ: "二"},
	}
	var calls int
	rep, err := Run(context.Background(), qs, systems, Options{Details: true, Progress: func(string, int, int) { calls++ }})
	if err != nil {
		t.Fatal(err)
	}
	if calls != 4 || rep.Questions != 2 || rep.K != DefaultK || len(rep.Systems) != 2 {
		t.Fatalf("report %+v after %d progress calls", rep, calls)
	}
	base, better := rep.Systems[0], rep.Systems[1]
	if math.Abs(base.Metrics.MRR10-(0.5+1.0/3)/2) > 1e-12 || base.Metrics.Hit1 != 0 || base.Errors != 0 {
		t.Errorf("base metrics %+v", base.Metrics)
	}
	if better.Metrics.Hit1 != 0.5 || better.Errors != 1 || better.Questions[1].Error == "" {
		t.Errorf("better: %+v; want Hit@1 0.5 with the failed question a miss", better)
	}
	text := rep.String()
	for _, want := range []string{"system", "hit@5", "mrr@10", "p99 ms", "base", "better", "-0.500", "+0.083", "2 questions"} {
		if !strings.Contains(text, want) {
			t.Errorf("text report lacks %q:\n%s", want, text)
		}
	}
	var b strings.Builder
	if err := rep.WriteJSON(&b); err != nil || !strings.Contains(b.String(), `"mrr@10"`) {
		t.Errorf("JSON report %v:\n%s", err, b.String())
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Run(ctx, qs, systems, Options{}); !errors.Is(err, context.Canceled) {
		t.Errorf("Run on a cancelled context: %v", err)
	}
}
