package sqlite

import (
	"fmt"
	"math/rand"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/lorehq/lore/knowledge"
)

// The index tests compare the pruned sparse ranking and the parallel dense
// scan with brute force over every item, on random data with filters,
// removed and replaced items, compaction and tied scores.

var (
	testSpaces  = []string{"零售信贷", "信用卡", "合规"}
	testSources = []string{"制度/个人消费贷款管理办法.md", "制度/催收作业规范.md", "问答/逾期罚息.md", "制度/征信异议处理.md"}
	testKinds   = []knowledge.Kind{knowledge.KindRule, knowledge.KindPassage, knowledge.KindFAQ}
	testT0      = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
)

// randomItem draws an item's filterable state and vectors: Zipf terms
// (common terms shared by most items, as in real text) with positive
// BM25-like weights, unless negative is set.
func randomItem(r *rand.Rand, z *rand.Zipf, dim int, negative bool) (meta, knowledge.Vectors) {
	m := meta{
		space:   testSpaces[r.Intn(len(testSpaces))],
		kind:    testKinds[r.Intn(len(testKinds))],
		status:  statuses[r.Intn(len(statuses))],
		updated: testT0.Add(time.Duration(r.Intn(1000)) * time.Hour),
		sources: []string{testSources[r.Intn(len(testSources))]},
	}
	if r.Intn(4) == 0 {
		m.sources = append(m.sources, testSources[r.Intn(len(testSources))])
	}
	seen := map[uint32]bool{}
	var sp knowledge.Sparse
	for n := 5 + r.Intn(30); len(sp.Indices) < n; {
		t := uint32(z.Uint64())
		if seen[t] {
			continue
		}
		seen[t] = true
		sp.Indices = append(sp.Indices, t)
		// Coarse weights make equal scores common.
		w := float32(1+r.Intn(4)) / 2
		if negative && r.Intn(10) == 0 {
			w = -w
		}
		if negative && r.Intn(20) == 0 {
			w = 0
		}
		sp.Values = append(sp.Values, w)
	}
	var v knowledge.Vectors
	v.Sparse = sp // unsorted: put must sort
	if r.Intn(10) > 0 {
		v.Dense = make([]float32, dim)
		for i := range v.Dense {
			v.Dense[i] = float32(r.Intn(5) - 2) // small integers: ties
		}
	}
	return m, v
}

func randomFilter(r *rand.Rand) knowledge.Filter {
	var f knowledge.Filter
	switch r.Intn(6) {
	case 1:
		f.Kinds = []knowledge.Kind{testKinds[r.Intn(len(testKinds))]}
	case 2:
		f.Spaces = []string{testSpaces[r.Intn(len(testSpaces))], testSpaces[r.Intn(len(testSpaces))]}
	case 3:
		f.Source = testSources[r.Intn(len(testSources))]
	case 4:
		f.UpdatedAfter = testT0.Add(time.Duration(r.Intn(500)) * time.Hour)
		f.UpdatedBefore = f.UpdatedAfter.Add(time.Duration(r.Intn(800)) * time.Hour)
	case 5:
		f.Statuses = statuses[r.Intn(2):]
		f.Kinds = testKinds[:2]
	}
	return f
}

// model is what the index should know, kept the simple way.
type model struct {
	meta map[string]meta
	vecs map[string]knowledge.Vectors
}

// bruteSparse scores every live item in query order, as sparseAll does.
func (md *model) bruteSparse(q knowledge.Sparse, f knowledge.Filter, k int) []string {
	df := map[uint32]int{}
	n := 0
	for _, v := range md.vecs {
		if len(v.Sparse.Indices) > 0 {
			n++
		}
		for _, t := range v.Sparse.Indices {
			df[t]++
		}
	}
	type hit struct {
		id    string
		score float64
	}
	var hits []hit
	for id, v := range md.vecs {
		if !md.match(id, f) {
			continue
		}
		w := map[uint32]float32{}
		for i, t := range v.Sparse.Indices {
			w[t] = v.Sparse.Values[i]
		}
		var score float64
		touched := false
		for i, t := range q.Indices {
			if iw, ok := w[t]; ok {
				touched = true
				score += float64(q.Values[i]) * idf(n, df[t]) * float64(iw)
			}
		}
		if touched && score > 0 {
			hits = append(hits, hit{id, score})
		}
	}
	sort.Slice(hits, func(i, j int) bool {
		if hits[i].score != hits[j].score {
			return hits[i].score > hits[j].score
		}
		return hits[i].id < hits[j].id
	})
	var out []string
	for i := 0; i < len(hits) && i < k; i++ {
		out = append(out, fmt.Sprintf("%s %v", hits[i].id, hits[i].score))
	}
	return out
}

// bruteDense scores every live item with a dense vector.
func (md *model) bruteDense(q []float32, f knowledge.Filter, k int) []string {
	type hit struct {
		id    string
		score float64
	}
	var hits []hit
	for id, v := range md.vecs {
		if len(v.Dense) == 0 || !md.match(id, f) {
			continue
		}
		var d float64
		for i := range q {
			d += float64(q[i]) * float64(v.Dense[i])
		}
		if d > 0 {
			hits = append(hits, hit{id, d})
		}
	}
	sort.Slice(hits, func(i, j int) bool {
		if hits[i].score != hits[j].score {
			return hits[i].score > hits[j].score
		}
		return hits[i].id < hits[j].id
	})
	var out []string
	for i := 0; i < len(hits) && i < k; i++ {
		out = append(out, fmt.Sprintf("%s %v", hits[i].id, hits[i].score))
	}
	return out
}

func (md *model) match(id string, f knowledge.Filter) bool {
	m := md.meta[id]
	if len(f.Statuses) == 0 && m.status != knowledge.StatusDraft && m.status != knowledge.StatusApproved ||
		len(f.Statuses) > 0 && !slices.Contains(f.Statuses, m.status) ||
		len(f.Kinds) > 0 && !slices.Contains(f.Kinds, m.kind) ||
		len(f.Spaces) > 0 && !slices.Contains(f.Spaces, m.space) ||
		f.Source != "" && !slices.Contains(m.sources, f.Source) ||
		!f.UpdatedAfter.IsZero() && !m.updated.After(f.UpdatedAfter) ||
		!f.UpdatedBefore.IsZero() && !m.updated.Before(f.UpdatedBefore) {
		return false
	}
	return true
}

func ranked(x *index, list []scored) []string {
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = fmt.Sprintf("%s %v", x.slots[s.slot].id, s.score)
	}
	return out
}

// buildRandom fills an index and its model with n items, then removes,
// replaces and re-files some, enough to compact when churn is set.
func buildRandom(r *rand.Rand, n, dim int, negative, churn bool) (*index, *model) {
	x := newIndex(dim)
	md := &model{meta: map[string]meta{}, vecs: map[string]knowledge.Vectors{}}
	z := rand.NewZipf(r, 1.1, 3, 3000)
	put := func(id string) {
		m, v := randomItem(r, z, dim, negative)
		x.put(id, m, v)
		md.meta[id], md.vecs[id] = m, v
	}
	for i := range n {
		put(fmt.Sprintf("item-%06d", i))
	}
	ops := n / 10
	if churn {
		ops = 3 * n
	}
	for range ops {
		id := fmt.Sprintf("item-%06d", r.Intn(n))
		switch r.Intn(3) {
		case 0:
			x.remove(id)
			delete(md.meta, id)
			delete(md.vecs, id)
		case 1:
			put(id)
		case 2:
			if _, ok := md.meta[id]; ok {
				m := md.meta[id]
				m.status = statuses[r.Intn(len(statuses))]
				x.update(id, m)
				md.meta[id] = m
			}
		}
	}
	return x, md
}

func randomQuery(r *rand.Rand, dim int, negative bool) knowledge.Vectors {
	z := rand.NewZipf(r, 1.1, 3, 3000)
	seen := map[uint32]bool{}
	var v knowledge.Vectors
	for n := 1 + r.Intn(15); len(v.Sparse.Indices) < n; {
		t := uint32(z.Uint64())
		if r.Intn(8) == 0 {
			t = 5000 + uint32(r.Intn(100)) // a term no item holds
		}
		if !seen[t] {
			seen[t] = true
			v.Sparse.Indices = append(v.Sparse.Indices, t)
			w := float32(1 + r.Intn(3))
			if negative && r.Intn(6) == 0 {
				w = -w
			}
			v.Sparse.Values = append(v.Sparse.Values, w)
		}
	}
	v.Sparse = sortedSparse(v.Sparse) // as Search passes it
	v.Dense = make([]float32, dim)
	for i := range v.Dense {
		v.Dense[i] = float32(r.Intn(5) - 2)
	}
	return v
}

func TestRankingMatchesBruteForce(t *testing.T) {
	cases := []struct {
		name            string
		n               int
		negative, churn bool
	}{
		{"small", 300, false, false},
		{"pruned", 20000, false, false},
		{"compacted", 3000, false, true},
		{"nonpositive weights", 3000, true, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := rand.New(rand.NewSource(int64(tc.n)))
			const dim = 8
			x, md := buildRandom(r, tc.n, dim, tc.negative, tc.churn)
			if tc.churn && len(x.slots) > 2*len(x.byID)+1025 {
				t.Fatalf("%d slots for %d items: no compaction", len(x.slots), len(x.byID))
			}
			for i := range 60 {
				v := randomQuery(r, dim, tc.negative)
				f := randomFilter(r)
				k := []int{1, 10, 100, 1000}[i%4]
				p := x.compile(f)
				if p.none {
					continue
				}
				sparse, dense := x.rankBoth(v, &p, k)
				if d := firstDiff(ranked(x, sparse), md.bruteSparse(v.Sparse, f, k)); d != "" {
					t.Fatalf("query %d (k=%d, filter %+v): sparse ranking: %s", i, k, f, d)
				}
				if d := firstDiff(ranked(x, dense), md.bruteDense(v.Dense, f, k)); d != "" {
					t.Fatalf("query %d (k=%d, filter %+v): dense ranking: %s", i, k, f, d)
				}
			}
		})
	}
}

// firstDiff describes where got and want first differ, "" if nowhere.
func firstDiff(got, want []string) string {
	for i := range min(len(got), len(want)) {
		if got[i] != want[i] {
			return fmt.Sprintf("#%d is %q, want %q", i+1, got[i], want[i])
		}
	}
	if len(got) != len(want) {
		return fmt.Sprintf("%d hits, want %d", len(got), len(want))
	}
	return ""
}

func TestTopKOrder(t *testing.T) {
	x := newIndex(0)
	for _, id := range []string{"c", "a", "d", "b", "e"} {
		x.put(id, meta{status: knowledge.StatusApproved}, knowledge.Vectors{})
	}
	h := &topK{k: 3, x: x}
	for _, s := range []scored{{0, 1}, {1, 1}, {2, 2}, {3, 1}, {4, 0.5}} {
		h.offer(s)
	}
	if got, want := ranked(x, h.best()), []string{"d 2", "a 1", "b 1"}; !slices.Equal(got, want) {
		t.Errorf("top 3 = %q, want %q", got, want)
	}
}
