package eval

import (
	"context"
	"fmt"
	"math/rand"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lorehq/lore/internal/synth"
	"github.com/lorehq/lore/knowledge"
	"github.com/lorehq/lore/knowledge/sqlite"
)

// The store benchmark measures the embedded store's query latency and
// index memory at 10k and 100k synthetic items (and 1M or any other size
// with LORE_BENCH_SIZES=10000,100000,1000000):
//
//	go test ./retrieval/eval -run '^$' -bench BenchmarkStoreSearch -benchtime 2000x -cpu 2
//
// Items get realistic vectors: a Zipf-distributed vocabulary of
// synth.Vocab terms (flattened at the head, as stop words are removed) with
// 40-160 distinct terms an item and BM25-like weights, the shape of the
// offline embedder's vectors of a rule clause; dense vectors of
// synth.Dim random dimensions. Queries draw 6-20 terms the same way. Each
// size is built once per process (100k takes about half a minute, 1M
// several minutes and several GB). Reported per size and query kind:
// p50, p95 and p99 latency in ms over the b.N queries, and the Go heap
// the open store holds (heap-MB, after GC; SQLite's own page cache is
// outside the Go heap and bounded by its cache_size).

// synthStore is a built store of one size.
type synthStore struct {
	store  *sqlite.Store
	heapMB float64
	build  time.Duration
	err    error
}

var (
	synthMu     sync.Mutex
	synthStores = map[int]*synthStore{}
)

// openSynth builds (once) a store of n synthetic rule items.
func openSynth(b *testing.B, n int) *synthStore {
	b.Helper()
	synthMu.Lock()
	defer synthMu.Unlock()
	if s, ok := synthStores[n]; ok {
		if s.err != nil {
			b.Fatal(s.err)
		}
		return s
	}
	s := &synthStore{}
	synthStores[n] = s
	dir, err := os.MkdirTemp("", "lore-storebench-")
	if err != nil {
		s.err = err
		b.Fatal(err)
	}
	start := time.Now()
	s.err = fillSynth(dir, n)
	if s.err != nil {
		b.Fatal(s.err)
	}
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	s.store, s.err = sqlite.Open(dir, sqlite.Options{Dim: synth.Dim}) // loads the index from disk
	if s.err != nil {
		b.Fatal(s.err)
	}
	runtime.GC()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	s.heapMB = float64(int64(after.HeapAlloc)-int64(before.HeapAlloc)) / (1 << 20)
	s.build = time.Since(start)
	return s
}

// fillSynth writes n items to a store in dir, 1000 a source.
func fillSynth(dir string, n int) error {
	st, err := sqlite.Open(dir, sqlite.Options{Dim: synth.Dim})
	if err != nil {
		return err
	}
	defer st.Close()
	r := rand.New(rand.NewSource(1))
	z := synth.Zipf(r)
	ctx := context.Background()
	const per = 1000
	for src := 0; src*per < n; src++ {
		path := fmt.Sprintf("synthetic/doc-%06d.md", src)
		var recs []knowledge.Record
		for i := src * per; i < min(n, (src+1)*per); i++ {
			sp := synth.Item(r, z)
			it := knowledge.Item{
				ID: fmt.Sprintf("item-%08d", i), Kind: knowledge.KindRule, Space: "bench",
				Title:  fmt.Sprintf("合成规定 第%d条", i),
				Body:   strings.Repeat("借款人应当按照合同约定按期足额还款。", 4),
				Status: knowledge.StatusApproved, Confidence: 0.9,
				Rule:       &knowledge.Rule{DocTitle: "合成规定", Article: "第" + strconv.Itoa(i) + "条"},
				Provenance: []knowledge.Provenance{{Source: path}},
			}
			recs = append(recs, knowledge.Record{Item: it, Vectors: knowledge.Vectors{
				Dense: synth.Dense(r), Sparse: sp}})
		}
		src := knowledge.Source{Space: "bench", Path: path, Status: knowledge.SourceIndexed, Items: len(recs)}
		if _, err := st.SyncSource(ctx, src, recs); err != nil {
			return fmt.Errorf("fill %s: %w", path, err)
		}
	}
	return nil
}

func benchSizes(b *testing.B) []int {
	v := os.Getenv("LORE_BENCH_SIZES")
	if v == "" {
		return []int{10_000, 100_000}
	}
	var out []int
	for _, f := range strings.Split(v, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n <= 0 {
			b.Fatalf("LORE_BENCH_SIZES=%q: want sizes such as 10000,100000,1000000", v)
		}
		out = append(out, n)
	}
	return out
}

// BenchmarkStoreSearch queries the store as the Searcher does, a pool of
// 30 fused hits from 100 candidates a ranking: "sparse" ranks by the
// sparse vector only; "hybrid" adds the dense ranking, fused at weight 1
// (a model-backed embedder; the store fuses any weight the same way).
func BenchmarkStoreSearch(b *testing.B) {
	for _, n := range benchSizes(b) {
		for _, kind := range []string{"sparse", "hybrid"} {
			b.Run(fmt.Sprintf("items=%d/%s", n, kind), func(b *testing.B) {
				s := openSynth(b, n)
				r := rand.New(rand.NewSource(2))
				z := synth.Zipf(r)
				ctx := context.Background()
				f := knowledge.Filter{Kinds: []knowledge.Kind{knowledge.KindRule}}
				qs := make([]knowledge.Query, 512)
				for i := range qs {
					q := knowledge.Query{Vectors: knowledge.Vectors{Sparse: synth.Query(r, z)},
						Filter: f, Limit: 30, Candidates: 100}
					if kind == "hybrid" {
						q.Vectors.Dense, q.DenseWeight = synth.Dense(r), 1
					}
					qs[i] = q
				}
				lat := make([]time.Duration, 0, b.N)
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					t0 := time.Now()
					if _, err := s.store.Search(ctx, qs[i%len(qs)]); err != nil {
						b.Fatal(err)
					}
					lat = append(lat, time.Since(t0))
				}
				b.StopTimer()
				p50, p95, p99 := synth.Percentiles(lat)
				b.ReportMetric(p50, "p50-ms")
				b.ReportMetric(p95, "p95-ms")
				b.ReportMetric(p99, "p99-ms")
				b.ReportMetric(s.heapMB, "heap-MB")
			})
		}
	}
}

// TestMain closes and removes the synthetic stores of the benchmarks.
func TestMain(m *testing.M) {
	code := m.Run()
	for _, s := range synthStores {
		if s.store != nil {
			s.store.Close()
		}
	}
	os.Exit(code)
}
