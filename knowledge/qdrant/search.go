package qdrant

import (
	"context"
	"sort"
	"strings"

	"github.com/lorehq/lore/knowledge"
	qc "github.com/qdrant/go-client/qdrant"
)

// Search ranks the items passing q.Filter with Qdrant's Query API and
// fuses the rankings there by reciprocal rank.
//
// One QueryBatch request carries:
//
//   - the fused query: a prefetch on the dense vector (score threshold 0:
//     positive cosines only) and one on the sparse vector (IDF-weighted by
//     the collection's modifier), each with the filter and q.Candidates,
//     fused by RRF, limit q.Limit, with the payload;
//   - the same two prefetches as plain queries, without payload, which give
//     each hit its SparseRank, DenseRank, SparseScore and DenseScore.
//
// Qdrant numbers RRF positions from 0 and scores 1/(k+position); Lore ranks
// from 1 and scores 1/(RRFK+rank), so the request sets k = RRFK+1 and the
// two agree. Qdrant's RRF has no weights: with a q.DenseWeight other than
// 1 the fused query returns every candidate and the weighted fusion is
// done here. Hit.Score is recomputed from the ranks in float64 (Qdrant's is
// float32) and hits are sorted by it, ties by item id. With one vector
// empty, the batch holds only that ranking, with the payload.
//
// What is approximate: the dense ranking is Qdrant's HNSW search, which
// may miss a true neighbour (as the prefetch does too, identically for a
// settled index); the three queries of the batch read the collection
// independently, so a write landing between them can leave a hit without
// ranks, in which case its Score is Qdrant's fused score; datetime bounds
// hold to the microsecond.
func (s *Store) Search(ctx context.Context, q knowledge.Query) ([]knowledge.Hit, error) {
	const op = "qdrant.Search"
	coll := s.cfg.Collection
	hasDense, hasSparse := len(q.Vectors.Dense) > 0, len(q.Vectors.Sparse.Indices) > 0
	if !hasDense && !hasSparse {
		return nil, knowledge.Errorf(knowledge.Invalid, op, "query has neither a dense nor a sparse vector / 查询缺少向量")
	}
	if err := s.checkVectors(op, "query", q.Vectors, false); err != nil {
		return nil, err
	}
	limit := q.Limit
	if limit <= 0 {
		limit = 10
	}
	cand := q.Candidates
	if cand <= 0 {
		cand = max(4*limit, 50)
	}
	cand = max(cand, limit)
	filter := itemFilter(q.Filter)
	dw := q.DenseWeight
	if dw <= 0 {
		dw = 1
	}
	candLimit, hitLimit := uint64(cand), uint64(limit)
	if dw != 1 {
		// Qdrant's RRF weighs rankings alike: take every fused candidate
		// and rank them here with the dense weight.
		hitLimit = 2 * candLimit
	}

	type ranking struct {
		sparse    bool
		query     *qc.Query
		using     string
		threshold *float32
	}
	var rankings []ranking
	if hasDense {
		// Only items with a positive cosine are dense candidates: Qdrant
		// keeps scores strictly above the threshold.
		rankings = append(rankings, ranking{query: qc.NewQueryDense(q.Vectors.Dense), using: vectorDense, threshold: qc.PtrOf(float32(0))})
	}
	if hasSparse {
		rankings = append(rankings, ranking{sparse: true, query: qc.NewQuerySparse(q.Vectors.Sparse.Indices, q.Vectors.Sparse.Values), using: vectorSparse})
	}
	single := len(rankings) == 1
	var batch []*qc.QueryPoints
	if !single {
		fused := &qc.QueryPoints{
			CollectionName: coll,
			Query:          qc.NewQueryRRF(&qc.Rrf{K: qc.PtrOf(uint32(knowledge.RRFK + 1))}),
			Limit:          &hitLimit,
			WithPayload:    qc.NewWithPayload(true),
		}
		for _, r := range rankings {
			fused.Prefetch = append(fused.Prefetch, &qc.PrefetchQuery{
				Query:          r.query,
				Using:          qc.PtrOf(r.using),
				Filter:         filter,
				Limit:          &candLimit,
				ScoreThreshold: r.threshold,
			})
		}
		batch = append(batch, fused)
	}
	for _, r := range rankings {
		batch = append(batch, &qc.QueryPoints{
			CollectionName: coll,
			Query:          r.query,
			Using:          qc.PtrOf(r.using),
			Filter:         filter,
			Limit:          &candLimit,
			ScoreThreshold: r.threshold,
			WithPayload:    qc.NewWithPayload(single),
		})
	}
	resp, err := call(ctx, s, "query batch", coll, func(ctx context.Context) (*qc.QueryBatchResponse, error) {
		return s.points.QueryBatch(ctx, &qc.QueryBatchPoints{CollectionName: coll, QueryPoints: batch})
	})
	if err != nil {
		return nil, err
	}
	results := resp.GetResult()
	if len(results) != len(batch) {
		return nil, internalf("query batch %q: %d results for %d queries", coll, len(results), len(batch))
	}

	type rank struct {
		n     int
		score float64
	}
	ranks := make([]map[string]rank, len(rankings))
	for i := range rankings {
		res := results[len(results)-len(rankings)+i].GetResult()
		// Qdrant orders equal scores as it finds them; rank them by id.
		sort.SliceStable(res, func(a, b int) bool {
			if res[a].GetScore() != res[b].GetScore() {
				return res[a].GetScore() > res[b].GetScore()
			}
			return pointKey(res[a].GetId()) < pointKey(res[b].GetId())
		})
		ranks[i] = make(map[string]rank, len(res))
		for n, p := range res {
			ranks[i][pointKey(p.GetId())] = rank{n: n + 1, score: float64(p.GetScore())}
		}
	}
	top := results[0].GetResult()
	if single && len(top) > limit {
		top = top[:limit]
	}
	hits := make([]knowledge.Hit, 0, len(top))
	for _, p := range top {
		st, err := decodeItem(p.GetPayload())
		if err != nil {
			return nil, internalf("collection %q point %s: %v", coll, p.GetId().GetUuid(), err)
		}
		h := knowledge.Hit{Item: st.item}
		key := pointKey(p.GetId())
		for i, r := range rankings {
			rk, ok := ranks[i][key]
			if !ok {
				continue
			}
			w := dw
			if r.sparse {
				w = 1
			}
			h.Score += w / float64(knowledge.RRFK+rk.n)
			if r.sparse {
				h.SparseRank, h.SparseScore = rk.n, rk.score
			} else {
				h.DenseRank, h.DenseScore = rk.n, rk.score
			}
		}
		if h.SparseRank == 0 && h.DenseRank == 0 {
			h.Score = float64(p.GetScore())
		}
		hits = append(hits, h)
	}
	sort.SliceStable(hits, func(i, j int) bool {
		if hits[i].Score != hits[j].Score {
			return hits[i].Score > hits[j].Score
		}
		return hits[i].Item.ID < hits[j].Item.ID
	})
	return hits[:min(len(hits), limit)], nil
}

// pointKey is a comparable form of a point id.
func pointKey(id *qc.PointId) string {
	if u := id.GetUuid(); u != "" {
		return strings.ToLower(strings.ReplaceAll(u, "-", ""))
	}
	return "#" + strings.TrimSpace(id.String())
}
