package qdrant

import (
	"bytes"
	"context"
	"encoding/json"
	mrand "math/rand/v2"
	"time"

	"github.com/lorehq/lore/knowledge"
	qc "github.com/qdrant/go-client/qdrant"
)

// maxAttempts bounds how often a write is planned again after another
// writer changed the same points first.
const maxAttempts = 8

// conflictPause waits before planning a write again after losing a
// compare-and-set: a random time up to 5ms·2^attempt (at most 500ms), so
// writers that keep colliding spread out.
func conflictPause(ctx context.Context, attempt int) error {
	ceiling := min(5*time.Millisecond<<attempt, 500*time.Millisecond)
	t := time.NewTimer(time.Duration(mrand.Int64N(int64(ceiling))))
	defer t.Stop()
	select {
	case <-ctx.Done():
		return knowledge.Errorf(knowledge.Unavailable, "qdrant", "%w", ctx.Err())
	case <-t.C:
		return nil
	}
}

// majority is the read consistency of the reads a write decides on, so a
// lagging replica cannot hide a concurrent change.
var majority = qc.NewReadConsistencyType(qc.ReadConsistencyType_Majority)

// getItems fetches stored items by id; ids not stored are absent.
func (s *Store) getItems(ctx context.Context, ids []string) (map[string]storedItem, error) {
	coll := s.cfg.Collection
	out := make(map[string]storedItem, len(ids))
	for start := 0; start < len(ids); start += s.cfg.BatchSize {
		batch := ids[start:min(start+s.cfg.BatchSize, len(ids))]
		pids := make([]*qc.PointId, len(batch))
		for i, id := range batch {
			pids[i] = itemPointID(id)
		}
		resp, err := call(ctx, s, "get points", coll, func(ctx context.Context) (*qc.GetResponse, error) {
			return s.points.Get(ctx, &qc.GetPoints{
				CollectionName:  coll,
				Ids:             pids,
				WithPayload:     qc.NewWithPayload(true),
				ReadConsistency: majority,
			})
		})
		if err != nil {
			return nil, err
		}
		for _, p := range resp.GetResult() {
			st, err := decodeItem(p.GetPayload())
			if err != nil {
				return nil, internalf("collection %q point %s: %v", coll, p.GetId().GetUuid(), err)
			}
			out[st.item.ID] = st
		}
	}
	return out, nil
}

// scrollItems calls fn with the items passing filter, in point id order,
// starting at the point offset (nil: from the start), a page of
// cfg.BatchSize at a time, until fn returns false or the items end.
func (s *Store) scrollItems(ctx context.Context, filter *qc.Filter, offset *qc.PointId, fn func(storedItem) bool) error {
	coll := s.cfg.Collection
	limit := uint32(s.cfg.BatchSize)
	for {
		req := &qc.ScrollPoints{
			CollectionName:  coll,
			Filter:          filter,
			Offset:          offset,
			Limit:           &limit,
			WithPayload:     qc.NewWithPayload(true),
			ReadConsistency: majority,
		}
		resp, err := call(ctx, s, "scroll", coll, func(ctx context.Context) (*qc.ScrollResponse, error) {
			return s.points.Scroll(ctx, req)
		})
		if err != nil {
			return err
		}
		for _, p := range resp.GetResult() {
			st, err := decodeItem(p.GetPayload())
			if err != nil {
				return internalf("collection %q point %s: %v", coll, p.GetId().GetUuid(), err)
			}
			if !fn(st) {
				return nil
			}
		}
		offset = resp.GetNextPageOffset()
		if offset == nil || len(resp.GetResult()) == 0 {
			return nil
		}
	}
}

// Get returns the item with the id, or an error with code NotFound.
func (s *Store) Get(ctx context.Context, id string) (knowledge.Item, error) {
	got, err := s.getItems(ctx, []string{id})
	if err != nil {
		return knowledge.Item{}, err
	}
	st, ok := got[id]
	if !ok {
		return knowledge.Item{}, knowledge.Errorf(knowledge.NotFound, "qdrant.Get", "item %s not found / 条目不存在", id)
	}
	return st.item, nil
}

// List returns up to limit items passing f, ordered by id, starting after
// the id given. It scrolls Qdrant with the filter from the point after
// "after"; limit <= 0 lists every match.
func (s *Store) List(ctx context.Context, f knowledge.Filter, after string, limit int) ([]knowledge.Item, error) {
	var offset *qc.PointId
	if after != "" {
		offset = itemPointID(after)
	}
	var out []knowledge.Item
	err := s.scrollItems(ctx, itemFilter(f), offset, func(st storedItem) bool {
		// Scroll starts at the offset itself; the datetime bounds are
		// checked again at full precision.
		if (after != "" && st.item.ID <= after) || !f.Match(&st.item) {
			return true
		}
		out = append(out, st.item)
		return limit <= 0 || len(out) < limit
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Update applies edit to the stored item and stores the result with
// Version+1 and a new Updated time; Edited is set once the title or body
// changes. The write is conditional on the item
// being unchanged since it was read; if another writer got there first,
// the item is read again and edit runs again (so edit must be repeatable),
// up to a bound, after which the error has code Conflict.
func (s *Store) Update(ctx context.Context, id string, edit func(*knowledge.Item) error) (knowledge.Item, error) {
	const op = "qdrant.Update"
	s.mu.Lock()
	defer s.mu.Unlock()
	for attempt := 0; attempt < maxAttempts; attempt++ {
		got, err := s.getItems(ctx, []string{id})
		if err != nil {
			return knowledge.Item{}, err
		}
		cur, ok := got[id]
		if !ok {
			return knowledge.Item{}, knowledge.Errorf(knowledge.NotFound, op, "item %s not found / 条目不存在", id)
		}
		it, err := cloneItem(cur.item)
		if err != nil {
			return knowledge.Item{}, knowledge.Errorf(knowledge.Internal, op, "copy item %s: %w", id, err)
		}
		if err := edit(&it); err != nil {
			return knowledge.Item{}, err
		}
		if err := checkEdit(cur.item, it); err != nil {
			return knowledge.Item{}, err
		}
		it.Edited = cur.item.Edited || it.Title != cur.item.Title || it.Body != cur.item.Body
		it.NeedsReview = false
		it.Created = cur.item.Created
		it.Version = cur.item.Version + 1
		it.Updated = s.now()
		lost, err := s.apply(ctx, []change{{prev: &cur, item: &it}})
		if err != nil {
			return knowledge.Item{}, err
		}
		if len(lost) == 0 {
			return it, nil
		}
		if err := conflictPause(ctx, attempt); err != nil {
			return knowledge.Item{}, err
		}
	}
	return knowledge.Item{}, knowledge.Errorf(knowledge.Conflict, op, "item %s keeps changing under concurrent writers; try again / 条目正被并发修改，请重试", id)
}

// checkEdit refuses an edit that changes what an update cannot change.
func checkEdit(before, after knowledge.Item) error {
	const op = "qdrant.Update"
	switch {
	case after.ID != before.ID:
		return knowledge.Errorf(knowledge.Invalid, op, "item %s: the id cannot change / 条目 ID 不可修改", before.ID)
	case after.Kind != before.Kind:
		return knowledge.Errorf(knowledge.Invalid, op, "item %s: the kind cannot change / 条目类型不可修改", before.ID)
	case after.Space != before.Space:
		return knowledge.Errorf(knowledge.Invalid, op, "item %s: the space cannot change / 知识空间不可修改", before.ID)
	case !sameJSON(after.Provenance, before.Provenance):
		return knowledge.Errorf(knowledge.Invalid, op, "item %s: the provenance cannot change / 来源不可修改", before.ID)
	}
	return after.Validate()
}

// cloneItem deep-copies an item, so an edit cannot reach the stored copy.
func cloneItem(it knowledge.Item) (knowledge.Item, error) {
	raw, err := json.Marshal(it)
	if err != nil {
		return knowledge.Item{}, err
	}
	var out knowledge.Item
	err = json.Unmarshal(raw, &out)
	return out, err
}

// sameJSON reports whether a and b encode alike.
func sameJSON(a, b any) bool {
	ra, err1 := json.Marshal(a)
	rb, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && bytes.Equal(ra, rb)
}

// Stats counts items by kind and status with Qdrant's exact facet counts,
// and the committed ledger entries.
func (s *Store) Stats(ctx context.Context) (knowledge.Stats, error) {
	st := knowledge.Stats{ByKind: map[knowledge.Kind]int{}, ByStatus: map[knowledge.Status]int{}}
	n, err := s.count(ctx, s.cfg.Collection, nil)
	if err != nil {
		return st, err
	}
	st.Items = n
	for _, field := range []string{fieldKind, fieldStatus} {
		hits, err := s.facet(ctx, field)
		if err != nil {
			return st, err
		}
		for v, c := range hits {
			if field == fieldKind {
				st.ByKind[knowledge.Kind(v)] = c
			} else {
				st.ByStatus[knowledge.Status(v)] = c
			}
		}
	}
	if st.Sources, err = s.count(ctx, s.cfg.LedgerCollection, &qc.Filter{Must: []*qc.Condition{qc.NewMatchBool(fieldCommitted, true)}}); err != nil {
		return st, err
	}
	return st, nil
}

func (s *Store) count(ctx context.Context, coll string, filter *qc.Filter) (int, error) {
	exact := true
	resp, err := call(ctx, s, "count", coll, func(ctx context.Context) (*qc.CountResponse, error) {
		return s.points.Count(ctx, &qc.CountPoints{CollectionName: coll, Filter: filter, Exact: &exact})
	})
	if err != nil {
		return 0, err
	}
	return int(resp.GetResult().GetCount()), nil
}

// facet counts the item points by the values of a keyword field.
func (s *Store) facet(ctx context.Context, field string) (map[string]int, error) {
	coll := s.cfg.Collection
	exact := true
	limit := uint64(1000)
	resp, err := call(ctx, s, "facet "+field, coll, func(ctx context.Context) (*qc.FacetResponse, error) {
		return s.points.Facet(ctx, &qc.FacetCounts{CollectionName: coll, Key: field, Exact: &exact, Limit: &limit})
	})
	if err != nil {
		return nil, err
	}
	out := map[string]int{}
	for _, h := range resp.GetHits() {
		out[h.GetValue().GetStringValue()] = int(h.GetCount())
	}
	return out, nil
}
