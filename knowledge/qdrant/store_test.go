package qdrant_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"math"
	"net"
	"net/url"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"

	"github.com/lorehq/lore/knowledge"
	"github.com/lorehq/lore/knowledge/qdrant"
	qc "github.com/qdrant/go-client/qdrant"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// testDim is the dense dimension of the tests' toy embedder.
const testDim = 8

// standInConfig is a store config for the stand-in: fast retries, short
// timeouts, small batches so paging and batching are exercised.
func standInConfig(si *standIn) qdrant.Config {
	host, port := si.hostPort()
	return qdrant.Config{
		Host:      host,
		Port:      port,
		Dim:       testDim,
		Timeout:   5 * time.Second,
		Backoff:   time.Millisecond,
		BatchSize: 3,
	}
}

func openStandIn(t testing.TB, si *standIn) *qdrant.Store {
	t.Helper()
	s, err := qdrant.Open(context.Background(), standInConfig(si))
	if err != nil {
		t.Fatalf("open on stand-in: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// serverConfig is a store config for the real Qdrant QDRANT_URL names,
// with collections of the test's own that are deleted when it ends. The
// test is skipped without QDRANT_URL.
func serverConfig(t *testing.T) qdrant.Config {
	t.Helper()
	raw := os.Getenv("QDRANT_URL")
	if raw == "" {
		t.Skip("QDRANT_URL not set; the stand-in tests cover this package")
	}
	u, err := url.Parse(raw)
	if err != nil || u.Hostname() == "" {
		t.Fatalf("QDRANT_URL %q: want http://host:6334", raw)
	}
	port := 6334
	if u.Port() != "" {
		if port, err = strconv.Atoi(u.Port()); err != nil {
			t.Fatalf("QDRANT_URL port: %v", err)
		}
	}
	var b [4]byte
	_, _ = rand.Read(b[:])
	name := "lore_test_" + strings.ToLower(regexp.MustCompile(`[^A-Za-z0-9]+`).ReplaceAllString(t.Name(), "_")) + "_" + hex.EncodeToString(b[:])
	cfg := qdrant.Config{
		Host:             u.Hostname(),
		Port:             port,
		UseTLS:           u.Scheme == "https",
		APIKey:           os.Getenv("QDRANT_API_KEY"),
		Collection:       name + "_items",
		LedgerCollection: name + "_sources",
		Dim:              testDim,
	}
	t.Cleanup(func() {
		client, err := qc.NewClient(&qc.Config{Host: cfg.Host, Port: cfg.Port, UseTLS: cfg.UseTLS, APIKey: cfg.APIKey, SkipCompatibilityCheck: true})
		if err != nil {
			t.Errorf("cleanup client: %v", err)
			return
		}
		defer client.Close()
		for _, c := range []string{cfg.Collection, cfg.LedgerCollection} {
			if err := client.DeleteCollection(context.Background(), c); err != nil {
				t.Errorf("cleanup %s: %v", c, err)
			}
		}
	})
	return cfg
}

// ---- fixtures: consumer-finance knowledge and a toy embedder ----

const space = "催收知识库"

// faq builds a draft FAQ item found in source at line.
func faq(source string, line int, question, answer string) knowledge.Item {
	return knowledge.Item{
		ID:    knowledge.NewID(space, knowledge.KindFAQ, question),
		Kind:  knowledge.KindFAQ,
		Space: space,
		Title: question,
		Body:  answer,
		Provenance: []knowledge.Provenance{{
			Source: source, ContentHash: strings.Repeat("ab", 32), Line: line,
		}},
		Confidence: 0.9,
		Status:     knowledge.StatusDraft,
		FAQ:        &knowledge.FAQ{Question: question, Answer: answer, Intent: "还款咨询", Support: 3},
	}
}

// rule builds a draft rule clause.
func rule(source string, page int, article, text string) knowledge.Item {
	return knowledge.Item{
		ID:    knowledge.NewID(space, knowledge.KindRule, "催收管理办法", article, text),
		Kind:  knowledge.KindRule,
		Space: space,
		Title: "催收管理办法 " + article,
		Body:  text,
		Provenance: []knowledge.Provenance{{
			Source: source, Page: page, Article: article, HeadingPath: []string{"第三章 催收行为规范", article},
		}},
		Confidence: 1,
		Status:     knowledge.StatusDraft,
		Rule: &knowledge.Rule{
			DocTitle: "催收管理办法", Issuer: "合规部", DocNumber: "合规〔2024〕7号",
			Article: article, Modality: knowledge.Prohibition, References: []string{"第二十条"},
		},
	}
}

// embed is the tests' embedder: sparse weights are rune counts (index =
// code point), the dense vector a normalised hash of the runes.
func embed(text string) knowledge.Vectors {
	counts := map[uint32]float32{}
	dense := make([]float32, testDim)
	for _, r := range text {
		if unicode.IsSpace(r) || unicode.IsPunct(r) {
			continue
		}
		counts[uint32(r)]++
		dense[int(r)%testDim] += 1 + float32(int(r)%7)/7
	}
	var v knowledge.Vectors
	for ix := range counts {
		v.Sparse.Indices = append(v.Sparse.Indices, ix)
	}
	sort.Slice(v.Sparse.Indices, func(i, j int) bool { return v.Sparse.Indices[i] < v.Sparse.Indices[j] })
	for _, ix := range v.Sparse.Indices {
		v.Sparse.Values = append(v.Sparse.Values, counts[ix])
	}
	var n float64
	for _, x := range dense {
		n += float64(x) * float64(x)
	}
	if n > 0 {
		for i := range dense {
			dense[i] = float32(float64(dense[i]) / math.Sqrt(n))
		}
	}
	v.Dense = dense
	return v
}

func records(items ...knowledge.Item) []knowledge.Record {
	out := make([]knowledge.Record, len(items))
	for i, it := range items {
		out[i] = knowledge.Record{Item: it, Vectors: embed(it.Title + it.Body)}
	}
	return out
}

func source(path, hash string) knowledge.Source {
	return knowledge.Source{Space: space, Path: path, Size: 2048, ModTime: time.Date(2024, 5, 1, 9, 30, 0, 0, time.UTC), Hash: hash, Format: "md", Status: knowledge.SourceIndexed}
}

var (
	faqOverdue = faq("faq/还款.md", 3, "逾期一天会上征信吗", "逾期后银行会按合同计收罚息，连续逾期可能影响个人征信记录，请尽快还款。")
	faqEarly   = faq("faq/还款.md", 9, "可以提前还款吗", "可以申请提前还款，提前还款需结清剩余本金，部分产品收取违约金。")
	faqInstal  = faq("faq/还款.md", 15, "账单可以分期吗", "账单分期可在App申请，分期手续费按期收取，逾期会产生罚息。")
	ruleThreat = rule("rules/催收管理办法.pdf", 37, "第二十一条", "催收人员不得使用暴力、恐吓或者侮辱性语言，不得向债务人以外的第三人透露债务信息。")
	ruleHours  = rule("rules/催收管理办法.pdf", 38, "第二十二条", "催收人员不得在每日二十二时至次日八时之间拨打催收电话。")
)

func sync1(t *testing.T, s knowledge.Store, src knowledge.Source, items ...knowledge.Item) knowledge.SyncResult {
	t.Helper()
	res, err := s.SyncSource(context.Background(), src, records(items...))
	if err != nil {
		t.Fatalf("SyncSource %s: %v", src.Path, err)
	}
	return res
}

// ---- tests ----

// TestSearchRequest_QdrantStandIn captures the QueryPoints requests Search
// sends: a dense and a sparse prefetch fused by RRF, both carrying the
// filter's kind, space, status, source and time conditions.
func TestSearchRequest_QdrantStandIn(t *testing.T) {
	after := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	before := time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name       string
		statuses   []knowledge.Status
		mustStatus string // statuses the filter must require, comma-separated
		notStatus  string // statuses it must exclude
	}{
		{"default statuses", nil, "", "rejected,retired"},
		{"one status", []knowledge.Status{knowledge.StatusApproved}, "approved", ""},
		{"two statuses", []knowledge.Status{knowledge.StatusDraft, knowledge.StatusRetired}, "draft,retired", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			si := startStandIn(t)
			s := openStandIn(t, si)
			sync1(t, s, source("faq/还款.md", "h1"), faqOverdue, faqEarly, faqInstal)
			q := knowledge.Query{
				Vectors: embed("逾期罚息"),
				Filter: knowledge.Filter{
					Kinds:        []knowledge.Kind{knowledge.KindFAQ, knowledge.KindRule},
					Spaces:       []string{space},
					Statuses:     tc.statuses,
					Source:       "faq/还款.md",
					UpdatedAfter: after, UpdatedBefore: before,
				},
				Limit:      2,
				Candidates: 7,
			}
			if _, err := s.Search(context.Background(), q); err != nil {
				t.Fatalf("Search: %v", err)
			}
			qs := si.capturedQueries()
			if len(qs) != 3 {
				t.Fatalf("stand-in saw %d queries, want the fused one and two rankings", len(qs))
			}
			fused := qs[0]
			rrf, ok := fused.GetQuery().GetVariant().(*qc.Query_Rrf)
			if !ok {
				t.Fatalf("fused query is %T, want RRF fusion", fused.GetQuery().GetVariant())
			}
			if rrf.Rrf.GetK() != knowledge.RRFK+1 {
				t.Errorf("RRF k = %d, want %d (Qdrant counts positions from 0)", rrf.Rrf.GetK(), knowledge.RRFK+1)
			}
			if fused.GetLimit() != 2 || !fused.GetWithPayload().GetEnable() {
				t.Errorf("fused limit %d with_payload %v, want 2 and true", fused.GetLimit(), fused.GetWithPayload())
			}
			if len(fused.GetPrefetch()) != 2 {
				t.Fatalf("fused query has %d prefetches, want dense and sparse", len(fused.GetPrefetch()))
			}
			byUsing := map[string]*qc.PrefetchQuery{}
			for _, pf := range fused.GetPrefetch() {
				byUsing[pf.GetUsing()] = pf
			}
			dense, sparse := byUsing["dense"], byUsing["sparse"]
			if dense == nil || sparse == nil {
				t.Fatalf("prefetches use %v, want dense and sparse", byUsing)
			}
			if got := dense.GetQuery().GetNearest().GetDense().GetData(); len(got) != testDim {
				t.Errorf("dense prefetch vector has %d dims, want %d", len(got), testDim)
			}
			if dense.ScoreThreshold == nil || dense.GetScoreThreshold() != 0 {
				t.Errorf("dense prefetch score threshold %v, want 0 (positive cosines only)", dense.ScoreThreshold)
			}
			if got := sparse.GetQuery().GetNearest().GetSparse(); len(got.GetIndices()) != len(q.Vectors.Sparse.Indices) || len(got.GetIndices()) == 0 {
				t.Errorf("sparse prefetch vector %v, want the query's %d terms", got, len(q.Vectors.Sparse.Indices))
			}
			for name, pf := range byUsing {
				if pf.GetLimit() != 7 {
					t.Errorf("%s prefetch limit %d, want Candidates 7", name, pf.GetLimit())
				}
				checkFilter(t, name, pf.GetFilter(), after, before, tc.mustStatus, tc.notStatus)
			}
			for i, r := range qs[1:] {
				if len(r.GetPrefetch()) != 0 || r.GetQuery().GetNearest() == nil || r.GetLimit() != 7 {
					t.Errorf("ranking query %d: %v, want a plain nearest query with limit 7", i, r)
				}
				checkFilter(t, "ranking "+r.GetUsing(), r.GetFilter(), after, before, tc.mustStatus, tc.notStatus)
			}
		})
	}
}

// checkFilter asserts the conditions a filtered search must send.
func checkFilter(t *testing.T, where string, f *qc.Filter, after, before time.Time, mustStatus, notStatus string) {
	t.Helper()
	must := map[string]*qc.FieldCondition{}
	for _, c := range f.GetMust() {
		fc := c.GetField()
		if fc == nil {
			t.Errorf("%s: must condition %v is not a field condition", where, c)
			continue
		}
		must[fc.GetKey()] = fc
	}
	if got := must["kind"].GetMatch().GetKeywords().GetStrings(); strings.Join(got, ",") != "faq,rule" {
		t.Errorf("%s: kind condition %v, want any of faq, rule", where, must["kind"])
	}
	if got := must["space"].GetMatch().GetKeyword(); got != space {
		t.Errorf("%s: space condition %v, want %s", where, must["space"], space)
	}
	if got := must["sources"].GetMatch().GetKeyword(); got != "faq/还款.md" {
		t.Errorf("%s: sources condition %v", where, must["sources"])
	}
	dr := must["updated"].GetDatetimeRange()
	if dr == nil || !dr.GetGt().AsTime().Equal(after) || !dr.GetLt().AsTime().Equal(before) || dr.Gte != nil || dr.Lte != nil {
		t.Errorf("%s: updated condition %v, want gt %v lt %v", where, must["updated"], after, before)
	}
	if got := keywords(must["status"]); got != mustStatus {
		t.Errorf("%s: must status %q, want %q", where, got, mustStatus)
	}
	var not string
	for _, c := range f.GetMustNot() {
		if c.GetField().GetKey() != "status" {
			t.Errorf("%s: unexpected must_not %v", where, c)
			continue
		}
		not = keywords(c.GetField())
	}
	if not != notStatus {
		t.Errorf("%s: must_not status %q, want %q", where, not, notStatus)
	}
}

// keywords lists the keywords a field condition matches, comma-separated.
func keywords(fc *qc.FieldCondition) string {
	if k := fc.GetMatch().GetKeyword(); k != "" {
		return k
	}
	return strings.Join(fc.GetMatch().GetKeywords().GetStrings(), ",")
}

// TestSearchRanks_QdrantStandIn checks hits against an independent
// computation of both rankings (IDF-weighted sparse, cosine dense) and of
// their fusion.
func TestSearchRanks_QdrantStandIn(t *testing.T) {
	si := startStandIn(t)
	s := openStandIn(t, si)
	items := []knowledge.Item{faqOverdue, faqEarly, faqInstal}
	sync1(t, s, source("faq/还款.md", "h1"), items...)
	sync1(t, s, source("rules/催收管理办法.pdf", "h2"), ruleThreat, ruleHours)
	items = append(items, ruleThreat, ruleHours)

	tests := []struct {
		name  string
		query knowledge.Vectors
	}{
		{"hybrid", embed("逾期罚息征信")},
		{"sparse only", knowledge.Vectors{Sparse: embed("提前还款违约金").Sparse}},
		{"dense only", knowledge.Vectors{Dense: embed("催收电话时间").Dense}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			hits, err := s.Search(context.Background(), knowledge.Query{Vectors: tc.query, Limit: 4, Candidates: 5})
			if err != nil {
				t.Fatalf("Search: %v", err)
			}
			want := expectHits(items, tc.query, 4, 5)
			if len(hits) != len(want) {
				t.Fatalf("%d hits, want %d", len(hits), len(want))
			}
			for i, h := range hits {
				w := want[i]
				if h.Item.ID != w.Item.ID || h.SparseRank != w.SparseRank || h.DenseRank != w.DenseRank {
					t.Errorf("hit %d: %s sparse #%d dense #%d, want %s sparse #%d dense #%d", i, h.Item.Title, h.SparseRank, h.DenseRank, w.Item.Title, w.SparseRank, w.DenseRank)
				}
				if math.Abs(h.Score-w.Score) > 1e-12 || math.Abs(h.SparseScore-w.SparseScore) > 1e-4 || math.Abs(h.DenseScore-w.DenseScore) > 1e-5 {
					t.Errorf("hit %d %s: scores %.6f/%.4f/%.5f, want %.6f/%.4f/%.5f", i, h.Item.Title, h.Score, h.SparseScore, h.DenseScore, w.Score, w.SparseScore, w.DenseScore)
				}
			}
		})
	}
}

// expectHits ranks items the way the store contract says, independently of
// the store and the stand-in.
func expectHits(items []knowledge.Item, q knowledge.Vectors, limit, cand int) []knowledge.Hit {
	type scoredItem struct {
		i     int
		score float64
	}
	rank := func(score func(knowledge.Vectors) (float64, bool)) map[int][2]float64 {
		var l []scoredItem
		for i, it := range items {
			if sc, ok := score(embed(it.Title + it.Body)); ok {
				l = append(l, scoredItem{i, sc})
			}
		}
		sort.SliceStable(l, func(a, b int) bool { return l[a].score > l[b].score })
		out := map[int][2]float64{}
		for r, e := range l {
			if r < cand {
				out[e.i] = [2]float64{float64(r + 1), e.score}
			}
		}
		return out
	}
	df := map[uint32]int{}
	for _, it := range items {
		for _, ix := range embed(it.Title + it.Body).Sparse.Indices {
			df[ix]++
		}
	}
	var sparse, dense map[int][2]float64
	if len(q.Sparse.Indices) > 0 {
		sparse = rank(func(d knowledge.Vectors) (float64, bool) {
			var s float64
			shared := false
			for qi, ix := range q.Sparse.Indices {
				for di, dx := range d.Sparse.Indices {
					if ix == dx {
						shared = true
						n := float64(df[ix])
						idf := math.Log(1 + (float64(len(items))-n+0.5)/(n+0.5))
						s += float64(q.Sparse.Values[qi]) * idf * float64(d.Sparse.Values[di])
					}
				}
			}
			return s, shared
		})
	}
	if len(q.Dense) > 0 {
		dense = rank(func(d knowledge.Vectors) (float64, bool) {
			var dot, nq float64
			for i := range q.Dense {
				dot += float64(q.Dense[i]) * float64(d.Dense[i])
				nq += float64(q.Dense[i]) * float64(q.Dense[i])
			}
			return dot / math.Sqrt(nq), true
		})
	}
	var hits []knowledge.Hit
	for i, it := range items {
		h := knowledge.Hit{Item: it}
		if r, ok := sparse[i]; ok {
			h.SparseRank, h.SparseScore = int(r[0]), r[1]
			h.Score += 1 / float64(knowledge.RRFK+h.SparseRank)
		}
		if r, ok := dense[i]; ok {
			h.DenseRank, h.DenseScore = int(r[0]), r[1]
			h.Score += 1 / float64(knowledge.RRFK+h.DenseRank)
		}
		if h.Score > 0 {
			hits = append(hits, h)
		}
	}
	sort.Slice(hits, func(a, b int) bool {
		if hits[a].Score != hits[b].Score {
			return hits[a].Score > hits[b].Score
		}
		return hits[a].Item.ID < hits[b].Item.ID
	})
	if len(hits) > limit {
		hits = hits[:limit]
	}
	return hits
}

func TestOpen_QdrantStandIn(t *testing.T) {
	si := startStandIn(t)
	ctx := context.Background()
	first := openStandIn(t, si)
	sync1(t, first, source("faq/还款.md", "h1"), faqOverdue)

	tests := []struct {
		name string
		cfg  func(qdrant.Config) qdrant.Config
		code knowledge.Code
		msg  string
	}{
		{"same dimension reopens", func(c qdrant.Config) qdrant.Config { return c }, "", ""},
		{"other dimension", func(c qdrant.Config) qdrant.Config { c.Dim = 16; return c }, knowledge.Invalid, "new collection"},
		{"no dimension", func(c qdrant.Config) qdrant.Config { c.Dim = 0; return c }, knowledge.Invalid, "dimension"},
		{"one collection for both", func(c qdrant.Config) qdrant.Config { c.LedgerCollection = qdrant.DefaultCollection; return c }, knowledge.Invalid, "differ"},
		{"collection without sparse vector", func(c qdrant.Config) qdrant.Config { c.Collection = "foreign"; return c }, knowledge.Invalid, "sparse"},
	}
	// A collection made by someone else: dense only.
	if _, err := (&siCollections{s: si}).Create(ctx, &qc.CreateCollection{
		CollectionName: "foreign",
		VectorsConfig:  qc.NewVectorsConfigMap(map[string]*qc.VectorParams{"dense": {Size: testDim, Distance: qc.Distance_Cosine}}),
	}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := qdrant.Open(ctx, tc.cfg(standInConfig(si)))
			if tc.code == "" {
				if err != nil {
					t.Fatalf("Open: %v", err)
				}
				defer s.Close()
				if it, err := s.Get(ctx, faqOverdue.ID); err != nil || it.Title != faqOverdue.Title {
					t.Errorf("reopened store lost the item: %v %v", it.Title, err)
				}
				return
			}
			if err == nil {
				s.Close()
				t.Fatal("Open succeeded")
			}
			if knowledge.ErrorCode(err) != tc.code || !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("Open: %v (code %s), want code %s mentioning %q", err, knowledge.ErrorCode(err), tc.code, tc.msg)
			}
		})
	}
}

func TestOpenServerVersion_QdrantStandIn(t *testing.T) {
	tests := []struct {
		version string
		code    knowledge.Code // "" for success
	}{
		{"1.17.0", ""},
		{"1.18.2", ""},
		{"2.0.0", ""},
		{"1.16.3", knowledge.Unsupported},
		{"0.11.0", knowledge.Unsupported},
		{"dev", ""},
	}
	for _, tc := range tests {
		t.Run(tc.version, func(t *testing.T) {
			si := startStandIn(t)
			si.mu.Lock()
			si.version = tc.version
			si.mu.Unlock()
			s, err := qdrant.Open(context.Background(), standInConfig(si))
			if err == nil {
				s.Close()
			}
			if knowledge.ErrorCode(err) != tc.code {
				t.Fatalf("Open on Qdrant %s: %v (code %q), want code %q", tc.version, err, knowledge.ErrorCode(err), tc.code)
			}
			if err != nil && !strings.Contains(err.Error(), "1.17") {
				t.Errorf("error %q does not name the version needed", err)
			}
		})
	}
}

func TestOpenUnreachable(t *testing.T) {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := lis.Addr().(*net.TCPAddr).Port
	lis.Close() // nothing listens there now
	_, err = qdrant.Open(context.Background(), qdrant.Config{Host: "127.0.0.1", Port: port, Dim: testDim, Timeout: time.Second, Retries: 1, Backoff: time.Millisecond})
	if knowledge.ErrorCode(err) != knowledge.Unavailable {
		t.Fatalf("Open on a closed port: %v (code %s), want Unavailable", err, knowledge.ErrorCode(err))
	}
	if !strings.Contains(err.Error(), strconv.Itoa(port)) {
		t.Errorf("error %q does not name the address", err)
	}
}

func TestRetries_QdrantStandIn(t *testing.T) {
	tests := []struct {
		name     string
		failures int
		code     codes.Code
		retries  int
		wantCode knowledge.Code // "" for success
		wantTry  int            // Points.Count calls seen; Stats counts items, then sources
	}{
		{"unavailable twice then fine", 2, codes.Unavailable, 3, "", 3 + 1},
		{"rate limited once", 1, codes.ResourceExhausted, 3, "", 2 + 1},
		{"deadline exceeded once", 1, codes.DeadlineExceeded, 3, "", 2 + 1},
		{"unavailable beyond the retries", 5, codes.Unavailable, 2, knowledge.Unavailable, 3},
		{"invalid is not retried", 5, codes.InvalidArgument, 3, knowledge.Invalid, 1},
		{"retries off", 1, codes.Unavailable, -1, knowledge.Unavailable, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			si := startStandIn(t)
			cfg := standInConfig(si)
			cfg.Retries = tc.retries
			s, err := qdrant.Open(context.Background(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			var mu sync.Mutex
			left := tc.failures
			si.setFail(func(method string, _ any) error {
				mu.Lock()
				defer mu.Unlock()
				if method == "Points.Count" && left > 0 {
					left--
					return status.Error(tc.code, "injected")
				}
				return nil
			})
			_, err = s.Stats(context.Background())
			if knowledge.ErrorCode(err) != tc.wantCode {
				t.Errorf("Stats: %v (code %q), want code %q", err, knowledge.ErrorCode(err), tc.wantCode)
			}
			if err != nil && !strings.Contains(err.Error(), `"lore_items"`) {
				t.Errorf("error %q does not name the collection", err)
			}
			if n := si.calls("Points.Count"); n != tc.wantTry {
				t.Errorf("Points.Count called %d times, want %d", n, tc.wantTry)
			}
		})
	}
}

// TestInterruptedSync_QdrantStandIn interrupts a sync at each of its steps
// and checks what readers see and that the next sync repairs it.
func TestInterruptedSync_QdrantStandIn(t *testing.T) {
	path := "faq/还款.md"
	v1 := []knowledge.Item{faqOverdue, faqEarly}
	v2 := []knowledge.Item{faqEarly, faqInstal}
	tests := []struct {
		name string
		// failAt is the call (1-based) of method within the second sync
		// that fails for good.
		method string
		failAt int
		// what a reader sees after the failure
		visible []knowledge.Item
	}{
		{"before anything", "Points.Upsert", 1, v1},
		{"after the pending marker", "Points.UpdateBatch", 1, v1},
		{"after the first item batch", "Points.UpdateBatch", 2, []knowledge.Item{faqOverdue, faqEarly, faqInstal}},
		{"before the commit marker", "Points.Upsert", 2, v2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			si := startStandIn(t)
			cfg := standInConfig(si)
			cfg.BatchSize = 1 // one operation per UpdateBatch call
			cfg.Retries = -1
			s, err := qdrant.Open(ctx, cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			sync1(t, s, source(path, "v1"), v1...)

			var mu sync.Mutex
			seen := 0
			si.setFail(func(method string, _ any) error {
				mu.Lock()
				defer mu.Unlock()
				if method == tc.method {
					seen++
					if seen >= tc.failAt {
						return status.Error(codes.Unavailable, "injected crash")
					}
				}
				return nil
			})
			if _, err := s.SyncSource(ctx, source(path, "v2"), records(v2...)); err == nil {
				t.Fatal("SyncSource succeeded despite the injected failure")
			}
			si.setFail(nil)

			got, err := s.List(ctx, knowledge.Filter{}, "", 0)
			if err != nil {
				t.Fatal(err)
			}
			if ids(got) != ids(sortedItems(tc.visible)) {
				t.Errorf("after the interruption readers see %s, want %s", titles(got), titles(sortedItems(tc.visible)))
			}
			for _, it := range got {
				if len(it.Provenance) == 0 {
					t.Errorf("item %s left without provenance", it.Title)
				}
			}
			srcs, err := s.Sources(ctx, space)
			if err != nil {
				t.Fatal(err)
			}
			if tc.failAt == 1 && tc.method == "Points.Upsert" {
				// Nothing was written: the ledger still says v1.
				if len(srcs) != 1 || srcs[0].Status != knowledge.SourceIndexed || srcs[0].Hash != "v1" {
					t.Errorf("ledger after a failure before any write: %+v", srcs)
				}
			} else if len(srcs) != 1 || srcs[0].Status != knowledge.SourceQuarantined || srcs[0].Hash != "v1" || !strings.Contains(srcs[0].Reason, "interrupted") {
				t.Errorf("ledger after an interrupted sync: %+v, want the v1 entry reported quarantined as interrupted", srcs)
			}

			res, err := s.SyncSource(ctx, source(path, "v2"), records(v2...))
			if err != nil {
				t.Fatalf("repeated SyncSource: %v", err)
			}
			got, err = s.List(ctx, knowledge.Filter{}, "", 0)
			if err != nil {
				t.Fatal(err)
			}
			if ids(got) != ids(sortedItems(v2)) {
				t.Errorf("after the repeated sync: %s, want %s (result %+v)", titles(got), titles(sortedItems(v2)), res)
			}
			srcs, err = s.Sources(ctx, space)
			if err != nil {
				t.Fatal(err)
			}
			if len(srcs) != 1 || srcs[0].Status != knowledge.SourceIndexed || srcs[0].Hash != "v2" || srcs[0].Items != 2 {
				t.Errorf("ledger after the repeated sync: %+v", srcs)
			}
		})
	}
}

func TestInterruptedFirstSync_QdrantStandIn(t *testing.T) {
	ctx := context.Background()
	si := startStandIn(t)
	cfg := standInConfig(si)
	cfg.Retries = -1
	s, err := qdrant.Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	si.setFail(func(method string, _ any) error {
		if method == "Points.UpdateBatch" {
			return status.Error(codes.Unavailable, "injected crash")
		}
		return nil
	})
	if _, err := s.SyncSource(ctx, source("rules/催收管理办法.pdf", "h"), records(ruleThreat)); err == nil {
		t.Fatal("SyncSource succeeded despite the injected failure")
	}
	si.setFail(nil)
	srcs, err := s.Sources(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(srcs) != 0 {
		t.Errorf("a source whose first sync never committed is listed: %+v", srcs)
	}
	st, err := s.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Sources != 0 {
		t.Errorf("Stats.Sources = %d, want 0", st.Sources)
	}
}

// TestConcurrentReplicas_QdrantStandIn runs two stores (two replicas) on one
// server editing the same items at once: no edit may be lost.
func TestConcurrentReplicas_QdrantStandIn(t *testing.T) {
	ctx := context.Background()
	si := startStandIn(t)
	a, b := openStandIn(t, si), openStandIn(t, si)
	sync1(t, a, source("faq/还款.md", "h1"), faqOverdue, faqEarly)

	const edits = 15
	var wg sync.WaitGroup
	errs := make(chan error, 2*edits+1)
	for _, s := range []*qdrant.Store{a, b} {
		wg.Add(1)
		go func(s *qdrant.Store) {
			defer wg.Done()
			for i := 0; i < edits; i++ {
				_, err := s.Update(ctx, faqOverdue.ID, func(it *knowledge.Item) error {
					it.FAQ.Support++
					return nil
				})
				if err != nil {
					errs <- err
				}
			}
		}(s)
	}
	// Meanwhile replica b re-ingests the file with one more item.
	wg.Add(1)
	go func() {
		defer wg.Done()
		if _, err := b.SyncSource(ctx, source("faq/还款.md", "h2"), records(faqOverdue, faqEarly, faqInstal)); err != nil {
			errs <- err
		}
	}()
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("concurrent write: %v", err)
	}
	got, err := a.Get(ctx, faqOverdue.ID)
	if err != nil {
		t.Fatal(err)
	}
	// The sync resets Support to the extractor's 3 if it lands after some
	// edits; every edit and the sync each add one version.
	if got.Version != 1+2*edits && got.Version != 2+2*edits {
		t.Errorf("version %d after %d edits and a sync, want %d or %d", got.Version, 2*edits, 1+2*edits, 2+2*edits)
	}
	if got.FAQ.Support < 3 || got.FAQ.Support > 3+2*edits {
		t.Errorf("support %d out of range", got.FAQ.Support)
	}
	if _, err := a.Get(ctx, faqInstal.ID); err != nil {
		t.Errorf("the concurrent sync's new item: %v", err)
	}
}

// TestUpdateConfirmedAfterOtherWriters_QdrantStandIn lets replica b edit
// an item many times between replica a's conditional write and a's
// read-back, as a slow network or a descheduled goroutine allows on a real
// cluster: a must still see that its write landed and not apply its edit a
// second time.
func TestUpdateConfirmedAfterOtherWriters_QdrantStandIn(t *testing.T) {
	ctx := context.Background()
	si := startStandIn(t)
	a, b := openStandIn(t, si), openStandIn(t, si)
	sync1(t, a, source("faq/还款.md", "h1"), faqOverdue)
	before, err := a.Get(ctx, faqOverdue.ID)
	if err != nil {
		t.Fatal(err)
	}
	// More edits than revWriters, so a bound on remembered writes rather
	// than writers would lose a's token.
	const others = 20
	var (
		mu      sync.Mutex
		wrote   bool // a's UpdateBatch has been served
		fired   bool
		bErrs   []error
		trigger = func() bool {
			mu.Lock()
			defer mu.Unlock()
			if fired || !wrote {
				return false
			}
			fired = true
			return true
		}
	)
	si.setFail(func(method string, _ any) error {
		switch method {
		case "Points.UpdateBatch":
			mu.Lock()
			wrote = true
			mu.Unlock()
		case "Points.Get":
			// a's read-back: b edits first. The injector runs before the
			// request is served, so b's requests are served meanwhile.
			if trigger() {
				for i := 0; i < others; i++ {
					if _, err := b.Update(ctx, faqOverdue.ID, func(it *knowledge.Item) error {
						it.FAQ.Support++
						return nil
					}); err != nil {
						mu.Lock()
						bErrs = append(bErrs, err)
						mu.Unlock()
					}
				}
			}
		}
		return nil
	})
	mine, err := a.Update(ctx, faqOverdue.ID, func(it *knowledge.Item) error {
		it.FAQ.Support++
		return nil
	})
	si.setFail(nil)
	if err != nil {
		t.Fatalf("a.Update: %v", err)
	}
	for _, err := range bErrs {
		t.Errorf("b.Update: %v", err)
	}
	if !fired {
		t.Fatal("b's edits never ran between a's write and its read-back")
	}
	if mine.Version != before.Version+1 {
		t.Errorf("a's edit stored as version %d, want %d (written once, before b's)", mine.Version, before.Version+1)
	}
	got, err := a.Get(ctx, faqOverdue.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Version != before.Version+1+others || got.FAQ.Support != before.FAQ.Support+1+others {
		t.Errorf("after 1+%d edits: version %d support %d, want %d and %d (each edit applied once)",
			others, got.Version, got.FAQ.Support, before.Version+1+others, before.FAQ.Support+1+others)
	}
}

func TestUpdateRefusals_QdrantStandIn(t *testing.T) {
	ctx := context.Background()
	si := startStandIn(t)
	s := openStandIn(t, si)
	sync1(t, s, source("rules/催收管理办法.pdf", "h"), ruleThreat)
	boom := errors.New("reviewer cancelled")
	tests := []struct {
		name string
		edit func(*knowledge.Item) error
		code knowledge.Code
	}{
		{"id", func(it *knowledge.Item) error { it.ID = "ffffffffffffffffffffffffffffffff"; return nil }, knowledge.Invalid},
		{"kind", func(it *knowledge.Item) error { it.Kind = knowledge.KindFAQ; return nil }, knowledge.Invalid},
		{"provenance", func(it *knowledge.Item) error { it.Provenance[0].Page = 99; return nil }, knowledge.Invalid},
		{"status", func(it *knowledge.Item) error { it.Status = "maybe"; return nil }, knowledge.Invalid},
		{"edit error", func(*knowledge.Item) error { return boom }, knowledge.Internal},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.Update(ctx, ruleThreat.ID, tc.edit)
			if knowledge.ErrorCode(err) != tc.code {
				t.Errorf("Update: %v (code %s), want code %s", err, knowledge.ErrorCode(err), tc.code)
			}
			got, err := s.Get(ctx, ruleThreat.ID)
			if err != nil || got.Version != 1 || got.Provenance[0].Page != 37 {
				t.Errorf("refused edit changed the item: version %d page %d err %v", got.Version, got.Provenance[0].Page, err)
			}
		})
	}
	if _, err := s.Update(ctx, "0123456789abcdef0123456789abcdef", func(*knowledge.Item) error { return nil }); knowledge.ErrorCode(err) != knowledge.NotFound {
		t.Errorf("Update of a missing item: %v, want NotFound", err)
	}
}

func TestSyncRefusals_QdrantStandIn(t *testing.T) {
	ctx := context.Background()
	si := startStandIn(t)
	s := openStandIn(t, si)
	good := records(faqOverdue)[0]
	tests := []struct {
		name string
		src  knowledge.Source
		rec  func(r knowledge.Record) knowledge.Record
	}{
		{"no path", knowledge.Source{Space: space}, func(r knowledge.Record) knowledge.Record { return r }},
		{"wrong dimension", source("faq/还款.md", "h"), func(r knowledge.Record) knowledge.Record { r.Vectors.Dense = r.Vectors.Dense[:3]; return r }},
		{"ragged sparse", source("faq/还款.md", "h"), func(r knowledge.Record) knowledge.Record {
			r.Vectors.Sparse.Values = r.Vectors.Sparse.Values[:1]
			return r
		}},
		{"repeated sparse index", source("faq/还款.md", "h"), func(r knowledge.Record) knowledge.Record {
			r.Vectors.Sparse = knowledge.Sparse{Indices: []uint32{7, 7}, Values: []float32{1, 1}}
			return r
		}},
		{"provenance from elsewhere", source("faq/其他.md", "h"), func(r knowledge.Record) knowledge.Record { return r }},
		{"other space", knowledge.Source{Space: "客服知识库", Path: "faq/还款.md"}, func(r knowledge.Record) knowledge.Record { return r }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.SyncSource(ctx, tc.src, []knowledge.Record{tc.rec(good)})
			if knowledge.ErrorCode(err) != knowledge.Invalid {
				t.Errorf("SyncSource: %v, want Invalid", err)
			}
		})
	}
	if n := si.pointCount(qdrant.DefaultCollection); n != 0 {
		t.Errorf("refused syncs wrote %d points", n)
	}
	if _, err := s.Search(ctx, knowledge.Query{}); knowledge.ErrorCode(err) != knowledge.Invalid {
		t.Errorf("Search without vectors: %v, want Invalid", err)
	}
}

// TestPaging_QdrantStandIn lists more items than a scroll page holds.
func TestPaging_QdrantStandIn(t *testing.T) {
	ctx := context.Background()
	si := startStandIn(t)
	s := openStandIn(t, si) // BatchSize 3
	var items []knowledge.Item
	for i := 0; i < 11; i++ {
		items = append(items, faq("faq/分期.md", i+1, "分期问题"+strconv.Itoa(i), "第"+strconv.Itoa(i)+"期账单逾期会产生罚息。"))
	}
	sync1(t, s, source("faq/分期.md", "h"), items...)
	want := sortedItems(items)
	var got []knowledge.Item
	after := ""
	for {
		page, err := s.List(ctx, knowledge.Filter{}, after, 4)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		got = append(got, page...)
		after = page[len(page)-1].ID
	}
	if ids(got) != ids(want) {
		t.Errorf("paged list %s, want %s", ids(got), ids(want))
	}
	// Retire the source: all its items go, and the store counts them.
	n, err := s.RetireSource(ctx, space, "faq/分期.md")
	if err != nil || n != len(items) {
		t.Errorf("RetireSource = %d, %v; want %d", n, err, len(items))
	}
	st, err := s.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Items != len(items) || st.ByStatus[knowledge.StatusRetired] != len(items) || st.ByKind[knowledge.KindFAQ] != len(items) || st.Sources != 1 {
		t.Errorf("stats %+v", st)
	}
}

func sortedItems(items []knowledge.Item) []knowledge.Item {
	out := append([]knowledge.Item(nil), items...)
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

func ids(items []knowledge.Item) string {
	var b strings.Builder
	for _, it := range items {
		b.WriteString(it.ID[:6])
		b.WriteByte(' ')
	}
	return b.String()
}

func titles(items []knowledge.Item) string {
	var out []string
	for _, it := range items {
		out = append(out, it.Title)
	}
	return "[" + strings.Join(out, " | ") + "]"
}

func BenchmarkSearch_QdrantStandIn(b *testing.B) {
	si := startStandIn(b)
	cfg := standInConfig(si)
	cfg.BatchSize = 256
	s, err := qdrant.Open(context.Background(), cfg)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	var items []knowledge.Item
	for i := 0; i < 300; i++ {
		items = append(items, faq("faq/bench.md", i+1, "还款问题"+strconv.Itoa(i), "客户第"+strconv.Itoa(i)+"期分期账单逾期，催收提醒按时还款，避免罚息和征信影响。"))
	}
	if _, err := s.SyncSource(context.Background(), source("faq/bench.md", "h"), records(items...)); err != nil {
		b.Fatal(err)
	}
	q := knowledge.Query{Vectors: embed("逾期罚息征信"), Limit: 10}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := s.Search(context.Background(), q); err != nil {
			b.Fatal(err)
		}
	}
}
