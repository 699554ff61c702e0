package sqlite

import (
	"container/heap"
	"math"
	"sort"
	"sync"
	"time"

	"github.com/viterin/vek/vek32"

	"github.com/lorehq/lore/knowledge"
)

// entry is what the index knows of one item: enough to filter and rank it.
type entry struct {
	id      string
	space   uint32 // interned
	kind    uint8  // position in knowledge.Kinds
	status  uint8  // position in statuses
	alive   bool
	dense   bool // has a dense row
	updated int64
	sources []uint32 // interned source paths
	sparse  knowledge.Sparse
}

type posting struct {
	slot uint32
	w    float32
}

// index is the in-memory search structure. Slots are append-only; a removed
// or replaced item leaves a dead slot that compaction reclaims.
type index struct {
	dim      int
	slots    []entry
	dense    []float32 // len(slots)*dim
	postings map[uint32][]posting
	df       map[uint32]int32 // live items containing the term
	sparseN  int              // live items with a sparse vector
	byID     map[string]uint32
	dead     int
	names    map[string]uint32
	accPool  sync.Pool
}

var statuses = []knowledge.Status{knowledge.StatusDraft, knowledge.StatusApproved, knowledge.StatusRejected, knowledge.StatusRetired}

func newIndex(dim int) *index {
	return &index{
		dim:      dim,
		postings: map[uint32][]posting{},
		df:       map[uint32]int32{},
		byID:     map[string]uint32{},
		names:    map[string]uint32{},
	}
}

func (x *index) intern(s string) uint32 {
	if n, ok := x.names[s]; ok {
		return n
	}
	n := uint32(len(x.names))
	x.names[s] = n
	return n
}

func kindCode(k knowledge.Kind) uint8 {
	for i, v := range knowledge.Kinds {
		if v == k {
			return uint8(i)
		}
	}
	return math.MaxUint8
}

func statusCode(s knowledge.Status) uint8 {
	for i, v := range statuses {
		if v == s {
			return uint8(i)
		}
	}
	return math.MaxUint8
}

// meta is the filterable state of an item.
type meta struct {
	space   string
	kind    knowledge.Kind
	status  knowledge.Status
	updated time.Time
	sources []string
}

func metaOf(it *knowledge.Item) meta {
	return meta{space: it.Space, kind: it.Kind, status: it.Status, updated: it.Updated, sources: it.Sources()}
}

func (x *index) setMeta(e *entry, m meta) {
	e.space = x.intern(m.space)
	e.kind = kindCode(m.kind)
	e.status = statusCode(m.status)
	e.updated = m.updated.UnixNano()
	e.sources = e.sources[:0]
	for _, s := range m.sources {
		e.sources = append(e.sources, x.intern(s))
	}
}

// put adds or replaces the item id with its vectors.
func (x *index) put(id string, m meta, v knowledge.Vectors) {
	x.remove(id)
	slot := uint32(len(x.slots))
	e := entry{id: id, alive: true, dense: len(v.Dense) > 0, sparse: v.Sparse}
	x.setMeta(&e, m)
	x.slots = append(x.slots, e)
	if len(v.Dense) > 0 {
		x.dense = append(x.dense, v.Dense...)
	} else {
		x.dense = append(x.dense, make([]float32, x.dim)...)
	}
	for i, t := range v.Sparse.Indices {
		x.postings[t] = append(x.postings[t], posting{slot: slot, w: v.Sparse.Values[i]})
		x.df[t]++
	}
	if len(v.Sparse.Indices) > 0 {
		x.sparseN++
	}
	x.byID[id] = slot
}

// update changes an item's filterable state without touching its vectors.
func (x *index) update(id string, m meta) {
	if slot, ok := x.byID[id]; ok {
		x.setMeta(&x.slots[slot], m)
	}
}

func (x *index) remove(id string) {
	slot, ok := x.byID[id]
	if !ok {
		return
	}
	e := &x.slots[slot]
	e.alive = false
	for _, t := range e.sparse.Indices {
		if x.df[t]--; x.df[t] <= 0 {
			delete(x.df, t)
		}
	}
	if len(e.sparse.Indices) > 0 {
		x.sparseN--
	}
	e.sparse = knowledge.Sparse{}
	delete(x.byID, id)
	x.dead++
	if x.dead > 1024 && x.dead > len(x.byID) {
		x.compact()
	}
}

// compact drops dead slots and rebuilds the postings.
func (x *index) compact() {
	old, oldDense := x.slots, x.dense
	x.slots = make([]entry, 0, len(x.byID))
	x.dense = make([]float32, 0, len(x.byID)*x.dim)
	x.postings = make(map[uint32][]posting, len(x.postings))
	for i := range old {
		e := old[i]
		if !e.alive {
			continue
		}
		slot := uint32(len(x.slots))
		x.slots = append(x.slots, e)
		x.dense = append(x.dense, oldDense[i*x.dim:(i+1)*x.dim]...)
		for j, t := range e.sparse.Indices {
			x.postings[t] = append(x.postings[t], posting{slot: slot, w: e.sparse.Values[j]})
		}
		x.byID[e.id] = slot
	}
	x.dead = 0
}

// pred is a compiled Filter.
type pred struct {
	kinds, statuses uint32 // bit sets
	spaces          map[uint32]bool
	source          uint32
	bySource        bool
	after, before   int64
	none            bool // a named space or source the index has never seen
}

func (x *index) compile(f knowledge.Filter) pred {
	p := pred{after: math.MinInt64, before: math.MaxInt64}
	for _, k := range f.Kinds {
		if c := kindCode(k); c != math.MaxUint8 {
			p.kinds |= 1 << c
		}
	}
	if len(f.Kinds) > 0 && p.kinds == 0 {
		p.none = true
	}
	if len(f.Statuses) > 0 {
		for _, s := range f.Statuses {
			if c := statusCode(s); c != math.MaxUint8 {
				p.statuses |= 1 << c
			}
		}
		if p.statuses == 0 {
			p.none = true
		}
	} else {
		p.statuses = 1<<statusCode(knowledge.StatusDraft) | 1<<statusCode(knowledge.StatusApproved)
	}
	if len(f.Spaces) > 0 {
		p.spaces = map[uint32]bool{}
		for _, s := range f.Spaces {
			if n, ok := x.names[s]; ok {
				p.spaces[n] = true
			}
		}
		if len(p.spaces) == 0 {
			p.none = true
		}
	}
	if f.Source != "" {
		n, ok := x.names[f.Source]
		p.source, p.bySource, p.none = n, true, p.none || !ok
	}
	if !f.UpdatedAfter.IsZero() {
		p.after = f.UpdatedAfter.UnixNano()
	}
	if !f.UpdatedBefore.IsZero() {
		p.before = f.UpdatedBefore.UnixNano()
	}
	return p
}

func (p *pred) match(e *entry) bool {
	if !e.alive || p.statuses&(1<<e.status) == 0 {
		return false
	}
	if p.kinds != 0 && p.kinds&(1<<e.kind) == 0 {
		return false
	}
	if p.spaces != nil && !p.spaces[e.space] {
		return false
	}
	if e.updated <= p.after || e.updated >= p.before {
		return false
	}
	if p.bySource {
		for _, s := range e.sources {
			if s == p.source {
				return true
			}
		}
		return false
	}
	return true
}

// scored is one candidate of a ranking.
type scored struct {
	slot  uint32
	score float64
}

// topK keeps the k best candidates: highest score, then lowest id.
type topK struct {
	k     int
	items []scored
	x     *index
}

func (h *topK) Len() int { return len(h.items) }
func (h *topK) Less(i, j int) bool {
	a, b := h.items[i], h.items[j]
	if a.score != b.score {
		return a.score < b.score
	}
	return h.x.slots[a.slot].id > h.x.slots[b.slot].id
}
func (h *topK) Swap(i, j int) { h.items[i], h.items[j] = h.items[j], h.items[i] }
func (h *topK) Push(v any)    { h.items = append(h.items, v.(scored)) }
func (h *topK) Pop() any {
	v := h.items[len(h.items)-1]
	h.items = h.items[:len(h.items)-1]
	return v
}

func (h *topK) offer(s scored) {
	if len(h.items) < h.k {
		heap.Push(h, s)
		return
	}
	worst := h.items[0]
	if s.score > worst.score || s.score == worst.score && h.x.slots[s.slot].id < h.x.slots[worst.slot].id {
		h.items[0] = s
		heap.Fix(h, 0)
	}
}

// best returns the kept candidates best first.
func (h *topK) best() []scored {
	out := make([]scored, len(h.items))
	for i := len(out) - 1; i >= 0; i-- {
		out[i] = heap.Pop(h).(scored)
	}
	return out
}

// idf is Qdrant's IDF modifier: ln(1 + (N - n + 0.5) / (n + 0.5)).
func idf(N, n int) float64 {
	return math.Log(1 + (float64(N)-float64(n)+0.5)/(float64(n)+0.5))
}

// sparseRank scores the items matching the query terms.
func (x *index) sparseRank(q knowledge.Sparse, p *pred, k int) []scored {
	if len(q.Indices) == 0 || len(x.slots) == 0 {
		return nil
	}
	acc, _ := x.accPool.Get().([]float64)
	if cap(acc) < len(x.slots) {
		acc = make([]float64, len(x.slots))
	}
	acc = acc[:len(x.slots)]
	var touched []uint32
	for i, t := range q.Indices {
		ps := x.postings[t]
		if len(ps) == 0 {
			continue
		}
		w := float64(q.Values[i]) * idf(x.sparseN, int(x.df[t]))
		for _, pst := range ps {
			if acc[pst.slot] == 0 {
				touched = append(touched, pst.slot)
			}
			acc[pst.slot] += w * float64(pst.w)
		}
	}
	h := &topK{k: k, x: x}
	for _, s := range touched {
		// The cheap heap bound first: matching the filter reads the
		// item's entry, a cache miss per touched item.
		if score := acc[s]; score > 0 && (len(h.items) < h.k || score >= h.items[0].score) && p.match(&x.slots[s]) {
			h.offer(scored{slot: s, score: score})
		}
		acc[s] = 0
	}
	x.accPool.Put(acc) //nolint:staticcheck // a slice header is fine here
	return h.best()
}

// denseRank scans every item with a dense vector; only positive cosines
// are candidates.
func (x *index) denseRank(q []float32, p *pred, k int) []scored {
	if len(q) == 0 || len(q) != x.dim {
		return nil
	}
	h := &topK{k: k, x: x}
	for i := range x.slots {
		// The dot product first, over the contiguous block; the item's
		// entry (a cache miss) only for rows that could enter the top k.
		// Rows without a vector are zero and score 0.
		d := float64(vek32.Dot(q, x.dense[i*x.dim:(i+1)*x.dim]))
		if d <= 0 || len(h.items) == h.k && d < h.items[0].score {
			continue
		}
		if e := &x.slots[i]; e.dense && p.match(e) {
			h.offer(scored{slot: uint32(i), score: d})
		}
	}
	return h.best()
}

// fused is a hit before its item is loaded.
type fused struct {
	id                      string
	score                   float64
	sparseRank, denseRank   int
	sparseScore, denseScore float64
}

// search ranks by each vector and fuses the rankings by reciprocal rank,
// the dense ranking at q.DenseWeight.
func (x *index) search(q knowledge.Query, limit, candidates int) []fused {
	p := x.compile(q.Filter)
	if p.none {
		return nil
	}
	byID := map[string]*fused{}
	var out []*fused
	add := func(list []scored, sparse bool, weight float64) {
		for r, s := range list {
			id := x.slots[s.slot].id
			f := byID[id]
			if f == nil {
				f = &fused{id: id}
				byID[id] = f
				out = append(out, f)
			}
			f.score += weight / float64(knowledge.RRFK+r+1)
			if sparse {
				f.sparseRank, f.sparseScore = r+1, s.score
			} else {
				f.denseRank, f.denseScore = r+1, s.score
			}
		}
	}
	dw := q.DenseWeight
	if dw <= 0 {
		dw = 1
	}
	add(x.sparseRank(q.Vectors.Sparse, &p, candidates), true, 1)
	add(x.denseRank(q.Vectors.Dense, &p, candidates), false, dw)
	sort.Slice(out, func(i, j int) bool {
		if out[i].score != out[j].score {
			return out[i].score > out[j].score
		}
		return out[i].id < out[j].id
	})
	if len(out) > limit {
		out = out[:limit]
	}
	res := make([]fused, len(out))
	for i, f := range out {
		res[i] = *f
	}
	return res
}
