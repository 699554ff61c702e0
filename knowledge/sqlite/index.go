package sqlite

import (
	"math"
	"sort"
	"sync"
	"time"

	"github.com/lorehq/lore/knowledge"
)

// entry is what the index keeps of one item beside its filterable state.
type entry struct {
	id      string
	sources []uint32 // interned source paths
	off     int      // the item's sparse vector: terms[off:off+n], weights alike
	n       int
}

// slotState is the filterable state of a slot, 16 bytes, apart from the
// entries so that filtering the items a query touches stays in cache.
type slotState struct {
	updated int64
	space   uint32 // interned
	kind    uint8  // position in knowledge.Kinds
	status  uint8  // position in statuses
	alive   bool
	dense   bool // has a dense row
}

// postings are the slots holding one term, in slot order, as parallel
// slices. Dead slots stay until compaction.
type postings struct {
	slots  []uint32
	ws     []float32
	maxW   float32 // the largest weight, dead slots included: an upper bound
	nonpos int32   // weights <= 0, dead slots included: no pruning when > 0
	df     int32   // live items holding the term
}

// index is the in-memory search structure. Slots are append-only; a removed
// or replaced item leaves a dead slot that compaction reclaims.
type index struct {
	dim      int
	slots    []entry
	state    []slotState // per slot
	dense    []float32   // len(slots)*dim
	terms    []uint32    // the items' sparse vectors, one run a slot
	weights  []float32
	postings map[uint32]*postings
	sparseN  int // live items with a sparse vector
	byID     map[string]uint32
	dead     int
	names    map[string]uint32
	scratch  sync.Pool // *sparseScratch
}

var statuses = []knowledge.Status{knowledge.StatusDraft, knowledge.StatusApproved, knowledge.StatusRejected, knowledge.StatusRetired}

func newIndex(dim int) *index {
	return &index{
		dim:      dim,
		postings: map[uint32]*postings{},
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

// approvedCode is statusCode(knowledge.StatusApproved).
var approvedCode = statusCode(knowledge.StatusApproved)

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

func (x *index) setMeta(e *entry, st *slotState, m meta) {
	st.space = x.intern(m.space)
	st.kind = kindCode(m.kind)
	st.status = statusCode(m.status)
	st.updated = m.updated.UnixNano()
	e.sources = e.sources[:0]
	for _, s := range m.sources {
		e.sources = append(e.sources, x.intern(s))
	}
}

// itemTerms returns the sparse vector of slot s.
func (x *index) itemTerms(s uint32) ([]uint32, []float32) {
	e := &x.slots[s]
	return x.terms[e.off : e.off+e.n], x.weights[e.off : e.off+e.n]
}

// post appends slot's weight w to the postings of term t.
func (x *index) post(t, slot uint32, w float32) *postings {
	pl := x.postings[t]
	if pl == nil {
		pl = &postings{}
		x.postings[t] = pl
	}
	pl.slots = append(pl.slots, slot)
	pl.ws = append(pl.ws, w)
	if w > pl.maxW {
		pl.maxW = w
	}
	if !(w > 0) {
		pl.nonpos++
	}
	return pl
}

// put adds or replaces the item id with its vectors.
func (x *index) put(id string, m meta, v knowledge.Vectors) {
	x.remove(id)
	slot := uint32(len(x.slots))
	sp := sortedSparse(v.Sparse)
	e := entry{id: id, off: len(x.terms), n: len(sp.Indices)}
	x.terms = append(x.terms, sp.Indices...)
	x.weights = append(x.weights, sp.Values...)
	st := slotState{alive: true, dense: len(v.Dense) > 0}
	x.setMeta(&e, &st, m)
	x.slots = append(x.slots, e)
	x.state = append(x.state, st)
	if len(v.Dense) > 0 {
		x.dense = append(x.dense, v.Dense...)
	} else {
		x.dense = append(x.dense, make([]float32, x.dim)...)
	}
	for i, t := range sp.Indices {
		x.post(t, slot, sp.Values[i]).df++
	}
	if len(sp.Indices) > 0 {
		x.sparseN++
	}
	x.byID[id] = slot
}

// sortedSparse returns v with its indices ascending, as exact rescoring
// merges them with the query's. The store writes them sorted already.
func sortedSparse(v knowledge.Sparse) knowledge.Sparse {
	if sort.SliceIsSorted(v.Indices, func(i, j int) bool { return v.Indices[i] < v.Indices[j] }) {
		return v
	}
	out := knowledge.Sparse{Indices: append([]uint32(nil), v.Indices...), Values: append([]float32(nil), v.Values...)}
	sort.Sort(byIndex(out))
	return out
}

type byIndex knowledge.Sparse

func (s byIndex) Len() int           { return len(s.Indices) }
func (s byIndex) Less(i, j int) bool { return s.Indices[i] < s.Indices[j] }
func (s byIndex) Swap(i, j int) {
	s.Indices[i], s.Indices[j] = s.Indices[j], s.Indices[i]
	s.Values[i], s.Values[j] = s.Values[j], s.Values[i]
}

// update changes an item's filterable state without touching its vectors.
func (x *index) update(id string, m meta) {
	if slot, ok := x.byID[id]; ok {
		x.setMeta(&x.slots[slot], &x.state[slot], m)
	}
}

func (x *index) remove(id string) {
	slot, ok := x.byID[id]
	if !ok {
		return
	}
	x.state[slot].alive = false
	terms, _ := x.itemTerms(slot)
	for _, t := range terms {
		x.postings[t].df--
	}
	if len(terms) > 0 {
		x.sparseN--
	}
	x.slots[slot].n = 0
	delete(x.byID, id)
	x.dead++
	if x.dead > 1024 && x.dead > len(x.byID) {
		x.compact()
	}
}

// compact drops dead slots and rebuilds the postings.
func (x *index) compact() {
	old, oldState, oldDense, oldTerms, oldWeights := x.slots, x.state, x.dense, x.terms, x.weights
	live := len(x.byID)
	x.slots = make([]entry, 0, live)
	x.state = make([]slotState, 0, live)
	x.dense = make([]float32, 0, live*x.dim)
	x.terms = make([]uint32, 0, len(oldTerms)/2)
	x.weights = make([]float32, 0, len(oldTerms)/2)
	x.postings = make(map[uint32]*postings, len(x.postings))
	for i := range old {
		if !oldState[i].alive {
			continue
		}
		e := old[i]
		slot := uint32(len(x.slots))
		terms, weights := oldTerms[e.off:e.off+e.n], oldWeights[e.off:e.off+e.n]
		e.off = len(x.terms)
		x.terms = append(x.terms, terms...)
		x.weights = append(x.weights, weights...)
		x.slots = append(x.slots, e)
		x.state = append(x.state, oldState[i])
		x.dense = append(x.dense, oldDense[i*x.dim:(i+1)*x.dim]...)
		for j, t := range terms {
			x.post(t, slot, weights[j]).df++
		}
		x.byID[e.id] = slot
	}
	x.dead = 0
}

// pred is a compiled Filter.
type pred struct {
	kinds, statuses uint32 // bit sets
	approvedOnly    uint32 // kinds that pass only when approved, a bit set
	spaces          []uint32
	bySpace         bool
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
	for _, k := range f.ApprovedOnly {
		if c := kindCode(k); c != math.MaxUint8 {
			p.approvedOnly |= 1 << c
		}
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
		p.bySpace = true
		for _, s := range f.Spaces {
			if n, ok := x.names[s]; ok {
				p.spaces = append(p.spaces, n)
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

// match reports whether slot s is alive and passes the filter.
func (p *pred) match(x *index, s uint32) bool {
	st := &x.state[s]
	if !st.alive || p.statuses&(1<<st.status) == 0 {
		return false
	}
	if p.kinds != 0 && p.kinds&(1<<st.kind) == 0 {
		return false
	}
	if p.approvedOnly&(1<<st.kind) != 0 && st.status != approvedCode {
		return false
	}
	if p.bySpace {
		found := false
		for _, n := range p.spaces {
			if n == st.space {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	if st.updated <= p.after || st.updated >= p.before {
		return false
	}
	if p.bySource {
		for _, src := range x.slots[s].sources {
			if src == p.source {
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
	items []scored // a min-heap: the worst kept candidate first
	x     *index
}

// worse reports whether a ranks below b.
func (h *topK) worse(a, b scored) bool {
	if a.score != b.score {
		return a.score < b.score
	}
	return h.x.slots[a.slot].id > h.x.slots[b.slot].id
}

// full reports whether k candidates are kept; then items[0] is the worst.
func (h *topK) full() bool { return len(h.items) >= h.k }

func (h *topK) offer(s scored) {
	if h.k <= 0 {
		return
	}
	if len(h.items) < h.k {
		h.items = append(h.items, s)
		h.up(len(h.items) - 1)
		return
	}
	if h.worse(h.items[0], s) {
		h.items[0] = s
		h.down(0)
	}
}

func (h *topK) up(i int) {
	for i > 0 {
		parent := (i - 1) / 2
		if !h.worse(h.items[i], h.items[parent]) {
			return
		}
		h.items[i], h.items[parent] = h.items[parent], h.items[i]
		i = parent
	}
}

func (h *topK) down(i int) {
	n := len(h.items)
	for {
		c := 2*i + 1
		if c >= n {
			return
		}
		if c+1 < n && h.worse(h.items[c+1], h.items[c]) {
			c++
		}
		if !h.worse(h.items[c], h.items[i]) {
			return
		}
		h.items[i], h.items[c] = h.items[c], h.items[i]
		i = c
	}
}

// best returns the kept candidates best first, emptying h.
func (h *topK) best() []scored {
	out := make([]scored, len(h.items))
	for i := len(out) - 1; i >= 0; i-- {
		out[i] = h.items[0]
		last := len(h.items) - 1
		h.items[0] = h.items[last]
		h.items = h.items[:last]
		h.down(0)
	}
	return out
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
	sparse, dense := x.rankBoth(q.Vectors, &p, candidates)
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
	add(sparse, true, 1)
	add(dense, false, dw)
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
