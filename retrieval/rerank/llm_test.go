package rerank

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/lorehq/lore/knowledge"
)

// chatStandIn mimics an OpenAI-compatible /v1/chat/completions endpoint on
// loopback: it answers every prompt with reply and records the prompt.
func chatStandIn(t *testing.T, status int, reply string, prompt *string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1/chat/completions" {
			http.NotFound(w, r)
			return
		}
		var req struct {
			Messages []struct {
				Content any `json:"content"`
			} `json:"messages"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil || len(req.Messages) == 0 {
			http.Error(w, `{"error":{"message":"bad request"}}`, http.StatusBadRequest)
			return
		}
		b, _ := json.Marshal(req.Messages[0].Content)
		*prompt = string(b)
		if status != http.StatusOK {
			http.Error(w, `{"error":{"message":"overloaded"}}`, status)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{
			"id": "c1", "object": "chat.completion", "model": "test",
			"choices": []map[string]any{{"index": 0, "finish_reason": "stop",
				"message": map[string]any{"role": "assistant", "content": reply}}},
			"usage": map[string]int{"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
		})
	}))
	t.Cleanup(srv.Close)
	return srv
}

func hits(titles ...string) []knowledge.Hit {
	var out []knowledge.Hit
	for i, ti := range titles {
		out = append(out, knowledge.Hit{Item: knowledge.Item{ID: ti, Kind: knowledge.KindRule, Title: ti, Body: "正文"}, Score: 1 / float64(61+i)})
	}
	return out
}

func ids(hs []knowledge.Hit) string {
	var s []string
	for _, h := range hs {
		s = append(s, h.Item.ID)
	}
	return strings.Join(s, " ")
}

func TestRerankStandIn(t *testing.T) {
	var prompt string
	srv := chatStandIn(t, http.StatusOK, "Sure: [3, 1, 9, 3]", &prompt)
	r, err := New(Config{BaseURL: srv.URL + "/v1", Model: "test", TopN: 4})
	if err != nil {
		t.Fatal(err)
	}
	got, err := r.Rerank(context.Background(), "催收时间", hits("a", "b", "c", "d", "e"))
	if err != nil {
		t.Fatal(err)
	}
	if ids(got) != "c a b d e" {
		t.Errorf("order = %s, want the model's c a, then the rest in fused order", ids(got))
	}
	for i := 1; i < len(got); i++ {
		if got[i].Score >= got[i-1].Score || got[i].Score <= 0 {
			t.Fatalf("scores not positive and falling: %v", got)
		}
	}
	if !strings.Contains(prompt, "催收时间") || !strings.Contains(prompt, "[4]") || strings.Contains(prompt, "[5]") {
		t.Errorf("prompt does not hold the question and exactly the top 4: %s", prompt)
	}
}

func TestRerankErrorsStandIn(t *testing.T) {
	var prompt string
	for name, srv := range map[string]*httptest.Server{
		"server error": chatStandIn(t, http.StatusServiceUnavailable, "", &prompt),
		"no array":     chatStandIn(t, http.StatusOK, "I think the third one.", &prompt),
	} {
		r, err := New(Config{BaseURL: srv.URL + "/v1", Model: "test"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := r.Rerank(context.Background(), "q", hits("a", "b")); knowledge.ErrorCode(err) != knowledge.Unavailable {
			t.Errorf("%s: err = %v, want unavailable", name, err)
		}
	}
	if _, err := New(Config{}); knowledge.ErrorCode(err) != knowledge.Invalid {
		t.Errorf("empty config: %v, want invalid", err)
	}
}

func TestParseOrder(t *testing.T) {
	cases := []struct {
		in   string
		want string
		ok   bool
	}{
		{"[2, 1]", "[1 0]", true},
		{"答案：[ 3,3, 0, 2 ]。", "[2 1]", true},
		{"[]", "[]", true},
		{"none", "", false},
	}
	for _, c := range cases {
		got, err := ParseOrder(c.in, 3)
		if (err == nil) != c.ok || c.ok && fmtInts(got) != c.want {
			t.Errorf("ParseOrder(%q) = %v, %v; want %s ok=%v", c.in, got, err, c.want, c.ok)
		}
	}
}

func fmtInts(v []int) string {
	b, _ := json.Marshal(v)
	return strings.ReplaceAll(strings.ReplaceAll(string(b), ",", " "), "null", "[]")
}

func FuzzParseOrder(f *testing.F) {
	f.Add("[3, 1, 2]", 3)
	f.Add("x[9,,1]y[2]", 2)
	f.Fuzz(func(t *testing.T, s string, n int) {
		order, err := ParseOrder(s, n)
		if err != nil {
			return
		}
		seen := map[int]bool{}
		for _, i := range order {
			if i < 0 || i >= n || seen[i] {
				t.Fatalf("ParseOrder(%q, %d) = %v: out of range or repeated", s, n, order)
			}
			seen[i] = true
		}
	})
}
