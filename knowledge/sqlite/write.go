package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/lorehq/lore/knowledge"
)

// stored is an item row as read inside a transaction.
type stored struct {
	item          knowledge.Item
	doc           string
	dense, sparse []byte
}

func getTx(ctx context.Context, tx *sql.Tx, id string) (*stored, error) {
	var st stored
	err := tx.QueryRowContext(ctx, `SELECT doc, dense, sparse FROM items WHERE id = ?`, id).Scan(&st.doc, &st.dense, &st.sparse)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read item %s: %w", id, err)
	}
	if err := json.Unmarshal([]byte(st.doc), &st.item); err != nil {
		return nil, fmt.Errorf("decode item %s: %w", id, err)
	}
	return &st, nil
}

func putTx(ctx context.Context, tx *sql.Tx, it *knowledge.Item, doc string, dense, sparse []byte) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO items (id, space, kind, status, updated, doc, dense, sparse)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET space = excluded.space, kind = excluded.kind, status = excluded.status,
			updated = excluded.updated, doc = excluded.doc, dense = excluded.dense, sparse = excluded.sparse`,
		it.ID, it.Space, string(it.Kind), string(it.Status), it.Updated.UnixNano(), doc, dense, sparse)
	if err != nil {
		return fmt.Errorf("write item %s: %w", it.ID, err)
	}
	return nil
}

func putSourceTx(ctx context.Context, tx *sql.Tx, src knowledge.Source) error {
	doc, err := marshal("sqlite.ledger", src)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO sources (space, path, doc) VALUES (?, ?, ?)
		ON CONFLICT (space, path) DO UPDATE SET doc = excluded.doc`, src.Space, src.Path, doc)
	if err != nil {
		return fmt.Errorf("write ledger entry %s: %w", src.Path, err)
	}
	return nil
}

// change is an index update to apply after a transaction commits.
type change struct {
	id      string
	deleted bool
	meta    meta
	vectors *knowledge.Vectors // nil: only the filterable state changed
}

func (s *Store) apply(changes []change, dim int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.idx.dim == 0 && dim > 0 {
		// Items stored so far had no dense vector: give them zero rows.
		s.idx.dim = dim
		s.idx.dense = make([]float32, len(s.idx.slots)*dim)
	}
	for _, c := range changes {
		switch {
		case c.deleted:
			s.idx.remove(c.id)
		case c.vectors != nil:
			s.idx.put(c.id, c.meta, *c.vectors)
		default:
			s.idx.update(c.id, c.meta)
		}
	}
}

// checkVectors validates a record's vectors and returns them with the
// sparse part sorted by index.
func checkVectors(v knowledge.Vectors, dim int) (knowledge.Vectors, error) {
	if len(v.Dense) > 0 && dim > 0 && len(v.Dense) != dim {
		return v, fmt.Errorf("dense vector has %d dimensions, the store %d / 向量维度不符", len(v.Dense), dim)
	}
	for _, f := range v.Dense {
		if math.IsNaN(float64(f)) || math.IsInf(float64(f), 0) {
			return v, errors.New("dense vector holds NaN or Inf / 向量含无效数值")
		}
	}
	sp := v.Sparse
	if len(sp.Indices) != len(sp.Values) {
		return v, fmt.Errorf("sparse vector has %d indices and %d values / 稀疏向量长度不一致", len(sp.Indices), len(sp.Values))
	}
	if !sort.SliceIsSorted(sp.Indices, func(i, j int) bool { return sp.Indices[i] < sp.Indices[j] }) {
		idx := append([]uint32(nil), sp.Indices...)
		val := append([]float32(nil), sp.Values...)
		ord := make([]int, len(idx))
		for i := range ord {
			ord[i] = i
		}
		sort.Slice(ord, func(a, b int) bool { return idx[ord[a]] < idx[ord[b]] })
		sp = knowledge.Sparse{Indices: make([]uint32, len(idx)), Values: make([]float32, len(idx))}
		for i, o := range ord {
			sp.Indices[i], sp.Values[i] = idx[o], val[o]
		}
	}
	for i := range sp.Indices {
		if i > 0 && sp.Indices[i] == sp.Indices[i-1] {
			return v, fmt.Errorf("sparse vector repeats index %d / 稀疏向量索引重复", sp.Indices[i])
		}
		if f := float64(sp.Values[i]); math.IsNaN(f) || math.IsInf(f, 0) {
			return v, errors.New("sparse vector holds NaN or Inf / 稀疏向量含无效数值")
		}
	}
	v.Sparse = sp
	return v, nil
}

// prepare validates recs for src and merges records of the same item.
func prepare(src knowledge.Source, recs []knowledge.Record, dim int) ([]knowledge.Record, int, error) {
	const op = "sqlite.SyncSource"
	src.Status = knowledge.SourceIndexed // what SyncSource writes
	if err := src.Validate(); err != nil {
		return nil, dim, err
	}
	out := make([]knowledge.Record, 0, len(recs))
	pos := map[string]int{}
	for _, r := range recs {
		it := r.Item
		if it.Status == "" {
			it.Status = knowledge.StatusDraft
		}
		if err := it.Validate(); err != nil {
			return nil, dim, knowledge.Errorf(knowledge.Invalid, op, "%s: %w", src.Path, err)
		}
		if it.Space != src.Space {
			return nil, dim, knowledge.Errorf(knowledge.Invalid, op, "%s: item %s is in space %q, the source in %q / 知识空间不一致", src.Path, it.ID, it.Space, src.Space)
		}
		for _, p := range it.Provenance {
			if p.Source != src.Path {
				return nil, dim, knowledge.Errorf(knowledge.Invalid, op, "item %s cites %q, not the source being synced %q / 出处与来源不符", it.ID, p.Source, src.Path)
			}
		}
		v, err := checkVectors(r.Vectors, dim)
		if err != nil {
			return nil, dim, knowledge.Errorf(knowledge.Invalid, op, "%s: item %s: %w", src.Path, it.ID, err)
		}
		if dim == 0 {
			dim = len(v.Dense)
		}
		if i, ok := pos[it.ID]; ok {
			out[i].Item.Provenance = append(out[i].Item.Provenance, it.Provenance...)
			continue
		}
		it.Provenance = append([]knowledge.Provenance(nil), it.Provenance...)
		pos[it.ID] = len(out)
		out = append(out, knowledge.Record{Item: it, Vectors: v})
	}
	return out, dim, nil
}

// SyncSource implements knowledge.Store.
func (s *Store) SyncSource(ctx context.Context, src knowledge.Source, recs []knowledge.Record) (knowledge.SyncResult, error) {
	const op = "sqlite.SyncSource"
	var res knowledge.SyncResult
	s.wmu.Lock()
	defer s.wmu.Unlock()
	recs, dim, err := prepare(src, recs, s.idx.dim)
	if err != nil {
		return res, err
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return res, unavailable(op, err)
	}
	defer tx.Rollback()
	changes, err := s.syncTx(ctx, tx, src, recs, &res)
	if err != nil {
		return knowledge.SyncResult{}, err
	}
	if dim != s.idx.dim {
		if err := s.writeMeta(tx, dim); err != nil {
			return knowledge.SyncResult{}, err
		}
	}
	if err := tx.Commit(); err != nil {
		return knowledge.SyncResult{}, unavailable(op, err)
	}
	s.apply(changes, dim)
	res.Unchanged = res.Added == 0 && res.Removed == 0 && len(changes) == 0
	return res, nil
}

func (s *Store) syncTx(ctx context.Context, tx *sql.Tx, src knowledge.Source, recs []knowledge.Record, res *knowledge.SyncResult) ([]change, error) {
	const op = "sqlite.SyncSource"
	wrap := func(err error) error {
		if knowledge.ErrorCode(err) != knowledge.Internal {
			return err
		}
		return unavailable(op, err)
	}
	prev, err := sourceItems(ctx, tx, src.Space, src.Path)
	if err != nil {
		return nil, wrap(err)
	}
	now := s.now().UTC()
	var changes []change
	inRecs := make(map[string]bool, len(recs))
	for _, r := range recs {
		it := r.Item
		inRecs[it.ID] = true
		old, err := getTx(ctx, tx, it.ID)
		if err != nil {
			return nil, wrap(err)
		}
		dense, sparse := encodeDense(r.Vectors.Dense), encodeSparse(r.Vectors.Sparse)
		vecs := r.Vectors
		if old == nil {
			it.Version, it.Created, it.Updated, it.Edited = 1, now, now, false
			doc, err := marshal(op, it)
			if err != nil {
				return nil, err
			}
			if err := putTx(ctx, tx, &it, doc, dense, sparse); err != nil {
				return nil, wrap(err)
			}
			res.Added++
			changes = append(changes, change{id: it.ID, meta: metaOf(&it), vectors: &vecs})
		} else {
			res.Kept++
			o := old.item
			it.Status, it.Edited, it.Created, it.NeedsReview = o.Status, o.Edited, o.Created, o.NeedsReview
			if it.Status == knowledge.StatusRetired {
				it.Status = knowledge.StatusDraft
			}
			if o.Edited {
				it.Title, it.Body = o.Title, o.Body
				dense, sparse = old.dense, old.sparse
			}
			it.Provenance = append(knowledge.WithoutSource(o.Provenance, src.Path), it.Provenance...)
			it.Version, it.Updated = o.Version, o.Updated
			doc, err := marshal(op, it)
			if err != nil {
				return nil, err
			}
			sameVecs := string(dense) == string(old.dense) && string(sparse) == string(old.sparse)
			if doc != old.doc || !sameVecs {
				it.Version, it.Updated = o.Version+1, now
				if doc, err = marshal(op, it); err != nil {
					return nil, err
				}
				if err := putTx(ctx, tx, &it, doc, dense, sparse); err != nil {
					return nil, wrap(err)
				}
				c := change{id: it.ID, meta: metaOf(&it)}
				if !sameVecs {
					c.vectors = &vecs
				}
				changes = append(changes, c)
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO provenance (space, source, item) VALUES (?, ?, ?)`,
			src.Space, src.Path, it.ID); err != nil {
			return nil, unavailable(op, err)
		}
	}
	for _, id := range prev {
		if inRecs[id] {
			continue
		}
		c, err := s.dropProvenance(ctx, tx, id, src, now, true)
		if err != nil {
			return nil, wrap(err)
		}
		if c.deleted {
			res.Removed++
		}
		if c.id != "" {
			changes = append(changes, c)
		}
	}
	src.Status = knowledge.SourceIndexed
	src.Reason = ""
	if src.Seen.IsZero() {
		src.Seen = now
	}
	if err := putSourceTx(ctx, tx, src); err != nil {
		return nil, wrap(err)
	}
	return changes, nil
}

// dropProvenance removes src's provenance from the item, deleting the item
// when none is left. With keepReviewed, a reviewed item keeps it and is
// flagged for review instead.
func (s *Store) dropProvenance(ctx context.Context, tx *sql.Tx, id string, src knowledge.Source, now time.Time, keepReviewed bool) (change, error) {
	old, err := getTx(ctx, tx, id)
	if err != nil || old == nil {
		return change{id: id, deleted: true}, err
	}
	it := old.item
	if keepReviewed && (it.Edited || it.Status == knowledge.StatusApproved) {
		if it.NeedsReview {
			return change{}, nil // already flagged: nothing changes
		}
		it.NeedsReview, it.Version, it.Updated = true, it.Version+1, now
		doc, err := marshal("sqlite.SyncSource", it)
		if err != nil {
			return change{}, err
		}
		if err := putTx(ctx, tx, &it, doc, old.dense, old.sparse); err != nil {
			return change{}, err
		}
		return change{id: id, meta: metaOf(&it)}, nil
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM provenance WHERE space = ? AND source = ? AND item = ?`, src.Space, src.Path, id); err != nil {
		return change{}, err
	}
	it.Provenance = knowledge.WithoutSource(it.Provenance, src.Path)
	if len(it.Provenance) == 0 {
		if _, err := tx.ExecContext(ctx, `DELETE FROM items WHERE id = ?`, id); err != nil {
			return change{}, err
		}
		return change{id: id, deleted: true}, nil
	}
	it.Version, it.Updated = it.Version+1, now
	doc, err := marshal("sqlite.SyncSource", it)
	if err != nil {
		return change{}, err
	}
	if err := putTx(ctx, tx, &it, doc, old.dense, old.sparse); err != nil {
		return change{}, err
	}
	return change{id: id, meta: metaOf(&it)}, nil
}

// sourceItems lists the ids of the items with provenance from the source.
func sourceItems(ctx context.Context, tx *sql.Tx, space, path string) ([]string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT item FROM provenance WHERE space = ? AND source = ? ORDER BY item`, space, path)
	if err != nil {
		return nil, fmt.Errorf("read provenance of %s: %w", path, err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("read provenance of %s: %w", path, err)
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// RetireSource implements knowledge.Store.
func (s *Store) RetireSource(ctx context.Context, space, path string) (int, error) {
	const op = "sqlite.RetireSource"
	s.wmu.Lock()
	defer s.wmu.Unlock()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, unavailable(op, err)
	}
	defer tx.Rollback()
	var doc string
	err = tx.QueryRowContext(ctx, `SELECT doc FROM sources WHERE space = ? AND path = ?`, space, path).Scan(&doc)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, unavailable(op, err)
	}
	var src knowledge.Source
	if err := json.Unmarshal([]byte(doc), &src); err != nil {
		return 0, unavailable(op, fmt.Errorf("decode ledger entry %s: %w", path, err))
	}
	ids, err := sourceItems(ctx, tx, space, path)
	if err != nil {
		return 0, unavailable(op, err)
	}
	now := s.now().UTC()
	var changes []change
	retired := 0
	for _, id := range ids {
		old, err := getTx(ctx, tx, id)
		if err != nil {
			return 0, unavailable(op, err)
		}
		if old == nil {
			continue
		}
		it := old.item
		if len(knowledge.WithoutSource(it.Provenance, path)) > 0 {
			c, err := s.dropProvenance(ctx, tx, id, src, now, false)
			if err != nil {
				return 0, unavailable(op, err)
			}
			changes = append(changes, c)
			continue
		}
		if it.Status == knowledge.StatusRetired || it.Status == knowledge.StatusRejected {
			continue // a rejection stays a rejection when the file comes back
		}
		it.Status, it.Version, it.Updated = knowledge.StatusRetired, it.Version+1, now
		doc, err := marshal(op, it)
		if err != nil {
			return 0, err
		}
		if err := putTx(ctx, tx, &it, doc, old.dense, old.sparse); err != nil {
			return 0, unavailable(op, err)
		}
		changes = append(changes, change{id: id, meta: metaOf(&it)})
		retired++
	}
	src.Status, src.Reason, src.Items, src.Seen = knowledge.SourceRetired, "", 0, now
	if err := putSourceTx(ctx, tx, src); err != nil {
		return 0, unavailable(op, err)
	}
	if err := tx.Commit(); err != nil {
		return 0, unavailable(op, err)
	}
	s.apply(changes, s.idx.dim)
	return retired, nil
}

// MarkSource implements knowledge.Store.
func (s *Store) MarkSource(ctx context.Context, src knowledge.Source) error {
	const op = "sqlite.MarkSource"
	if err := src.Validate(); err != nil {
		return err
	}
	if src.Seen.IsZero() {
		src.Seen = s.now().UTC()
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return unavailable(op, err)
	}
	defer tx.Rollback()
	if err := putSourceTx(ctx, tx, src); err != nil {
		if knowledge.ErrorCode(err) != knowledge.Internal {
			return err
		}
		return unavailable(op, err)
	}
	if err := tx.Commit(); err != nil {
		return unavailable(op, err)
	}
	return nil
}

// Update implements knowledge.Store.
func (s *Store) Update(ctx context.Context, id string, edit func(*knowledge.Item) error) (knowledge.Item, error) {
	const op = "sqlite.Update"
	s.wmu.Lock()
	defer s.wmu.Unlock()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return knowledge.Item{}, unavailable(op, err)
	}
	defer tx.Rollback()
	old, err := getTx(ctx, tx, id)
	if err != nil {
		return knowledge.Item{}, unavailable(op, err)
	}
	if old == nil {
		return knowledge.Item{}, knowledge.Errorf(knowledge.NotFound, op, "no item %s / 条目不存在", id)
	}
	var it knowledge.Item
	if err := json.Unmarshal([]byte(old.doc), &it); err != nil {
		return knowledge.Item{}, unavailable(op, err)
	}
	if err := edit(&it); err != nil {
		return knowledge.Item{}, fmt.Errorf("%s %s: %w", op, id, err)
	}
	o := old.item
	prov, _ := json.Marshal(it.Provenance)
	oldProv, _ := json.Marshal(o.Provenance)
	switch {
	case it.ID != o.ID, it.Kind != o.Kind, it.Space != o.Space:
		return knowledge.Item{}, knowledge.Errorf(knowledge.Invalid, op, "item %s: id, kind and space cannot change / 编号、类型和空间不可修改", id)
	case string(prov) != string(oldProv):
		return knowledge.Item{}, knowledge.Errorf(knowledge.Invalid, op, "item %s: provenance cannot change / 出处不可修改", id)
	}
	if err := it.Validate(); err != nil {
		return knowledge.Item{}, err
	}
	it.Edited = o.Edited || it.Title != o.Title || it.Body != o.Body
	it.NeedsReview = false
	it.Created, it.Version, it.Updated = o.Created, o.Version+1, s.now().UTC()
	doc, err := marshal(op, it)
	if err != nil {
		return knowledge.Item{}, err
	}
	if err := putTx(ctx, tx, &it, doc, old.dense, old.sparse); err != nil {
		return knowledge.Item{}, unavailable(op, err)
	}
	if err := tx.Commit(); err != nil {
		return knowledge.Item{}, unavailable(op, err)
	}
	s.apply([]change{{id: id, meta: metaOf(&it)}}, s.idx.dim)
	return it, nil
}
