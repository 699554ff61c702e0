package remote

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"time"

	"github.com/tmc/langchaingo/embeddings"
	"github.com/tmc/langchaingo/llms/ollama"
	"github.com/tmc/langchaingo/llms/openai"

	"github.com/lorehq/lore/knowledge"
)

// SparseEmbedder computes the sparse lexical vectors the Embedder keeps;
// *embed.Offline is one. Only the Sparse part of its Vectors is used.
type SparseEmbedder interface {
	EmbedItems(ctx context.Context, items []knowledge.Item) ([]knowledge.Vectors, error)
	EmbedQuery(ctx context.Context, text string) (knowledge.Vectors, error)
	// Name identifies the sparse scheme; it is part of the Embedder's Name.
	Name() string
}

// Backoff of the retries: the n-th retry waits about backoffBase·2^(n-1),
// at most backoffMax, or what a 429's Retry-After asks if that is longer
// (still at most backoffMax).
const (
	backoffBase = 500 * time.Millisecond
	backoffMax  = 30 * time.Second
)

// maxTextRunes bounds the text sent for one item. Lore's items are clauses
// and passages of a few hundred characters; the bound keeps an outsized one
// under the context length of common embedding models (8,192 tokens for
// OpenAI's, about one token per Han character) instead of failing the batch.
const maxTextRunes = 6000

// Embedder computes sparse vectors with a SparseEmbedder and dense vectors
// with an embedding model. It is safe for concurrent use. Close releases
// its cache.
type Embedder struct {
	cfg    Config
	sparse SparseEmbedder
	model  embeddings.Embedder
	cache  *cache // nil without Config.CacheDir
	// backoffBase is backoffBase outside tests.
	backoffBase time.Duration
}

// New returns an Embedder for cfg, which takes its sparse vectors from
// sparse. It contacts the model only when cfg.Dim is 0, to learn the
// dimension; otherwise the first embedding call is the first request.
func New(ctx context.Context, cfg Config, sparse SparseEmbedder) (*Embedder, error) {
	return newEmbedder(ctx, cfg, sparse, http.DefaultTransport)
}

// newEmbedder is New with the transport under the HTTP client.
func newEmbedder(ctx context.Context, cfg Config, sparse SparseEmbedder, rt http.RoundTripper) (*Embedder, error) {
	const op = "remote.New"
	if sparse == nil {
		return nil, knowledge.Errorf(knowledge.Internal, op, "no sparse embedder given")
	}
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	hc := &http.Client{Transport: recorder{base: rt}, Timeout: cfg.Timeout}
	var client embeddings.EmbedderClient
	switch cfg.Provider {
	case ProviderOpenAI:
		// Every option is set, so the client reads no OPENAI_* variable.
		client, err = openai.New(
			openai.WithToken(cfg.APIKey),
			openai.WithBaseURL(cfg.BaseURL),
			openai.WithModel(cfg.Model),
			openai.WithEmbeddingModel(cfg.Model),
			openai.WithOrganization(""),
			openai.WithHTTPClient(hc),
		)
	case ProviderOllama:
		// BaseURL is checked by withDefaults: WithServerURL exits the
		// process on a URL it cannot parse, and without one the client
		// reads OLLAMA_HOST.
		client, err = ollama.New(
			ollama.WithServerURL(cfg.BaseURL),
			ollama.WithModel(cfg.Model),
			ollama.WithHTTPClient(hc),
		)
	}
	if err != nil {
		return nil, knowledge.Errorf(knowledge.Invalid, op, "cannot set up the %s embedding client / 无法创建嵌入客户端: %w", cfg.Provider, err)
	}
	model, err := embeddings.NewEmbedder(client,
		embeddings.WithBatchSize(cfg.BatchSize),
		embeddings.WithStripNewLines(false))
	if err != nil {
		return nil, knowledge.Errorf(knowledge.Invalid, op, "cannot set up the %s embedder / 无法创建嵌入器: %w", cfg.Provider, err)
	}
	e := &Embedder{cfg: cfg, sparse: sparse, model: model, backoffBase: backoffBase}
	if cfg.CacheDir != "" {
		if e.cache, err = openCache(ctx, cfg.CacheDir); err != nil {
			return nil, err
		}
	}
	if cfg.Dim == 0 {
		if err := e.probe(ctx); err != nil {
			e.Close()
			return nil, err
		}
	}
	return e, nil
}

// probe learns the model's dimension from one request.
func (e *Embedder) probe(ctx context.Context) error {
	vecs, err := e.call(ctx, []string{"贷款 loan"})
	if err != nil {
		return fmt.Errorf("remote.New: probe the model's dimension: %w", err)
	}
	if len(vecs) == 0 || len(vecs[0]) == 0 {
		return knowledge.Errorf(knowledge.Unavailable, "remote.New", "the model %q returned an empty vector / 嵌入模型返回了空向量", e.cfg.Model)
	}
	e.cfg.Dim = len(vecs[0])
	return nil
}

// Close releases the cache. The Embedder must not be used afterwards.
func (e *Embedder) Close() error {
	if e.cache == nil {
		return nil
	}
	if err := e.cache.close(); err != nil {
		return fmt.Errorf("remote: close cache: %w", err)
	}
	return nil
}

// Dim returns the length of the dense vectors.
func (e *Embedder) Dim() int { return e.cfg.Dim }

// Name identifies the embedding scheme: provider, model and the sparse
// embedder's scheme, e.g. "openai:text-embedding-3-small+offline-hash-v1".
// The dimension is reported by Dim.
func (e *Embedder) Name() string {
	return e.cfg.Provider + ":" + e.cfg.Model + "+" + e.sparse.Name()
}

// EmbedItems returns one Vectors per item, in order: the sparse embedder's
// Sparse and the model's L2-normalised vector of the item's text (see
// itemText). An item with no text gets an all-zero Dense and no request.
// Identical texts are sent once; cached ones not at all.
func (e *Embedder) EmbedItems(ctx context.Context, items []knowledge.Item) ([]knowledge.Vectors, error) {
	out, err := e.sparse.EmbedItems(ctx, items)
	if err != nil {
		return nil, fmt.Errorf("remote: sparse vectors: %w", err)
	}
	if len(out) != len(items) {
		return nil, fmt.Errorf("remote: the sparse embedder returned %d vectors for %d items", len(out), len(items))
	}
	texts := make([]string, len(items))
	for i := range items {
		texts[i] = itemText(&items[i])
	}
	dense, err := e.dense(ctx, texts)
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i].Dense = dense[i]
	}
	return out, nil
}

// EmbedQuery returns the vectors of a question: the sparse embedder's
// Sparse and the model's L2-normalised vector of the text. Blank text gets
// an all-zero Dense and no request.
func (e *Embedder) EmbedQuery(ctx context.Context, text string) (knowledge.Vectors, error) {
	v, err := e.sparse.EmbedQuery(ctx, text)
	if err != nil {
		return knowledge.Vectors{}, fmt.Errorf("remote: sparse vectors: %w", err)
	}
	dense, err := e.dense(ctx, []string{clip(text)})
	if err != nil {
		return knowledge.Vectors{}, err
	}
	v.Dense = dense[0]
	return v, nil
}

// dense returns the normalised vectors of texts, from the cache or the
// model.
func (e *Embedder) dense(ctx context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, len(texts))
	// Unique non-blank texts, each with the positions it fills.
	var (
		uniq  []string
		keys  []cacheKey
		where [][]int
	)
	seen := map[string]int{}
	for i, t := range texts {
		if isBlank(t) {
			out[i] = make([]float32, e.cfg.Dim)
			continue
		}
		if j, ok := seen[t]; ok {
			where[j] = append(where[j], i)
			continue
		}
		seen[t] = len(uniq)
		uniq = append(uniq, t)
		keys = append(keys, keyOf(e.cfg.Provider, e.cfg.Model, t))
		where = append(where, []int{i})
	}
	fill := func(j int, v []float32) {
		for _, i := range where[j] {
			out[i] = v
		}
	}
	var missing []int // indices into uniq
	if e.cache != nil {
		cached, err := e.cache.get(ctx, keys)
		if err != nil {
			return nil, err
		}
		for j, v := range cached {
			// A vector of another length (Dim changed) or one not
			// normalised (a damaged row) is asked for again.
			if len(v) == e.cfg.Dim && isUnit(v) {
				fill(j, v)
			} else {
				missing = append(missing, j)
			}
		}
	} else {
		for j := range uniq {
			missing = append(missing, j)
		}
	}
	for start := 0; start < len(missing); start += e.cfg.BatchSize {
		batch := missing[start:min(start+e.cfg.BatchSize, len(missing))]
		bt := make([]string, len(batch))
		bk := make([]cacheKey, len(batch))
		for n, j := range batch {
			bt[n], bk[n] = uniq[j], keys[j]
		}
		vecs, err := e.embedBatch(ctx, bt)
		if err != nil {
			return nil, err
		}
		if e.cache != nil {
			if err := e.cache.put(ctx, bk, vecs); err != nil {
				return nil, err
			}
		}
		for n, j := range batch {
			fill(j, vecs[n])
		}
	}
	return out, nil
}

// embedBatch asks the model for the vectors of texts, retrying transient
// failures, and returns them checked and normalised.
func (e *Embedder) embedBatch(ctx context.Context, texts []string) ([][]float32, error) {
	var err error
	for try := 0; ; try++ {
		var vecs [][]float32
		vecs, err = e.call(ctx, texts)
		if err == nil {
			if err = e.check(vecs); err != nil {
				return nil, err
			}
			for _, v := range vecs {
				normalize(v)
			}
			return vecs, nil
		}
		var te *transientError
		if !errors.As(err, &te) || try >= e.cfg.Retries {
			break
		}
		if err := sleep(ctx, e.delay(try+1, te.retryAfter)); err != nil {
			return nil, fmt.Errorf("remote: embed: waiting to retry: %w", err)
		}
	}
	var te *transientError
	if errors.As(err, &te) {
		// Out of retries: report the cause as the user's error.
		return nil, te.err
	}
	return nil, err
}

// transientError marks a failure worth retrying; err is the user's error.
type transientError struct {
	err        error
	retryAfter time.Duration
}

func (t *transientError) Error() string { return t.err.Error() }
func (t *transientError) Unwrap() error { return t.err }

// call makes one model call for texts and classifies its failure: a
// *transientError for 429, 5xx, timeouts and connection failures, a
// knowledge.Error otherwise.
func (e *Embedder) call(ctx context.Context, texts []string) ([][]float32, error) {
	const op = "remote.Embed"
	a := &attempt{}
	vecs, err := e.model.EmbedDocuments(withAttempt(ctx, a), texts)
	if err == nil {
		if len(vecs) != len(texts) {
			return nil, knowledge.Errorf(knowledge.Unavailable, op,
				"the %s model %q returned %d vectors for %d texts / 嵌入模型返回的向量数量不对", e.cfg.Provider, e.cfg.Model, len(vecs), len(texts))
		}
		return vecs, nil
	}
	if ctx.Err() != nil {
		return nil, fmt.Errorf("remote: embed: %w", ctx.Err())
	}
	status, retryAfter, netErr := a.snapshot()
	where := fmt.Sprintf("%s model %q at %s", e.cfg.Provider, e.cfg.Model, e.cfg.BaseURL)
	switch {
	case netErr != nil && isTimeout(netErr):
		return nil, &transientError{err: knowledge.Errorf(knowledge.Unavailable, op,
			"the %s did not answer within %s; raise the timeout or check the server / 嵌入服务响应超时: %w", where, e.cfg.Timeout, err)}
	case netErr != nil || (status == 0 && isTimeout(err)):
		return nil, &transientError{err: knowledge.Errorf(knowledge.Unavailable, op,
			"cannot reach the %s / 无法连接嵌入服务: %w", where, err)}
	case status == http.StatusTooManyRequests:
		return nil, &transientError{retryAfter: retryAfter, err: knowledge.Errorf(knowledge.Unavailable, op,
			"the %s is rate limiting requests (HTTP 429) / 嵌入服务限流: %w", where, err)}
	case status >= 500:
		return nil, &transientError{err: knowledge.Errorf(knowledge.Unavailable, op,
			"the %s failed (HTTP %d) / 嵌入服务出错: %w", where, status, err)}
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		return nil, knowledge.Errorf(knowledge.Invalid, op,
			"the %s refused the API key (HTTP %d); check the key / 嵌入服务拒绝了 API key: %w", where, status, err)
	case status == http.StatusNotFound:
		return nil, knowledge.Errorf(knowledge.Invalid, op,
			"the %s was not found (HTTP 404); check the model name and the base URL (an OpenAI-compatible one usually ends in /v1) / 找不到嵌入模型或接口地址: %w", where, err)
	case status >= 400:
		return nil, knowledge.Errorf(knowledge.Invalid, op,
			"the %s rejected the request (HTTP %d) / 嵌入服务拒绝了请求: %w", where, status, err)
	case status == 0:
		return nil, knowledge.Errorf(knowledge.Unavailable, op, "the %s call failed / 嵌入服务调用失败: %w", where, err)
	}
	return nil, knowledge.Errorf(knowledge.Unavailable, op,
		"the %s returned a malformed answer (HTTP %d) / 嵌入服务返回的数据无法解析: %w", where, status, err)
}

// check verifies that every vector has Dim finite components.
func (e *Embedder) check(vecs [][]float32) error {
	const op = "remote.Embed"
	for _, v := range vecs {
		if len(v) != e.cfg.Dim {
			return knowledge.Errorf(knowledge.Conflict, op,
				"the %s model %q returns %d-dimensional vectors but the configuration asks for %d; set embedding.dim to %d and run `lore reindex`, or configure the model the index was built with / 嵌入模型返回 %d 维向量，与配置的 %d 维不一致：请把维度改为 %d 并运行 `lore reindex`，或改回建索引时使用的模型",
				e.cfg.Provider, e.cfg.Model, len(v), e.cfg.Dim, len(v), len(v), e.cfg.Dim, len(v))
		}
		for _, x := range v {
			if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
				return knowledge.Errorf(knowledge.Unavailable, op,
					"the %s model %q returned a vector with a non-finite component / 嵌入模型返回了非法数值", e.cfg.Provider, e.cfg.Model)
			}
		}
	}
	return nil
}

// delay is the wait before retry n (1-based): exponential with up to 25%
// jitter, at least retryAfter, at most backoffMax.
func (e *Embedder) delay(n int, retryAfter time.Duration) time.Duration {
	d := e.backoffBase << min(n-1, 20)
	d += time.Duration(rand.Int64N(int64(d)/4 + 1))
	d = max(d, retryAfter)
	return min(d, backoffMax)
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// normalize scales v to unit L2 norm in place, summing in float64 so large
// components do not overflow. An all-zero vector stays zero.
func normalize(v []float32) {
	var sum float64
	for _, x := range v {
		sum += float64(x) * float64(x)
	}
	if sum == 0 {
		return
	}
	inv := 1 / math.Sqrt(sum)
	for i, x := range v {
		v[i] = float32(float64(x) * inv)
	}
}

// isUnit reports whether v is finite with L2 norm 1 (or all zero) within
// float32 rounding.
func isUnit(v []float32) bool {
	var sum float64
	for _, x := range v {
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			return false
		}
		sum += float64(x) * float64(x)
	}
	return sum == 0 || math.Abs(sum-1) < 1e-4
}
