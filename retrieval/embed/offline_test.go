package embed

import (
	"context"
	"errors"
	"math"
	"reflect"
	"strconv"
	"sync"
	"testing"

	"github.com/lorehq/lore/knowledge"
	"github.com/lorehq/lore/retrieval/segment"
)

var (
	segOnce sync.Once
	seg     *segment.Segmenter
	segErr  error
)

// testSegmenter returns the Segmenter shared by the tests of this binary.
func testSegmenter(tb testing.TB) *segment.Segmenter {
	tb.Helper()
	segOnce.Do(func() { seg, segErr = segment.New() })
	if segErr != nil {
		tb.Fatalf("segment.New: %v", segErr)
	}
	return seg
}

// corpus is a small knowledge base of the home domain, one topic per item.
var corpus = []knowledge.Item{
	{ID: "penalty", Kind: knowledge.KindRule, Title: "第十二条 逾期罚息",
		Body: "借款人未按期足额还款的，自逾期之日起按日计收罚息，罚息利率为借款合同约定利率上浮百分之五十。罚息不计复利。",
		Rule: &knowledge.Rule{DocTitle: "个人消费贷款管理办法", Article: "第十二条"}},
	{ID: "prepay", Kind: knowledge.KindFAQ, Title: "提前还款是否收取违约金",
		Body: "借款满三个月后申请提前还款的，不收取违约金；未满三个月提前结清的，按剩余本金的百分之一收取手续费。",
		FAQ:  &knowledge.FAQ{Question: "提前还款要不要违约金？", Variants: []string{"提前结清有手续费吗"}}},
	{ID: "collect", Kind: knowledge.KindRule, Title: "第二十条 催收行为规范",
		Body: "催收人员不得采用暴力、威胁、恐吓等手段催收，不得向借款人的亲友、同事等无关第三方透露借款人的债务信息。",
		Rule: &knowledge.Rule{DocTitle: "贷后催收管理规定", Article: "第二十条"}},
	{ID: "credit", Kind: knowledge.KindPassage, Title: "征信报送",
		Body: "贷款逾期记录将按规定报送中国人民银行征信中心，不良记录自结清之日起保存五年，可能影响今后申请信用卡和房贷。"},
	{ID: "install", Kind: knowledge.KindFAQ, Title: "账单分期",
		Body: "账单分期可选三期、六期、十二期，每期手续费率分别为百分之零点七五、百分之零点七、百分之零点六五，分期后不可取消。"},
	{ID: "health", Kind: knowledge.KindScript, Title: "客户因健康原因无法还款",
		Body:   "客户表示因住院治疗暂时无法还款时，先表达关心，询问健康状况，再说明可以申请延期还款，并告知需要提供的病历材料。",
		Script: &knowledge.Script{Intent: "困难还款", CustomerState: "anxiety"}},
	{ID: "english", Kind: knowledge.KindPassage, Title: "Early repayment",
		Body: "Borrowers may repay the loan early at any time. No prepayment penalty applies after the third month; before that a fee of one percent of the outstanding principal is charged."},
	{ID: "identity", Kind: knowledge.KindProcedure, Title: "身份核验",
		Body:      "坐席在办理业务前须核实客户身份，核对姓名、身份证号后四位和预留手机号，核验不通过的不得透露账户信息。",
		Procedure: &knowledge.Procedure{CaseType: "身份核验"}},
}

func embedCorpus(t *testing.T, o *Offline) []knowledge.Vectors {
	t.Helper()
	vecs, err := o.EmbedItems(context.Background(), corpus)
	if err != nil {
		t.Fatalf("EmbedItems: %v", err)
	}
	if len(vecs) != len(corpus) {
		t.Fatalf("EmbedItems returned %d vectors for %d items", len(vecs), len(corpus))
	}
	return vecs
}

// idf is the IDF Qdrant's modifier uses, computed over vecs.
func idf(vecs []knowledge.Vectors) map[uint32]float64 {
	df := map[uint32]int{}
	for _, v := range vecs {
		for _, i := range v.Sparse.Indices {
			df[i]++
		}
	}
	n := float64(len(vecs))
	out := map[uint32]float64{}
	for i, d := range df {
		out[i] = math.Log(1 + (n-float64(d)+0.5)/(float64(d)+0.5))
	}
	return out
}

func sparseScore(q, d knowledge.Sparse, idf map[uint32]float64) float64 {
	var s float64
	for a, b := 0, 0; a < len(q.Indices) && b < len(d.Indices); {
		switch {
		case q.Indices[a] < d.Indices[b]:
			a++
		case q.Indices[a] > d.Indices[b]:
			b++
		default:
			s += float64(q.Values[a]) * float64(d.Values[b]) * idf[q.Indices[a]]
			a++
			b++
		}
	}
	return s
}

func dot(a, b []float32) float64 {
	var s float64
	for i := range a {
		s += float64(a[i]) * float64(b[i])
	}
	return s
}

// TestRanking checks that the item on a question's topic outranks every
// other item by the sparse vector, and is among the top two by the dense
// vector alone: hashed n-grams are the fuzzy half of hybrid search, and
// collisions may reorder close candidates; fusion with the sparse ranking
// settles those.
func TestRanking(t *testing.T) {
	o := NewOffline(testSegmenter(t), DefaultDim)
	vecs := embedCorpus(t, o)
	weights := idf(vecs)
	tests := []struct {
		query, want string
	}{
		{"逾期罚息怎么计算？", "penalty"},
		{"提前还款有违约金吗", "prepay"},
		{"催收的人能不能联系我的同事", "collect"},
		{"貸款逾期會影響徵信嗎", "credit"},
		{"分期手续费是多少", "install"},
		{"客户说身体不健康住院了还不上钱", "health"},
		{"Is there a penalty for early repayment?", "english"},
		{"怎么核实客户身份", "identity"},
		{"罚息算不算复利", "penalty"},
		{"结清以后不良记录保存多久", "credit"},
		{"分期能取消吗", "install"},
		{"催收能威胁我吗", "collect"},
		{"生病住院了能延期还款吗", "health"},
		{"办理业务要核对手机号吗", "identity"},
		{"满三个月提前结清收手续费吗", "prepay"},
		{"fee for repaying principal early", "english"},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			q, err := o.EmbedQuery(context.Background(), tt.query)
			if err != nil {
				t.Fatalf("EmbedQuery: %v", err)
			}
			sparse := make([]float64, len(vecs))
			dense := make([]float64, len(vecs))
			want := -1
			for i, v := range vecs {
				sparse[i] = sparseScore(q.Sparse, v.Sparse, weights)
				dense[i] = dot(q.Dense, v.Dense)
				if corpus[i].ID == tt.want {
					want = i
				}
			}
			if r := rank(sparse, want); r != 1 {
				t.Errorf("sparse ranks %s at %d (%.3f), want 1; scores %.3f", tt.want, r, sparse[want], sparse)
			}
			if r := rank(dense, want); r > 2 {
				t.Errorf("dense ranks %s at %d (%.3f), want 1 or 2; scores %.3f", tt.want, r, dense[want], dense)
			}
		})
	}
}

// rank returns the 1-based rank of scores[i], ties counting against it.
func rank(scores []float64, i int) int {
	r := 1
	for j, s := range scores {
		if j != i && s >= scores[i] {
			r++
		}
	}
	return r
}

func TestVectorShape(t *testing.T) {
	s := testSegmenter(t)
	empty := knowledge.Item{ID: "empty", Body: "。！？……", Title: " "}
	for _, dim := range []int{8, 64, 256, 0} {
		o := NewOffline(s, dim)
		want := dim
		if dim == 0 {
			want = DefaultDim
		}
		if o.Dim() != want {
			t.Errorf("NewOffline(_, %d).Dim() = %d, want %d", dim, o.Dim(), want)
		}
		vecs, err := o.EmbedItems(context.Background(), append(append([]knowledge.Item{}, corpus...), empty))
		if err != nil {
			t.Fatalf("EmbedItems: %v", err)
		}
		for i, v := range vecs {
			if len(v.Dense) != want {
				t.Fatalf("dim %d: item %d dense length %d", dim, i, len(v.Dense))
			}
			norm := math.Sqrt(dot(v.Dense, v.Dense))
			isEmpty := i == len(vecs)-1
			if isEmpty && (norm != 0 || len(v.Sparse.Indices) != 0) {
				t.Errorf("dim %d: empty item has norm %v and %d sparse terms, want zero", dim, norm, len(v.Sparse.Indices))
			}
			if !isEmpty && math.Abs(norm-1) > 1e-5 {
				t.Errorf("dim %d: item %d dense norm %v, want 1", dim, i, norm)
			}
			checkSparse(t, v.Sparse)
		}
		q, err := o.EmbedQuery(context.Background(), "？！…… the")
		if err != nil {
			t.Fatalf("EmbedQuery: %v", err)
		}
		if len(q.Sparse.Indices) != 0 || len(q.Dense) != want || dot(q.Dense, q.Dense) != 0 {
			t.Errorf("query without terms: %d sparse terms, dense length %d, norm² %v; want 0, %d, 0",
				len(q.Sparse.Indices), len(q.Dense), dot(q.Dense, q.Dense), want)
		}
	}
}

// checkSparse checks that indices are strictly ascending and weights positive.
func checkSparse(t *testing.T, sp knowledge.Sparse) {
	t.Helper()
	if len(sp.Indices) != len(sp.Values) {
		t.Fatalf("sparse has %d indices and %d values", len(sp.Indices), len(sp.Values))
	}
	for i := range sp.Indices {
		if i > 0 && sp.Indices[i] <= sp.Indices[i-1] {
			t.Fatalf("sparse indices not strictly ascending at %d: %d after %d", i, sp.Indices[i], sp.Indices[i-1])
		}
		if !(sp.Values[i] > 0) {
			t.Fatalf("sparse value %d is %v, want > 0", i, sp.Values[i])
		}
	}
}

func TestDeterministic(t *testing.T) {
	s := testSegmenter(t)
	a, err := NewOffline(s, 128).EmbedItems(context.Background(), corpus)
	if err != nil {
		t.Fatal(err)
	}
	b, err := NewOffline(s, 128).EmbedItems(context.Background(), corpus)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a, b) {
		t.Error("two embedders gave different vectors for the same items")
	}
	// The order of items in a batch does not change an item's vectors.
	rev := make([]knowledge.Item, len(corpus))
	for i := range corpus {
		rev[len(corpus)-1-i] = corpus[i]
	}
	c, err := NewOffline(s, 128).EmbedItems(context.Background(), rev)
	if err != nil {
		t.Fatal(err)
	}
	for i := range corpus {
		if !reflect.DeepEqual(a[i], c[len(corpus)-1-i]) {
			t.Errorf("item %s: vectors depend on batch order", corpus[i].ID)
		}
	}
}

// weightOf returns the sparse weight of a word term, 0 when absent.
func weightOf(sp knowledge.Sparse, word string) float32 {
	idx := hash32(prefixWord, word)
	for i, v := range sp.Indices {
		if v == idx {
			return sp.Values[i]
		}
	}
	return 0
}

func TestSparseWeights(t *testing.T) {
	o := NewOffline(testSegmenter(t), 64)
	filler := "客户来电咨询账户情况，坐席已记录。"
	items := []knowledge.Item{
		{ID: "none", Body: filler},
		{ID: "body1", Body: filler + "涉及展期。"},
		{ID: "title", Title: "展期", Body: filler},
		{ID: "body3", Body: filler + "展期申请，展期审批，展期到账。"},
		{ID: "heading", Body: filler, Provenance: []knowledge.Provenance{{Source: "a.md", HeadingPath: []string{"展期"}}}},
	}
	vecs, err := o.EmbedItems(context.Background(), items)
	if err != nil {
		t.Fatal(err)
	}
	w := map[string]float32{}
	for i, it := range items {
		w[it.ID] = weightOf(vecs[i].Sparse, "展期")
	}
	switch {
	case w["none"] != 0:
		t.Errorf("weight without the word = %v, want 0", w["none"])
	case !(w["body1"] > 0 && w["title"] > w["body1"]):
		t.Errorf("title weight %v should exceed a single body mention %v", w["title"], w["body1"])
	case !(w["body3"] > w["title"]):
		t.Errorf("three body mentions %v should outweigh one title mention %v", w["body3"], w["title"])
	case w["heading"] != w["title"]:
		t.Errorf("heading-path weight %v, want the title's %v", w["heading"], w["title"])
	case w["body3"] >= bm25K1+1:
		t.Errorf("weight %v is not saturated below k1+1", w["body3"])
	}

	q, err := o.EmbedQuery(context.Background(), "展期 展期 罚息")
	if err != nil {
		t.Fatal(err)
	}
	checkSparse(t, q.Sparse)
	if got := weightOf(q.Sparse, "展期"); got != 2 {
		t.Errorf("query weight of a word given twice = %v, want 2", got)
	}
	if got := weightOf(q.Sparse, "罚息"); got != 1 {
		t.Errorf("query weight of a word given once = %v, want 1", got)
	}
}

// TestQueryTerms checks that a query's sparse terms are exactly the
// segmenter's words and Han bigrams, with their counts.
func TestQueryTerms(t *testing.T) {
	s := testSegmenter(t)
	o := NewOffline(s, 64)
	for _, text := range []string{
		"借款人逾期三天，罚息按日计收，逾期记录会报送征信吗？",
		"Early repayment of 10,000 yuan: is the 1% fee waived?",
		"元",
	} {
		q, err := o.EmbedQuery(context.Background(), text)
		if err != nil {
			t.Fatal(err)
		}
		want := map[uint32]float32{}
		for _, w := range s.Words(text) {
			want[hash32(prefixWord, w)]++
		}
		for _, b := range segment.Bigrams(s.Normalize(text)) {
			want[hash32(prefixBigram, b)]++
		}
		got := map[uint32]float32{}
		for i, idx := range q.Sparse.Indices {
			got[idx] = q.Sparse.Values[i]
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("EmbedQuery(%q) sparse = %v, want %v", text, got, want)
		}
	}
}

func TestCanceled(t *testing.T) {
	o := NewOffline(testSegmenter(t), 32)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := o.EmbedItems(ctx, corpus); !errors.Is(err, context.Canceled) {
		t.Errorf("EmbedItems with a canceled context: %v, want context.Canceled", err)
	}
	if _, err := o.EmbedQuery(ctx, "逾期"); !errors.Is(err, context.Canceled) {
		t.Errorf("EmbedQuery with a canceled context: %v, want context.Canceled", err)
	}
}

// sentences are the building blocks of the benchmark passages.
var sentences = []string{
	"借款人应当按照借款合同约定的期限和金额按时足额还款。",
	"借款人未按期还款的，自逾期之日起按日计收罚息。",
	"罚息利率为合同约定利率上浮百分之五十，不计复利。",
	"贷款逾期记录将报送中国人民银行征信中心。",
	"不良信用记录自结清之日起保存五年。",
	"借款满三个月后申请提前还款的，不收取违约金。",
	"提前结清须在还款日前三个工作日通过App提交申请。",
	"账单分期可选三期、六期或十二期，分期后不可取消。",
	"每期手续费率为百分之零点七五，按月随账单收取。",
	"催收人员不得采用暴力、威胁、恐吓或者侮辱的手段催收。",
	"不得向借款人的亲友、同事等无关第三方透露债务信息。",
	"每日催收电话不得超过三次，晚上九点至早上八点不得致电。",
	"坐席在办理业务前须核实客户身份，核对预留手机号。",
	"客户因疾病或者失业暂时无法还款的，可以申请延期还款。",
	"延期申请须提供病历、失业证明等材料，审核时间为五个工作日。",
	"客户情绪激动时，坐席应当先安抚情绪，再解释还款安排。",
	"承诺还款的客户应当在通话结束前确认还款日期和金额。",
	"扣款失败的，系统于次日再次尝试扣款并短信提醒客户。",
	"客户对征信记录有异议的，可以向征信中心提出异议申请。",
	"The borrower may repay early without penalty after three months.",
}

// passages returns n deterministic passages of four to seven sentences.
func passages(n int) []knowledge.Item {
	items := make([]knowledge.Item, n)
	for i := range items {
		var body string
		k := 4 + i%4
		for j := 0; j < k; j++ {
			body += sentences[(i*7+j*3)%len(sentences)]
		}
		items[i] = knowledge.Item{ID: strconv.Itoa(i), Kind: knowledge.KindPassage, Title: "第" + strconv.Itoa(i) + "节", Body: body}
	}
	return items
}

func BenchmarkEmbedItems(b *testing.B) {
	o := NewOffline(testSegmenter(b), DefaultDim)
	items := passages(300)
	ctx := context.Background()
	var chars int
	for _, it := range items {
		chars += len([]rune(it.Body))
	}
	n := 0
	for b.Loop() {
		if _, err := o.EmbedItems(ctx, items); err != nil {
			b.Fatal(err)
		}
		n += len(items)
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "items/s")
	b.ReportMetric(float64(chars)/float64(len(items)), "chars/item")
}

func BenchmarkEmbedQuery(b *testing.B) {
	o := NewOffline(testSegmenter(b), DefaultDim)
	ctx := context.Background()
	for b.Loop() {
		if _, err := o.EmbedQuery(ctx, "客户逾期三天了，罚息怎么算，会不会上征信？"); err != nil {
			b.Fatal(err)
		}
	}
}
