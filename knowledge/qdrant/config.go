package qdrant

import (
	"time"

	"github.com/lorehq/lore/knowledge"
)

// Config says where the Qdrant server is and how the store uses it. The
// zero value of every field but Dim has a documented default.
type Config struct {
	// Host is the Qdrant server's host name. Default "localhost".
	Host string
	// Port is Qdrant's gRPC port (not the 6333 REST port). Default 6334.
	Port int
	// APIKey is sent with every request when set.
	APIKey string
	// UseTLS connects with TLS 1.3.
	UseTLS bool
	// Collection holds the items, their vectors and filter fields.
	// Default "lore_items".
	Collection string
	// LedgerCollection holds the ingestion ledger. Default "lore_sources".
	LedgerCollection string
	// Dim is the dense vector dimension of the embedder; required. An
	// existing collection with another dimension is refused.
	Dim int
	// Embedding names the embedding scheme that makes the caller's
	// vectors, e.g. "offline-hash-v1 vocab:3f2a9c1b": the embedder's name,
	// then optionally " vocab:" and a hash of the words added to the
	// segmenter's dictionary (sparse vectors depend on them). It is kept in
	// a reserved point of the ledger collection and compared as a whole;
	// the parts only word the error. Collections that record none (new
	// ones, or ones older than the record) take it; ones that record
	// another are refused with code Conflict and a message naming `lore
	// reindex`. "" checks nothing and records nothing.
	Embedding string
	// Timeout bounds each attempt of each request. Default 10s.
	Timeout time.Duration
	// Retries is how many times a request that failed with Unavailable,
	// DeadlineExceeded or ResourceExhausted is repeated, with exponential
	// backoff. Default 3; a negative value disables retries.
	Retries int
	// Backoff is the wait before the first retry; it doubles each time.
	// Default 200ms.
	Backoff time.Duration
	// BatchSize is the number of points per upsert, get or scroll page.
	// Default 256.
	BatchSize int
}

// Defaults of Config.
const (
	DefaultHost             = "localhost"
	DefaultPort             = 6334
	DefaultCollection       = "lore_items"
	DefaultLedgerCollection = "lore_sources"
	DefaultTimeout          = 10 * time.Second
	DefaultRetries          = 3
	DefaultBackoff          = 200 * time.Millisecond
	DefaultBatchSize        = 256
)

// withDefaults fills the zero fields and checks the rest.
func (c Config) withDefaults() (Config, error) {
	c, err := c.withDefaultsAnyDim()
	if err == nil && c.Dim <= 0 {
		err = knowledge.Errorf(knowledge.Invalid, "qdrant.Open", "dense dimension must be set (got %d) / 必须设置向量维度", c.Dim)
	}
	return c, err
}

// withDefaultsAnyDim is withDefaults for a store whose dimension is read
// from its collection (the source of Reindex): Dim may be 0.
func (c Config) withDefaultsAnyDim() (Config, error) {
	const op = "qdrant.Open"
	if c.Host == "" {
		c.Host = DefaultHost
	}
	if c.Port == 0 {
		c.Port = DefaultPort
	}
	if c.Collection == "" {
		c.Collection = DefaultCollection
	}
	if c.LedgerCollection == "" {
		c.LedgerCollection = DefaultLedgerCollection
	}
	if c.Timeout <= 0 {
		c.Timeout = DefaultTimeout
	}
	switch {
	case c.Retries == 0:
		c.Retries = DefaultRetries
	case c.Retries < 0:
		c.Retries = 0
	}
	if c.Backoff <= 0 {
		c.Backoff = DefaultBackoff
	}
	if c.BatchSize <= 0 {
		c.BatchSize = DefaultBatchSize
	}
	switch {
	case c.Dim < 0:
		return c, knowledge.Errorf(knowledge.Invalid, op, "dense dimension must be set (got %d) / 必须设置向量维度", c.Dim)
	case c.Port < 0 || c.Port > 65535:
		return c, knowledge.Errorf(knowledge.Invalid, op, "port %d out of range / 端口无效", c.Port)
	case c.Collection == c.LedgerCollection:
		return c, knowledge.Errorf(knowledge.Invalid, op, "item and ledger collections must differ (both %q) / 条目集合与台账集合不能相同", c.Collection)
	}
	return c, nil
}
