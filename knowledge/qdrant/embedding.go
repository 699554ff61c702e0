package qdrant

import (
	"context"

	"github.com/lorehq/lore/knowledge"
	qc "github.com/qdrant/go-client/qdrant"
)

// embeddingPoint is the id of the point in the ledger collection that
// records the embedding scheme of the item collection's vectors
// (Config.Embedding) in its fieldEmbedding. Like the reindex marker it is
// uncommitted and no source's entry: every ledger listing skips it (see
// reservedLedger).
var embeddingPoint = hashUUID("lore embedding scheme")

const fieldEmbedding = "embedding"

// reservedLedger reports whether a ledger point is one of the store's own
// (the embedding record, a reindex marker) rather than a source's entry.
func reservedLedger(id *qc.PointId) bool {
	u := id.GetUuid()
	return u == embeddingPoint || u == reindexMarker
}

// notReserved is a filter that leaves the reserved ledger points out.
func notReserved() *qc.Filter {
	return &qc.Filter{MustNot: []*qc.Condition{qc.NewHasID(qc.NewIDUUID(embeddingPoint), qc.NewIDUUID(reindexMarker))}}
}

// Embedding is the embedding scheme the ledger collection recorded when
// the store was opened (after Open took Config.Embedding for collections
// that recorded none); "" when it records none.
func (s *Store) Embedding() string { return s.emb }

// checkEmbedding reads the recorded embedding scheme, records cfg.Embedding
// when there is none and refuses a different one. The record is inserted
// only where none exists, then read back, so of replicas opening new
// collections at once with different schemes, all but one are refused.
func (s *Store) checkEmbedding(ctx context.Context) error {
	stored, err := s.readEmbedding(ctx)
	if err != nil {
		return err
	}
	want := s.cfg.Embedding
	if stored == "" && want != "" {
		if err := s.writeEmbedding(ctx, want, true); err != nil {
			return err
		}
		if stored, err = s.readEmbedding(ctx); err != nil {
			return err
		}
	}
	if want != "" && stored != want {
		return embeddingConflict(s.cfg.Collection, stored, want)
	}
	s.emb = stored
	return nil
}

// readEmbedding returns the recorded embedding scheme, "" when none.
func (s *Store) readEmbedding(ctx context.Context) (string, error) {
	coll := s.cfg.LedgerCollection
	resp, err := call(ctx, s, "get points", coll, func(ctx context.Context) (*qc.GetResponse, error) {
		return s.points.Get(ctx, &qc.GetPoints{
			CollectionName:  coll,
			Ids:             []*qc.PointId{qc.NewIDUUID(embeddingPoint)},
			WithPayload:     qc.NewWithPayload(true),
			ReadConsistency: majority,
		})
	})
	if err != nil {
		return "", err
	}
	for _, p := range resp.GetResult() {
		return p.GetPayload()[fieldEmbedding].GetStringValue(), nil
	}
	return "", nil
}

// writeEmbedding records the embedding scheme; onlyNew leaves an existing
// record alone (UpdateMode InsertOnly). An empty scheme deletes the record.
func (s *Store) writeEmbedding(ctx context.Context, emb string, onlyNew bool) error {
	coll := s.cfg.LedgerCollection
	if emb == "" {
		return s.deletePoints(ctx, coll, []*qc.PointId{qc.NewIDUUID(embeddingPoint)})
	}
	wait := true
	req := &qc.UpsertPoints{
		CollectionName: coll,
		Wait:           &wait,
		Points: []*qc.PointStruct{{
			Id:      qc.NewIDUUID(embeddingPoint),
			Payload: map[string]*qc.Value{fieldEmbedding: qc.NewValueString(emb), fieldCommitted: qc.NewValueBool(false)},
			Vectors: ledgerVectors(),
		}},
		Ordering: &qc.WriteOrdering{Type: qc.WriteOrderingType_Strong},
	}
	if onlyNew {
		req.UpdateMode = qc.UpdateMode_InsertOnly.Enum()
	}
	_, err := call(ctx, s, "upsert", coll, func(ctx context.Context) (*qc.PointsOperationResponse, error) {
		return s.points.Upsert(ctx, req)
	})
	return err
}

// embeddingConflict is the error of a collection whose vectors were made
// by the scheme stored, opened by a caller embedding with given. It says
// which part changed: the model, or only the segmentation dictionary.
func embeddingConflict(coll, stored, given string) error {
	const op = "qdrant.Open"
	if knowledge.VocabularyChanged(stored, given) {
		return knowledge.Errorf(knowledge.Conflict, op,
			"collection %q was indexed as %q but the configuration makes %q: the segmentation dictionary changed (retrieval.synonyms or retrieval.user_dict); run `lore reindex -to-collection NEW` to copy the items, re-segmented and re-embedded, into a new collection, then set store.qdrant.collection to it, or restore the dictionary / 分词词典已变更（retrieval.synonyms 或 retrieval.user_dict）：集合中为 %q，当前为 %q；请运行 `lore reindex -to-collection 新集合名` 重新生成向量并复制到新集合，再把 store.qdrant.collection 改为它，或恢复原词典",
			coll, stored, given, stored, given)
	}
	return knowledge.Errorf(knowledge.Conflict, op,
		"collection %q holds vectors made by %q but the embedder is %q: run `lore reindex -to-collection NEW` to copy the items with new vectors into a new collection, then set store.qdrant.collection to it, or configure the embedder back / 向量模型已变更（集合中为 %q，当前为 %q）：请运行 `lore reindex -to-collection 新集合名` 重新生成向量并复制到新集合，再把 store.qdrant.collection 改为它，或改回原模型配置",
		coll, stored, given, stored, given)
}
