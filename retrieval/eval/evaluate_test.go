package eval

import (
	"context"
	"strings"
	"testing"

	"github.com/lorehq/lore/knowledge"
	"github.com/lorehq/lore/retrieval"
)

// fixedSearcher answers every request with the items it holds that pass
// the request's filter, in order, and records the filters it was given.
type fixedSearcher struct {
	items   []knowledge.Item
	filters []knowledge.Filter
}

func (s *fixedSearcher) Search(_ context.Context, req retrieval.Request) ([]knowledge.Hit, error) {
	s.filters = append(s.filters, req.Filter)
	var out []knowledge.Hit
	for _, it := range s.items {
		if req.Filter.Match(&it) && len(out) < req.Limit {
			out = append(out, knowledge.Hit{Item: it})
		}
	}
	return out, nil
}

func TestEvaluate(t *testing.T) {
	rule := func(id, law, art, body string) knowledge.Item {
		return knowledge.Item{ID: id, Kind: knowledge.KindRule, Status: knowledge.StatusApproved, Title: law + " " + art,
			Body: body, Rule: &knowledge.Rule{DocTitle: law, Article: art}}
	}
	items := []knowledge.Item{
		rule("r1", "消费贷款管理办法", "第十二条", "借款人逾期还款的，按日计收罚息。"),
		rule("r2", "消费贷款管理办法", "第十三条", "借款人可以提前还款，不收取违约金。"),
		{ID: "f1", Kind: knowledge.KindFAQ, Status: knowledge.StatusApproved, Body: "逾期罚息怎么算？按日计收。"},
	}
	qs := []Question{
		{ID: "q1", Text: "逾期了罚息怎么算", Gold: []Gold{{Law: "消费贷款管理办法", Article: "第十二条"}}},
		{ID: "q2", Text: "提前还款要违约金吗", Gold: []Gold{{Law: "消费贷款管理办法", Article: "第十三条"}}},
	}
	// The searcher puts the FAQ first: with the default filter (rules, as
	// every gold names a law) it must not be asked for it.
	s := &fixedSearcher{items: []knowledge.Item{items[2], items[1], items[0]}}
	rep, err := Evaluate(context.Background(), qs, Config{Searcher: s, Items: &pagedLister{items: items}})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Systems) != 2 || rep.Systems[0].Name != "bm25-bigram" || rep.Systems[1].Name != "lore" {
		t.Fatalf("systems %+v, want the baseline then lore", rep.Systems)
	}
	for _, f := range s.filters {
		if len(f.Kinds) != 1 || f.Kinds[0] != knowledge.KindRule {
			t.Errorf("searched with filter %+v, want rules only", f)
		}
	}
	if got := rep.Systems[0].Metrics.Hit1; got != 1 {
		t.Errorf("baseline Hit@1 = %v, want 1 (each question shares its rare bigrams with its gold only)", got)
	}
	if got := rep.Systems[1].Metrics; got.Hit1 != 0.5 || got.Hit5 != 1 {
		t.Errorf("lore metrics %+v, want Hit@1 0.5 (r2 always first) and Hit@5 1", got)
	}
	if !strings.Contains(rep.String(), "p95 ms") {
		t.Errorf("table lacks the p95 column:\n%s", rep)
	}
	if _, err := Evaluate(context.Background(), qs, Config{Items: &pagedLister{}}); err == nil {
		t.Error("Evaluate without a searcher: no error")
	}
}

func TestDefaultFilter(t *testing.T) {
	law := Question{Gold: []Gold{{Law: "某法", Article: "第一条"}}}
	id := Question{Gold: []Gold{{ID: "x"}}}
	tests := []struct {
		name  string
		qs    []Question
		rules bool
	}{
		{"laws only", []Question{law, law}, true},
		{"mixed", []Question{law, id}, false},
		{"ids", []Question{id}, false},
		{"none", nil, false},
	}
	for _, tt := range tests {
		f := DefaultFilter(tt.qs)
		if got := len(f.Kinds) == 1 && f.Kinds[0] == knowledge.KindRule; got != tt.rules {
			t.Errorf("%s: filter %+v, want rules only %v", tt.name, f, tt.rules)
		}
	}
}
