package sqlite

import (
	"fmt"
	"math"
	"math/rand"
	"runtime"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/lorehq/lore/knowledge"
)

// The index benchmark times the in-memory search alone, without SQLite
// loading the hits, on the synthetic vectors of the store benchmark in
// retrieval/eval (a Zipf vocabulary of 200k terms, 40-160 terms an item,
// 6-20 a query, 256 dense dimensions):
//
//	go test ./knowledge/sqlite -run '^$' -bench 'BenchmarkIndexSearch/items=100000$' -benchtime 2000x -cpu 2
//
// It reports p50, p95 and p99 latency in ms, for sparse, dense and hybrid
// queries at 100k and 1M items (items=1000000: about 3 GB and a minute
// and a half to build).

const (
	benchVocab = 200_000
	benchDim   = 256
)

var benchIndexes = map[int]*index{}

func benchTerms(z *rand.Zipf, n int) []uint32 {
	seen := map[uint32]bool{}
	out := make([]uint32, 0, n)
	for len(out) < n {
		if t := uint32(z.Uint64()); !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	slices.Sort(out)
	return out
}

func benchDense(r *rand.Rand) []float32 {
	v := make([]float32, benchDim)
	var sum float64
	for i := range v {
		x := r.NormFloat64()
		v[i] = float32(x)
		sum += x * x
	}
	inv := float32(1 / math.Sqrt(sum))
	for i := range v {
		v[i] *= inv
	}
	return v
}

func benchZipf(r *rand.Rand) *rand.Zipf { return rand.NewZipf(r, 1.1, 20, benchVocab-1) }

func benchIndex(n int) *index {
	if x, ok := benchIndexes[n]; ok {
		return x
	}
	r := rand.New(rand.NewSource(1))
	z := benchZipf(r)
	x := newIndex(benchDim)
	for i := range n {
		terms := benchTerms(z, 40+r.Intn(121))
		vals := make([]float32, len(terms))
		for k := range vals {
			tf := 1 + r.ExpFloat64()
			vals[k] = float32(tf * 2.2 / (tf + 1.2))
		}
		m := meta{space: "bench", kind: knowledge.KindRule, status: knowledge.StatusApproved,
			updated: time.Unix(int64(i), 0), sources: []string{fmt.Sprintf("synthetic/doc-%06d.md", i/1000)}}
		x.put(fmt.Sprintf("item-%08d", i), m, knowledge.Vectors{Dense: benchDense(r), Sparse: knowledge.Sparse{Indices: terms, Values: vals}})
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
				z := benchZipf(r)
				f := knowledge.Filter{Kinds: []knowledge.Kind{knowledge.KindRule}}
				qs := make([]knowledge.Query, 512)
				for i := range qs {
					terms := benchTerms(z, 6+r.Intn(15))
					vals := make([]float32, len(terms))
					for k := range vals {
						vals[k] = 1
					}
					q := knowledge.Query{Filter: f, Limit: 30, Candidates: 100}
					if kind != "dense" {
						q.Vectors.Sparse = knowledge.Sparse{Indices: terms, Values: vals}
					}
					if kind != "sparse" {
						q.Vectors.Dense = benchDense(r)
						q.Limit = 200
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
				sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
				pct := func(p float64) float64 {
					return float64(lat[max(0, int(math.Ceil(p*float64(len(lat))))-1)].Microseconds()) / 1000
				}
				b.ReportMetric(pct(0.50), "p50-ms")
				b.ReportMetric(pct(0.95), "p95-ms")
				b.ReportMetric(pct(0.99), "p99-ms")
			})
		}
	}
}
