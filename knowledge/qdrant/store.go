package qdrant

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/lorehq/lore/knowledge"
	qc "github.com/qdrant/go-client/qdrant"
)

// Store is a knowledge.Store kept in two Qdrant collections: items with
// their dense and sparse vectors, and the ingestion ledger. It is safe for
// concurrent use; writes of one Store are serialised, and writes of
// several Stores (replicas) on one cluster are kept apart by
// compare-and-set on each item's write token.
type Store struct {
	cfg    Config
	addr   string
	client *qc.Client

	points      qc.PointsClient
	collections qc.CollectionsClient

	mu     sync.Mutex       // serialises this Store's writes
	emb    string           // the embedding scheme the ledger records, read by Open
	writer string           // this Store's part of the write tokens (newRev)
	now    func() time.Time // clock: UTC, microsecond precision like Qdrant's datetimes
}

var _ knowledge.Store = (*Store)(nil)

// Open connects to the Qdrant server cfg names, creates the collections
// and payload indexes when they are missing, and checks existing ones: a
// collection whose dense dimension differs from cfg.Dim is refused with
// code Invalid, one whose recorded embedding scheme differs from
// cfg.Embedding with code Conflict. An unreachable server gives code
// Unavailable.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	s, err := dial(ctx, cfg)
	if err != nil {
		return nil, err
	}
	if err := s.ensureItems(ctx); err != nil {
		_ = s.client.Close()
		return nil, err
	}
	if err := s.ensureLedger(ctx); err != nil {
		_ = s.client.Close()
		return nil, err
	}
	if err := s.checkEmbedding(ctx); err != nil {
		_ = s.client.Close()
		return nil, err
	}
	return s, nil
}

// dial connects to the server cfg (with defaults) names and checks its
// version; it touches no collection.
func dial(ctx context.Context, cfg Config) (*Store, error) {
	client, err := qc.NewClient(&qc.Config{
		Host:                   cfg.Host,
		Port:                   cfg.Port,
		APIKey:                 cfg.APIKey,
		UseTLS:                 cfg.UseTLS,
		SkipCompatibilityCheck: true, // Open does its own health check, with a timeout
	})
	if err != nil {
		return nil, knowledge.Errorf(knowledge.Invalid, "qdrant.Open", "client for %s: %w", net.JoinHostPort(cfg.Host, strconv.Itoa(cfg.Port)), err)
	}
	s, err := open(ctx, client, cfg)
	if err != nil {
		_ = client.Close()
		return nil, err
	}
	return s, nil
}

func open(ctx context.Context, client *qc.Client, cfg Config) (*Store, error) {
	s := &Store{
		cfg:         cfg,
		addr:        net.JoinHostPort(cfg.Host, strconv.Itoa(cfg.Port)),
		client:      client,
		points:      client.GetPointsClient(),
		collections: client.GetCollectionsClient(),
		writer:      newWriter(),
		now:         func() time.Time { return time.Now().UTC().Truncate(time.Microsecond) },
	}
	health, err := call(ctx, s, "health check", "", func(ctx context.Context) (*qc.HealthCheckReply, error) {
		return client.GetQdrantClient().HealthCheck(ctx, &qc.HealthCheckRequest{})
	})
	if err != nil {
		return nil, err
	}
	if !supported(health.GetVersion()) {
		return nil, knowledge.Errorf(knowledge.Unsupported, "qdrant.Open", "Qdrant %s at %s is too old: Lore needs %d.%d or later (conditional upserts, parameterised RRF) / Qdrant 版本过旧，需要 %d.%d 或更高版本",
			health.GetVersion(), s.addr, minMajor, minMinor, minMajor, minMinor)
	}
	return s, nil
}

// The oldest Qdrant the store works with: update_mode on upserts (which an
// older server would silently ignore, losing the compare-and-set) and the
// RRF k parameter arrived by 1.17.
const minMajor, minMinor = 1, 17

// supported reports whether a server version is at least minMajor.minMinor.
// A version that does not parse (a development build) is let through.
func supported(version string) bool {
	parts := strings.SplitN(strings.TrimPrefix(version, "v"), ".", 3)
	if len(parts) < 2 {
		return true
	}
	major, err1 := strconv.Atoi(parts[0])
	minor, err2 := strconv.Atoi(parts[1])
	if err1 != nil || err2 != nil {
		return true
	}
	return major > minMajor || major == minMajor && minor >= minMinor
}

// Close releases the connection.
func (s *Store) Close() error {
	if err := s.client.Close(); err != nil {
		return fmt.Errorf("qdrant: close: %w", err)
	}
	return nil
}

// ensureItems creates or checks the item collection: dense vector "dense"
// (cosine, cfg.Dim), sparse vector "sparse" with the IDF modifier, and
// keyword indexes on kind, space (as tenant), status and sources, a
// datetime index on updated.
func (s *Store) ensureItems(ctx context.Context) error {
	coll := s.cfg.Collection
	info, err := s.collectionOrCreate(ctx, &qc.CreateCollection{
		CollectionName: coll,
		VectorsConfig: qc.NewVectorsConfigMap(map[string]*qc.VectorParams{
			vectorDense: {Size: uint64(s.cfg.Dim), Distance: qc.Distance_Cosine},
		}),
		SparseVectorsConfig: qc.NewSparseVectorsConfig(map[string]*qc.SparseVectorParams{
			vectorSparse: {Modifier: qc.Modifier_Idf.Enum()},
		}),
	})
	if err != nil {
		return err
	}
	if err := s.checkItems(info); err != nil {
		return err
	}
	tenant := true
	indexes := []struct {
		field  string
		typ    qc.FieldType
		params *qc.PayloadIndexParams
	}{
		{fieldKind, qc.FieldType_FieldTypeKeyword, nil},
		{fieldSpace, qc.FieldType_FieldTypeKeyword, qc.NewPayloadIndexParamsKeyword(&qc.KeywordIndexParams{IsTenant: &tenant})},
		{fieldStatus, qc.FieldType_FieldTypeKeyword, nil},
		{fieldSources, qc.FieldType_FieldTypeKeyword, nil},
		{fieldUpdated, qc.FieldType_FieldTypeDatetime, nil},
	}
	for _, ix := range indexes {
		if _, ok := info.GetPayloadSchema()[ix.field]; ok {
			continue
		}
		if err := s.createIndex(ctx, coll, ix.field, ix.typ, ix.params); err != nil {
			return err
		}
	}
	return nil
}

// checkItems refuses an item collection this store cannot use.
func (s *Store) checkItems(info *qc.CollectionInfo) error {
	const op = "qdrant.Open"
	coll := s.cfg.Collection
	params := info.GetConfig().GetParams()
	dense, ok := params.GetVectorsConfig().GetParamsMap().GetMap()[vectorDense]
	if !ok {
		return knowledge.Errorf(knowledge.Invalid, op, "collection %q has no dense vector %q; it was not made by Lore: choose another collection / 集合不是 Lore 创建的，请换一个集合", coll, vectorDense)
	}
	if dense.GetSize() != uint64(s.cfg.Dim) {
		return knowledge.Errorf(knowledge.Invalid, op, "collection %q holds %d-dimensional vectors but the embedder makes %d: run `lore reindex -to-collection NEW` to copy the items with new vectors into a new collection, then set store.qdrant.collection to it / 向量维度不一致（集合 %d，模型 %d）：请运行 `lore reindex -to-collection 新集合名` 把条目重新生成向量后复制到新集合，再把 store.qdrant.collection 改为它", coll, dense.GetSize(), s.cfg.Dim, dense.GetSize(), s.cfg.Dim)
	}
	if d := dense.GetDistance(); d != qc.Distance_Cosine && d != qc.Distance_Dot {
		return knowledge.Errorf(knowledge.Invalid, op, "collection %q uses %s distance, Lore needs cosine: re-ingest into a new collection / 距离度量不符，请在新集合中重新导入", coll, d)
	}
	sparse, ok := params.GetSparseVectorsConfig().GetMap()[vectorSparse]
	if !ok {
		return knowledge.Errorf(knowledge.Invalid, op, "collection %q has no sparse vector %q: re-ingest into a new collection / 缺少稀疏向量，请在新集合中重新导入", coll, vectorSparse)
	}
	if sparse.GetModifier() != qc.Modifier_Idf {
		return knowledge.Errorf(knowledge.Invalid, op, "collection %q: sparse vector %q lacks the IDF modifier: re-ingest into a new collection / 稀疏向量未启用 IDF，请在新集合中重新导入", coll, vectorSparse)
	}
	return nil
}

// ensureLedger creates the ledger collection when missing. Its points carry
// only a payload and a one-dimensional placeholder vector.
func (s *Store) ensureLedger(ctx context.Context) error {
	coll := s.cfg.LedgerCollection
	info, err := s.collectionOrCreate(ctx, &qc.CreateCollection{
		CollectionName: coll,
		VectorsConfig: qc.NewVectorsConfigMap(map[string]*qc.VectorParams{
			vectorLedger: {Size: 1, Distance: qc.Distance_Dot},
		}),
	})
	if err != nil {
		return err
	}
	if _, ok := info.GetPayloadSchema()[fieldSpace]; ok {
		return nil
	}
	return s.createIndex(ctx, coll, fieldSpace, qc.FieldType_FieldTypeKeyword, nil)
}

// collectionOrCreate returns the information of req's collection,
// creating the collection as req says when it does not exist.
func (s *Store) collectionOrCreate(ctx context.Context, req *qc.CreateCollection) (*qc.CollectionInfo, error) {
	coll := req.GetCollectionName()
	info, err := s.collectionInfo(ctx, coll)
	if err != nil || info != nil {
		return info, err
	}
	if err := s.createCollection(ctx, req); err != nil {
		return nil, err
	}
	if info, err = s.collectionInfo(ctx, coll); err != nil {
		return nil, err
	}
	if info == nil {
		return nil, internalf("collection %q missing right after creation", coll)
	}
	return info, nil
}

// collectionInfo returns nil, nil when the collection does not exist.
func (s *Store) collectionInfo(ctx context.Context, coll string) (*qc.CollectionInfo, error) {
	exists, err := call(ctx, s, "collection exists", coll, func(ctx context.Context) (*qc.CollectionExistsResponse, error) {
		return s.collections.CollectionExists(ctx, &qc.CollectionExistsRequest{CollectionName: coll})
	})
	if err != nil {
		return nil, err
	}
	if !exists.GetResult().GetExists() {
		return nil, nil
	}
	resp, err := call(ctx, s, "get collection", coll, func(ctx context.Context) (*qc.GetCollectionInfoResponse, error) {
		return s.collections.Get(ctx, &qc.GetCollectionInfoRequest{CollectionName: coll})
	})
	if err != nil {
		return nil, err
	}
	return resp.GetResult(), nil
}

// createCollection creates a collection. One that another replica created
// meanwhile is fine: the caller checks what it finds.
func (s *Store) createCollection(ctx context.Context, req *qc.CreateCollection) error {
	coll := req.GetCollectionName()
	_, err := call(ctx, s, "create collection", coll, func(ctx context.Context) (*qc.CollectionOperationResponse, error) {
		return s.collections.Create(ctx, req)
	})
	if err == nil || knowledge.ErrorCode(err) == knowledge.Unavailable {
		return err
	}
	if info, ierr := s.collectionInfo(ctx, coll); ierr == nil && info != nil {
		return nil
	}
	return err
}

func (s *Store) createIndex(ctx context.Context, coll, field string, typ qc.FieldType, params *qc.PayloadIndexParams) error {
	wait := true
	_, err := call(ctx, s, "create index "+field, coll, func(ctx context.Context) (*qc.PointsOperationResponse, error) {
		return s.points.CreateFieldIndex(ctx, &qc.CreateFieldIndexCollection{
			CollectionName:   coll,
			Wait:             &wait,
			FieldName:        field,
			FieldType:        typ.Enum(),
			FieldIndexParams: params,
		})
	})
	return err
}
