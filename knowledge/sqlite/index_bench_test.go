package sqlite

import (
	"fmt"
	"math/rand"
	"runtime"
	"testing"
	"time"

	"github.com/lorehq/lore/internal/synth"
	"github.com/lorehq/lore/knowledge"
)

// The index benchmark times the in-memory search alone, without SQLite
// loading the hits, on the synthetic vectors the store benchmark in
// retrieval/eval uses too (internal/synth: a Zipf vocabulary of 200k
// terms, 40-160 terms an item, 6-20 a query, 256 dense dimensions), a pool
// of 30 from 100 candidates a ranking:
//
//	go test ./knowledge/sqlite -run '^$' -bench 'BenchmarkIndexSearch/items=100000$' -benchtime 2000x -cpu 2
//
// It reports p50, p95 and p99 latency in ms, for sparse, dense and hybrid
// queries at 100k and 1M items (items=1000000: about 3 GB and a minute
// and a half to build).

var benchIndexes = map[int]*index{}

func benchIndex(n int) *index {
	if x, ok := benchIndexes[n]; ok {
		return x
	}
	r := rand.New(rand.NewSource(1))
	z := synth.Zipf(r)
	x := newIndex(synth.Dim)
	for i := range n {
		sp := synth.Item(r, z)
		m := meta{space: "bench", kind: knowledge.KindRule, status: knowledge.StatusApproved,
			updated: time.Unix(int64(i), 0), sources: []string{fmt.Sprintf("synthetic/doc-%06d.md", i/1000)}}
		x.put(fmt.Sprintf("item-%08d", i), m, knowledge.Vectors{Dense: synth.Dense(r), Sparse: sp})
	}
	runtime.GC()
	benchIndexes[n] = x
	return x
}

func BenchmarkIndexSearch(b *testing.B) {
	for _, n := range []int{100_000, 1_000_000} {
		for _, kind := range []string{"sparse", "dense", "hybrid"} {
			b.Run(fmt.Sprintf("items=%d/%s", n, kind), func(b *testing.B) {
				x := benchIndex(n)
				r := rand.New(rand.NewSource(2))
				z := synth.Zipf(r)
				f := knowledge.Filter{Kinds: []knowledge.Kind{knowledge.KindRule}}
				qs := make([]knowledge.Query, 512)
				for i := range qs {
					q := knowledge.Query{Filter: f, Limit: 30, Candidates: 100}
					if sp := synth.Query(r, z); kind != "dense" {
						q.Vectors.Sparse = sp
					}
					if kind != "sparse" {
						q.Vectors.Dense = synth.Dense(r)
					}
					qs[i] = q
				}
				lat := make([]time.Duration, 0, b.N)
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					t0 := time.Now()
					q := qs[i%len(qs)]
					x.search(q, q.Limit, q.Candidates)
					lat = append(lat, time.Since(t0))
				}
				b.StopTimer()
				p50, p95, p99 := synth.Percentiles(lat)
				b.ReportMetric(p50, "p50-ms")
				b.ReportMetric(p95, "p95-ms")
				b.ReportMetric(p99, "p99-ms")
			})
		}
	}
}
