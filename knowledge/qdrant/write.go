package qdrant

import (
	"context"
	"slices"

	"github.com/lorehq/lore/knowledge"
	qc "github.com/qdrant/go-client/qdrant"
)

// change is one conditional write of an item point.
//
//   - prev nil: the item is new; the point is inserted only if no point
//     with its id exists (UpdateMode InsertOnly).
//   - item nil: the point is deleted if its write token is still prev.rev.
//   - vectors set: the whole point is replaced, only if it still exists
//     with write token prev.rev (UpdateMode UpdateOnly + update_filter).
//   - vectors nil: only the payload is overwritten (the vectors stay), with
//     the same condition, through a filter points selector.
type change struct {
	prev    *storedItem
	item    *knowledge.Item
	vectors *knowledge.Vectors
	rev     string // the write token the change stores
}

func (c change) id() string {
	if c.item != nil {
		return c.item.ID
	}
	return c.prev.item.ID
}

// apply sends the changes in UpdateBatch requests of cfg.BatchSize
// operations, then reads the points back and returns the ids whose change
// did not take because another writer changed the point first: Qdrant
// does not say whether a conditional write matched, so a change took if
// its token is in the point's history, which keeps it through any number
// of writes by fewer than revWriters other Stores (see nextRevs). Each
// operation is atomic in Qdrant; a batch as a whole is not, which is why
// callers write in an order that a crash at any point leaves repairable.
func (s *Store) apply(ctx context.Context, changes []change) ([]string, error) {
	coll := s.cfg.Collection
	wait := true
	for start := 0; start < len(changes); start += s.cfg.BatchSize {
		batch := changes[start:min(start+s.cfg.BatchSize, len(changes))]
		ops := make([]*qc.PointsUpdateOperation, 0, len(batch))
		for i := range batch {
			op, err := s.operation(&batch[i])
			if err != nil {
				return nil, err
			}
			ops = append(ops, op)
		}
		req := &qc.UpdateBatchPoints{
			CollectionName: coll,
			Wait:           &wait,
			Operations:     ops,
			// Strong ordering routes every write of a point through its
			// shard's leader, so conditions are checked in one order.
			Ordering: &qc.WriteOrdering{Type: qc.WriteOrderingType_Strong},
		}
		if _, err := call(ctx, s, "update batch", coll, func(ctx context.Context) (*qc.UpdateBatchResponse, error) {
			return s.points.UpdateBatch(ctx, req)
		}); err != nil {
			return nil, err
		}
	}
	ids := make([]string, len(changes))
	for i, c := range changes {
		ids[i] = c.id()
	}
	got, err := s.getItems(ctx, ids)
	if err != nil {
		return nil, err
	}
	var lost []string
	for _, c := range changes {
		st, ok := got[c.id()]
		switch {
		case c.item == nil && ok:
			lost = append(lost, c.id()) // changed by another writer, so kept
		case c.item != nil && (!ok || !slices.Contains(st.revs, c.rev)):
			lost = append(lost, c.id())
		}
	}
	return lost, nil
}

// operation renders one change as an UpdateBatch operation.
func (s *Store) operation(c *change) (*qc.PointsUpdateOperation, error) {
	if c.item == nil {
		return &qc.PointsUpdateOperation{Operation: &qc.PointsUpdateOperation_DeletePoints_{
			DeletePoints: &qc.PointsUpdateOperation_DeletePoints{
				Points: qc.NewPointsSelectorFilter(revFilter(c.prev.item.ID, c.prev.rev)),
			},
		}}, nil
	}
	c.rev = newRev(s.writer)
	var prevRevs []string
	if c.prev != nil {
		prevRevs = c.prev.revs
	}
	revs := nextRevs(c.rev, prevRevs)
	vecHash := ""
	switch {
	case c.vectors != nil:
		vecHash = vectorsHash(*c.vectors)
	case c.prev != nil:
		vecHash = c.prev.vectors
	}
	payload, err := itemPayload(c.item, vecHash, revs)
	if err != nil {
		return nil, knowledge.Errorf(knowledge.Invalid, "qdrant", "payload of %w", err)
	}
	if c.vectors == nil {
		return &qc.PointsUpdateOperation{Operation: &qc.PointsUpdateOperation_OverwritePayload_{
			OverwritePayload: &qc.PointsUpdateOperation_OverwritePayload{
				Payload:        payload,
				PointsSelector: qc.NewPointsSelectorFilter(revFilter(c.prev.item.ID, c.prev.rev)),
			},
		}}, nil
	}
	list := &qc.PointsUpdateOperation_PointStructList{
		Points: []*qc.PointStruct{{
			Id:      itemPointID(c.item.ID),
			Payload: payload,
			Vectors: pointVectors(*c.vectors),
		}},
	}
	if c.prev == nil {
		list.UpdateMode = qc.UpdateMode_InsertOnly.Enum()
	} else {
		list.UpdateMode = qc.UpdateMode_UpdateOnly.Enum()
		list.UpdateFilter = revFilter(c.prev.item.ID, c.prev.rev)
	}
	return &qc.PointsUpdateOperation{Operation: &qc.PointsUpdateOperation_Upsert{Upsert: list}}, nil
}

// pointVectors names the non-empty parts of v; Qdrant lets a point lack a
// named vector, and such a point is simply absent from that ranking.
func pointVectors(v knowledge.Vectors) *qc.Vectors {
	m := map[string]*qc.Vector{}
	if len(v.Dense) > 0 {
		m[vectorDense] = qc.NewVectorDense(v.Dense)
	}
	if len(v.Sparse.Indices) > 0 {
		m[vectorSparse] = qc.NewVectorSparse(v.Sparse.Indices, v.Sparse.Values)
	}
	return qc.NewVectorsMap(m)
}
