package remote

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"fmt"
	"math"
	"net/url"
	"os"
	"path/filepath"

	"github.com/lorehq/lore/knowledge"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// CacheFile is the name of the vector cache in Config.CacheDir.
const CacheFile = "embed-cache.db"

// cacheKey is SHA-256 of the provider, the model and the text, separated
// by NUL bytes: a vector is reused only for the same text under the same
// model.
type cacheKey [sha256.Size]byte

func keyOf(provider, model, text string) cacheKey {
	h := sha256.New()
	h.Write([]byte(provider))
	h.Write([]byte{0})
	h.Write([]byte(model))
	h.Write([]byte{0})
	h.Write([]byte(text))
	var k cacheKey
	h.Sum(k[:0])
	return k
}

// cache maps keys to L2-normalised vectors in a SQLite file. Rows are only
// ever inserted or replaced, so several processes may share the file (WAL,
// busy timeout). It is safe for concurrent use.
type cache struct {
	db   *sql.DB
	path string
}

const cacheSchema = `CREATE TABLE IF NOT EXISTS vectors (
	key BLOB PRIMARY KEY,  -- SHA-256(provider NUL model NUL text)
	vec BLOB NOT NULL      -- little-endian float32 components
) WITHOUT ROWID`

func openCache(ctx context.Context, dir string) (*cache, error) {
	const op = "remote.New"
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, knowledge.Errorf(knowledge.Unavailable, op, "cannot create the embedding cache directory %s / 无法创建向量缓存目录: %w", dir, err)
	}
	path := filepath.Join(dir, CacheFile)
	dsn := "file:" + (&url.URL{Path: path}).EscapedPath() +
		"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, knowledge.Errorf(knowledge.Unavailable, op, "cannot open the embedding cache %s / 无法打开向量缓存: %w", path, err)
	}
	if _, err := db.ExecContext(ctx, cacheSchema); err != nil {
		db.Close()
		return nil, knowledge.Errorf(knowledge.Unavailable, op, "cannot prepare the embedding cache %s (delete it to start afresh) / 无法初始化向量缓存: %w", path, err)
	}
	return &cache{db: db, path: path}, nil
}

// get returns the cached vectors of keys, nil where there is none. A row
// whose blob does not hold whole float32s counts as missing.
func (c *cache) get(ctx context.Context, keys []cacheKey) ([][]float32, error) {
	out := make([][]float32, len(keys))
	if len(keys) == 0 {
		return out, nil
	}
	stmt, err := c.db.PrepareContext(ctx, `SELECT vec FROM vectors WHERE key = ?`)
	if err != nil {
		return nil, fmt.Errorf("remote: read cache %s: %w", c.path, err)
	}
	defer stmt.Close()
	for i := range keys {
		var blob []byte
		switch err := stmt.QueryRowContext(ctx, keys[i][:]).Scan(&blob); {
		case err == sql.ErrNoRows:
		case err != nil:
			return nil, fmt.Errorf("remote: read cache %s: %w", c.path, err)
		default:
			out[i] = decodeVector(blob)
		}
	}
	return out, nil
}

// put stores vecs under keys, in one transaction.
func (c *cache) put(ctx context.Context, keys []cacheKey, vecs [][]float32) error {
	tx, err := c.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("remote: write cache %s: %w", c.path, err)
	}
	defer tx.Rollback()
	stmt, err := tx.PrepareContext(ctx, `INSERT OR REPLACE INTO vectors (key, vec) VALUES (?, ?)`)
	if err != nil {
		return fmt.Errorf("remote: write cache %s: %w", c.path, err)
	}
	defer stmt.Close()
	for i := range keys {
		if _, err := stmt.ExecContext(ctx, keys[i][:], encodeVector(vecs[i])); err != nil {
			return fmt.Errorf("remote: write cache %s: %w", c.path, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("remote: write cache %s: %w", c.path, err)
	}
	return nil
}

func (c *cache) close() error { return c.db.Close() }

func encodeVector(v []float32) []byte {
	b := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(x))
	}
	return b
}

// decodeVector is the inverse of encodeVector; it returns nil for an empty
// blob or one whose length is not a multiple of four.
func decodeVector(b []byte) []float32 {
	if len(b) == 0 || len(b)%4 != 0 {
		return nil
	}
	v := make([]float32, len(b)/4)
	for i := range v {
		v[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return v
}
