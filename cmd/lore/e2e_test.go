package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lorehq/lore/chat"
	"github.com/lorehq/lore/demo"
)

// syncBuffer is a bytes.Buffer safe for one writer and concurrent readers.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

var urlLine = regexp.MustCompile(`serving at / 服务地址: (http://\S+)`)

// startDemo runs `lore demo` in-process on a free loopback port with an
// empty data directory and returns the URL it prints.
func startDemo(t *testing.T) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out := &syncBuffer{}
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"demo", "-data", t.TempDir(), "-addr", "127.0.0.1:0"}, nil, out, out)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case code := <-done:
			if code != exitOK {
				t.Errorf("lore demo exited %d after shutdown; output:\n%s", code, out)
			}
		case <-time.After(10 * time.Second):
			t.Error("lore demo did not shut down within 10 s")
		}
	})
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		if m := urlLine.FindStringSubmatch(out.String()); m != nil {
			return m[1]
		}
		select {
		case code := <-done:
			t.Fatalf("lore demo exited %d before serving; output:\n%s", code, out)
		case <-time.After(50 * time.Millisecond):
		}
	}
	t.Fatalf("lore demo printed no URL; output:\n%s", out)
	return ""
}

func postJSON(t *testing.T, url string, body any, into any) int {
	t.Helper()
	b, _ := json.Marshal(body)
	resp, err := http.Post(url, "application/json", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if into != nil {
		if err := json.Unmarshal(raw, into); err != nil {
			t.Fatalf("POST %s: %v in %s", url, err, raw)
		}
	}
	return resp.StatusCode
}

// TestDemoEndToEnd starts the real server over the demo corpus and checks
// that every question written for the corpus cites its source in the top 3,
// and that the questions the corpus cannot answer get a no-answer notice.
func TestDemoEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test ingests the demo corpus")
	}
	base := startDemo(t)
	questions, err := demo.Questions()
	if err != nil {
		t.Fatal(err)
	}
	answerable := 0
	mined := map[string]bool{} // kind and file of every cited source
	for _, q := range questions {
		var ans chat.Answer
		if code := postJSON(t, base+"api/v1/chat", chat.Request{Question: q.Q}, &ans); code != http.StatusOK {
			t.Fatalf("%q: status %d", q.Q, code)
		}
		if q.Unanswerable {
			if !ans.NoAnswer {
				t.Errorf("%q: the corpus cannot answer this, but Lore answered %+v", q.Q, ans.Statements)
			}
			continue
		}
		answerable++
		want := map[string]bool{"demo/" + q.Source: true}
		for _, a := range q.Also {
			want["demo/"+a] = true
		}
		var top []string
		found := false
		for i, s := range ans.Sources {
			if i == 3 {
				break
			}
			top = append(top, s.File)
			found = found || want[s.File]
		}
		if !found || ans.NoAnswer || len(ans.Statements) == 0 {
			t.Errorf("%q: want %s cited in the top 3, got %q (no answer %v, %d statements)", q.Q, q.Source, top, ans.NoAnswer, len(ans.Statements))
		}
		for _, src := range ans.Sources {
			mined[string(src.Kind)+" "+src.File] = true
		}
		for _, st := range ans.Statements {
			if len(st.Cites) == 0 {
				t.Errorf("%q: statement %q has no citation", q.Q, st.Text)
			}
		}
	}
	if answerable < 10 {
		t.Errorf("only %d answerable demo questions, want at least 10", answerable)
	}
	// What Lore mined from the dialogues and the operation log reaches the
	// answers, not only what the rule documents say.
	for _, want := range []string{"faq demo/dialogues/dialogues.jsonl", "script demo/dialogues/dialogues.jsonl", "procedure demo/oplog/cases.csv"} {
		if !mined[want] {
			t.Errorf("no answer cites a %s item", want)
		}
	}

	// The rest of the surface is up too.
	for path, want := range map[string]int{"healthz": 200, "readyz": 200, "": 200, "api/v1/search?q=" + "逾期": 200, "api/v1/search": 400} {
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("GET /%s = %d, want %d", path, resp.StatusCode, want)
		}
	}
	var bad map[string]map[string]string
	resp, err := http.Post(base+"api/v1/chat", "application/json", strings.NewReader("{not json"))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(&bad); err != nil || resp.StatusCode != 400 || bad["error"]["message"] == "" {
		t.Errorf("malformed chat request: status %d, body %v (%v)", resp.StatusCode, bad, err)
	}
}

// TestDemoRestartReusesStore checks a second run over the same data
// directory skips the unchanged corpus instead of ingesting it again.
func TestDemoRestartReusesStore(t *testing.T) {
	if testing.Short() {
		t.Skip("ingests the demo corpus twice")
	}
	data := t.TempDir()
	for i, want := range []string{"unchanged 0", "new 0 · changed 0"} {
		var out bytes.Buffer
		code := run(context.Background(), []string{"ingest", "-data", data, demoDir(t, data)}, nil, &out, &out)
		if code != exitOK {
			t.Fatalf("run %d: exit %d\n%s", i+1, code, out.String())
		}
		if !strings.Contains(out.String(), want) {
			t.Errorf("run %d: want %q in summary:\n%s", i+1, want, out.String())
		}
	}
}

func demoDir(t *testing.T, data string) string {
	t.Helper()
	dir := data + "/demo"
	if err := demo.Extract(dir); err != nil {
		t.Fatal(err)
	}
	return dir
}
