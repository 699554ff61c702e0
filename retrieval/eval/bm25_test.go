package eval

import (
	"context"
	"fmt"
	"math"
	"slices"
	"testing"

	"github.com/lorehq/lore/knowledge"
)

func TestBigramTerms(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"逾期还款", []string{"逾期", "期还", "还款"}},
		{"罚息，违约金", []string{"罚息", "违约", "约金"}},
		{"APR 24.5%与罚", []string{"apr", "24", "5", "与罚"}},
		{"第12条", []string{"第", "12", "条"}},
		{"", nil},
	}
	for _, tt := range tests {
		if got := bigramTerms(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("bigramTerms(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// pagedLister serves items in id order, page by page, as a store does.
type pagedLister struct {
	items []knowledge.Item
	calls int
}

func (l *pagedLister) List(_ context.Context, f knowledge.Filter, after string, limit int) ([]knowledge.Item, error) {
	l.calls++
	var out []knowledge.Item
	for _, it := range l.items {
		if it.ID > after && f.Match(&it) && len(out) < limit {
			out = append(out, it)
		}
	}
	return out, nil
}

func TestBM25(t *testing.T) {
	docs := []knowledge.Item{
		{ID: "a", Kind: knowledge.KindRule, Status: knowledge.StatusApproved, Body: "借款人逾期还款的，按日计收罚息。"},
		{ID: "b", Kind: knowledge.KindRule, Status: knowledge.StatusApproved, Body: "提前还款不收取违约金。提前还款须提前三日申请。"},
		{ID: "c", Kind: knowledge.KindFAQ, Status: knowledge.StatusApproved, Body: "逾期会影响征信。"},
		{ID: "d", Kind: knowledge.KindRule, Status: knowledge.StatusRetired, Body: "逾期罚息的旧规定。"},
		{ID: "e", Kind: knowledge.KindRule, Status: knowledge.StatusApproved, Title: "Early repayment", Body: ""},
	}
	l := &pagedLister{items: docs}
	b, err := NewBM25(context.Background(), l, knowledge.Filter{Kinds: []knowledge.Kind{knowledge.KindRule}})
	if err != nil {
		t.Fatal(err)
	}
	if b.Len() != 3 || b.Name() != "bm25-bigram" {
		t.Fatalf("indexed %d items as %q, want the 3 current rules as bm25-bigram", b.Len(), b.Name())
	}
	got, err := b.Search(context.Background(), "逾期了怎么还款", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].ID != "a" || got[1].ID != "b" {
		t.Errorf("Search = %v, want a then b", got)
	}
	if got, _ := b.Search(context.Background(), "early REPAYMENT", 10); len(got) != 1 || got[0].ID != "e" {
		t.Errorf("Search of a title-only item = %v, want e", got)
	}
	if got, _ := b.Search(context.Background(), "保险", 10); len(got) != 0 {
		t.Errorf("Search with no common term = %v, want nothing", got)
	}

	// The score of "a" for 罚息: one term, tf 1, real average length.
	one := NewBM25Items(docs[:2])
	n, df := 2.0, 1.0
	idf := math.Log(1 + (n-df+0.5)/(df+0.5))
	la, lb := float64(len(bigramTerms(docs[0].Body))), float64(len(bigramTerms(docs[1].Body)))
	want := idf * 2.2 / (1 + 1.2*(0.25+0.75*la/((la+lb)/2)))
	if math.Abs(one.avgLen-(la+lb)/2) > 1e-12 {
		t.Errorf("avgLen = %v, want %v", one.avgLen, (la+lb)/2)
	}
	var s float64
	for _, p := range one.postings["罚息"] {
		tf := float64(p.tf)
		s += idf * tf * 2.2 / (tf + 1.2*(0.25+0.75*one.docLen[p.doc]/one.avgLen))
	}
	if math.Abs(s-want) > 1e-12 {
		t.Errorf("score of a for 罚息 = %v, want %v", s, want)
	}
}

func TestBM25Pages(t *testing.T) {
	var docs []knowledge.Item
	for i := range 1234 {
		docs = append(docs, knowledge.Item{ID: fmt.Sprintf("%05d", i), Kind: knowledge.KindRule, Status: knowledge.StatusDraft, Body: "逾期"})
	}
	l := &pagedLister{items: docs}
	b, err := NewBM25(context.Background(), l, knowledge.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if b.Len() != 1234 || l.calls != 3 {
		t.Errorf("indexed %d items in %d List calls, want 1234 in 3", b.Len(), l.calls)
	}
	empty := NewBM25Items(nil)
	if got, err := empty.Search(context.Background(), "逾期", 5); err != nil || len(got) != 0 {
		t.Errorf("empty index Search = %v, %v", got, err)
	}
}

// BenchmarkBM25 searches 3,000 short clauses.
func BenchmarkBM25(b *testing.B) {
	var docs []knowledge.Item
	words := []string{"借款人", "逾期", "还款", "罚息", "违约金", "提前", "展期", "征信", "催收", "分期"}
	for i := range 3000 {
		body := ""
		for j := range 12 {
			body += words[(i*7+j*3)%len(words)]
		}
		docs = append(docs, knowledge.Item{ID: fmt.Sprint(i), Body: body})
	}
	idx := NewBM25Items(docs)
	for b.Loop() {
		idx.Search(context.Background(), "借款人逾期以后罚息怎么算，可以申请展期吗", 10)
	}
}
