package synth

import (
	"math"
	"math/rand"
	"slices"
	"testing"
	"time"
)

func TestShapes(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	z := Zipf(r)
	for range 50 {
		it := Item(r, z)
		if n := len(it.Indices); n < 40 || n > 160 || !slices.IsSorted(it.Indices) || len(it.Values) != n {
			t.Fatalf("item of %d terms, sorted %v", n, slices.IsSorted(it.Indices))
		}
		if q := Query(r, z); len(q.Indices) < 6 || len(q.Indices) > 20 {
			t.Fatalf("query of %d terms", len(q.Indices))
		}
		var sum float64
		for _, x := range Dense(r) {
			sum += float64(x) * float64(x)
		}
		if math.Abs(sum-1) > 1e-5 {
			t.Fatalf("dense norm² %v", sum)
		}
	}
}

func TestPercentiles(t *testing.T) {
	var lat []time.Duration
	for i := 100; i >= 1; i-- {
		lat = append(lat, time.Duration(i)*time.Millisecond)
	}
	if p50, p95, p99 := Percentiles(lat); p50 != 50 || p95 != 95 || p99 != 99 {
		t.Errorf("percentiles %v %v %v, want 50 95 99", p50, p95, p99)
	}
	if p50, _, _ := Percentiles(nil); p50 != 0 {
		t.Errorf("empty: %v", p50)
	}
}
