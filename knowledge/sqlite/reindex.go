package sqlite

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/lorehq/lore/knowledge"
)

// Embedder computes the vectors of items, one Vectors per item, in order
// (the ingestion pipeline's embedder fits).
type Embedder interface {
	EmbedItems(ctx context.Context, items []knowledge.Item) ([]knowledge.Vectors, error)
}

// ReindexOptions configure Store.Reindex.
type ReindexOptions struct {
	// Dim is the dense dimension the embedder makes; every dense vector it
	// returns must have it. 0 takes it from the first dense vector.
	Dim int
	// Embedding names the embedder's scheme (see Options.Embedding); it is
	// recorded with the new vectors, in the same transaction. "" removes
	// the record, so the next Open with a scheme takes its own.
	Embedding string
	// BatchSize is the number of items per EmbedItems call. Default 256.
	BatchSize int
	// Progress, when set, is called after each batch with the items
	// embedded so far and the items in the store.
	Progress func(done, total int)
}

// ReindexResult says what Store.Reindex did.
type ReindexResult struct {
	Items  int // items re-embedded
	OldDim int // dense dimension before
	NewDim int // dense dimension after
}

// shadowTable holds the new vectors while a reindex runs. A process killed
// before the swap leaves it behind; the next Reindex drops it, and nothing
// else reads it.
const shadowTable = "reindex_vectors"

// Reindex replaces the vectors of every stored item (every space, kind and
// status) by those emb computes from the item as stored, and sets the
// store's dense dimension to theirs and its embedding scheme to
// opt.Embedding. Items, provenance and the ledger do not change: not a
// field of an item, not its Version or Updated time.
//
// The new vectors are written to a shadow table in one transaction per
// batch, then swapped in, with the new dimension and scheme, in one
// transaction; the in-memory index is rebuilt after it. Until the swap,
// the store keeps its old vectors, dimension and scheme: an error (or a
// killed process) at any point before it leaves the store as it was, and
// Reindex can simply be run again. Writes of this Store wait until Reindex
// returns; searches go on over the old index. Open the store with
// Options.Dim 0 and Options.Embedding "" to reindex one whose dimension or
// scheme differs from the embedder's.
func (s *Store) Reindex(ctx context.Context, emb Embedder, opt ReindexOptions) (ReindexResult, error) {
	const op = "sqlite.Reindex"
	if opt.BatchSize <= 0 {
		opt.BatchSize = 256
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	res := ReindexResult{OldDim: s.Dim(), NewDim: opt.Dim}
	if _, err := s.db.ExecContext(ctx, `DROP TABLE IF EXISTS `+shadowTable); err != nil {
		return res, unavailable(op, err)
	}
	if _, err := s.db.ExecContext(ctx, `CREATE TABLE `+shadowTable+` (id TEXT PRIMARY KEY, dense BLOB, sparse BLOB) WITHOUT ROWID`); err != nil {
		return res, unavailable(op, err)
	}
	swapped := false
	defer func() {
		if !swapped {
			// Best effort: a table left behind is dropped by the next run.
			_, _ = s.db.Exec(`DROP TABLE IF EXISTS ` + shadowTable)
		}
	}()
	var total int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM items`).Scan(&total); err != nil {
		return res, unavailable(op, err)
	}
	for after := ""; ; {
		items, err := s.itemPage(ctx, after, opt.BatchSize)
		if err != nil {
			return res, unavailable(op, err)
		}
		if len(items) == 0 {
			break
		}
		vecs, err := emb.EmbedItems(ctx, items)
		if err != nil {
			return res, fmt.Errorf("%s: embed items: %w", op, err)
		}
		if len(vecs) != len(items) {
			return res, knowledge.Errorf(knowledge.Internal, op, "the embedder returned %d vectors for %d items", len(vecs), len(items))
		}
		if err := s.writeShadow(ctx, items, vecs, &res.NewDim); err != nil {
			return res, err
		}
		res.Items += len(items)
		if opt.Progress != nil {
			opt.Progress(res.Items, max(total, res.Items))
		}
		after = items[len(items)-1].ID
	}
	if res.NewDim == 0 {
		res.NewDim = res.OldDim // no dense vector made: nothing to change
	}
	if err := s.swapShadow(ctx, res.NewDim, opt.Embedding); err != nil {
		return res, err
	}
	swapped = true
	idx, err := s.loadIndex(res.NewDim)
	if err != nil {
		// The database holds the new vectors; only this process's index is
		// stale, and reopening the store rebuilds it.
		return res, knowledge.Errorf(knowledge.Internal, op, "the vectors were replaced but the search index could not be rebuilt; reopen the store / 向量已更新，但索引重建失败，请重新打开: %w", err)
	}
	s.mu.Lock()
	s.idx = idx
	s.mu.Unlock()
	return res, nil
}

// itemPage reads up to n items with ids after the one given, by id.
func (s *Store) itemPage(ctx context.Context, after string, n int) ([]knowledge.Item, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, doc FROM items WHERE id > ? ORDER BY id LIMIT ?`, after, n)
	if err != nil {
		return nil, fmt.Errorf("read items: %w", err)
	}
	defer rows.Close()
	var out []knowledge.Item
	for rows.Next() {
		var id, doc string
		if err := rows.Scan(&id, &doc); err != nil {
			return nil, fmt.Errorf("read items: %w", err)
		}
		var it knowledge.Item
		if err := json.Unmarshal([]byte(doc), &it); err != nil {
			return nil, fmt.Errorf("decode item %s: %w", id, err)
		}
		it.ID = id // the row's key, whatever the document says
		out = append(out, it)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read items: %w", err)
	}
	return out, nil
}

// writeShadow checks a batch's vectors and stores them in the shadow
// table, in one transaction. *dim is the dimension they must have; 0
// takes the first dense vector's.
func (s *Store) writeShadow(ctx context.Context, items []knowledge.Item, vecs []knowledge.Vectors, dim *int) error {
	const op = "sqlite.Reindex"
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return unavailable(op, err)
	}
	defer tx.Rollback()
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO `+shadowTable+` (id, dense, sparse) VALUES (?, ?, ?)`)
	if err != nil {
		return unavailable(op, err)
	}
	defer stmt.Close()
	for i := range items {
		v, err := checkVectors(vecs[i], *dim)
		if err != nil {
			return knowledge.Errorf(knowledge.Invalid, op, "item %s: the embedder returned a bad vector / 向量无效: %w", items[i].ID, err)
		}
		if *dim == 0 {
			*dim = len(v.Dense)
		}
		if _, err := stmt.ExecContext(ctx, items[i].ID, encodeDense(v.Dense), encodeSparse(v.Sparse)); err != nil {
			return unavailable(op, fmt.Errorf("write vectors of %s: %w", items[i].ID, err))
		}
	}
	if err := tx.Commit(); err != nil {
		return unavailable(op, err)
	}
	return nil
}

// swapShadow moves the shadow vectors into the items and sets the
// dimension and the embedding scheme, in one transaction. It refuses when an item has no shadow
// row: one stored after the reindex read past its id (by another process
// that got around the directory lock, say).
func (s *Store) swapShadow(ctx context.Context, dim int, emb string) error {
	const op = "sqlite.Reindex"
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return unavailable(op, err)
	}
	defer tx.Rollback()
	var missing int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM items WHERE id NOT IN (SELECT id FROM `+shadowTable+`)`).Scan(&missing); err != nil {
		return unavailable(op, err)
	}
	if missing > 0 {
		return knowledge.Errorf(knowledge.Conflict, op, "%d items were stored while reindexing; run reindex again / 重建期间有新条目写入，请重新运行", missing)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE items SET dense = r.dense, sparse = r.sparse FROM `+shadowTable+` r WHERE r.id = items.id`); err != nil {
		return unavailable(op, err)
	}
	if err := s.writeMeta(tx, dim); err != nil {
		return err
	}
	if err := writeEmbedding(tx, emb); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DROP TABLE `+shadowTable); err != nil {
		return unavailable(op, err)
	}
	if err := tx.Commit(); err != nil {
		return unavailable(op, err)
	}
	s.mu.Lock()
	s.emb = emb
	s.mu.Unlock()
	return nil
}
