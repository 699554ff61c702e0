package retrieval

import (
	"context"
	"errors"
	"fmt"
	"math"
	"reflect"
	"slices"
	"testing"

	"github.com/lorehq/lore/knowledge"
	"github.com/lorehq/lore/retrieval/understand"
)

// understander returns the real query understanding over the test
// segmenter and the default synonyms.
func understander(t *testing.T) *understand.Understander {
	t.Helper()
	testEmbedder(t)
	return understand.New(testSeg, understand.DefaultSynonyms())
}

func rule(id, doc, article, body string) knowledge.Item {
	it := item(id, knowledge.KindRule, "rules", article, body)
	it.Rule = &knowledge.Rule{DocTitle: doc, Article: article}
	it.Provenance[0].Article = article
	return it
}

// lawCorpus holds rule clauses of two documents written in formal wording,
// with FAQs and scripts beside them.
func lawCorpus() []knowledge.Item {
	const bank, loan = "中华人民共和国商业银行法", "安和消费金融借款管理办法"
	docNo := rule("loan-12", loan, "第十二条", "借款人申请提前还款的，应当提前三个工作日提出申请，贷款人不得收取提前还款违约金。")
	docNo.Rule.DocNumber = "安和消金发〔2026〕12号"
	return []knowledge.Item{
		rule("bank-30", bank, "第三十条", "对个人储蓄存款，商业银行有权拒绝任何单位或者个人查询、冻结、扣划，但法律另有规定的除外。"),
		rule("bank-3", bank, "第三条", "商业银行可以经营吸收公众存款、发放贷款、办理结算等业务。"),
		rule("bank-37", bank, "第三十七条", "商业银行贷款，应当与借款人订立书面合同。合同应当约定贷款种类、借款用途、金额、利率、还款期限。"),
		rule("loan-30", loan, "第三十条", "贷款人应当对借款人的个人信息保密，不得向无关第三人透露借款人的逾期信息。"),
		docNo,
		rule("loan-20", loan, "第二十条", "夫妻一方以个人名义所负的债务，贷款人不得要求其配偶偿还，但该债务用于夫妻共同生活的除外。"),
		rule("loan-21", loan, "第二十一条", "借款人逾期还款的，贷款人可以按照合同约定计收逾期利息，逾期利息不得计收复利。"),
		item("faq-prepay", knowledge.KindFAQ, "faq", "提前还款要交违约金吗", "提前还款无需支付违约金，请在还款日前三个工作日申请。"),
		item("faq-overdue", knowledge.KindFAQ, "faq", "逾期了怎么办", "逾期后请尽快还款，逾期记录会报送征信系统。"),
		item("script-angry", knowledge.KindScript, "scripts", "客户情绪激动时的回复", "非常理解您的心情，我们先核实一下您的还款情况，再为您申请合适的还款方案。"),
		item("proc-extend", knowledge.KindProcedure, "procedures", "展期办理流程", "第一步核实身份，第二步提交展期申请，第三步审批，第四步签署展期协议。"),
	}
}

func TestSearchExpansion(t *testing.T) {
	ix := newFakeIndex(t, lawCorpus())
	ctx := context.Background()
	req := Request{Text: "老公欠的钱，债主能找我要吗", Limit: 3}
	plain, err := New(ix, testEmbedder(t), Options{}).Search(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	hits, err := New(ix, testEmbedder(t), Options{Understander: understander(t)}).Search(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("without understanding %q, with %q", ids(plain), ids(hits))
	if len(hits) == 0 || hits[0].Item.ID != "loan-20" {
		t.Errorf("with expansion (老公 → 配偶, 欠钱 → 债务) the top hit is %q, want loan-20", ids(hits))
	}
	if len(plain) > 0 && plain[0].Item.ID == "loan-20" {
		t.Errorf("the question finds loan-20 first without expansion; the fixture no longer tests expansion")
	}
}

// fixedEmbedder embeds each text as given in vecs.
type fixedEmbedder struct {
	vecs  map[string]knowledge.Vectors
	texts []string
}

func (f *fixedEmbedder) EmbedQuery(_ context.Context, text string) (knowledge.Vectors, error) {
	f.texts = append(f.texts, text)
	return f.vecs[text], nil
}

// fixedUnderstander returns the same understanding for every question.
type fixedUnderstander struct{ u understand.Understanding }

func (f fixedUnderstander) Understand(string) understand.Understanding { return f.u }

func TestQueryVectors(t *testing.T) {
	sp := func(idx []uint32, vals []float32) knowledge.Sparse {
		return knowledge.Sparse{Indices: idx, Values: vals}
	}
	fe := &fixedEmbedder{vecs: map[string]knowledge.Vectors{
		"q":  {Dense: []float32{1, 0, 0}, Sparse: sp([]uint32{1, 2}, []float32{1, 2})},
		"e1": {Dense: []float32{0, 1, 0}, Sparse: sp([]uint32{2, 3}, []float32{1, 1})},
		"e2": {Dense: []float32{0, 0, 1}, Sparse: sp([]uint32{4}, []float32{2})},
	}}
	exps := []understand.Expansion{{Text: "e1", Weight: 0.5}, {Text: "e2", Weight: 0.25}}
	got, err := New(&fakeIndex{}, fe, Options{DenseWeight: 1, ExpansionWeight: 1}).queryVectors(context.Background(), "q", exps)
	if err != nil {
		t.Fatal(err)
	}
	wantSparse := sp([]uint32{1, 2, 3, 4}, []float32{1, 2.5, 0.5, 0.5})
	if !reflect.DeepEqual(got.Sparse, wantSparse) {
		t.Errorf("sparse = %+v, want %+v", got.Sparse, wantSparse)
	}
	n := math.Sqrt(1 + 0.25 + 0.0625)
	want := []float32{float32(1 / n), float32(0.5 / n), float32(0.25 / n)}
	for i := range want {
		if math.Abs(float64(got.Dense[i]-want[i])) > 1e-6 {
			t.Fatalf("dense = %v, want %v", got.Dense, want)
		}
	}
	if !slices.Equal(fe.texts, []string{"q", "e1", "e2"}) {
		t.Errorf("embedded %q, want the question then each expansion", fe.texts)
	}

	// By default expansions weigh DefaultExpansionWeight times their own
	// weight, and a negative ExpansionWeight drops them.
	got, err = New(&fakeIndex{}, fe, Options{DenseWeight: 1}).queryVectors(context.Background(), "q", exps)
	if err != nil {
		t.Fatal(err)
	}
	d := float32(DefaultExpansionWeight)
	wantSparse = sp([]uint32{1, 2, 3, 4}, []float32{1, 2 + 0.5*d, 0.5 * d, 0.5 * d})
	if !reflect.DeepEqual(got.Sparse, wantSparse) {
		t.Errorf("default expansion weight: sparse = %+v, want %+v", got.Sparse, wantSparse)
	}
	got, err = New(&fakeIndex{}, fe, Options{DenseWeight: 1, ExpansionWeight: -1}).queryVectors(context.Background(), "q", exps)
	if err != nil || !reflect.DeepEqual(got.Sparse, fe.vecs["q"].Sparse) {
		t.Errorf("ExpansionWeight -1: sparse = %+v, %v; want the question's own", got.Sparse, err)
	}

	// A negative DenseWeight leaves the dense vector out; the default
	// keeps it.
	got, err = New(&fakeIndex{}, fe, Options{DenseWeight: -1}).queryVectors(context.Background(), "q", exps)
	if err != nil || got.Dense != nil || len(got.Sparse.Indices) != 4 {
		t.Errorf("DenseWeight -1: vectors = %+v, %v; want no dense and the merged sparse", got, err)
	}
	got, err = New(&fakeIndex{}, fe, Options{}).queryVectors(context.Background(), "q", exps)
	if err != nil || got.Dense == nil {
		t.Errorf("default options: vectors = %+v, %v; want a dense part", got, err)
	}
}

func TestDenseWeight(t *testing.T) {
	ix := newFakeIndex(t, corpus())
	ctx := context.Background()
	req := Request{Text: "逾期罚息怎么计算", Limit: 5}
	const dw = 0.05
	s := New(ix, testEmbedder(t), Options{Candidates: 20, MMRLambda: 1, DenseWeight: dw})
	hits, err := s.Search(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if ix.last.DenseWeight != dw || ix.last.Candidates != 20 {
		t.Errorf("index got DenseWeight %v Candidates %d, want %v and 20", ix.last.DenseWeight, ix.last.Candidates, dw)
	}
	for i, h := range hits {
		want := 0.0
		if h.SparseRank > 0 {
			want += 1 / float64(knowledge.RRFK+h.SparseRank)
		}
		if h.DenseRank > 0 {
			want += dw / float64(knowledge.RRFK+h.DenseRank)
		}
		if math.Abs(h.Score-want) > 1e-12 {
			t.Errorf("hit %s score %v, want %v from its ranks", h.Item.ID, h.Score, want)
		}
		if i > 0 && h.Score > hits[i-1].Score {
			t.Errorf("hits not in score order: %v", ids(hits))
		}
	}

	if _, err := New(ix, testEmbedder(t), Options{DenseWeight: -1}).Search(ctx, req); err != nil {
		t.Fatal(err)
	}
	if ix.last.Vectors.Dense != nil || len(ix.last.Vectors.Sparse.Indices) == 0 {
		t.Errorf("DenseWeight -1 sent dense %v and %d sparse terms; want sparse only", ix.last.Vectors.Dense != nil, len(ix.last.Vectors.Sparse.Indices))
	}
}

func TestSearchKindWeights(t *testing.T) {
	ix := newFakeIndex(t, lawCorpus())
	ctx := context.Background()
	req := Request{Text: "提前还款违约金", Limit: 4}
	plain, err := New(ix, testEmbedder(t), Options{MMRLambda: 1}).Search(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	weights := understand.KindWeights(understand.TypeRule)
	u := fixedUnderstander{understand.Understanding{Type: understand.TypeRule, KindWeights: weights}}
	hits, err := New(ix, testEmbedder(t), Options{MMRLambda: 1, Understander: u}).Search(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("without kind weights %q, with %q", ids(plain), ids(hits))
	for i, h := range hits {
		if i > 0 && h.Score > hits[i-1].Score {
			t.Errorf("hits not in score order: %q", ids(hits))
		}
	}
	if plain[0].Item.Kind == knowledge.KindRule {
		t.Fatalf("the fixture's top hit %s is already a rule; it no longer tests the prior", plain[0].Item.ID)
	}
	if hits[0].Item.Kind != knowledge.KindRule {
		t.Errorf("with the rule prior the top hit is %s (%s), want a rule", hits[0].Item.ID, hits[0].Item.Kind)
	}
}

func TestSearchLookup(t *testing.T) {
	ix := newFakeIndex(t, lawCorpus())
	s := New(ix, testEmbedder(t), Options{Understander: understander(t)})
	tests := []struct {
		name   string
		req    Request
		first  string // "" when no exact hit may lead
		others []string
	}{
		{"title and article", Request{Text: "商业银行法第三十条是怎么规定的"}, "bank-30", nil},
		{"arabic numerals, short title", Request{Text: "商业银行法第30条"}, "bank-30", nil},
		{"document number and article", Request{Text: "安和消金发[2026]12号第12条"}, "loan-12", nil},
		{"document number alone", Request{Text: "安和消金发〔2026〕12号讲了什么"}, "loan-12", nil},
		{"article alone promotes the pool's match", Request{Text: "第二十一条 逾期利息"}, "loan-21", nil},
		{"kinds without rules", Request{Text: "商业银行法第三十条", Filter: knowledge.Filter{Kinds: []knowledge.Kind{knowledge.KindFAQ}}}, "", nil},
		{"unknown document", Request{Text: "保险法第三十条"}, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hits, err := s.Search(context.Background(), tt.req)
			if err != nil {
				t.Fatalf("Search: %v", err)
			}
			if tt.first == "" {
				for _, h := range hits {
					if h.Score >= 1 {
						t.Errorf("hit %s scores %v as an exact match; want none", h.Item.ID, h.Score)
					}
				}
				return
			}
			if len(hits) == 0 || hits[0].Item.ID != tt.first || hits[0].Score < 1 {
				t.Fatalf("hits %q, want %s first as an exact match (score >= 1)", ids(hits), tt.first)
			}
			for _, h := range hits[1:] {
				if h.Item.ID == tt.first {
					t.Errorf("exact hit %s appears twice", tt.first)
				}
				if h.Score >= 1 {
					t.Errorf("hit %s scores %v as an exact match too", h.Item.ID, h.Score)
				}
			}
		})
	}
}

func TestPutFirst(t *testing.T) {
	h := func(id string) knowledge.Hit { return knowledge.Hit{Item: knowledge.Item{ID: id}} }
	tests := []struct {
		exact, hits []knowledge.Hit
		limit       int
		want        []string
	}{
		{nil, []knowledge.Hit{h("a"), h("b")}, 2, []string{"a", "b"}},
		{[]knowledge.Hit{h("b")}, []knowledge.Hit{h("a"), h("b")}, 2, []string{"b", "a"}},
		{[]knowledge.Hit{h("c")}, []knowledge.Hit{h("a"), h("b")}, 2, []string{"c", "a"}},
		{[]knowledge.Hit{h("c"), h("d"), h("e")}, []knowledge.Hit{h("a")}, 2, []string{"c", "d"}},
	}
	for i, tt := range tests {
		if got := ids(putFirst(tt.exact, tt.hits, tt.limit)); !slices.Equal(got, tt.want) {
			t.Errorf("case %d: putFirst = %q, want %q", i, got, tt.want)
		}
	}
}

// reverser is a fake Reranker that reverses the pool, or fails.
type reverser struct {
	err   error
	query string
	got   int
}

func (r *reverser) Rerank(_ context.Context, q string, hits []knowledge.Hit) ([]knowledge.Hit, error) {
	r.query, r.got = q, len(hits)
	if r.err != nil {
		return nil, r.err
	}
	out := slices.Clone(hits)
	slices.Reverse(out)
	for i := range out {
		out[i].Score = float64(len(out) - i)
	}
	return out, nil
}

func TestSearchReranker(t *testing.T) {
	ix := newFakeIndex(t, lawCorpus())
	ctx := context.Background()
	req := Request{Text: " 逾期 还款 ", Limit: 3}
	plain, err := New(ix, testEmbedder(t), Options{MMRLambda: 1}).Search(ctx, Request{Text: req.Text, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	rr := &reverser{}
	hits, err := New(ix, testEmbedder(t), Options{MMRLambda: 1, Reranker: rr}).Search(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if rr.query != "逾期 还款" || rr.got < 3 {
		t.Errorf("reranker got query %q and %d hits, want the trimmed question and the pool", rr.query, rr.got)
	}
	want := ids(plain)
	slices.Reverse(want)
	if got := ids(hits); !slices.Equal(got, want[:3]) {
		t.Errorf("with the reversing reranker got %q, want %q", got, want[:3])
	}

	// A failing reranker leaves the fused order.
	broken := &reverser{err: errors.New("rerank endpoint down")}
	hits, err = New(ix, testEmbedder(t), Options{MMRLambda: 1, Reranker: broken}).Search(ctx, req)
	if err != nil {
		t.Fatalf("a failing reranker failed the search: %v", err)
	}
	if got := ids(hits); !slices.Equal(got, ids(plain)[:3]) {
		t.Errorf("with a failing reranker got %q, want the fused order %q", got, ids(plain)[:3])
	}
}

// TestRequestUnderstanding: a question the caller already analysed is not
// analysed again, and its analysis decides the search.
func TestRequestUnderstanding(t *testing.T) {
	ix := newFakeIndex(t, lawCorpus())
	ctx := context.Background()
	rule := understand.Understanding{Type: understand.TypeRule, KindWeights: understand.KindWeights(understand.TypeRule)}
	given, err := New(ix, testEmbedder(t), Options{MMRLambda: 1, Understander: panicUnderstander{}}).
		Search(ctx, Request{Text: "提前还款违约金", Limit: 4, Understanding: &rule})
	if err != nil {
		t.Fatal(err)
	}
	own, err := New(ix, testEmbedder(t), Options{MMRLambda: 1, Understander: fixedUnderstander{rule}}).
		Search(ctx, Request{Text: "提前还款违约金", Limit: 4})
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(ids(given)) != fmt.Sprint(ids(own)) {
		t.Errorf("with the caller's understanding %q, with the searcher's %q", ids(given), ids(own))
	}
}

// panicUnderstander fails a test that analyses a question it was given.
type panicUnderstander struct{}

func (panicUnderstander) Understand(string) understand.Understanding {
	panic("the question was analysed again")
}
