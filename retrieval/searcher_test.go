package retrieval

import (
	"context"
	"errors"
	"math"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
	"unicode"

	"github.com/lorehq/lore/knowledge"
	"github.com/lorehq/lore/retrieval/embed"
	"github.com/lorehq/lore/retrieval/segment"
)

var (
	embOnce sync.Once
	emb     *embed.Offline
	testSeg *segment.Segmenter
	embErr  error
)

// testEmbedder returns the offline embedder shared by the tests of this
// binary; loading the segmenter takes about a second.
func testEmbedder(t *testing.T) *embed.Offline {
	t.Helper()
	embOnce.Do(func() {
		if testSeg, embErr = segment.New(); embErr == nil {
			emb = embed.NewOffline(testSeg, embed.DefaultDim)
		}
	})
	if embErr != nil {
		t.Fatalf("segment.New: %v", embErr)
	}
	return emb
}

// fakeIndex is a test fake of a store's Search: a brute-force in-memory
// index ranking every item passing the filter by IDF-weighted sparse dot
// product and by dense dot product, fused by reciprocal rank as the
// knowledge.Store contract says. It records the last query.
type fakeIndex struct {
	recs []knowledge.Record
	last knowledge.Query
	n    int // calls
	err  error
}

func newFakeIndex(t *testing.T, items []knowledge.Item) *fakeIndex {
	t.Helper()
	vecs, err := testEmbedder(t).EmbedItems(context.Background(), items)
	if err != nil {
		t.Fatalf("EmbedItems: %v", err)
	}
	ix := &fakeIndex{}
	for i, it := range items {
		ix.recs = append(ix.recs, knowledge.Record{Item: it, Vectors: vecs[i]})
	}
	return ix
}

func (ix *fakeIndex) Search(_ context.Context, q knowledge.Query) ([]knowledge.Hit, error) {
	ix.last, ix.n = q, ix.n+1
	if ix.err != nil {
		return nil, ix.err
	}
	limit, cands := q.Limit, q.Candidates
	if limit <= 0 {
		limit = 10
	}
	if cands <= 0 {
		cands = max(4*limit, 50)
	}
	df := map[uint32]int{}
	for _, r := range ix.recs {
		for _, i := range r.Vectors.Sparse.Indices {
			df[i]++
		}
	}
	n := float64(len(ix.recs))
	type scored struct {
		rec    *knowledge.Record
		sp, dn float64
	}
	var pass []scored
	for i := range ix.recs {
		r := &ix.recs[i]
		if !q.Filter.Match(&r.Item) {
			continue
		}
		s := scored{rec: r}
		for a, idx := range q.Vectors.Sparse.Indices {
			for b, jdx := range r.Vectors.Sparse.Indices {
				if idx == jdx {
					d := float64(df[idx])
					s.sp += float64(q.Vectors.Sparse.Values[a]) * float64(r.Vectors.Sparse.Values[b]) * math.Log(1+(n-d+0.5)/(d+0.5))
				}
			}
		}
		for k := range q.Vectors.Dense {
			s.dn += float64(q.Vectors.Dense[k]) * float64(r.Vectors.Dense[k])
		}
		pass = append(pass, s)
	}
	hits := map[string]*knowledge.Hit{}
	dw := q.DenseWeight
	if dw <= 0 {
		dw = 1
	}
	rankBy := func(weight float64, score func(scored) float64, eligible func(scored) bool, set func(h *knowledge.Hit, rank int, score float64)) {
		var list []scored
		for _, s := range pass {
			if eligible(s) {
				list = append(list, s)
			}
		}
		sort.SliceStable(list, func(a, b int) bool {
			if score(list[a]) != score(list[b]) {
				return score(list[a]) > score(list[b])
			}
			return list[a].rec.Item.ID < list[b].rec.Item.ID
		})
		for r, s := range list[:min(len(list), cands)] {
			h := hits[s.rec.Item.ID]
			if h == nil {
				h = &knowledge.Hit{Item: s.rec.Item}
				hits[s.rec.Item.ID] = h
			}
			h.Score += weight / float64(knowledge.RRFK+r+1)
			set(h, r+1, score(s))
		}
	}
	rankBy(1, func(s scored) float64 { return s.sp }, func(s scored) bool { return s.sp > 0 },
		func(h *knowledge.Hit, r int, sc float64) { h.SparseRank, h.SparseScore = r, sc })
	if len(q.Vectors.Dense) > 0 {
		rankBy(dw, func(s scored) float64 { return s.dn }, func(scored) bool { return true },
			func(h *knowledge.Hit, r int, sc float64) { h.DenseRank, h.DenseScore = r, sc })
	}
	out := make([]knowledge.Hit, 0, len(hits))
	for _, h := range hits {
		out = append(out, *h)
	}
	sort.Slice(out, func(a, b int) bool {
		if out[a].Score != out[b].Score {
			return out[a].Score > out[b].Score
		}
		return out[a].Item.ID < out[b].Item.ID
	})
	return out[:min(len(out), limit)], nil
}

func item(id string, kind knowledge.Kind, space, title, body string) knowledge.Item {
	return knowledge.Item{ID: id, Kind: kind, Space: space, Title: title, Body: body, Status: knowledge.StatusApproved,
		Provenance: []knowledge.Provenance{{Source: id + ".md"}}}
}

// corpus holds three near-identical copies of one penalty clause (two
// versions of a regulation and an FAQ quoting it) among other items.
func corpus() []knowledge.Item {
	const clause = "借款人未按期足额还款的，自逾期之日起按日计收罚息，罚息利率为借款合同约定利率上浮百分之五十，罚息不计复利。"
	return []knowledge.Item{
		item("dup-2023", knowledge.KindRule, "rules", "第十二条 逾期罚息", clause),
		item("dup-2024", knowledge.KindRule, "rules", "第十二条 逾期罚息", clause+"本条自发布之日起施行。"),
		item("dup-faq", knowledge.KindFAQ, "faq", "逾期罚息怎么算", "根据管理办法："+clause),
		item("fee-waiver", knowledge.KindFAQ, "faq", "罚息减免",
			"客户因疾病、失业等原因逾期的，可以申请减免部分罚息，须提供证明材料，减免金额不超过罚息总额的一半。"),
		item("overdue-credit", knowledge.KindPassage, "rules", "逾期与征信",
			"逾期超过九十天的贷款记录将报送征信系统，罚息和本金结清后不良记录保存五年。"),
		item("collect", knowledge.KindRule, "rules", "第二十条 催收行为规范",
			"催收人员不得采用暴力、威胁等手段催收，不得向无关第三方透露借款人的逾期信息。"),
		item("install", knowledge.KindFAQ, "faq", "账单分期", "账单分期可选三期、六期、十二期，分期后不可取消。"),
		item("prepay", knowledge.KindFAQ, "faq", "提前还款", "借款满三个月后提前还款不收取违约金。"),
		item("english", knowledge.KindPassage, "rules", "Late payment interest",
			"Penalty interest on overdue loans accrues daily at the contract rate plus fifty percent; it does not compound."),
	}
}

func ids(hits []knowledge.Hit) []string {
	out := make([]string, len(hits))
	for i, h := range hits {
		out[i] = h.Item.ID
	}
	return out
}

func countPrefix(ss []string, prefix string) int {
	n := 0
	for _, s := range ss {
		if strings.HasPrefix(s, prefix) {
			n++
		}
	}
	return n
}

func TestSearchDiversifies(t *testing.T) {
	ix := newFakeIndex(t, corpus())
	ctx := context.Background()
	req := Request{Text: "逾期罚息怎么计算", Limit: 3}

	// DenseWeight 1 keeps the index's own fusion, whose scores are checked below.
	plain, err := New(ix, testEmbedder(t), Options{MMRLambda: 1, DenseWeight: 1}).Search(ctx, req)
	if err != nil {
		t.Fatalf("Search without MMR: %v", err)
	}
	if got := countPrefix(ids(plain), "dup-"); got < 2 {
		t.Fatalf("without MMR the top 3 %q hold %d copies of the clause; the fixture needs at least 2 to test MMR", ids(plain), got)
	}

	hits, err := New(ix, testEmbedder(t), Options{DenseWeight: 1}).Search(ctx, req)
	if err != nil {
		t.Fatalf("Search: %v", err)
	}
	got := ids(hits)
	t.Logf("fused top 3 %q, with MMR %q", ids(plain), got)
	if len(got) != 3 {
		t.Fatalf("Search returned %q, want 3 hits", got)
	}
	if !strings.HasPrefix(got[0], "dup-") || got[0] != plain[0].Item.ID {
		t.Errorf("first hit %s, want the top fused hit %s", got[0], plain[0].Item.ID)
	}
	if n := countPrefix(got, "dup-"); n != 1 {
		t.Errorf("with MMR the hits %q hold %d copies of the clause, want 1", got, n)
	}
	// Scores stay the index's fused scores.
	fused := map[string]float64{}
	all, err := ix.Search(ctx, knowledge.Query{Vectors: ix.last.Vectors, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range all {
		fused[h.Item.ID] = h.Score
	}
	for _, h := range hits {
		if h.Score != fused[h.Item.ID] || h.Score <= 0 {
			t.Errorf("hit %s score %v, want the fused %v", h.Item.ID, h.Score, fused[h.Item.ID])
		}
	}
}

func TestSearchPassesFilterAndSizes(t *testing.T) {
	ix := newFakeIndex(t, corpus())
	s := New(ix, testEmbedder(t), Options{Candidates: 40, Limit: 4, DenseWeight: 1})
	tests := []struct {
		name     string
		req      Request
		wantPool int
		wantMax  int
		check    func(h knowledge.Hit) bool
	}{
		{"kind filter", Request{Text: "罚息", Filter: knowledge.Filter{Kinds: []knowledge.Kind{knowledge.KindFAQ}}, Limit: 2},
			30, 2, func(h knowledge.Hit) bool { return h.Item.Kind == knowledge.KindFAQ }},
		{"space filter, default limit", Request{Text: "逾期 罚息", Filter: knowledge.Filter{Spaces: []string{"rules"}}},
			30, 4, func(h knowledge.Hit) bool { return h.Item.Space == "rules" }},
		{"large limit widens the pool", Request{Text: "penalty interest overdue", Limit: 20},
			60, 20, func(knowledge.Hit) bool { return true }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hits, err := s.Search(context.Background(), tt.req)
			if err != nil {
				t.Fatalf("Search: %v", err)
			}
			if !reflect.DeepEqual(ix.last.Filter, tt.req.Filter) {
				t.Errorf("index got filter %+v, want %+v", ix.last.Filter, tt.req.Filter)
			}
			if ix.last.Limit != tt.wantPool || ix.last.Candidates != 40 {
				t.Errorf("index got Limit %d Candidates %d, want %d and 40", ix.last.Limit, ix.last.Candidates, tt.wantPool)
			}
			if len(hits) == 0 || len(hits) > tt.wantMax {
				t.Errorf("got %d hits, want 1..%d", len(hits), tt.wantMax)
			}
			for _, h := range hits {
				if !tt.check(h) {
					t.Errorf("hit %s (%s, %s) does not pass the filter", h.Item.ID, h.Item.Kind, h.Item.Space)
				}
			}
		})
	}
}

func TestSearchEnglish(t *testing.T) {
	ix := newFakeIndex(t, corpus())
	hits, err := New(ix, testEmbedder(t), Options{}).Search(context.Background(), Request{Text: "Does overdue penalty interest compound?", Limit: 1})
	if err != nil {
		t.Fatalf("Search: %v", err)
	}
	if len(hits) != 1 || hits[0].Item.ID != "english" {
		t.Errorf("got %q, want [english]", ids(hits))
	}
}

// isBilingual reports whether msg has both Han and Latin letters.
func isBilingual(msg string) bool {
	han, latin := false, false
	for _, r := range msg {
		han = han || unicode.Is(unicode.Han, r)
		latin = latin || ('a' <= r && r <= 'z')
	}
	return han && latin
}

func TestSearchValidation(t *testing.T) {
	ix := newFakeIndex(t, corpus()[:2])
	s := New(ix, testEmbedder(t), Options{})
	long := strings.Repeat("逾", MaxQueryChars)
	tests := []struct {
		name string
		req  Request
		ok   bool
	}{
		{"empty", Request{Text: ""}, false},
		{"white space", Request{Text: " \u3000\n"}, false},
		{"too long", Request{Text: long + "期"}, false},
		{"longest allowed", Request{Text: " " + long + " "}, true},
		{"negative limit", Request{Text: "罚息", Limit: -1}, false},
		{"limit too large", Request{Text: "罚息", Limit: MaxLimit + 1}, false},
		{"largest limit", Request{Text: "罚息", Limit: MaxLimit}, true},
		{"unknown kind", Request{Text: "罚息", Filter: knowledge.Filter{Kinds: []knowledge.Kind{"memo"}}}, false},
		{"unknown status", Request{Text: "罚息", Filter: knowledge.Filter{Statuses: []knowledge.Status{"gone"}}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := ix.n
			_, err := s.Search(context.Background(), tt.req)
			if tt.ok {
				if err != nil {
					t.Errorf("Search: %v, want no error", err)
				}
				return
			}
			if code := knowledge.ErrorCode(err); code != knowledge.Invalid {
				t.Fatalf("Search error %v has code %q, want %q", err, code, knowledge.Invalid)
			}
			if msg := knowledge.ErrorMessage(err); !isBilingual(msg) {
				t.Errorf("message %q is not in Chinese and English", msg)
			}
			if ix.n != before {
				t.Error("an invalid request reached the index")
			}
		})
	}
}

// failingEmbedder is a QueryEmbedder that always fails.
type failingEmbedder struct{ err error }

func (f failingEmbedder) EmbedQuery(context.Context, string) (knowledge.Vectors, error) {
	return knowledge.Vectors{}, f.err
}

func TestSearchErrors(t *testing.T) {
	down := knowledge.Errorf(knowledge.Unavailable, "test", "embedding endpoint timed out")
	ix := newFakeIndex(t, corpus()[:2])
	_, err := New(ix, failingEmbedder{down}, Options{}).Search(context.Background(), Request{Text: "罚息"})
	if !errors.Is(err, down) || knowledge.ErrorCode(err) != knowledge.Unavailable {
		t.Errorf("embedder failure gave %v, want it wrapped with code unavailable", err)
	}

	ix.err = knowledge.Errorf(knowledge.Unavailable, "test", "store closed")
	_, err = New(ix, testEmbedder(t), Options{}).Search(context.Background(), Request{Text: "罚息"})
	if !errors.Is(err, ix.err) {
		t.Errorf("index failure gave %v, want it wrapped", err)
	}
}

func TestSearchNoTerms(t *testing.T) {
	ix := newFakeIndex(t, corpus())
	hits, err := New(ix, testEmbedder(t), Options{}).Search(context.Background(), Request{Text: "？！……"})
	if err != nil || hits == nil || len(hits) != 0 {
		t.Errorf("Search(punctuation) = %v, %v; want no hits and no error", hits, err)
	}
	if ix.n != 0 {
		t.Errorf("a query without terms reached the index")
	}
}

func TestDiversify(t *testing.T) {
	h := func(id string, score float64, body string) knowledge.Hit {
		return knowledge.Hit{Item: knowledge.Item{ID: id, Body: body}, Score: score}
	}
	a := "客户逾期后坐席应当先核实身份再告知欠款金额"
	hits := []knowledge.Hit{
		h("a1", 0.033, a),
		h("a2", 0.032, a),
		h("b", 0.030, "提前还款不收取违约金"),
		h("c", 0.028, "Installment plans can not be cancelled"),
		h("d", 0.016, "征信异议申请须在十五日内答复"),
	}
	tests := []struct {
		name   string
		limit  int
		lambda float64
		want   []string
	}{
		{"duplicate yields its place", 3, 0.7, []string{"a1", "b", "c"}},
		{"lambda 1 keeps fused order", 3, 1, []string{"a1", "a2", "b"}},
		{"limit 1 is the top hit", 1, 0.7, []string{"a1"}},
		// a2 still beats d, whose fused score is the pool's lowest.
		{"limit above pool", 10, 0.7, []string{"a1", "b", "c", "a2", "d"}},
		{"empty pool", 3, 0.7, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := hits
			if len(tt.want) == 0 {
				in = nil
			}
			if got := ids(diversify(in, tt.limit, tt.lambda)); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("diversify = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestJaccard(t *testing.T) {
	x := shingles(&knowledge.Item{Body: "逾期罚息按日计收"})
	y := shingles(&knowledge.Item{Body: "逾期罚息按日计收。"})
	z := shingles(&knowledge.Item{Body: "Early repayment is free"})
	tests := []struct {
		a, b []uint64
		want float64
	}{
		{x, y, 1},
		{x, z, 0},
		{nil, nil, 0},
		{z, z, 1},
	}
	for i, tt := range tests {
		if got := jaccard(tt.a, tt.b); got != tt.want {
			t.Errorf("case %d: jaccard = %v, want %v", i, got, tt.want)
		}
	}
}

// BenchmarkDiversify picks 10 hits from a pool of 30 passages, the default
// sizes.
func BenchmarkDiversify(b *testing.B) {
	docs := corpus()
	pool := make([]knowledge.Hit, 30)
	for i := range pool {
		d := docs[i%len(docs)]
		d.ID = d.ID + "-" + string(rune('a'+i))
		pool[i] = knowledge.Hit{Item: d, Score: 1 / float64(knowledge.RRFK+i+1)}
	}
	for b.Loop() {
		diversify(pool, 10, DefaultMMRLambda)
	}
}
