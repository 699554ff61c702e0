// Package synth makes the synthetic vectors of the search benchmarks: the
// shape of the offline embedder's vectors of rule clauses, at any number of
// items. The store benchmark (retrieval/eval) and the index benchmark
// (knowledge/sqlite) draw from it, so their figures describe the same data.
package synth

import (
	"math"
	"math/rand"
	"slices"
	"sort"
	"time"

	"github.com/lorehq/lore/knowledge"
)

// Vocab is the size of the synthetic vocabulary; Dim the dense dimension.
const (
	Vocab = 200_000
	Dim   = 256
)

// Zipf draws term ids from a Zipf distribution over Vocab terms,
// flattened at the head, as stop words are removed.
func Zipf(r *rand.Rand) *rand.Zipf { return rand.NewZipf(r, 1.1, 20, Vocab-1) }

// Terms draws n distinct term ids, ascending.
func Terms(z *rand.Zipf, n int) []uint32 {
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

// Item is the sparse vector of an item: 40-160 terms with BM25-like
// weights.
func Item(r *rand.Rand, z *rand.Zipf) knowledge.Sparse {
	terms := Terms(z, 40+r.Intn(121))
	vals := make([]float32, len(terms))
	for k := range vals {
		tf := 1 + r.ExpFloat64()
		vals[k] = float32(tf * 2.2 / (tf + 1.2))
	}
	return knowledge.Sparse{Indices: terms, Values: vals}
}

// Query is the sparse vector of a question: 6-20 terms of weight 1.
func Query(r *rand.Rand, z *rand.Zipf) knowledge.Sparse {
	terms := Terms(z, 6+r.Intn(15))
	vals := make([]float32, len(terms))
	for k := range vals {
		vals[k] = 1
	}
	return knowledge.Sparse{Indices: terms, Values: vals}
}

// Dense is a random unit vector of Dim dimensions.
func Dense(r *rand.Rand) []float32 {
	v := make([]float32, Dim)
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

// Percentiles returns the p50, p95 and p99 of the latencies in ms,
// sorting lat.
func Percentiles(lat []time.Duration) (p50, p95, p99 float64) {
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	pct := func(p float64) float64 {
		if len(lat) == 0 {
			return 0
		}
		return float64(lat[max(0, int(math.Ceil(p*float64(len(lat))))-1)].Microseconds()) / 1000
	}
	return pct(0.50), pct(0.95), pct(0.99)
}
