package remote

import (
	"bytes"
	"context"
	"io"
	"math"
	"net/http"
	"testing"

	"github.com/lorehq/lore/knowledge"
)

// bodyTransport answers every request with status and body, in memory.
type bodyTransport struct {
	status int
	body   []byte
}

func (b bodyTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		io.Copy(io.Discard, req.Body)
		req.Body.Close()
	}
	return &http.Response{
		StatusCode: b.status, Status: http.StatusText(b.status), Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: http.Header{"Content-Type": {"application/json"}}, Body: io.NopCloser(bytes.NewReader(b.body)),
		ContentLength: int64(len(b.body)), Request: req,
	}, nil
}

// FuzzDecode feeds arbitrary answers of the model server through the
// langchaingo clients and the embedder's checks: it must return an error
// or unit vectors of the configured dimension, never panic.
func FuzzDecode(f *testing.F) {
	for _, seed := range []struct {
		ollama bool
		status int
		body   string
	}{
		{false, 200, `{"object":"list","data":[{"object":"embedding","index":0,"embedding":[0.5,-1,2,0]},{"object":"embedding","index":1,"embedding":[1,1,1,1]}],"model":"bge-m3"}`},
		{false, 200, `{"data":[{"embedding":[0,0,0,0]},{"embedding":[3.4e38,3.4e38,1,1]}]}`},
		{false, 200, `{"data":[{"embedding":null},{}]}`},
		{false, 500, `{"error":{"message":"boom"}}`},
		{false, 429, `{"error":"rate"}`},
		{true, 200, `{"model":"bge-m3","embeddings":[[0.1,0.2,0.3,0.4]]}`},
		{true, 200, `{"embeddings":[[1e-45,0,0,0]]}`},
		{true, 404, `{"error":"model not found"}`},
		{true, 200, `{"embeddings":[[]]}`},
	} {
		f.Add(seed.ollama, seed.status, []byte(seed.body))
	}
	sparse := testOffline(f)
	items := []knowledge.Item{corpus[0], corpus[1]}
	f.Fuzz(func(t *testing.T, ollama bool, status int, body []byte) {
		if status < 100 || status > 599 {
			status = 200
		}
		cfg := Config{Provider: ProviderOpenAI, BaseURL: "http://stand-in.invalid/v1", Model: testModel, APIKey: testKey, Dim: 4, Retries: -1}
		if ollama {
			cfg = Config{Provider: ProviderOllama, BaseURL: "http://stand-in.invalid", Model: testModel, Dim: 4, Retries: -1}
		}
		e, err := newEmbedder(context.Background(), cfg, sparse, bodyTransport{status: status, body: body})
		if err != nil {
			t.Fatal(err)
		}
		batch := items
		if ollama {
			batch = items[:1] // the stand-in gives every request the same body
		}
		vecs, err := e.EmbedItems(context.Background(), batch)
		if err != nil {
			if knowledge.ErrorCode(err) == knowledge.Internal {
				t.Errorf("error without a Lore code: %v", err)
			}
			return
		}
		for _, v := range vecs {
			if len(v.Dense) != 4 {
				t.Fatalf("Dense of length %d accepted, want 4", len(v.Dense))
			}
			n := l2(v.Dense)
			if math.IsNaN(n) || (n != 0 && math.Abs(n-1) > 1e-4) {
				t.Errorf("|Dense| = %v, want 1 (or 0)", n)
			}
		}
	})
}
