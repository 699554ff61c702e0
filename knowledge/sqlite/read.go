package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/lorehq/lore/knowledge"
)

// Get implements knowledge.Store.
func (s *Store) Get(ctx context.Context, id string) (knowledge.Item, error) {
	const op = "sqlite.Get"
	var doc string
	err := s.db.QueryRowContext(ctx, `SELECT doc FROM items WHERE id = ?`, id).Scan(&doc)
	if errors.Is(err, sql.ErrNoRows) {
		return knowledge.Item{}, knowledge.Errorf(knowledge.NotFound, op, "no item %s / 条目不存在", id)
	}
	if err != nil {
		return knowledge.Item{}, unavailable(op, err)
	}
	var it knowledge.Item
	if err := json.Unmarshal([]byte(doc), &it); err != nil {
		return knowledge.Item{}, unavailable(op, fmt.Errorf("decode item %s: %w", id, err))
	}
	return it, nil
}

// in appends "col IN (?, …)" for vals to the where clauses.
func in[T ~string](where []string, args []any, col string, vals []T) ([]string, []any) {
	if len(vals) == 0 {
		return where, args
	}
	marks := make([]string, len(vals))
	for i, v := range vals {
		marks[i] = "?"
		args = append(args, string(v))
	}
	return append(where, col+" IN ("+strings.Join(marks, ", ")+")"), args
}

// List implements knowledge.Store. A limit <= 0 means 100.
func (s *Store) List(ctx context.Context, f knowledge.Filter, after string, limit int) ([]knowledge.Item, error) {
	const op = "sqlite.List"
	if limit <= 0 {
		limit = 100
	}
	where := []string{"id > ?"}
	args := []any{after}
	where, args = in(where, args, "space", f.Spaces)
	where, args = in(where, args, "kind", f.Kinds)
	if len(f.Statuses) > 0 {
		where, args = in(where, args, "status", f.Statuses)
	} else {
		where, args = in(where, args, "status", []knowledge.Status{knowledge.StatusDraft, knowledge.StatusApproved})
	}
	if f.Source != "" {
		where = append(where, "id IN (SELECT item FROM provenance WHERE source = ?)")
		args = append(args, f.Source)
	}
	if !f.UpdatedAfter.IsZero() {
		where = append(where, "updated > ?")
		args = append(args, f.UpdatedAfter.UnixNano())
	}
	if !f.UpdatedBefore.IsZero() {
		where = append(where, "updated < ?")
		args = append(args, f.UpdatedBefore.UnixNano())
	}
	if len(f.ApprovedOnly) > 0 {
		only, oargs := in(nil, nil, "kind", f.ApprovedOnly)
		where = append(where, "NOT ("+only[0]+" AND status <> ?)")
		args = append(append(args, oargs...), string(knowledge.StatusApproved))
	}
	args = append(args, limit)
	rows, err := s.db.QueryContext(ctx, `SELECT doc FROM items WHERE `+strings.Join(where, " AND ")+` ORDER BY id LIMIT ?`, args...)
	if err != nil {
		return nil, unavailable(op, err)
	}
	defer rows.Close()
	var out []knowledge.Item
	for rows.Next() {
		var doc string
		if err := rows.Scan(&doc); err != nil {
			return nil, unavailable(op, err)
		}
		var it knowledge.Item
		if err := json.Unmarshal([]byte(doc), &it); err != nil {
			return nil, unavailable(op, fmt.Errorf("decode item: %w", err))
		}
		out = append(out, it)
	}
	if err := rows.Err(); err != nil {
		return nil, unavailable(op, err)
	}
	return out, nil
}

// Sources implements knowledge.Store.
func (s *Store) Sources(ctx context.Context, space string) ([]knowledge.Source, error) {
	const op = "sqlite.Sources"
	rows, err := s.db.QueryContext(ctx, `SELECT doc FROM sources WHERE ? = '' OR space = ? ORDER BY path, space`, space, space)
	if err != nil {
		return nil, unavailable(op, err)
	}
	defer rows.Close()
	var out []knowledge.Source
	for rows.Next() {
		var doc string
		if err := rows.Scan(&doc); err != nil {
			return nil, unavailable(op, err)
		}
		var src knowledge.Source
		if err := json.Unmarshal([]byte(doc), &src); err != nil {
			return nil, unavailable(op, fmt.Errorf("decode ledger entry: %w", err))
		}
		out = append(out, src)
	}
	if err := rows.Err(); err != nil {
		return nil, unavailable(op, err)
	}
	return out, nil
}

// Stats implements knowledge.Store.
func (s *Store) Stats(ctx context.Context) (knowledge.Stats, error) {
	const op = "sqlite.Stats"
	st := knowledge.Stats{ByKind: map[knowledge.Kind]int{}, ByStatus: map[knowledge.Status]int{}}
	rows, err := s.db.QueryContext(ctx, `SELECT kind, status, COUNT(*) FROM items GROUP BY kind, status`)
	if err != nil {
		return st, unavailable(op, err)
	}
	defer rows.Close()
	for rows.Next() {
		var kind, status string
		var n int
		if err := rows.Scan(&kind, &status, &n); err != nil {
			return st, unavailable(op, err)
		}
		st.Items += n
		st.ByKind[knowledge.Kind(kind)] += n
		st.ByStatus[knowledge.Status(status)] += n
	}
	if err := rows.Err(); err != nil {
		return st, unavailable(op, err)
	}
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM sources`).Scan(&st.Sources); err != nil {
		return st, unavailable(op, err)
	}
	return st, nil
}

// Search implements knowledge.Store.
func (s *Store) Search(ctx context.Context, q knowledge.Query) ([]knowledge.Hit, error) {
	const op = "sqlite.Search"
	if len(q.Vectors.Dense) == 0 && len(q.Vectors.Sparse.Indices) == 0 {
		return nil, knowledge.Errorf(knowledge.Invalid, op, "a query needs a dense or a sparse vector / 查询向量为空")
	}
	limit := q.Limit
	if limit <= 0 {
		limit = 10
	}
	cand := q.Candidates
	if cand <= 0 {
		cand = max(4*limit, 50)
	}
	found, err := s.rank(q, limit, cand)
	if err != nil {
		return nil, knowledge.Errorf(knowledge.Invalid, op, "query: %w", err)
	}
	if len(found) == 0 {
		return nil, nil
	}
	ids := make([]any, len(found))
	marks := make([]string, len(found))
	for i, f := range found {
		ids[i], marks[i] = f.id, "?"
	}
	rows, err := s.db.QueryContext(ctx, `SELECT id, doc FROM items WHERE id IN (`+strings.Join(marks, ",")+`)`, ids...)
	if err != nil {
		return nil, unavailable(op, err)
	}
	defer rows.Close()
	docs := make(map[string]string, len(found))
	for rows.Next() {
		var id, doc string
		if err := rows.Scan(&id, &doc); err != nil {
			return nil, unavailable(op, err)
		}
		docs[id] = doc
	}
	if err := rows.Err(); err != nil {
		return nil, unavailable(op, err)
	}
	hits := make([]knowledge.Hit, 0, len(found))
	for _, f := range found {
		doc, ok := docs[f.id]
		if !ok {
			continue // removed by a write since the index was read
		}
		h := knowledge.Hit{Score: f.score, SparseRank: f.sparseRank, DenseRank: f.denseRank, SparseScore: f.sparseScore, DenseScore: f.denseScore}
		if err := json.Unmarshal([]byte(doc), &h.Item); err != nil {
			return nil, unavailable(op, fmt.Errorf("decode item %s: %w", f.id, err))
		}
		if !q.Filter.Match(&h.Item) {
			continue // changed by a write since the index was read
		}
		hits = append(hits, h)
	}
	return hits, nil
}

// rank runs the in-memory search under the read lock.
func (s *Store) rank(q knowledge.Query, limit, cand int) ([]fused, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	v, err := checkVectors(q.Vectors, s.idx.dim)
	if err != nil {
		return nil, err
	}
	if len(v.Dense) > 0 && s.idx.dim == 0 {
		v.Dense = nil // no item has a dense vector yet
	}
	q.Vectors = v
	return s.idx.search(q, limit, cand), nil
}
