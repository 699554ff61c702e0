package remote

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lorehq/lore/knowledge"
)

func openAIConfig(srv string, dim int) Config {
	return Config{Provider: ProviderOpenAI, BaseURL: srv + "/v1", Model: testModel, APIKey: testKey, Dim: dim}
}

func ollamaConfig(srv string, dim int) Config {
	return Config{Provider: ProviderOllama, BaseURL: srv, Model: testModel, Dim: dim}
}

// checkVectors verifies that got holds, per item, the offline Sparse and
// the stand-in's vector of the item's text, normalised.
func checkVectors(t *testing.T, items []knowledge.Item, got []knowledge.Vectors, dim int) {
	t.Helper()
	want, err := testOffline(t).EmbedItems(context.Background(), items)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(items) {
		t.Fatalf("got %d vectors for %d items", len(got), len(items))
	}
	for i := range items {
		if !reflect.DeepEqual(got[i].Sparse, want[i].Sparse) {
			t.Errorf("item %s: Sparse differs from the offline embedder's", items[i].ID)
		}
		if !reflect.DeepEqual(got[i].Dense, unitVector(itemText(&items[i]), dim)) {
			t.Errorf("item %s: Dense is not the normalised model vector of its text", items[i].ID)
		}
	}
}

func TestOpenAIStandInBatching(t *testing.T) {
	for _, tc := range []struct {
		batch int
		want  []int
	}{
		{batch: 3, want: []int{3, 3, 2}},
		{batch: 8, want: []int{8}},
		{batch: 1, want: []int{1, 1, 1, 1, 1, 1, 1, 1}},
		{batch: 0, want: []int{8}}, // DefaultBatchSize
	} {
		t.Run(fmt.Sprint(tc.batch), func(t *testing.T) {
			s, srv := newOpenAIStandIn(t, 24)
			cfg := openAIConfig(srv.URL, 24)
			cfg.BatchSize = tc.batch
			e := newTest(t, cfg)
			got, err := e.EmbedItems(context.Background(), corpus)
			if err != nil {
				t.Fatal(err)
			}
			if sizes := s.sizes(); !slices.Equal(sizes, tc.want) {
				t.Errorf("batch sizes seen by the server = %v, want %v", sizes, tc.want)
			}
			checkVectors(t, corpus, got, 24)
		})
	}
}

func TestOllamaStandInEmbed(t *testing.T) {
	s, srv := newOllamaStandIn(t, 16)
	cfg := ollamaConfig(srv.URL, 16)
	cfg.BatchSize = 3
	e := newTest(t, cfg)
	got, err := e.EmbedItems(context.Background(), corpus)
	if err != nil {
		t.Fatal(err)
	}
	checkVectors(t, corpus, got, 16)
	// langchaingo's Ollama client sends one text per request.
	if n := s.requests(); n != len(corpus) {
		t.Errorf("server saw %d requests, want %d", n, len(corpus))
	}
	q, err := e.EmbedQuery(context.Background(), "逾期罚息怎么算")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(q.Dense, unitVector("逾期罚息怎么算", 16)) {
		t.Error("query Dense is not the normalised model vector of the question")
	}
	wantQ, _ := testOffline(t).EmbedQuery(context.Background(), "逾期罚息怎么算")
	if !reflect.DeepEqual(q.Sparse, wantQ.Sparse) {
		t.Error("query Sparse differs from the offline embedder's")
	}
}

func TestStandInNormalisation(t *testing.T) {
	for _, p := range []string{ProviderOpenAI, ProviderOllama} {
		t.Run(p, func(t *testing.T) {
			var cfg Config
			if p == ProviderOpenAI {
				_, srv := newOpenAIStandIn(t, 32)
				cfg = openAIConfig(srv.URL, 32)
			} else {
				_, srv := newOllamaStandIn(t, 32)
				cfg = ollamaConfig(srv.URL, 32)
			}
			e := newTest(t, cfg)
			q, err := e.EmbedQuery(context.Background(), "提前还款违约金")
			if err != nil {
				t.Fatal(err)
			}
			raw := rawVector("提前还款违约金", 32)
			if n := l2(raw); n < 2 {
				t.Fatalf("stand-in vector norm %.3f: the test would not tell normalised from raw", n)
			}
			if n := l2(q.Dense); n < 0.9999 || n > 1.0001 {
				t.Errorf("|Dense| = %.6f, want 1", n)
			}
			// Same direction: cosine 1.
			var dot float64
			for i := range raw {
				dot += float64(raw[i]) * float64(q.Dense[i])
			}
			if cos := dot / l2(raw); cos < 0.9999 {
				t.Errorf("cosine with the model vector = %.6f, want 1", cos)
			}
		})
	}
}

// failFirst answers the first len(statuses) requests with those statuses
// and an error body in the provider's format.
func failFirst(provider string, statuses ...int) func(int, http.ResponseWriter, *http.Request) bool {
	return func(n int, w http.ResponseWriter, r *http.Request) bool {
		if n >= len(statuses) {
			return false
		}
		st := statuses[n]
		if st == http.StatusTooManyRequests {
			w.Header().Set("Retry-After", "0")
		}
		if provider == ProviderOpenAI {
			openAIError(w, st, "The server had an error while processing your request. Sorry about that!", "server_error", "")
		} else {
			writeJSON(w, st, map[string]string{"error": "llama runner process has terminated: exit status 2"})
		}
		return true
	}
}

func TestStandInRetry(t *testing.T) {
	for _, p := range []string{ProviderOpenAI, ProviderOllama} {
		for _, tc := range []struct {
			name     string
			statuses []int
			retries  int
			requests int            // requests the server must see
			code     knowledge.Code // "" for success
		}{
			{"500 then success", []int{500}, 0, 2, ""},
			{"503 502 then success", []int{503, 502}, 0, 3, ""},
			{"429 then success", []int{429}, 0, 2, ""},
			{"500 with retries off", []int{500}, -1, 1, knowledge.Unavailable},
			{"500 beyond retries", []int{500, 500, 500}, 2, 3, knowledge.Unavailable},
			{"400 is not retried", []int{400, 400}, 0, 1, knowledge.Invalid},
			{"401 is not retried", []int{401, 401}, 0, 1, knowledge.Invalid},
			{"404 is not retried", []int{404, 404}, 0, 1, knowledge.Invalid},
		} {
			t.Run(p+"/"+tc.name, func(t *testing.T) {
				var (
					s   *standIn
					cfg Config
				)
				if p == ProviderOpenAI {
					st, hs := newOpenAIStandIn(t, 8)
					s, cfg = st, openAIConfig(hs.URL, 8)
				} else {
					st, hs := newOllamaStandIn(t, 8)
					s, cfg = st, ollamaConfig(hs.URL, 8)
				}
				s.override = failFirst(p, tc.statuses...)
				cfg.Retries = tc.retries
				e := newTest(t, cfg)
				q, err := e.EmbedQuery(context.Background(), "征信逾期记录保存多久")
				if got := s.requests(); got != tc.requests {
					t.Errorf("server saw %d requests, want %d", got, tc.requests)
				}
				if tc.code == "" {
					if err != nil {
						t.Fatalf("EmbedQuery: %v", err)
					}
					if !reflect.DeepEqual(q.Dense, unitVector("征信逾期记录保存多久", 8)) {
						t.Error("Dense after retry is not the model vector")
					}
					return
				}
				if err == nil {
					t.Fatal("EmbedQuery succeeded, want an error")
				}
				if c := knowledge.ErrorCode(err); c != tc.code {
					t.Errorf("error code %q, want %q (%v)", c, tc.code, err)
				}
				if want := fmt.Sprintf("HTTP %d", tc.statuses[0]); !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not name %s", err, want)
				}
			})
		}
	}
}

func TestOpenAIStandInBadRequestMessage(t *testing.T) {
	_, srv := newOpenAIStandIn(t, 8)
	cfg := openAIConfig(srv.URL, 8)
	cfg.APIKey = "sk-wrong"
	e := newTest(t, cfg)
	_, err := e.EmbedItems(context.Background(), corpus[:2])
	if knowledge.ErrorCode(err) != knowledge.Invalid {
		t.Fatalf("error %v, want code invalid", err)
	}
	for _, want := range []string{"API key", "Incorrect API key provided", "HTTP 401"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}

	cfg = openAIConfig(srv.URL, 8)
	cfg.Model = "text-embedding-unknown"
	e = newTest(t, cfg)
	_, err = e.EmbedItems(context.Background(), corpus[:2])
	if knowledge.ErrorCode(err) != knowledge.Invalid || !strings.Contains(err.Error(), "model name") {
		t.Errorf("unknown model: error %v, want an invalid error about the model name", err)
	}
}

func TestStandInTimeout(t *testing.T) {
	for _, p := range []string{ProviderOpenAI, ProviderOllama} {
		t.Run(p, func(t *testing.T) {
			release := make(chan struct{})
			hang := func(n int, w http.ResponseWriter, r *http.Request) bool {
				holdUntilGone(r, release)
				return true
			}
			var (
				s   *standIn
				cfg Config
			)
			if p == ProviderOpenAI {
				st, hs := newOpenAIStandIn(t, 8)
				s, cfg = st, openAIConfig(hs.URL, 8)
			} else {
				st, hs := newOllamaStandIn(t, 8)
				s, cfg = st, ollamaConfig(hs.URL, 8)
			}
			t.Cleanup(func() { close(release) })
			s.override = hang
			cfg.Timeout = 20 * time.Millisecond
			cfg.Retries = 1
			e := newTest(t, cfg)
			_, err := e.EmbedQuery(context.Background(), "分期手续费")
			if err == nil {
				t.Fatal("EmbedQuery succeeded against a server that never answers")
			}
			if knowledge.ErrorCode(err) != knowledge.Unavailable || !strings.Contains(err.Error(), "did not answer within 20ms") {
				t.Errorf("error %v, want an unavailable error naming the timeout", err)
			}
			if n := s.requests(); n != 2 {
				t.Errorf("server saw %d requests, want 2 (one retry)", n)
			}
		})
	}
}

func TestStandInCancelledContextNotRetried(t *testing.T) {
	s, srv := newOpenAIStandIn(t, 8)
	ctx, cancel := context.WithCancel(context.Background())
	s.override = func(n int, w http.ResponseWriter, r *http.Request) bool {
		cancel()
		holdUntilGone(r, nil)
		return true
	}
	e := newTest(t, openAIConfig(srv.URL, 8))
	_, err := e.EmbedQuery(ctx, "催收时间")
	if !errors.Is(err, context.Canceled) {
		t.Errorf("error %v, want context.Canceled", err)
	}
	if n := s.requests(); n != 1 {
		t.Errorf("server saw %d requests, want 1", n)
	}
}

// holdUntilGone keeps a request unanswered until its client goes away or
// release closes. It reads the body first: the server notices a closed
// connection only once the body is consumed.
func holdUntilGone(r *http.Request, release <-chan struct{}) {
	io.Copy(io.Discard, r.Body)
	select {
	case <-r.Context().Done():
	case <-release:
	}
}

func TestStandInConnectionRefusedRetried(t *testing.T) {
	_, srv := newOpenAIStandIn(t, 8)
	url := srv.URL
	srv.Close()
	cfg := openAIConfig(url, 8)
	cfg.Retries = 1
	e := newTest(t, cfg)
	_, err := e.EmbedQuery(context.Background(), "冷静期")
	if knowledge.ErrorCode(err) != knowledge.Unavailable || !strings.Contains(err.Error(), "cannot reach") {
		t.Errorf("error %v, want unavailable: cannot reach", err)
	}
}

func TestStandInCache(t *testing.T) {
	for _, p := range []string{ProviderOpenAI, ProviderOllama} {
		t.Run(p, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "cache")
			var (
				s   *standIn
				cfg Config
			)
			if p == ProviderOpenAI {
				st, hs := newOpenAIStandIn(t, 12)
				s, cfg = st, openAIConfig(hs.URL, 12)
			} else {
				st, hs := newOllamaStandIn(t, 12)
				s, cfg = st, ollamaConfig(hs.URL, 12)
			}
			cfg.CacheDir = dir
			ctx := context.Background()
			first, err := newTest(t, cfg).EmbedItems(ctx, corpus)
			if err != nil {
				t.Fatal(err)
			}
			before := s.requests()
			if before == 0 {
				t.Fatal("no request on a cold cache")
			}
			// A new Embedder on the same directory: nothing is asked.
			e := newTest(t, cfg)
			again, err := e.EmbedItems(ctx, corpus)
			if err != nil {
				t.Fatal(err)
			}
			if n := s.requests() - before; n != 0 {
				t.Errorf("re-embedding unchanged items made %d requests, want 0", n)
			}
			if !reflect.DeepEqual(first, again) {
				t.Error("cached vectors differ from the first ones")
			}
			checkVectors(t, corpus, again, 12)

			// One changed item: exactly its text is sent.
			changed := slices.Clone(corpus)
			changed[3].Body += "结清后可申请开具结清证明。"
			s.mu.Lock()
			s.batches = nil
			s.mu.Unlock()
			got, err := e.EmbedItems(ctx, changed)
			if err != nil {
				t.Fatal(err)
			}
			s.mu.Lock()
			sent := s.batches
			s.mu.Unlock()
			if want := [][]string{{itemText(&changed[3])}}; !reflect.DeepEqual(sent, want) {
				t.Errorf("sent %q, want only the changed item's text", sent)
			}
			checkVectors(t, changed, got, 12)

			// Another model name misses the cache.
			before = s.requests()
			cfg2 := cfg
			cfg2.Model = "bge-large-zh"
			e2 := newTest(t, cfg2)
			if _, err := e2.EmbedQuery(ctx, "逾期罚息"); err == nil {
				t.Error("unknown model answered: the cache was keyed without the model")
			}
			if s.requests() == before {
				t.Error("a different model was served from the cache")
			}
		})
	}
}

func TestStandInDuplicatesAndBlank(t *testing.T) {
	s, srv := newOpenAIStandIn(t, 8)
	e := newTest(t, openAIConfig(srv.URL, 8))
	items := []knowledge.Item{corpus[0], corpus[1], corpus[0], {ID: "blank", Body: " \n\t"}}
	got, err := e.EmbedItems(context.Background(), items)
	if err != nil {
		t.Fatal(err)
	}
	if sizes := s.sizes(); !slices.Equal(sizes, []int{2}) {
		t.Errorf("batch sizes %v, want [2]: duplicates sent once, blank not at all", sizes)
	}
	if !reflect.DeepEqual(got[2].Dense, got[0].Dense) {
		t.Error("duplicate item got another vector")
	}
	if !reflect.DeepEqual(got[3].Dense, make([]float32, 8)) {
		t.Errorf("blank item Dense = %v, want zeros", got[3].Dense)
	}
	before := s.requests()
	q, err := e.EmbedQuery(context.Background(), "   ")
	if err != nil || len(q.Dense) != 8 || l2(q.Dense) != 0 || s.requests() != before {
		t.Errorf("blank query: %v, %v, %d requests: want a zero vector and no request", q.Dense, err, s.requests()-before)
	}
}

func TestStandInDimensionMismatch(t *testing.T) {
	for _, p := range []string{ProviderOpenAI, ProviderOllama} {
		t.Run(p, func(t *testing.T) {
			var cfg Config
			if p == ProviderOpenAI {
				_, hs := newOpenAIStandIn(t, 1024)
				cfg = openAIConfig(hs.URL, 768)
			} else {
				_, hs := newOllamaStandIn(t, 1024)
				cfg = ollamaConfig(hs.URL, 768)
			}
			cfg.CacheDir = t.TempDir()
			e := newTest(t, cfg)
			_, err := e.EmbedItems(context.Background(), corpus[:3])
			if knowledge.ErrorCode(err) != knowledge.Conflict {
				t.Fatalf("error %v, want code conflict", err)
			}
			for _, want := range []string{"1024", "768", "lore reindex", "维"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q lacks %q", err, want)
				}
			}
			// Dim 0 probes the model instead.
			cfg.Dim = 0
			e = newTest(t, cfg)
			if e.Dim() != 1024 {
				t.Errorf("probed Dim = %d, want 1024", e.Dim())
			}
			got, err := e.EmbedItems(context.Background(), corpus[:3])
			if err != nil {
				t.Fatal(err)
			}
			checkVectors(t, corpus[:3], got, 1024)
		})
	}
}

func TestStandInMalformedResponses(t *testing.T) {
	type body struct {
		status int
		text   string
	}
	for _, tc := range []struct {
		provider string
		name     string
		body     body
	}{
		{ProviderOpenAI, "not JSON", body{200, "<html>502 Bad Gateway</html>"}},
		{ProviderOpenAI, "truncated", body{200, `{"object":"list","data":[{"embedding":[0.1,0.2`}},
		{ProviderOpenAI, "empty data", body{200, `{"object":"list","data":[]}`}},
		{ProviderOpenAI, "null", body{200, `null`}},
		{ProviderOpenAI, "too few vectors", body{200, `{"data":[{"embedding":[1,2,3,4,5,6,7,8],"index":0}]}`}},
		{ProviderOpenAI, "strings for numbers", body{200, `{"data":[{"embedding":["a","b"],"index":0},{"embedding":[],"index":1}]}`}},
		{ProviderOpenAI, "float32 overflow", body{200, `{"data":[{"embedding":[1e39,0,0,0,0,0,0,0]},{"embedding":[1,0,0,0,0,0,0,0]}]}`}},
		{ProviderOpenAI, "error body with 200", body{200, `{"error":{"message":"quota exceeded"}}`}},
		{ProviderOllama, "not JSON", body{200, "upstream connect error"}},
		{ProviderOllama, "empty embeddings", body{200, `{"model":"bge-m3","embeddings":[]}`}},
		{ProviderOllama, "wrong shape", body{200, `{"embeddings":{"a":1}}`}},
		{ProviderOllama, "empty body", body{200, ``}},
		{ProviderOllama, "two vectors for one text", body{200, `{"embeddings":[[1,0,0,0,0,0,0,0],[0,1,0,0,0,0,0,0]]}`}},
	} {
		t.Run(tc.provider+"/"+tc.name, func(t *testing.T) {
			var (
				s   *standIn
				cfg Config
			)
			if tc.provider == ProviderOpenAI {
				st, hs := newOpenAIStandIn(t, 8)
				s, cfg = st, openAIConfig(hs.URL, 8)
			} else {
				st, hs := newOllamaStandIn(t, 8)
				s, cfg = st, ollamaConfig(hs.URL, 8)
			}
			s.override = func(n int, w http.ResponseWriter, r *http.Request) bool {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(tc.body.status)
				fmt.Fprint(w, tc.body.text)
				return true
			}
			e := newTest(t, cfg)
			_, err := e.EmbedItems(context.Background(), corpus[:2])
			if err == nil {
				t.Fatal("malformed answer accepted")
			}
			if c := knowledge.ErrorCode(err); c != knowledge.Unavailable {
				t.Errorf("error code %q, want unavailable (%v)", c, err)
			}
			if n := s.requests(); tc.provider == ProviderOpenAI && n != 1 {
				t.Errorf("malformed answer retried: %d requests", n)
			}
		})
	}
}

func TestConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  Config
		want string
	}{
		{"no provider", Config{Model: "m", Dim: 8}, "provider"},
		{"unknown provider", Config{Provider: "azure-ml", Model: "m", Dim: 8}, "azure-ml"},
		{"no model", Config{Provider: "ollama", Dim: 8}, "model"},
		{"openai without key", Config{Provider: "openai", Model: "m", Dim: 8}, "API key"},
		{"bad url", Config{Provider: "ollama", Model: "m", BaseURL: "localhost:11434", Dim: 8}, "URL"},
		{"url with space", Config{Provider: "ollama", Model: "m", BaseURL: "http://exa mple.com", Dim: 8}, "URL"},
		{"negative dim", Config{Provider: "ollama", Model: "m", Dim: -1}, "negative"},
		{"negative batch", Config{Provider: "ollama", Model: "m", Dim: 8, BatchSize: -2}, "negative"},
		{"negative timeout", Config{Provider: "ollama", Model: "m", Dim: 8, Timeout: -time.Second}, "negative"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(context.Background(), tc.cfg, testOffline(t))
			if knowledge.ErrorCode(err) != knowledge.Invalid || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want an invalid error mentioning %q", err, tc.want)
			}
		})
	}
}

func TestConfigDefaults(t *testing.T) {
	cfg, err := Config{Provider: " OpenAI ", Model: "text-embedding-3-small", APIKey: "k", Dim: 1536}.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	want := Config{Provider: ProviderOpenAI, BaseURL: DefaultOpenAIURL, Model: "text-embedding-3-small", APIKey: "k",
		Dim: 1536, BatchSize: DefaultBatchSize, Timeout: DefaultTimeout, Retries: DefaultRetries}
	if cfg != want {
		t.Errorf("defaults = %+v, want %+v", cfg, want)
	}
	cfg, _ = Config{Provider: "ollama", Model: "bge-m3", Retries: -1}.withDefaults()
	if cfg.BaseURL != DefaultOllamaURL || cfg.Retries != 0 {
		t.Errorf("ollama defaults: BaseURL %q Retries %d", cfg.BaseURL, cfg.Retries)
	}
}

func TestName(t *testing.T) {
	_, srv := newOllamaStandIn(t, 8)
	e := newTest(t, ollamaConfig(srv.URL, 8))
	if got, want := e.Name(), "ollama:bge-m3+offline-hash-v1"; got != want {
		t.Errorf("Name = %q, want %q", got, want)
	}
}

func TestItemText(t *testing.T) {
	for _, tc := range []struct {
		name string
		item knowledge.Item
		want string
	}{
		{"rule", corpus[0], "第十二条 逾期罚息\n个人消费贷款业务管理办法\n第三章 贷后管理\n第十二条\n" + corpus[0].Body},
		{"faq variants after body", corpus[1], "提前还款是否收取违约金\n提前还款要收违约金吗？\n" + corpus[1].Body + "\n提前结清有没有手续费"},
		{"term repeated once", corpus[4], "分期手续费\n" + corpus[4].Body + "\n分期费\n分期服务费"},
		{"provenance headings", knowledge.Item{Title: "还款方式", Body: "等额本息。",
			Provenance: []knowledge.Provenance{{HeadingPath: []string{"第二章", " 还款 "}}, {HeadingPath: []string{"第二章", "还款"}}}},
			"还款方式\n第二章 / 还款\n等额本息。"},
		{"long body clipped", knowledge.Item{Body: strings.Repeat("罚", maxTextRunes+10)}, strings.Repeat("罚", maxTextRunes)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := itemText(&tc.item); got != tc.want {
				t.Errorf("itemText = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestCacheRoundTripAndDamage(t *testing.T) {
	ctx := context.Background()
	c, err := openCache(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer c.close()
	k1, k2 := keyOf("openai", "m", "甲"), keyOf("openai", "m", "乙")
	if k1 == k2 || k1 == keyOf("ollama", "m", "甲") || k1 == keyOf("openai", "m2", "甲") {
		t.Fatal("cache keys collide across text, provider or model")
	}
	v := []float32{0.6, -0.8}
	if err := c.put(ctx, []cacheKey{k1}, [][]float32{v}); err != nil {
		t.Fatal(err)
	}
	// A damaged row (odd length) reads as missing.
	if _, err := c.db.Exec(`INSERT INTO vectors (key, vec) VALUES (?, ?)`, k2[:], []byte{1, 2, 3}); err != nil {
		t.Fatal(err)
	}
	got, err := c.get(ctx, []cacheKey{k1, k2, keyOf("openai", "m", "丙")})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, [][]float32{v, nil, nil}) {
		t.Errorf("get = %v, want [%v nil nil]", got, v)
	}
}
