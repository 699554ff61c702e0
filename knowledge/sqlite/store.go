package sqlite

import (
	"database/sql"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/lorehq/lore/knowledge"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// schemaVersion is bumped when the tables change incompatibly.
const schemaVersion = "1"

// FileName is the database file inside the data directory.
const FileName = "lore.db"

// Options configure Open.
type Options struct {
	// Dim is the dense vector dimension the caller embeds with. 0 accepts
	// whatever the store holds (a new store takes it from the first dense
	// vector written): that is how a store is opened for Store.Reindex. A
	// store holding another dimension refuses to open, with code Conflict.
	Dim int
	// Embedding names the embedding scheme that makes the caller's
	// vectors, e.g. "offline-hash-v1 vocab:3f2a9c1b": the embedder's name,
	// then optionally " vocab:" and a hash of the words added to the
	// segmenter's dictionary (sparse vectors depend on them). It is
	// compared as a whole; the parts only word the error. A store that
	// records none (a new store, or one older than the record) takes it; a
	// store that records another refuses to open, with code Conflict and a
	// message naming `lore reindex`. "" checks nothing and records
	// nothing: that is how a store is opened for Store.Reindex.
	Embedding string
	// Now stamps Created and Updated; nil means time.Now.
	Now func() time.Time
}

// Store is the embedded store. It implements knowledge.Store.
type Store struct {
	db   *sql.DB
	dir  string
	lock *os.File
	now  func() time.Time

	closeOnce sync.Once
	closeErr  error

	wmu sync.Mutex   // serialises writers: one transaction, then the index
	mu  sync.RWMutex // guards idx and emb
	idx *index
	emb string // the recorded embedding scheme, "" when none
}

var _ knowledge.Store = (*Store)(nil)

const schema = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS items (
	id      TEXT PRIMARY KEY,
	space   TEXT NOT NULL,
	kind    TEXT NOT NULL,
	status  TEXT NOT NULL,
	updated INTEGER NOT NULL,
	doc     TEXT NOT NULL,
	dense   BLOB,
	sparse  BLOB
);
CREATE INDEX IF NOT EXISTS items_filter ON items (space, kind, status);
CREATE TABLE IF NOT EXISTS provenance (
	space  TEXT NOT NULL,
	source TEXT NOT NULL,
	item   TEXT NOT NULL,
	PRIMARY KEY (space, source, item)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS provenance_item ON provenance (item);
CREATE TABLE IF NOT EXISTS sources (
	space TEXT NOT NULL,
	path  TEXT NOT NULL,
	doc   TEXT NOT NULL,
	PRIMARY KEY (space, path)
) WITHOUT ROWID;
`

// Open opens or creates the store in dir and loads its search index.
func Open(dir string, opt Options) (*Store, error) {
	const op = "sqlite.Open"
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, knowledge.Errorf(knowledge.Invalid, op, "cannot create data directory %s / 无法创建数据目录: %w", dir, err)
	}
	lock, err := lockDir(dir)
	if err != nil {
		return nil, err
	}
	s := &Store{dir: dir, lock: lock, now: opt.Now}
	if s.now == nil {
		s.now = time.Now
	}
	if err := s.open(opt.Dim, opt.Embedding); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

func (s *Store) open(want int, wantEmb string) error {
	const op = "sqlite.Open"
	path := filepath.Join(s.dir, FileName)
	dsn := "file:" + (&url.URL{Path: path}).EscapedPath() +
		"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=foreign_keys(1)&_txlock=immediate"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return knowledge.Errorf(knowledge.Unavailable, op, "cannot open %s / 无法打开数据库: %w", path, err)
	}
	s.db = db
	if _, err := db.Exec(schema); err != nil {
		return knowledge.Errorf(knowledge.Unavailable, op, "cannot prepare %s (is it a Lore database?) / 无法初始化数据库: %w", path, err)
	}
	meta := map[string]string{}
	rows, err := db.Query(`SELECT key, value FROM meta`)
	if err != nil {
		return fmt.Errorf("%s: read meta: %w", op, err)
	}
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			rows.Close()
			return fmt.Errorf("%s: read meta: %w", op, err)
		}
		meta[k] = v
	}
	rows.Close()
	if v, ok := meta["schema"]; ok && v != schemaVersion {
		return knowledge.Errorf(knowledge.Unsupported, op, "%s has schema version %s, this Lore reads version %s / 数据库版本不兼容", path, v, schemaVersion)
	}
	dim, _ := strconv.Atoi(meta["dim"])
	if want > 0 && dim > 0 && want != dim {
		return knowledge.Errorf(knowledge.Conflict, op,
			"the store in %s holds %d-dimensional vectors but the embedder makes %d; run `lore reindex` to re-embed the stored items, or set the dimension back to %d / 向量维度与配置不一致（库中 %d，模型 %d）：请运行 `lore reindex` 重新生成向量，或改回原维度", s.dir, dim, want, dim, dim, want)
	}
	if dim == 0 {
		dim = want
	}
	emb := meta[metaEmbedding]
	if wantEmb != "" && emb != "" && wantEmb != emb {
		return embeddingConflict(op, s.dir, emb, wantEmb)
	}
	if emb == "" {
		emb = wantEmb
	}
	if err := s.writeMeta(db, dim); err != nil {
		return err
	}
	if err := writeEmbedding(db, emb); err != nil {
		return err
	}
	s.emb = emb
	s.idx, err = s.loadIndex(dim)
	return err
}

type execer interface {
	Exec(query string, args ...any) (sql.Result, error)
}

// metaEmbedding is the meta key of the embedding scheme (Options.Embedding).
const metaEmbedding = "embedding"

func (s *Store) writeMeta(db execer, dim int) error {
	_, err := db.Exec(`INSERT INTO meta (key, value) VALUES ('schema', ?), ('dim', ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, schemaVersion, strconv.Itoa(dim))
	if err != nil {
		return fmt.Errorf("sqlite: write meta: %w", err)
	}
	return nil
}

// writeEmbedding records the embedding scheme; "" removes the record.
func writeEmbedding(db execer, emb string) error {
	var err error
	if emb != "" {
		_, err = db.Exec(`INSERT INTO meta (key, value) VALUES (?, ?)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value`, metaEmbedding, emb)
	} else {
		_, err = db.Exec(`DELETE FROM meta WHERE key = ?`, metaEmbedding)
	}
	if err != nil {
		return fmt.Errorf("sqlite: write meta: %w", err)
	}
	return nil
}

// embeddingConflict is the error of a store in dir whose vectors were made
// by the scheme stored, opened by a caller embedding with given. It says
// which part changed: the model, or only the segmentation dictionary.
func embeddingConflict(op, dir, stored, given string) error {
	if knowledge.VocabularyChanged(stored, given) {
		return knowledge.Errorf(knowledge.Conflict, op,
			"the store in %s was indexed as %q but the configuration makes %q: the segmentation dictionary changed (retrieval.synonyms or retrieval.user_dict); run `lore reindex` to re-segment and re-embed the stored items, or restore the dictionary / 分词词典已变更（retrieval.synonyms 或 retrieval.user_dict）：库中为 %q，当前为 %q；请运行 `lore reindex` 重新生成向量，或恢复原词典",
			dir, stored, given, stored, given)
	}
	return knowledge.Errorf(knowledge.Conflict, op,
		"the store in %s holds vectors made by %q but the embedder is %q; run `lore reindex` to re-embed the stored items, or configure the embedder back / 向量模型已变更（库中为 %q，当前为 %q）：请运行 `lore reindex` 重新生成向量，或改回原模型配置",
		dir, stored, given, stored, given)
}

// loadIndex builds an in-memory index of dense dimension dim from the
// items table.
func (s *Store) loadIndex(dim int) (*index, error) {
	idx := newIndex(dim)
	rows, err := s.db.Query(`SELECT i.id, i.space, i.kind, i.status, i.updated, i.dense, i.sparse,
		COALESCE((SELECT group_concat(source, char(10)) FROM provenance p WHERE p.item = i.id), '')
		FROM items i`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: load index: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			id, space, kind, status, srcs string
			updated                       int64
			dense, sparse                 []byte
		)
		if err := rows.Scan(&id, &space, &kind, &status, &updated, &dense, &sparse, &srcs); err != nil {
			return nil, fmt.Errorf("sqlite: load index: %w", err)
		}
		v, err := decodeVectors(dense, sparse)
		if err != nil {
			return nil, fmt.Errorf("sqlite: load item %s: %w", id, err)
		}
		if len(v.Dense) > 0 && len(v.Dense) != idx.dim {
			return nil, fmt.Errorf("sqlite: item %s has a %d-dimensional vector in a %d-dimensional store", id, len(v.Dense), idx.dim)
		}
		var sources []string
		if srcs != "" {
			sources = strings.Split(srcs, "\n")
		}
		idx.put(id, meta{space: space, kind: knowledge.Kind(kind), status: knowledge.Status(status),
			updated: time.Unix(0, updated), sources: sources}, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: load index: %w", err)
	}
	return idx, nil
}

// Dim is the dense dimension of the store, 0 while it holds none.
func (s *Store) Dim() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.idx.dim
}

// Embedding is the embedding scheme the store records (Options.Embedding,
// ReindexOptions.Embedding), "" when it records none.
func (s *Store) Embedding() string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.emb
}

// Close closes the database and releases the directory lock; calls after
// it fail with the database's closed error.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		if s.db != nil {
			s.closeErr = s.db.Close()
		}
		if s.lock != nil {
			s.lock.Close()
		}
	})
	return s.closeErr
}

func encodeDense(v []float32) []byte {
	if len(v) == 0 {
		return nil
	}
	b := make([]byte, 4*len(v))
	for i, f := range v {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(f))
	}
	return b
}

func encodeSparse(v knowledge.Sparse) []byte {
	if len(v.Indices) == 0 {
		return nil
	}
	b := make([]byte, 8*len(v.Indices))
	for i, t := range v.Indices {
		binary.LittleEndian.PutUint32(b[8*i:], t)
		binary.LittleEndian.PutUint32(b[8*i+4:], math.Float32bits(v.Values[i]))
	}
	return b
}

func decodeVectors(dense, sparse []byte) (knowledge.Vectors, error) {
	var v knowledge.Vectors
	if len(dense)%4 != 0 || len(sparse)%8 != 0 {
		return v, errors.New("vector blob has a bad length")
	}
	if len(dense) > 0 {
		v.Dense = make([]float32, len(dense)/4)
		for i := range v.Dense {
			v.Dense[i] = math.Float32frombits(binary.LittleEndian.Uint32(dense[4*i:]))
		}
	}
	if n := len(sparse) / 8; n > 0 {
		v.Sparse.Indices = make([]uint32, n)
		v.Sparse.Values = make([]float32, n)
		for i := 0; i < n; i++ {
			v.Sparse.Indices[i] = binary.LittleEndian.Uint32(sparse[8*i:])
			v.Sparse.Values[i] = math.Float32frombits(binary.LittleEndian.Uint32(sparse[8*i+4:]))
		}
	}
	return v, nil
}

// unavailable wraps a database failure.
// The cause (SQLite's text, with paths) goes to logs through Error, not to
// users through knowledge.ErrorMessage.
func unavailable(op string, err error) error {
	return &knowledge.Error{Code: knowledge.Unavailable, Op: op, Message: "the database failed; see the server log / 数据库出错，请查看服务日志", Err: err}
}

// marshal encodes an item or a ledger entry; it fails only on values JSON
// cannot hold, such as a NaN confidence.
func marshal(op string, v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", knowledge.Errorf(knowledge.Invalid, op, "cannot encode %T / 无法编码: %w", v, err)
	}
	return string(b), nil
}
