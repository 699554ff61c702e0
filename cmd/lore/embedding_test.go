package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/lorehq/lore/chat"
)

// openAIStandIn mimics an OpenAI-compatible /v1/embeddings endpoint on
// loopback: each input gets a deterministic 16-dimensional vector derived
// from its text. It counts the texts it embedded.
func openAIStandIn(t *testing.T, texts *atomic.Int64) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1/embeddings" || r.Header.Get("Authorization") != "Bearer test-key" {
			http.Error(w, `{"error":{"message":"not found"}}`, http.StatusNotFound)
			return
		}
		var req struct {
			Input []string `json:"input"`
			Model string   `json:"model"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			http.Error(w, `{"error":{"message":"bad json"}}`, http.StatusBadRequest)
			return
		}
		type datum struct {
			Object    string    `json:"object"`
			Index     int       `json:"index"`
			Embedding []float32 `json:"embedding"`
		}
		resp := struct {
			Object string  `json:"object"`
			Data   []datum `json:"data"`
			Model  string  `json:"model"`
		}{Object: "list", Model: req.Model}
		for i, in := range req.Input {
			sum := sha256.Sum256([]byte(in))
			v := make([]float32, 16)
			for j := range v {
				v[j] = float32(sum[j]) - 127.5
			}
			resp.Data = append(resp.Data, datum{Object: "embedding", Index: i, Embedding: v})
		}
		texts.Add(int64(len(req.Input)))
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(resp)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestModelEmbedderStandIn switches the embedder to an OpenAI-compatible
// model by configuration (a loopback stand-in, as no model runs here):
// ingest and ask work, the store takes the model's dimension, and a
// second ingest of the same text is served from the embedding cache.
func TestModelEmbedderStandIn(t *testing.T) {
	var texts atomic.Int64
	srv := openAIStandIn(t, &texts)
	dir := t.TempDir()
	share := filepath.Join(dir, "notices")
	if err := os.MkdirAll(share, 0o755); err != nil {
		t.Fatal(err)
	}
	write(t, share, "热线.md", []byte("# 客服热线服务时间\n\n客服热线人工服务时间为每日8:00至22:00，节假日照常服务。\n"))
	cfg := filepath.Join(dir, "lore.yaml")
	write(t, dir, "lore.yaml", []byte(fmt.Sprintf(
		"data_dir: %q\nretrieval:\n  dense_weight: 1\nembedding:\n  provider: openai\n  base_url: %s/v1\n  model: test-embed\n  api_key: test-key\n",
		filepath.Join(dir, "data"), srv.URL)))
	if _, code := ingestJSON(t, "-config", cfg, share); code != exitOK {
		t.Fatalf("ingest exit %d", code)
	}
	if texts.Load() == 0 {
		t.Fatal("the model was never asked")
	}
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"ask", "-json", "-config", cfg, "客服热线几点有人工服务？"}, nil, &out, &errOut); code != exitOK {
		t.Fatalf("ask exit %d: %s", code, errOut.String())
	}
	var ans chat.Answer
	if err := json.Unmarshal(out.Bytes(), &ans); err != nil {
		t.Fatal(err)
	}
	if ans.NoAnswer || len(ans.Sources) == 0 || !strings.HasSuffix(ans.Sources[0].File, "热线.md") {
		t.Fatalf("answer = %+v", ans)
	}
	// Re-ingesting into a new store embeds nothing new: the cache has it.
	before := texts.Load()
	if err := os.RemoveAll(filepath.Join(dir, "data", "lore.db")); err != nil {
		t.Fatal(err)
	}
	os.Remove(filepath.Join(dir, "data", "lore.db-wal"))
	os.Remove(filepath.Join(dir, "data", "lore.db-shm"))
	if _, code := ingestJSON(t, "-config", cfg, share); code != exitOK {
		t.Fatalf("second ingest exit %d", code)
	}
	if got := texts.Load() - before; got > 1 {
		t.Errorf("second ingest sent %d texts to the model, want at most the dimension probe", got)
	}
}

// TestRerankerStandIn switches on the LLM reranker by configuration,
// against a loopback stand-in of an OpenAI-compatible chat endpoint (no
// model runs here), and checks the answer follows the model's order.
func TestRerankerStandIn(t *testing.T) {
	var calls atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1/chat/completions" {
			http.NotFound(w, r)
			return
		}
		calls.Add(1)
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{
			"id": "c1", "object": "chat.completion", "model": "rank",
			"choices": []map[string]any{{"index": 0, "finish_reason": "stop",
				"message": map[string]any{"role": "assistant", "content": "[2, 1]"}}},
		})
	}))
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	share := filepath.Join(dir, "notices")
	write(t, share, "热线.md", []byte("# 客服热线服务时间\n\n客服热线人工服务时间为每日8:00至22:00，节假日照常服务。\n"))
	write(t, share, "夜间.md", []byte("# 夜间来电\n\n客服热线夜间22:00以后的来电转入语音留言，次日中午前回电。\n"))
	write(t, dir, "lore.yaml", []byte(fmt.Sprintf(
		"data_dir: %q\nretrieval:\n  rerank:\n    base_url: %s/v1\n    model: rank\n", filepath.Join(dir, "data"), srv.URL)))
	cfg := filepath.Join(dir, "lore.yaml")
	if _, code := ingestJSON(t, "-config", cfg, share); code != exitOK {
		t.Fatalf("ingest exit %d", code)
	}
	ask := func(args ...string) chat.Answer {
		var out, errOut bytes.Buffer
		if code := run(context.Background(), append([]string{"ask", "-json"}, args...), nil, &out, &errOut); code != exitOK {
			t.Fatalf("ask exit %d: %s", code, errOut.String())
		}
		var ans chat.Answer
		if err := json.Unmarshal(out.Bytes(), &ans); err != nil {
			t.Fatal(err)
		}
		return ans
	}
	plainCfg := filepath.Join(dir, "plain.yaml")
	write(t, dir, "plain.yaml", []byte(fmt.Sprintf("data_dir: %q\n", filepath.Join(dir, "data"))))
	plain := ask("-config", plainCfg, "客服热线几点有人接？")
	reranked := ask("-config", cfg, "客服热线几点有人接？")
	if calls.Load() == 0 {
		t.Fatal("the reranker was never called")
	}
	if len(plain.Sources) < 2 || len(reranked.Sources) < 2 || reranked.Sources[0].ItemID != plain.Sources[1].ItemID || reranked.Sources[1].ItemID != plain.Sources[0].ItemID {
		t.Errorf("the model asked for [2, 1]: fused order %v, reranked %v", sourceIDs(plain), sourceIDs(reranked))
	}
}

func sourceIDs(a chat.Answer) []string {
	var out []string
	for _, s := range a.Sources {
		out = append(out, s.Title)
	}
	return out
}
