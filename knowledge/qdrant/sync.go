package qdrant

import (
	"context"
	"math"
	"sort"
	"time"

	"github.com/lorehq/lore/knowledge"
	qc "github.com/qdrant/go-client/qdrant"
)

// interruptedReason is what Sources reports for a source whose last sync
// has not completed.
const interruptedReason = "sync in progress or interrupted; the next ingestion redoes it / 同步进行中或曾中断，下次导入时将重做"

// SyncSource makes src's contribution to the store equal to recs.
//
// Qdrant has no transaction over several points, so the sync is a
// sequence of steps, each atomic and each safe to repeat:
//
//  1. The ledger entry of src is marked pending (created as an uncommitted
//     intent marker if it is new).
//  2. Items of recs are written: new ones inserted, changed ones replaced
//     conditionally on their write token (see change).
//  3. Items that had provenance from src and are not in recs lose it; those
//     left without provenance are deleted, conditionally too.
//  4. The ledger entry is written with status indexed and pending cleared:
//     the commit marker.
//
// A crash between 1 and 4 leaves a mix of the source's old and new items
// searchable, never an item without provenance and never a lost item of
// another source. Sources reports such an entry as quarantined with
// interruptedReason (or omits it if it never committed), so the ingester
// does not skip the file and its next SyncSource repairs the mix: every
// step compares the stored state with recs and writes only differences.
// When another writer changes one of the items meanwhile, the affected
// items are planned again from a fresh read.
func (s *Store) SyncSource(ctx context.Context, src knowledge.Source, recs []knowledge.Record) (knowledge.SyncResult, error) {
	const op = "qdrant.SyncSource"
	want, err := s.checkRecords(op, src, recs)
	if err != nil {
		return knowledge.SyncResult{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	prev, err := s.ledgerGet(ctx, src.Space, src.Path)
	if err != nil {
		return knowledge.SyncResult{}, err
	}
	if err := s.ledgerPending(ctx, src, prev); err != nil {
		return knowledge.SyncResult{}, err
	}

	var res knowledge.SyncResult
	for attempt := 0; ; attempt++ {
		if attempt == maxAttempts {
			return knowledge.SyncResult{}, knowledge.Errorf(knowledge.Conflict, op, "source %s: items keep changing under concurrent writers; try again / 条目正被并发修改，请重试", src.Path)
		}
		changes, counts, err := s.planSync(ctx, src, want, now)
		if err != nil {
			return knowledge.SyncResult{}, err
		}
		if attempt == 0 {
			res = counts
		}
		if len(changes) == 0 {
			break
		}
		lost, err := s.apply(ctx, changes)
		if err != nil {
			return knowledge.SyncResult{}, err
		}
		if len(lost) == 0 {
			break
		}
		if err := conflictPause(ctx, attempt); err != nil {
			return knowledge.SyncResult{}, err
		}
	}

	src.Status = knowledge.SourceIndexed
	src.Reason = ""
	src.Items = len(want)
	if src.Seen.IsZero() {
		src.Seen = now
	}
	if err := s.ledgerPut(ctx, src, false); err != nil {
		return knowledge.SyncResult{}, err
	}
	return res, nil
}

// checkRecords validates a sync's input and merges records with the same
// id (content found twice in one file) into one with both provenances.
func (s *Store) checkRecords(op string, src knowledge.Source, recs []knowledge.Record) ([]knowledge.Record, error) {
	src.Status = knowledge.SourceIndexed // what SyncSource writes
	if err := src.Validate(); err != nil {
		return nil, err
	}
	var want []knowledge.Record
	index := map[string]int{}
	for _, r := range recs {
		it := r.Item
		if it.Status == "" {
			it.Status = knowledge.StatusDraft
		}
		if err := it.Validate(); err != nil {
			return nil, knowledge.Errorf(knowledge.Invalid, op, "source %s: %w", src.Path, err)
		}
		if it.Space != src.Space {
			return nil, knowledge.Errorf(knowledge.Invalid, op, "item %s is in space %q, source %s in %q / 条目与来源的空间不一致", it.ID, it.Space, src.Path, src.Space)
		}
		for _, p := range it.Provenance {
			if p.Source != src.Path {
				return nil, knowledge.Errorf(knowledge.Invalid, op, "item %s has provenance %q, not the source %s being synced / 条目来源与同步的文件不符", it.ID, p.Source, src.Path)
			}
		}
		if err := s.checkVectors(op, it.ID, r.Vectors, true); err != nil {
			return nil, err
		}
		if i, ok := index[it.ID]; ok {
			for _, p := range it.Provenance {
				if !hasProvenance(want[i].Item.Provenance, p) {
					want[i].Item.Provenance = append(want[i].Item.Provenance, p)
				}
			}
			continue
		}
		it.Provenance = append([]knowledge.Provenance(nil), it.Provenance...)
		index[it.ID] = len(want)
		want = append(want, knowledge.Record{Item: it, Vectors: r.Vectors})
	}
	return want, nil
}

// checkVectors refuses vectors Qdrant would refuse, with a clear message.
func (s *Store) checkVectors(op, id string, v knowledge.Vectors, stored bool) error {
	if len(v.Dense) > 0 && len(v.Dense) != s.cfg.Dim {
		hint := ""
		if stored {
			hint = "; after changing the embedder run `lore reindex -to-collection NEW` / 更换向量模型后请运行 `lore reindex -to-collection 新集合名`"
		}
		return knowledge.Errorf(knowledge.Invalid, op, "%s: dense vector has %d dimensions, the store %d%s", id, len(v.Dense), s.cfg.Dim, hint)
	}
	for _, f := range v.Dense {
		if math.IsNaN(float64(f)) || math.IsInf(float64(f), 0) {
			return knowledge.Errorf(knowledge.Invalid, op, "%s: dense vector holds NaN or Inf / 向量含无效数值", id)
		}
	}
	if len(v.Sparse.Indices) != len(v.Sparse.Values) {
		return knowledge.Errorf(knowledge.Invalid, op, "%s: sparse vector has %d indices and %d values / 稀疏向量长度不一致", id, len(v.Sparse.Indices), len(v.Sparse.Values))
	}
	seen := make(map[uint32]bool, len(v.Sparse.Indices))
	for i, ix := range v.Sparse.Indices {
		if seen[ix] {
			return knowledge.Errorf(knowledge.Invalid, op, "%s: sparse index %d repeats / 稀疏向量索引重复", id, ix)
		}
		seen[ix] = true
		if f := float64(v.Sparse.Values[i]); math.IsNaN(f) || math.IsInf(f, 0) {
			return knowledge.Errorf(knowledge.Invalid, op, "%s: sparse vector holds NaN or Inf / 稀疏向量含无效数值", id)
		}
	}
	return nil
}

func hasProvenance(ps []knowledge.Provenance, p knowledge.Provenance) bool {
	for _, q := range ps {
		if sameJSON(q, p) {
			return true
		}
	}
	return false
}

// planSync reads the current state and returns the changes that make src's
// contribution equal to want, with the counts of a SyncResult.
func (s *Store) planSync(ctx context.Context, src knowledge.Source, want []knowledge.Record, now time.Time) ([]change, knowledge.SyncResult, error) {
	var res knowledge.SyncResult
	ids := make([]string, len(want))
	inWant := make(map[string]bool, len(want))
	for i, r := range want {
		ids[i] = r.Item.ID
		inWant[r.Item.ID] = true
	}
	cur, err := s.getItems(ctx, ids)
	if err != nil {
		return nil, res, err
	}
	var stale []storedItem
	err = s.scrollItems(ctx, sourceFilter(src.Space, src.Path), nil, func(st storedItem) bool {
		if !inWant[st.item.ID] {
			stale = append(stale, st)
		}
		return true
	})
	if err != nil {
		return nil, res, err
	}

	var changes []change
	for i := range want {
		r := &want[i]
		old, ok := cur[r.Item.ID]
		if !ok {
			it := r.Item
			it.Version = 1
			it.Edited = false
			it.Created, it.Updated = now, now
			changes = append(changes, change{item: &it, vectors: &r.Vectors})
			res.Added++
			continue
		}
		res.Kept++
		it := merge(old.item, r.Item, src.Path)
		// An edited item keeps the vectors of the text the reviewer kept.
		vecChanged := !old.item.Edited && old.vectors != vectorsHash(r.Vectors)
		if !vecChanged && sameJSON(it, old.item) {
			continue
		}
		it.Version = old.item.Version + 1
		it.Updated = now
		c := change{prev: &old, item: &it}
		if vecChanged {
			c.vectors = &r.Vectors
		}
		changes = append(changes, c)
	}
	for i := range stale {
		old := &stale[i]
		it := old.item
		if it.Edited || it.Status == knowledge.StatusApproved {
			// A reviewer's work outlives the change: flag it, keep it.
			if !it.NeedsReview {
				it.NeedsReview, it.Version, it.Updated = true, it.Version+1, now
				changes = append(changes, change{prev: old, item: &it})
			}
			continue
		}
		it.Provenance = knowledge.WithoutSource(old.item.Provenance, src.Path)
		if len(it.Provenance) == 0 {
			changes = append(changes, change{prev: old})
			res.Removed++
			continue
		}
		it.Version++
		it.Updated = now
		changes = append(changes, change{prev: old, item: &it})
	}
	res.Unchanged = len(changes) == 0
	return changes, res, nil
}

// merge is the stored item after re-ingesting rec from path: the fresh
// extraction, keeping the review state (a retired item is revived as a
// draft), the human edits and the provenance from other sources.
func merge(old, rec knowledge.Item, path string) knowledge.Item {
	it := rec
	it.Status = old.Status
	if it.Status == knowledge.StatusRetired {
		it.Status = knowledge.StatusDraft
	}
	it.Edited, it.NeedsReview = old.Edited, old.NeedsReview
	if old.Edited {
		it.Title, it.Body = old.Title, old.Body
	}
	it.Version = old.Version
	it.Created, it.Updated = old.Created, old.Updated
	it.Provenance = spliceProvenance(old.Provenance, path, rec.Provenance)
	return it
}

// spliceProvenance replaces the entries of path in old by fresh, where the
// first of them stood (at the end when there was none), so re-syncing an
// unchanged source leaves the order as it was.
func spliceProvenance(old []knowledge.Provenance, path string, fresh []knowledge.Provenance) []knowledge.Provenance {
	out := make([]knowledge.Provenance, 0, len(old)+len(fresh))
	placed := false
	for _, p := range old {
		if p.Source != path {
			out = append(out, p)
			continue
		}
		if !placed {
			out = append(out, fresh...)
			placed = true
		}
	}
	if !placed {
		out = append(out, fresh...)
	}
	return out
}

// RetireSource marks the source retired in the ledger, retires the items
// whose only provenance is that source and drops the source's provenance
// from items other sources cite too. Retiring an unknown source is not an
// error and changes nothing.
//
// Like SyncSource, it marks the ledger entry pending first and writes the
// retired entry last, so an interrupted retirement is reported as
// quarantined and done again by the next ingestion.
func (s *Store) RetireSource(ctx context.Context, space, path string) (int, error) {
	const op = "qdrant.RetireSource"
	s.mu.Lock()
	defer s.mu.Unlock()
	prev, err := s.ledgerGet(ctx, space, path)
	if err != nil || prev == nil {
		return 0, err
	}
	if err := s.ledgerWrite(ctx, prev.src, true, prev.committed); err != nil {
		return 0, err
	}
	now := s.now()
	retired := 0
	for attempt := 0; ; attempt++ {
		if attempt == maxAttempts {
			return 0, knowledge.Errorf(knowledge.Conflict, op, "source %s: items keep changing under concurrent writers; try again / 条目正被并发修改，请重试", path)
		}
		var olds []storedItem
		err := s.scrollItems(ctx, sourceFilter(space, path), nil, func(st storedItem) bool {
			olds = append(olds, st)
			return true
		})
		if err != nil {
			return 0, err
		}
		var changes []change
		n := 0
		for i := range olds {
			it := olds[i].item
			if others := knowledge.WithoutSource(it.Provenance, path); len(others) > 0 {
				it.Provenance = others
			} else if it.Status != knowledge.StatusRetired && it.Status != knowledge.StatusRejected {
				it.Status = knowledge.StatusRetired
				n++
			} else {
				continue
			}
			it.Version++
			it.Updated = now
			changes = append(changes, change{prev: &olds[i], item: &it})
		}
		if attempt == 0 {
			retired = n
		}
		if len(changes) == 0 {
			break
		}
		lost, err := s.apply(ctx, changes)
		if err != nil {
			return 0, err
		}
		if len(lost) == 0 {
			break
		}
		if err := conflictPause(ctx, attempt); err != nil {
			return 0, err
		}
	}
	src := prev.src
	if !prev.committed {
		src = knowledge.Source{Space: space, Path: path}
	}
	src.Status, src.Reason, src.Items, src.Seen = knowledge.SourceRetired, "", 0, now
	if err := s.ledgerPut(ctx, src, false); err != nil {
		return 0, err
	}
	return retired, nil
}

// MarkSource writes a ledger entry without touching items. An entry whose
// sync is pending stays pending.
func (s *Store) MarkSource(ctx context.Context, src knowledge.Source) error {
	if err := src.Validate(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if src.Seen.IsZero() {
		src.Seen = s.now()
	}
	prev, err := s.ledgerGet(ctx, src.Space, src.Path)
	if err != nil {
		return err
	}
	return s.ledgerPut(ctx, src, prev != nil && prev.pending)
}

// Sources lists the committed ledger entries of a space ("" for all), by
// path (and space). An entry whose last sync did not complete is reported
// as quarantined (with interruptedReason unless it was quarantined for a
// reason of its own), so the ingester processes the file again.
func (s *Store) Sources(ctx context.Context, space string) ([]knowledge.Source, error) {
	coll := s.cfg.LedgerCollection
	var filter *qc.Filter
	if space != "" {
		filter = &qc.Filter{Must: []*qc.Condition{qc.NewMatchKeyword(fieldSpace, space)}}
	}
	limit := uint32(s.cfg.BatchSize)
	var out []knowledge.Source
	var offset *qc.PointId
	for {
		req := &qc.ScrollPoints{CollectionName: coll, Filter: filter, Offset: offset, Limit: &limit, WithPayload: qc.NewWithPayload(true)}
		resp, err := call(ctx, s, "scroll", coll, func(ctx context.Context) (*qc.ScrollResponse, error) {
			return s.points.Scroll(ctx, req)
		})
		if err != nil {
			return nil, err
		}
		for _, p := range resp.GetResult() {
			if reservedLedger(p.GetId()) {
				continue // the embedding record, a reindex marker: no source
			}
			e, err := decodeLedger(p.GetPayload())
			if err != nil {
				return nil, internalf("collection %q point %s: %v", coll, p.GetId().GetUuid(), err)
			}
			if !e.committed {
				continue
			}
			if e.pending && e.src.Status != knowledge.SourceQuarantined {
				e.src.Status = knowledge.SourceQuarantined
				e.src.Reason = interruptedReason
			}
			out = append(out, e.src)
		}
		offset = resp.GetNextPageOffset()
		if offset == nil || len(resp.GetResult()) == 0 {
			break
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Path != out[j].Path {
			return out[i].Path < out[j].Path
		}
		return out[i].Space < out[j].Space
	})
	return out, nil
}

// ledgerGet reads a ledger entry; nil when there is none.
func (s *Store) ledgerGet(ctx context.Context, space, path string) (*ledgerEntry, error) {
	coll := s.cfg.LedgerCollection
	resp, err := call(ctx, s, "get points", coll, func(ctx context.Context) (*qc.GetResponse, error) {
		return s.points.Get(ctx, &qc.GetPoints{
			CollectionName:  coll,
			Ids:             []*qc.PointId{qc.NewIDUUID(ledgerUUID(space, path))},
			WithPayload:     qc.NewWithPayload(true),
			ReadConsistency: majority,
		})
	})
	if err != nil {
		return nil, err
	}
	for _, p := range resp.GetResult() {
		e, err := decodeLedger(p.GetPayload())
		if err != nil {
			return nil, internalf("collection %q point %s: %v", coll, p.GetId().GetUuid(), err)
		}
		return &e, nil
	}
	return nil, nil
}

// ledgerPending marks a sync of src as under way: the entry keeps what it
// said (or is a bare, uncommitted intent marker) and gains pending.
func (s *Store) ledgerPending(ctx context.Context, src knowledge.Source, prev *ledgerEntry) error {
	if prev == nil {
		return s.ledgerWrite(ctx, knowledge.Source{Space: src.Space, Path: src.Path}, true, false)
	}
	return s.ledgerWrite(ctx, prev.src, true, prev.committed)
}

// ledgerPut writes a committed ledger entry.
func (s *Store) ledgerPut(ctx context.Context, src knowledge.Source, pending bool) error {
	return s.ledgerWrite(ctx, src, pending, true)
}

func (s *Store) ledgerWrite(ctx context.Context, src knowledge.Source, pending, committed bool) error {
	coll := s.cfg.LedgerCollection
	payload, err := ledgerPayload(src, pending, committed)
	if err != nil {
		return knowledge.Errorf(knowledge.Invalid, "qdrant", "ledger %w", err)
	}
	wait := true
	req := &qc.UpsertPoints{
		CollectionName: coll,
		Wait:           &wait,
		Points: []*qc.PointStruct{{
			Id:      qc.NewIDUUID(ledgerUUID(src.Space, src.Path)),
			Payload: payload,
			Vectors: ledgerVectors(),
		}},
		Ordering: &qc.WriteOrdering{Type: qc.WriteOrderingType_Strong},
	}
	_, err = call(ctx, s, "upsert", coll, func(ctx context.Context) (*qc.PointsOperationResponse, error) {
		return s.points.Upsert(ctx, req)
	})
	return err
}
