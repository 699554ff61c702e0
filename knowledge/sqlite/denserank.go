package sqlite

import (
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/viterin/vek/vek32"

	"github.com/lorehq/lore/knowledge"
)

// denseChunk is the rows a unit of work of the dense scan: 4 MB at 256
// dimensions.
const denseChunk = 4096

// parallelRows is the index size from which a query's dense scan is
// shared among the processors, with the sparse ranking running beside it.
const parallelRows = 4 * denseChunk

// rankBoth returns the sparse and the dense ranking of v, k candidates
// each. On a large index the dense scan is cut into chunks that
// GOMAXPROCS workers take in turn, the calling goroutine joining them
// once its sparse ranking is done.
func (x *index) rankBoth(v knowledge.Vectors, p *pred, k int) (sparse, dense []scored) {
	n := len(x.slots)
	workers := runtime.GOMAXPROCS(0)
	if len(v.Dense) == 0 || len(v.Dense) != x.dim || workers < 2 || n < parallelRows {
		return x.sparseRank(v.Sparse, p, k), x.denseRank(v.Dense, p, k)
	}
	workers = min(workers, (n+denseChunk-1)/denseChunk)
	var next atomic.Int64
	heaps := make([]topK, workers)
	work := func(h *topK) {
		for {
			lo := int(next.Add(1)-1) * denseChunk
			if lo >= n {
				return
			}
			x.denseScan(v.Dense, p, h, lo, min(n, lo+denseChunk))
		}
	}
	var wg sync.WaitGroup
	for w := range heaps {
		heaps[w] = topK{k: k, x: x}
		if w > 0 {
			wg.Add(1)
			go func(h *topK) {
				defer wg.Done()
				work(h)
			}(&heaps[w])
		}
	}
	sparse = x.sparseRank(v.Sparse, p, k)
	work(&heaps[0])
	wg.Wait()
	// Every candidate of the k best is among the k best of its worker.
	h := &heaps[0]
	for w := 1; w < len(heaps); w++ {
		for _, s := range heaps[w].items {
			h.offer(s)
		}
	}
	return sparse, h.best()
}

// denseRank scans every item with a dense vector; only positive cosines
// are candidates.
func (x *index) denseRank(q []float32, p *pred, k int) []scored {
	if len(q) == 0 || len(q) != x.dim || k <= 0 {
		return nil
	}
	h := &topK{k: k, x: x}
	x.denseScan(q, p, h, 0, len(x.slots))
	return h.best()
}

// denseScan offers the rows lo to hi to h.
func (x *index) denseScan(q []float32, p *pred, h *topK, lo, hi int) {
	dim := x.dim
	rows := x.dense[lo*dim : hi*dim]
	for i := lo; i < hi; i++ {
		// The dot product first, over the contiguous block; the slot's
		// state only for rows that could enter the top k. Rows without a
		// vector are zero and score 0.
		off := (i - lo) * dim
		d := float64(vek32.Dot(q, rows[off:off+dim:off+dim]))
		if d <= 0 || h.full() && d < h.items[0].score {
			continue
		}
		if x.state[i].dense && p.match(x, uint32(i)) {
			h.offer(scored{slot: uint32(i), score: d})
		}
	}
}
