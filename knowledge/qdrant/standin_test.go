package qdrant_test

// This file is a stand-in for a Qdrant server: an in-process gRPC server
// built on the go-client's generated server interfaces, listening on
// 127.0.0.1. It is no Qdrant. It models, faithfully enough for the store's
// tests, the requests the store sends:
//
//   - collections: create (named dense vectors with cosine or dot
//     distance, named sparse vectors with or without the IDF modifier),
//     exists, get info (vector config, payload schema, point count);
//     payload indexes are recorded, not used;
//   - points: upsert (with update_filter and update_mode), update batch
//     (upsert, overwrite payload, delete, by ids or by filter); get;
//     scroll in point id order with offset and next_page_offset; count;
//     facet over a keyword field;
//   - query batch: nearest by a dense vector (cosine on normalised
//     vectors, or dot) or a sparse vector (dot product, times
//     idf = ln(1 + (N - n + 0.5)/(n + 0.5)) per index with the IDF
//     modifier, N the points in the collection, n those whose sparse vector
//     has the index, as Qdrant counts them; only points sharing an index
//     are ranked), prefetch (nested), fusion by RRF (score 1/(k + position),
//     positions from 0, k = 2 unless given), score threshold (scores
//     strictly above it, as Qdrant's check_threshold for cosine and dot),
//     limit, offset; ties are ordered by point id;
//   - filters: must and must_not; field conditions match keyword /
//     keywords / bool and datetime range (RFC 3339 strings, microsecond
//     precision); has_id; nested filters. An array field matches when any
//     element does.
//
// It does not model: HNSW (dense search is exact, so recall is perfect
// here and may not be on a cluster), quantisation, sharding, replication
// and read/write consistency levels (one copy, every write applied before
// it returns, whatever wait and ordering say), other conditions and
// matches, unnamed vectors, reading vectors back, payload selectors, API
// keys and TLS. Requests for what it does not model fail with
// Unimplemented (the embedded Unimplemented servers answer every other
// RPC so), so a test cannot pass by accident.

import (
	"context"
	"fmt"
	"math"
	"net"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	qc "github.com/qdrant/go-client/qdrant"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
)

// standIn is the state of one stand-in server.
type standIn struct {
	addr string

	mu      sync.Mutex
	version string // the Qdrant version the health check reports
	colls   map[string]*siCollection
	queries []*qc.QueryPoints // every QueryPoints received, in order
	methods []string          // every method called, in order
	// fail, when set, is asked before each request is served; an error it
	// returns is the request's answer (fault injection).
	fail func(method string, req any) error
}

type siCollection struct {
	dense   map[string]*qc.VectorParams
	sparse  map[string]*qc.SparseVectorParams
	indexes map[string]qc.PayloadSchemaType
	points  map[string]*siPoint // by siKey
}

type siPoint struct {
	id      *qc.PointId
	key     string
	payload map[string]*qc.Value
	dense   map[string][]float32
	sparse  map[string]siSparse
}

type siSparse struct {
	indices []uint32
	values  []float32
}

// startStandIn serves a fresh stand-in until the test ends.
func startStandIn(t testing.TB) *standIn {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("stand-in: listen: %v", err)
	}
	s := &standIn{addr: lis.Addr().String(), colls: map[string]*siCollection{}, version: "1.17.1"}
	srv := grpc.NewServer(grpc.UnaryInterceptor(s.intercept))
	qc.RegisterPointsServer(srv, &siPoints{s: s})
	qc.RegisterCollectionsServer(srv, &siCollections{s: s})
	qc.RegisterQdrantServer(srv, &siHealth{s: s})
	go func() { _ = srv.Serve(lis) }()
	t.Cleanup(srv.Stop)
	return s
}

func (s *standIn) intercept(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	method := info.FullMethod[strings.LastIndex(info.FullMethod, "/")+1:]
	service := strings.TrimPrefix(info.FullMethod[:strings.LastIndex(info.FullMethod, "/")], "/qdrant.")
	name := service + "." + method
	s.mu.Lock()
	s.methods = append(s.methods, name)
	fail := s.fail
	s.mu.Unlock()
	if fail != nil {
		if err := fail(name, req); err != nil {
			return nil, err
		}
	}
	return handler(ctx, req)
}

// setFail installs or removes (nil) the fault injector.
func (s *standIn) setFail(f func(method string, req any) error) {
	s.mu.Lock()
	s.fail = f
	s.mu.Unlock()
}

// capturedQueries returns copies of the QueryPoints received so far.
func (s *standIn) capturedQueries() []*qc.QueryPoints {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]*qc.QueryPoints, len(s.queries))
	for i, q := range s.queries {
		out[i] = proto.Clone(q).(*qc.QueryPoints)
	}
	return out
}

// calls returns how often the method ("Points.Upsert") was called.
func (s *standIn) calls(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, m := range s.methods {
		if m == method {
			n++
		}
	}
	return n
}

// pointCount is the number of points in a collection, -1 if it is missing.
func (s *standIn) pointCount(coll string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.colls[coll]
	if !ok {
		return -1
	}
	return len(c.points)
}

func (s *standIn) coll(name string) (*siCollection, error) {
	c, ok := s.colls[name]
	if !ok {
		return nil, status.Errorf(codes.NotFound, "Not found: Collection `%s` doesn't exist!", name)
	}
	return c, nil
}

// ---- health ----

type siHealth struct {
	qc.UnimplementedQdrantServer
	s *standIn
}

func (h *siHealth) HealthCheck(context.Context, *qc.HealthCheckRequest) (*qc.HealthCheckReply, error) {
	h.s.mu.Lock()
	defer h.s.mu.Unlock()
	return &qc.HealthCheckReply{Title: "qdrant stand-in", Version: h.s.version}, nil
}

// ---- collections ----

type siCollections struct {
	qc.UnimplementedCollectionsServer
	s *standIn
}

func (c *siCollections) Create(_ context.Context, req *qc.CreateCollection) (*qc.CollectionOperationResponse, error) {
	s := c.s
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.colls[req.GetCollectionName()]; ok {
		return nil, status.Errorf(codes.InvalidArgument, "Wrong input: Collection `%s` already exists!", req.GetCollectionName())
	}
	coll := &siCollection{dense: map[string]*qc.VectorParams{}, sparse: map[string]*qc.SparseVectorParams{}, indexes: map[string]qc.PayloadSchemaType{}, points: map[string]*siPoint{}}
	switch cfg := req.GetVectorsConfig().GetConfig().(type) {
	case *qc.VectorsConfig_ParamsMap:
		for name, p := range cfg.ParamsMap.GetMap() {
			coll.dense[name] = p
		}
	default:
		return nil, status.Errorf(codes.Unimplemented, "stand-in: vectors config %T", cfg)
	}
	for name, p := range coll.dense {
		if p.GetSize() == 0 {
			return nil, status.Errorf(codes.InvalidArgument, "Wrong input: vector %q: size must be positive", name)
		}
		if d := p.GetDistance(); d != qc.Distance_Cosine && d != qc.Distance_Dot {
			return nil, status.Errorf(codes.Unimplemented, "stand-in: distance %s", d)
		}
		if p.GetMultivectorConfig() != nil {
			return nil, status.Errorf(codes.Unimplemented, "stand-in: multivectors")
		}
	}
	for name, p := range req.GetSparseVectorsConfig().GetMap() {
		coll.sparse[name] = p
	}
	s.colls[req.GetCollectionName()] = coll
	return &qc.CollectionOperationResponse{Result: true}, nil
}

func (c *siCollections) Get(_ context.Context, req *qc.GetCollectionInfoRequest) (*qc.GetCollectionInfoResponse, error) {
	s := c.s
	s.mu.Lock()
	defer s.mu.Unlock()
	coll, err := s.coll(req.GetCollectionName())
	if err != nil {
		return nil, err
	}
	schema := map[string]*qc.PayloadSchemaInfo{}
	for f, typ := range coll.indexes {
		schema[f] = &qc.PayloadSchemaInfo{DataType: typ}
	}
	n := uint64(len(coll.points))
	vectors := qc.NewVectorsConfigMap(coll.dense)
	return &qc.GetCollectionInfoResponse{Result: &qc.CollectionInfo{
		Status: qc.CollectionStatus_Green,
		Config: &qc.CollectionConfig{Params: &qc.CollectionParams{
			ShardNumber:         1,
			VectorsConfig:       vectors,
			SparseVectorsConfig: qc.NewSparseVectorsConfig(coll.sparse),
		}},
		PayloadSchema: schema,
		PointsCount:   &n,
	}}, nil
}

func (c *siCollections) CollectionExists(_ context.Context, req *qc.CollectionExistsRequest) (*qc.CollectionExistsResponse, error) {
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	_, ok := c.s.colls[req.GetCollectionName()]
	return &qc.CollectionExistsResponse{Result: &qc.CollectionExists{Exists: ok}}, nil
}

// ---- points: writes ----

type siPoints struct {
	qc.UnimplementedPointsServer
	s *standIn
}

func done() *qc.PointsOperationResponse {
	return &qc.PointsOperationResponse{Result: &qc.UpdateResult{Status: qc.UpdateStatus_Completed}}
}

func (p *siPoints) Upsert(_ context.Context, req *qc.UpsertPoints) (*qc.PointsOperationResponse, error) {
	s := p.s
	s.mu.Lock()
	defer s.mu.Unlock()
	coll, err := s.coll(req.GetCollectionName())
	if err != nil {
		return nil, err
	}
	if err := coll.upsert(req.GetPoints(), req.GetUpdateFilter(), req.GetUpdateMode()); err != nil {
		return nil, err
	}
	return done(), nil
}

func (p *siPoints) UpdateBatch(_ context.Context, req *qc.UpdateBatchPoints) (*qc.UpdateBatchResponse, error) {
	s := p.s
	s.mu.Lock()
	defer s.mu.Unlock()
	coll, err := s.coll(req.GetCollectionName())
	if err != nil {
		return nil, err
	}
	out := &qc.UpdateBatchResponse{}
	// Operations apply one after another; a failing one stops the batch
	// with the earlier ones applied, as in Qdrant.
	for _, op := range req.GetOperations() {
		var err error
		switch o := op.GetOperation().(type) {
		case *qc.PointsUpdateOperation_Upsert:
			err = coll.upsert(o.Upsert.GetPoints(), o.Upsert.GetUpdateFilter(), o.Upsert.GetUpdateMode())
		case *qc.PointsUpdateOperation_OverwritePayload_:
			if o.OverwritePayload.Key != nil {
				return nil, status.Error(codes.Unimplemented, "stand-in: payload key")
			}
			err = coll.overwritePayload(o.OverwritePayload.GetPointsSelector(), o.OverwritePayload.GetPayload())
		case *qc.PointsUpdateOperation_DeletePoints_:
			err = coll.deletePoints(o.DeletePoints.GetPoints())
		default:
			err = status.Errorf(codes.Unimplemented, "stand-in: update operation %T", o)
		}
		if err != nil {
			return nil, err
		}
		out.Result = append(out.Result, &qc.UpdateResult{Status: qc.UpdateStatus_Completed})
	}
	return out, nil
}

func (p *siPoints) CreateFieldIndex(_ context.Context, req *qc.CreateFieldIndexCollection) (*qc.PointsOperationResponse, error) {
	s := p.s
	s.mu.Lock()
	defer s.mu.Unlock()
	coll, err := s.coll(req.GetCollectionName())
	if err != nil {
		return nil, err
	}
	typ := map[qc.FieldType]qc.PayloadSchemaType{
		qc.FieldType_FieldTypeKeyword:  qc.PayloadSchemaType_Keyword,
		qc.FieldType_FieldTypeInteger:  qc.PayloadSchemaType_Integer,
		qc.FieldType_FieldTypeFloat:    qc.PayloadSchemaType_Float,
		qc.FieldType_FieldTypeBool:     qc.PayloadSchemaType_Bool,
		qc.FieldType_FieldTypeDatetime: qc.PayloadSchemaType_Datetime,
		qc.FieldType_FieldTypeUuid:     qc.PayloadSchemaType_Uuid,
		qc.FieldType_FieldTypeText:     qc.PayloadSchemaType_Text,
	}[req.GetFieldType()]
	if typ == qc.PayloadSchemaType_UnknownType {
		return nil, status.Errorf(codes.Unimplemented, "stand-in: index type %s", req.GetFieldType())
	}
	coll.indexes[req.GetFieldName()] = typ
	return done(), nil
}

// upsert writes points: with updateFilter, an existing point that does not
// pass it is left alone; InsertOnly leaves every existing point alone,
// UpdateOnly inserts nothing.
func (c *siCollection) upsert(points []*qc.PointStruct, updateFilter *qc.Filter, mode qc.UpdateMode) error {
	built := make([]*siPoint, len(points))
	for i, ps := range points {
		pt, err := c.build(ps)
		if err != nil {
			return err
		}
		built[i] = pt
	}
	for _, pt := range built {
		old, exists := c.points[pt.key]
		switch {
		case exists && mode == qc.UpdateMode_InsertOnly:
			continue
		case !exists && mode == qc.UpdateMode_UpdateOnly:
			continue
		case exists && updateFilter != nil:
			ok, err := matchFilter(c, updateFilter, old)
			if err != nil {
				return err
			}
			if !ok {
				continue
			}
		}
		c.points[pt.key] = pt
	}
	return nil
}

// build checks a point against the collection's vector config.
func (c *siCollection) build(ps *qc.PointStruct) (*siPoint, error) {
	key, err := siKey(ps.GetId())
	if err != nil {
		return nil, err
	}
	pt := &siPoint{id: canonicalID(ps.GetId()), key: key, payload: clonePayload(ps.GetPayload()), dense: map[string][]float32{}, sparse: map[string]siSparse{}}
	named, ok := ps.GetVectors().GetVectorsOptions().(*qc.Vectors_Vectors)
	if !ok {
		return nil, status.Error(codes.Unimplemented, "stand-in: unnamed vectors")
	}
	for name, vec := range named.Vectors.GetVectors() {
		if params, ok := c.dense[name]; ok {
			if vec.GetDense() == nil {
				return nil, status.Errorf(codes.InvalidArgument, "Wrong input: Conversion between sparse and regular vectors failed")
			}
			data := vec.GetDense().GetData()
			if uint64(len(data)) != params.GetSize() {
				return nil, status.Errorf(codes.InvalidArgument, "Wrong input: Vector dimension error: expected dim: %d, got %d", params.GetSize(), len(data))
			}
			d := append([]float32(nil), data...)
			if params.GetDistance() == qc.Distance_Cosine {
				normalise(d)
			}
			pt.dense[name] = d
			continue
		}
		if _, ok := c.sparse[name]; ok {
			sv := vec.GetSparse()
			if sv == nil {
				return nil, status.Errorf(codes.InvalidArgument, "Wrong input: Conversion between sparse and regular vectors failed")
			}
			ix, vals := sv.GetIndices(), sv.GetValues()
			if err := checkSparse(ix, vals); err != nil {
				return nil, err
			}
			pt.sparse[name] = siSparse{indices: append([]uint32(nil), ix...), values: append([]float32(nil), vals...)}
			continue
		}
		return nil, status.Errorf(codes.InvalidArgument, "Wrong input: Not existing vector name error: %s", name)
	}
	return pt, nil
}

func checkSparse(ix []uint32, vals []float32) error {
	if len(ix) != len(vals) {
		return status.Errorf(codes.InvalidArgument, "Wrong input: Sparse vector indices and values must have the same length")
	}
	seen := map[uint32]bool{}
	for _, i := range ix {
		if seen[i] {
			return status.Errorf(codes.InvalidArgument, "Wrong input: Sparse vector indices must be unique")
		}
		seen[i] = true
	}
	return nil
}

func (c *siCollection) selected(sel *qc.PointsSelector) ([]*siPoint, error) {
	var out []*siPoint
	switch s := sel.GetPointsSelectorOneOf().(type) {
	case *qc.PointsSelector_Points:
		for _, id := range s.Points.GetIds() {
			key, err := siKey(id)
			if err != nil {
				return nil, err
			}
			if pt, ok := c.points[key]; ok {
				out = append(out, pt)
			}
		}
	case *qc.PointsSelector_Filter:
		for _, pt := range c.sorted() {
			ok, err := matchFilter(c, s.Filter, pt)
			if err != nil {
				return nil, err
			}
			if ok {
				out = append(out, pt)
			}
		}
	default:
		return nil, status.Error(codes.InvalidArgument, "Wrong input: no points selector")
	}
	return out, nil
}

func (c *siCollection) deletePoints(sel *qc.PointsSelector) error {
	pts, err := c.selected(sel)
	if err != nil {
		return err
	}
	for _, pt := range pts {
		delete(c.points, pt.key)
	}
	return nil
}

func (c *siCollection) overwritePayload(sel *qc.PointsSelector, payload map[string]*qc.Value) error {
	pts, err := c.selected(sel)
	if err != nil {
		return err
	}
	for _, pt := range pts {
		pt.payload = clonePayload(payload)
	}
	return nil
}

// ---- points: reads ----

func (p *siPoints) Get(_ context.Context, req *qc.GetPoints) (*qc.GetResponse, error) {
	s := p.s
	s.mu.Lock()
	defer s.mu.Unlock()
	coll, err := s.coll(req.GetCollectionName())
	if err != nil {
		return nil, err
	}
	out := &qc.GetResponse{}
	seen := map[string]bool{}
	for _, id := range req.GetIds() {
		key, err := siKey(id)
		if err != nil {
			return nil, err
		}
		pt, ok := coll.points[key]
		if !ok || seen[key] {
			continue
		}
		seen[key] = true
		payload, err := selectPayload(pt, req.GetWithPayload(), req.GetWithVectors())
		if err != nil {
			return nil, err
		}
		out.Result = append(out.Result, &qc.RetrievedPoint{Id: pt.id, Payload: payload})
	}
	return out, nil
}

func (p *siPoints) Scroll(_ context.Context, req *qc.ScrollPoints) (*qc.ScrollResponse, error) {
	s := p.s
	s.mu.Lock()
	defer s.mu.Unlock()
	coll, err := s.coll(req.GetCollectionName())
	if err != nil {
		return nil, err
	}
	if req.OrderBy != nil {
		return nil, status.Error(codes.Unimplemented, "stand-in: scroll order_by")
	}
	limit := 10
	if req.Limit != nil {
		limit = int(req.GetLimit())
	}
	from := ""
	if req.Offset != nil {
		if from, err = siKey(req.GetOffset()); err != nil {
			return nil, err
		}
	}
	out := &qc.ScrollResponse{}
	for _, pt := range coll.sorted() {
		if pt.key < from {
			continue
		}
		ok, err := matchFilter(coll, req.GetFilter(), pt)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		if len(out.Result) == limit {
			out.NextPageOffset = pt.id
			break
		}
		payload, err := selectPayload(pt, req.GetWithPayload(), req.GetWithVectors())
		if err != nil {
			return nil, err
		}
		out.Result = append(out.Result, &qc.RetrievedPoint{Id: pt.id, Payload: payload})
	}
	return out, nil
}

func (p *siPoints) Count(_ context.Context, req *qc.CountPoints) (*qc.CountResponse, error) {
	s := p.s
	s.mu.Lock()
	defer s.mu.Unlock()
	coll, err := s.coll(req.GetCollectionName())
	if err != nil {
		return nil, err
	}
	n := uint64(0)
	for _, pt := range coll.points {
		ok, err := matchFilter(coll, req.GetFilter(), pt)
		if err != nil {
			return nil, err
		}
		if ok {
			n++
		}
	}
	return &qc.CountResponse{Result: &qc.CountResult{Count: n}}, nil
}

func (p *siPoints) Facet(_ context.Context, req *qc.FacetCounts) (*qc.FacetResponse, error) {
	s := p.s
	s.mu.Lock()
	defer s.mu.Unlock()
	coll, err := s.coll(req.GetCollectionName())
	if err != nil {
		return nil, err
	}
	if coll.indexes[req.GetKey()] != qc.PayloadSchemaType_Keyword {
		return nil, status.Errorf(codes.InvalidArgument, "Bad request: Index required but not found for \"%s\" of one of the following types: [keyword, integer, bool]", req.GetKey())
	}
	counts := map[string]uint64{}
	for _, pt := range coll.points {
		ok, err := matchFilter(coll, req.GetFilter(), pt)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		seen := map[string]bool{}
		for _, v := range lookup(pt.payload, req.GetKey()) {
			if sv, ok := v.GetKind().(*qc.Value_StringValue); ok && !seen[sv.StringValue] {
				seen[sv.StringValue] = true
				counts[sv.StringValue]++
			}
		}
	}
	out := &qc.FacetResponse{}
	for v, n := range counts {
		out.Hits = append(out.Hits, &qc.FacetHit{Value: qc.NewFacetValue(v), Count: n})
	}
	sort.Slice(out.Hits, func(i, j int) bool {
		if out.Hits[i].Count != out.Hits[j].Count {
			return out.Hits[i].Count > out.Hits[j].Count
		}
		return out.Hits[i].GetValue().GetStringValue() < out.Hits[j].GetValue().GetStringValue()
	})
	limit := 10
	if req.Limit != nil {
		limit = int(req.GetLimit())
	}
	if len(out.Hits) > limit {
		out.Hits = out.Hits[:limit]
	}
	return out, nil
}

func (p *siPoints) QueryBatch(_ context.Context, req *qc.QueryBatchPoints) (*qc.QueryBatchResponse, error) {
	s := p.s
	s.mu.Lock()
	defer s.mu.Unlock()
	coll, err := s.coll(req.GetCollectionName())
	if err != nil {
		return nil, err
	}
	out := &qc.QueryBatchResponse{}
	for _, q := range req.GetQueryPoints() {
		s.queries = append(s.queries, proto.Clone(q).(*qc.QueryPoints))
		if q.GetCollectionName() != req.GetCollectionName() {
			return nil, status.Error(codes.InvalidArgument, "Wrong input: batch queries must name the batch's collection")
		}
		res, err := coll.query(q)
		if err != nil {
			return nil, err
		}
		out.Result = append(out.Result, &qc.BatchResult{Result: res})
	}
	return out, nil
}

// scored is a point with a score, during a query.
type scored struct {
	pt    *siPoint
	score float64
}

func (c *siCollection) query(q *qc.QueryPoints) ([]*qc.ScoredPoint, error) {
	limit := 10
	if q.Limit != nil {
		limit = int(q.GetLimit())
	}
	list, err := c.evaluate(q.GetPrefetch(), q.GetQuery(), q.GetUsing(), q.GetFilter(), q.ScoreThreshold, limit+int(q.GetOffset()))
	if err != nil {
		return nil, err
	}
	if off := int(q.GetOffset()); off < len(list) {
		list = list[off:]
	} else {
		list = nil
	}
	out := make([]*qc.ScoredPoint, len(list))
	for i, sc := range list {
		payload, err := selectPayload(sc.pt, q.GetWithPayload(), q.GetWithVectors())
		if err != nil {
			return nil, err
		}
		out[i] = &qc.ScoredPoint{Id: sc.pt.id, Score: float32(sc.score), Payload: payload}
	}
	return out, nil
}

// evaluate runs one query level: the prefetches, then the query over their
// results (or over the collection without prefetch).
func (c *siCollection) evaluate(prefetch []*qc.PrefetchQuery, query *qc.Query, using string, filter *qc.Filter, threshold *float32, limit int) ([]scored, error) {
	var lists [][]scored
	for _, pf := range prefetch {
		pl := 10
		if pf.Limit != nil {
			pl = int(pf.GetLimit())
		}
		l, err := c.evaluate(pf.GetPrefetch(), pf.GetQuery(), pf.GetUsing(), pf.GetFilter(), pf.ScoreThreshold, pl)
		if err != nil {
			return nil, err
		}
		lists = append(lists, l)
	}
	var out []scored
	switch v := query.GetVariant().(type) {
	case *qc.Query_Rrf:
		if len(v.Rrf.GetWeights()) > 0 {
			return nil, status.Error(codes.Unimplemented, "stand-in: weighted rrf")
		}
		k := 2
		if v.Rrf.K != nil {
			k = int(v.Rrf.GetK())
		}
		out = rrf(lists, k)
	case *qc.Query_Nearest:
		var among map[string]bool
		if len(prefetch) > 0 {
			among = map[string]bool{}
			for _, l := range lists {
				for _, sc := range l {
					among[sc.pt.key] = true
				}
			}
		}
		var err error
		if out, err = c.nearest(v.Nearest, using, among); err != nil {
			return nil, err
		}
	default:
		return nil, status.Errorf(codes.Unimplemented, "stand-in: query %T", v)
	}
	var kept []scored
	for _, sc := range out {
		ok, err := matchFilter(c, filter, sc.pt)
		if err != nil {
			return nil, err
		}
		if ok && (threshold == nil || sc.score > float64(*threshold)) {
			kept = append(kept, sc)
		}
	}
	if len(kept) > limit {
		kept = kept[:limit]
	}
	return kept, nil
}

// rrf fuses rankings: each point scores the sum of 1/(k + position),
// positions counted from 0, as Qdrant does.
func rrf(lists [][]scored, k int) []scored {
	sum := map[string]*scored{}
	for _, l := range lists {
		for pos, sc := range l {
			e, ok := sum[sc.pt.key]
			if !ok {
				e = &scored{pt: sc.pt}
				sum[sc.pt.key] = e
			}
			e.score += 1 / float64(pos+k)
		}
	}
	out := make([]scored, 0, len(sum))
	for _, e := range sum {
		out = append(out, *e)
	}
	sortScored(out)
	return out
}

func sortScored(l []scored) {
	sort.Slice(l, func(i, j int) bool {
		if l[i].score != l[j].score {
			return l[i].score > l[j].score
		}
		return l[i].pt.key < l[j].pt.key
	})
}

// nearest ranks the points (all, or those in among) by a vector.
func (c *siCollection) nearest(in *qc.VectorInput, using string, among map[string]bool) ([]scored, error) {
	var out []scored
	switch v := in.GetVariant().(type) {
	case *qc.VectorInput_Dense:
		params, ok := c.dense[using]
		if !ok {
			return nil, status.Errorf(codes.InvalidArgument, "Wrong input: Not existing vector name error: %s", using)
		}
		q := append([]float32(nil), v.Dense.GetData()...)
		if uint64(len(q)) != params.GetSize() {
			return nil, status.Errorf(codes.InvalidArgument, "Wrong input: Vector dimension error: expected dim: %d, got %d", params.GetSize(), len(q))
		}
		if params.GetDistance() == qc.Distance_Cosine {
			normalise(q)
		}
		for _, pt := range c.points {
			d, ok := pt.dense[using]
			if !ok || (among != nil && !among[pt.key]) {
				continue
			}
			var dot float64
			for i := range q {
				dot += float64(q[i]) * float64(d[i])
			}
			out = append(out, scored{pt: pt, score: float64(float32(dot))})
		}
	case *qc.VectorInput_Sparse:
		params, ok := c.sparse[using]
		if !ok {
			return nil, status.Errorf(codes.InvalidArgument, "Wrong input: Not existing vector name error: %s", using)
		}
		ix, vals := v.Sparse.GetIndices(), v.Sparse.GetValues()
		if err := checkSparse(ix, vals); err != nil {
			return nil, err
		}
		weight := map[uint32]float64{}
		for i, x := range ix {
			weight[x] = float64(vals[i])
		}
		if params.GetModifier() == qc.Modifier_Idf {
			n := map[uint32]int{}
			for _, pt := range c.points {
				for _, x := range pt.sparse[using].indices {
					if _, ok := weight[x]; ok {
						n[x]++
					}
				}
			}
			total := float64(len(c.points))
			for x := range weight {
				df := float64(n[x])
				weight[x] *= math.Log(1 + (total-df+0.5)/(df+0.5))
			}
		}
		for _, pt := range c.points {
			sp, ok := pt.sparse[using]
			if !ok || (among != nil && !among[pt.key]) {
				continue
			}
			var dot float64
			shared := false
			for i, x := range sp.indices {
				if w, ok := weight[x]; ok {
					shared = true
					dot += w * float64(sp.values[i])
				}
			}
			if shared {
				out = append(out, scored{pt: pt, score: float64(float32(dot))})
			}
		}
	default:
		return nil, status.Errorf(codes.Unimplemented, "stand-in: nearest %T", v)
	}
	sortScored(out)
	return out, nil
}

func normalise(v []float32) {
	var n float64
	for _, x := range v {
		n += float64(x) * float64(x)
	}
	if n == 0 {
		return
	}
	n = math.Sqrt(n)
	for i := range v {
		v[i] = float32(float64(v[i]) / n)
	}
}

// ---- filters ----

func matchFilter(c *siCollection, f *qc.Filter, pt *siPoint) (bool, error) {
	if f == nil {
		return true, nil
	}
	for _, cond := range f.GetMust() {
		ok, err := matchCondition(c, cond, pt)
		if err != nil || !ok {
			return false, err
		}
	}
	for _, cond := range f.GetMustNot() {
		ok, err := matchCondition(c, cond, pt)
		if err != nil || ok {
			return false, err
		}
	}
	if len(f.GetShould()) > 0 || f.GetMinShould() != nil {
		return false, status.Error(codes.Unimplemented, "stand-in: should and min_should")
	}
	return true, nil
}

func matchCondition(c *siCollection, cond *qc.Condition, pt *siPoint) (bool, error) {
	switch v := cond.GetConditionOneOf().(type) {
	case *qc.Condition_Field:
		return matchField(v.Field, pt.payload)
	case *qc.Condition_HasId:
		for _, id := range v.HasId.GetHasId() {
			key, err := siKey(id)
			if err != nil {
				return false, err
			}
			if key == pt.key {
				return true, nil
			}
		}
		return false, nil
	case *qc.Condition_Filter:
		return matchFilter(c, v.Filter, pt)
	}
	return false, status.Errorf(codes.Unimplemented, "stand-in: condition %T", cond.GetConditionOneOf())
}

func matchField(fc *qc.FieldCondition, payload map[string]*qc.Value) (bool, error) {
	vals := lookup(payload, fc.GetKey())
	switch {
	case fc.GetMatch() != nil:
		return matchValue(fc.GetMatch(), vals)
	case fc.GetDatetimeRange() != nil:
		r := fc.GetDatetimeRange()
		us := func(t time.Time) int64 { return t.UnixMicro() }
		for _, v := range vals {
			t, err := time.Parse(time.RFC3339Nano, v.GetStringValue())
			if err != nil {
				continue
			}
			x := us(t)
			if (r.Lt == nil || x < us(r.GetLt().AsTime())) && (r.Lte == nil || x <= us(r.GetLte().AsTime())) &&
				(r.Gt == nil || x > us(r.GetGt().AsTime())) && (r.Gte == nil || x >= us(r.GetGte().AsTime())) {
				return true, nil
			}
		}
		return false, nil
	}
	return false, status.Errorf(codes.Unimplemented, "stand-in: field condition on %q", fc.GetKey())
}

func matchValue(m *qc.Match, vals []*qc.Value) (bool, error) {
	anyOf := func(pred func(*qc.Value) bool) bool {
		for _, v := range vals {
			if pred(v) {
				return true
			}
		}
		return false
	}
	str := func(v *qc.Value) (string, bool) {
		s, ok := v.GetKind().(*qc.Value_StringValue)
		if !ok {
			return "", false
		}
		return s.StringValue, true
	}
	switch mv := m.GetMatchValue().(type) {
	case *qc.Match_Keyword:
		return anyOf(func(v *qc.Value) bool { s, ok := str(v); return ok && s == mv.Keyword }), nil
	case *qc.Match_Keywords:
		set := toSet(mv.Keywords.GetStrings())
		return anyOf(func(v *qc.Value) bool { s, ok := str(v); return ok && set[s] }), nil
	case *qc.Match_Boolean:
		return anyOf(func(v *qc.Value) bool {
			b, ok := v.GetKind().(*qc.Value_BoolValue)
			return ok && b.BoolValue == mv.Boolean
		}), nil
	}
	return false, status.Errorf(codes.Unimplemented, "stand-in: match %T", m.GetMatchValue())
}

func toSet[T comparable](xs []T) map[T]bool {
	m := make(map[T]bool, len(xs))
	for _, x := range xs {
		m[x] = true
	}
	return m
}

// lookup returns the values of a top-level payload field, arrays
// flattened; nulls are not values.
func lookup(payload map[string]*qc.Value, key string) []*qc.Value {
	v, ok := payload[key]
	if !ok {
		return nil
	}
	return flatten(v)
}

func flatten(v *qc.Value) []*qc.Value {
	switch k := v.GetKind().(type) {
	case *qc.Value_ListValue:
		var out []*qc.Value
		for _, e := range k.ListValue.GetValues() {
			out = append(out, flatten(e)...)
		}
		return out
	case *qc.Value_NullValue, nil:
		return nil
	}
	return []*qc.Value{v}
}

// ---- ids, selectors, copies ----

// siKey orders point ids as Qdrant does: numbers first, then UUIDs by
// their 16 bytes.
func siKey(id *qc.PointId) (string, error) {
	switch v := id.GetPointIdOptions().(type) {
	case *qc.PointId_Num:
		return fmt.Sprintf("0%020d", v.Num), nil
	case *qc.PointId_Uuid:
		h := strings.ToLower(strings.ReplaceAll(v.Uuid, "-", ""))
		if len(h) != 32 || strings.Trim(h, "0123456789abcdef") != "" {
			return "", status.Errorf(codes.InvalidArgument, "Unable to parse UUID: %s", v.Uuid)
		}
		return "1" + h, nil
	}
	return "", status.Error(codes.InvalidArgument, "Wrong input: empty point id")
}

func canonicalID(id *qc.PointId) *qc.PointId {
	if u := id.GetUuid(); u != "" {
		h := strings.ToLower(strings.ReplaceAll(u, "-", ""))
		return qc.NewIDUUID(h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32])
	}
	return qc.NewIDNum(id.GetNum())
}

func (c *siCollection) sorted() []*siPoint {
	out := make([]*siPoint, 0, len(c.points))
	for _, pt := range c.points {
		out = append(out, pt)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].key < out[j].key })
	return out
}

func clonePayload(p map[string]*qc.Value) map[string]*qc.Value {
	out := make(map[string]*qc.Value, len(p))
	for k, v := range p {
		out[k] = proto.Clone(v).(*qc.Value)
	}
	return out
}

// selectPayload is the payload a read returns: all or nothing. Reading
// vectors back is not modelled.
func selectPayload(pt *siPoint, sel *qc.WithPayloadSelector, vectors *qc.WithVectorsSelector) (map[string]*qc.Value, error) {
	if vectors.GetEnable() || vectors.GetInclude() != nil {
		return nil, status.Error(codes.Unimplemented, "stand-in: with_vectors")
	}
	switch sel.GetSelectorOptions().(type) {
	case nil:
		return nil, nil
	case *qc.WithPayloadSelector_Enable:
		if sel.GetEnable() {
			return clonePayload(pt.payload), nil
		}
		return nil, nil
	}
	return nil, status.Error(codes.Unimplemented, "stand-in: payload include/exclude")
}

// hostPort is the host and port of the stand-in.
func (s *standIn) hostPort() (string, int) {
	host, port, _ := net.SplitHostPort(s.addr)
	p, _ := strconv.Atoi(port)
	return host, p
}
