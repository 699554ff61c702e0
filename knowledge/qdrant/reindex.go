package qdrant

import (
	"context"
	"fmt"

	"github.com/lorehq/lore/knowledge"
	qc "github.com/qdrant/go-client/qdrant"
)

// Embedder computes the vectors of items, one Vectors per item, in order
// (the ingestion pipeline's embedder fits).
type Embedder interface {
	EmbedItems(ctx context.Context, items []knowledge.Item) ([]knowledge.Vectors, error)
}

// ReindexOptions configure Reindex.
type ReindexOptions struct {
	// BatchSize is the number of items per EmbedItems call and per
	// upsert. Default: the source Config's BatchSize.
	BatchSize int
	// Progress, when set, is called after each batch with the items
	// copied so far and the items in the source collection.
	Progress func(done, total int)
}

// ReindexResult says what Reindex did.
type ReindexResult struct {
	Items   int // item points copied with new vectors
	Sources int // ledger entries copied (not the reserved points)
	OldDim  int // dense dimension of the source collection
	NewDim  int // dense dimension of the target collection
}

// reindexMarker is the id of the point in the target ledger collection
// that says a Reindex into it is under way; its payload names the source
// (fieldReindexFrom). It is uncommitted, so Sources never lists it.
var reindexMarker = hashUUID("lore reindex marker")

const fieldReindexFrom = "reindex_from"

// Reindex copies the knowledge base in the collections from names into the
// collections to names, with every item re-embedded by emb: a new dense
// dimension (or model) needs a new collection. Item points keep their ids
// and payloads as they are (every field of the item, its provenance,
// status, version and write tokens; only the vectors hash is new); ledger
// points are copied as they are. The source is only read: until the
// configuration names the new collection, Lore goes on using the old one.
//
// from.Dim may be 0 (accept the dimension the source holds); to.Dim is the
// embedder's and required. from.Embedding is not checked: the source may
// have been made by any scheme. to.Embedding, the embedder's scheme, is
// recorded in the target ledger once every point is copied, before the
// marker is removed ("" records none, and removes a record an Open of the
// empty target left). The target collections are created if missing;
// existing ones must be empty or left by an interrupted Reindex from the
// same source, which a marker point in the target ledger tells: the rerun
// copies everything again and deletes what the source no longer holds, so
// a Reindex killed at any moment is finished by running it again. The
// marker is removed last; a target holding it is not complete.
//
// Writes to the source while Reindex runs (ingestion, reviews) may miss
// the copy: run it while nothing writes.
func Reindex(ctx context.Context, from, to Config, emb Embedder, opt ReindexOptions) (ReindexResult, error) {
	const op = "qdrant.Reindex"
	var res ReindexResult
	from, err := from.withDefaultsAnyDim()
	if err != nil {
		return res, err
	}
	if to, err = to.withDefaults(); err != nil {
		return res, err
	}
	if from.Host == to.Host && from.Port == to.Port {
		for _, a := range []string{from.Collection, from.LedgerCollection} {
			for _, b := range []string{to.Collection, to.LedgerCollection} {
				if a == b {
					return res, knowledge.Errorf(knowledge.Invalid, op, "the target collection %q is a source collection; choose a new name / 目标集合不能是源集合，请换一个新名字", b)
				}
			}
		}
	}
	if opt.BatchSize <= 0 {
		opt.BatchSize = from.BatchSize
	}
	src, err := dial(ctx, from)
	if err != nil {
		return res, err
	}
	defer src.Close()
	info, err := src.collectionInfo(ctx, from.Collection)
	if err != nil {
		return res, err
	}
	if info == nil {
		return res, knowledge.Errorf(knowledge.NotFound, op, "collection %q does not exist at %s: nothing to reindex / 源集合不存在", from.Collection, src.addr)
	}
	dense, ok := info.GetConfig().GetParams().GetVectorsConfig().GetParamsMap().GetMap()[vectorDense]
	if !ok {
		return res, knowledge.Errorf(knowledge.Invalid, op, "collection %q has no dense vector %q; it was not made by Lore / 集合不是 Lore 创建的", from.Collection, vectorDense)
	}
	res.OldDim, res.NewDim = int(dense.GetSize()), to.Dim
	if from.Dim > 0 && from.Dim != res.OldDim {
		return res, knowledge.Errorf(knowledge.Invalid, op, "collection %q holds %d-dimensional vectors, not %d / 源集合维度不符", from.Collection, res.OldDim, from.Dim)
	}
	ledgerInfo, err := src.collectionInfo(ctx, from.LedgerCollection)
	if err != nil {
		return res, err
	}

	// The scheme is recorded last, when the target holds the new vectors.
	toOpen := to
	toOpen.Embedding = ""
	dst, err := Open(ctx, toOpen)
	if err != nil {
		return res, err
	}
	defer dst.Close()
	origin := src.addr + "/" + from.Collection
	resume, err := dst.claimTarget(ctx, origin)
	if err != nil {
		return res, err
	}

	total, err := src.count(ctx, from.Collection, nil)
	if err != nil {
		return res, err
	}
	err = src.scrollRaw(ctx, from.Collection, opt.BatchSize, func(pts []*qc.RetrievedPoint) error {
		n, err := dst.copyItems(ctx, pts, emb)
		res.Items += n
		if err == nil && opt.Progress != nil {
			opt.Progress(res.Items, max(total, res.Items))
		}
		return err
	})
	if err != nil {
		return res, err
	}
	if ledgerInfo != nil {
		err = src.scrollRaw(ctx, from.LedgerCollection, opt.BatchSize, func(pts []*qc.RetrievedPoint) error {
			n, err := dst.copyLedger(ctx, pts)
			res.Sources += n
			return err
		})
		if err != nil {
			return res, err
		}
	}
	if resume {
		// What an interrupted run copied and the source has since lost.
		if err := dst.sweep(ctx, to.Collection, src, from.Collection, opt.BatchSize); err != nil {
			return res, err
		}
		if err := dst.sweep(ctx, to.LedgerCollection, src, from.LedgerCollection, opt.BatchSize); err != nil {
			return res, err
		}
	}
	if err := dst.writeEmbedding(ctx, to.Embedding, false); err != nil {
		return res, err
	}
	if err := dst.deletePoints(ctx, to.LedgerCollection, []*qc.PointId{qc.NewIDUUID(reindexMarker)}); err != nil {
		return res, err
	}
	return res, nil
}

// claimTarget checks that the target collections are empty, or hold what
// an interrupted Reindex from origin left (resume true), and writes the
// marker.
func (s *Store) claimTarget(ctx context.Context, origin string) (resume bool, err error) {
	const op = "qdrant.Reindex"
	coll, ledger := s.cfg.Collection, s.cfg.LedgerCollection
	resp, err := call(ctx, s, "get points", ledger, func(ctx context.Context) (*qc.GetResponse, error) {
		return s.points.Get(ctx, &qc.GetPoints{CollectionName: ledger, Ids: []*qc.PointId{qc.NewIDUUID(reindexMarker)}, WithPayload: qc.NewWithPayload(true)})
	})
	if err != nil {
		return false, err
	}
	marked := ""
	for _, p := range resp.GetResult() {
		marked = p.GetPayload()[fieldReindexFrom].GetStringValue()
	}
	if marked != "" && marked != origin {
		return false, knowledge.Errorf(knowledge.Conflict, op, "collection %q is the target of an unfinished reindex from %s, not from %s; choose a new name / 目标集合属于另一次未完成的重建，请换一个新名字", coll, marked, origin)
	}
	if marked == "" {
		for _, c := range []string{coll, ledger} {
			// An embedding record alone (left by an Open of the new
			// collections) is no data; Reindex overwrites it.
			n, err := s.count(ctx, c, notReserved())
			if err != nil {
				return false, err
			}
			if n > 0 {
				return false, knowledge.Errorf(knowledge.Conflict, op, "collection %q already holds %d points; choose a new name / 目标集合已有数据，请换一个新名字", c, n)
			}
		}
	}
	payload := map[string]*qc.Value{fieldReindexFrom: qc.NewValueString(origin), fieldCommitted: qc.NewValueBool(false)}
	return marked != "", s.upsertPoints(ctx, ledger, []*qc.PointStruct{{
		Id:      qc.NewIDUUID(reindexMarker),
		Payload: payload,
		Vectors: ledgerVectors(),
	}})
}

// copyItems embeds the items of source points and upserts them into this
// store's item collection with their ids and payloads.
func (s *Store) copyItems(ctx context.Context, pts []*qc.RetrievedPoint, emb Embedder) (int, error) {
	const op = "qdrant.Reindex"
	items := make([]knowledge.Item, len(pts))
	for i, p := range pts {
		st, err := decodeItem(p.GetPayload())
		if err != nil {
			return 0, internalf("source point %s: %v", p.GetId().GetUuid(), err)
		}
		items[i] = st.item
	}
	vecs, err := emb.EmbedItems(ctx, items)
	if err != nil {
		return 0, fmt.Errorf("%s: embed items: %w", op, err)
	}
	if len(vecs) != len(items) {
		return 0, knowledge.Errorf(knowledge.Internal, op, "the embedder returned %d vectors for %d items", len(vecs), len(items))
	}
	out := make([]*qc.PointStruct, len(pts))
	for i, p := range pts {
		if err := s.checkVectors(op, items[i].ID, vecs[i], false); err != nil {
			return 0, err
		}
		payload := p.GetPayload()
		payload[fieldVectors] = qc.NewValueString(vectorsHash(vecs[i]))
		out[i] = &qc.PointStruct{Id: p.GetId(), Payload: payload, Vectors: pointVectors(vecs[i])}
	}
	if err := s.upsertPoints(ctx, s.cfg.Collection, out); err != nil {
		return 0, err
	}
	return len(out), nil
}

// copyLedger upserts ledger points into this store's ledger collection as
// they are, but for the reserved ones, and returns how many it copied.
func (s *Store) copyLedger(ctx context.Context, pts []*qc.RetrievedPoint) (int, error) {
	out := make([]*qc.PointStruct, 0, len(pts))
	for _, p := range pts {
		if reservedLedger(p.GetId()) {
			continue // the source's embedding record or an unfinished reindex's marker: not a source
		}
		out = append(out, &qc.PointStruct{Id: p.GetId(), Payload: p.GetPayload(), Vectors: ledgerVectors()})
	}
	if len(out) == 0 {
		return 0, nil
	}
	return len(out), s.upsertPoints(ctx, s.cfg.LedgerCollection, out)
}

// sweep deletes the points of coll (in this store) that srcColl (in src)
// does not hold, but for the reserved ledger points.
func (s *Store) sweep(ctx context.Context, coll string, src *Store, srcColl string, batch int) error {
	return s.scrollRaw(ctx, coll, batch, func(pts []*qc.RetrievedPoint) error {
		ids := make([]*qc.PointId, 0, len(pts))
		for _, p := range pts {
			if !reservedLedger(p.GetId()) {
				ids = append(ids, p.GetId())
			}
		}
		if len(ids) == 0 {
			return nil
		}
		resp, err := call(ctx, src, "get points", srcColl, func(ctx context.Context) (*qc.GetResponse, error) {
			return src.points.Get(ctx, &qc.GetPoints{CollectionName: srcColl, Ids: ids, WithPayload: qc.NewWithPayload(false), ReadConsistency: majority})
		})
		if err != nil {
			return err
		}
		held := map[string]bool{}
		for _, p := range resp.GetResult() {
			held[p.GetId().GetUuid()] = true
		}
		var gone []*qc.PointId
		for _, id := range ids {
			if !held[id.GetUuid()] {
				gone = append(gone, id)
			}
		}
		if len(gone) == 0 {
			return nil
		}
		return s.deletePoints(ctx, coll, gone)
	})
}

// scrollRaw calls fn with the points of coll, payloads included, in point
// id order, batch at a time.
func (s *Store) scrollRaw(ctx context.Context, coll string, batch int, fn func([]*qc.RetrievedPoint) error) error {
	limit := uint32(batch)
	var offset *qc.PointId
	for {
		req := &qc.ScrollPoints{CollectionName: coll, Offset: offset, Limit: &limit, WithPayload: qc.NewWithPayload(true), ReadConsistency: majority}
		resp, err := call(ctx, s, "scroll", coll, func(ctx context.Context) (*qc.ScrollResponse, error) {
			return s.points.Scroll(ctx, req)
		})
		if err != nil {
			return err
		}
		if len(resp.GetResult()) > 0 {
			if err := fn(resp.GetResult()); err != nil {
				return err
			}
		}
		offset = resp.GetNextPageOffset()
		if offset == nil || len(resp.GetResult()) == 0 {
			return nil
		}
	}
}

func (s *Store) upsertPoints(ctx context.Context, coll string, pts []*qc.PointStruct) error {
	wait := true
	req := &qc.UpsertPoints{CollectionName: coll, Wait: &wait, Points: pts, Ordering: &qc.WriteOrdering{Type: qc.WriteOrderingType_Strong}}
	_, err := call(ctx, s, "upsert", coll, func(ctx context.Context) (*qc.PointsOperationResponse, error) {
		return s.points.Upsert(ctx, req)
	})
	return err
}

func (s *Store) deletePoints(ctx context.Context, coll string, ids []*qc.PointId) error {
	wait := true
	req := &qc.UpdateBatchPoints{
		CollectionName: coll,
		Wait:           &wait,
		Operations: []*qc.PointsUpdateOperation{{Operation: &qc.PointsUpdateOperation_DeletePoints_{
			DeletePoints: &qc.PointsUpdateOperation_DeletePoints{Points: qc.NewPointsSelector(ids...)},
		}}},
		Ordering: &qc.WriteOrdering{Type: qc.WriteOrderingType_Strong},
	}
	_, err := call(ctx, s, "delete points", coll, func(ctx context.Context) (*qc.UpdateBatchResponse, error) {
		return s.points.UpdateBatch(ctx, req)
	})
	return err
}

// ledgerVectors is the placeholder vector of a ledger point.
func ledgerVectors() *qc.Vectors {
	return qc.NewVectorsMap(map[string]*qc.Vector{vectorLedger: qc.NewVectorDense([]float32{1})})
}
