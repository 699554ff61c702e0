package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"

	"github.com/lorehq/lore/chat"
	"github.com/lorehq/lore/configs"
	"github.com/lorehq/lore/demo"
	"github.com/lorehq/lore/knowledge/sqlite"
)

func TestReindexCommandLine(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  []string
		code int
		out  string
	}{
		{"help", []string{"reindex", "-help"}, nil, exitOK, "-to-collection"},
		{"listed in usage", []string{"help"}, nil, exitOK, "lore reindex"},
		{"stray argument", []string{"reindex", "-data", "DATA", "now"}, nil, exitUsage, "unexpected arguments"},
		{"bad batch", []string{"reindex", "-data", "DATA", "-batch", "0"}, nil, exitUsage, "-batch"},
		{"qdrant without target", []string{"reindex", "-data", "DATA"}, []string{"LORE_STORE_BACKEND=qdrant"}, exitUsage, "-to-collection"},
		{"qdrant onto itself", []string{"reindex", "-data", "DATA", "-to-collection", "lore_items"}, []string{"LORE_STORE_BACKEND=qdrant"}, exitUsage, "current collection"},
		{"target for the embedded store", []string{"reindex", "-data", "DATA", "-to-collection", "v2"}, nil, exitUsage, "in place"},
		{"empty store", []string{"reindex", "-data", "DATA"}, nil, exitOK, "Re-embedded 0 items"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := t.TempDir()
			args := make([]string, len(tt.args))
			for i, a := range tt.args {
				args[i] = strings.ReplaceAll(a, "DATA", data)
			}
			var out bytes.Buffer
			if code := run(context.Background(), args, tt.env, &out, &out); code != tt.code {
				t.Errorf("exit %d, want %d; output:\n%s", code, tt.code, out.String())
			}
			if !strings.Contains(out.String(), tt.out) {
				t.Errorf("output lacks %q:\n%s", tt.out, out.String())
			}
		})
	}
}

// TestReindexDemo ingests the demo corpus with one dense dimension,
// switches the configuration to another, checks that ask and serve refuse
// the store with an error naming `lore reindex`, reindexes, and checks
// that ask then answers every demo question as a store ingested afresh
// with the new dimension does, citing its sources.
func TestReindexDemo(t *testing.T) {
	if testing.Short() {
		t.Skip("ingests the demo corpus twice")
	}
	dir := t.TempDir()
	corpus := filepath.Join(dir, "demo")
	if err := demo.Extract(corpus); err != nil {
		t.Fatal(err)
	}
	qs, err := demo.Questions()
	if err != nil {
		t.Fatal(err)
	}
	config := func(name string, dim int, data string) string {
		write(t, dir, name, []byte(fmt.Sprintf("data_dir: %q\nretrieval:\n  dense_dim: %d\n", data, dim)))
		return filepath.Join(dir, name)
	}
	data, fresh := filepath.Join(dir, "data"), filepath.Join(dir, "fresh")
	if _, code := ingestJSON(t, "-config", config("lore.yaml", 64, data), corpus); code != exitOK {
		t.Fatalf("ingest exit %d", code)
	}
	cfg := config("lore.yaml", 192, data) // the operator changes the dimension
	if _, code := ingestJSON(t, "-config", config("fresh.yaml", 192, fresh), corpus); code != exitOK {
		t.Fatalf("fresh ingest exit %d", code)
	}

	for _, args := range [][]string{
		{"ask", "-config", cfg, qs[0].Q},
		{"serve", "-config", cfg, "-addr", "127.0.0.1:0"},
	} {
		var out, errOut bytes.Buffer
		code := run(context.Background(), args, nil, &out, &errOut)
		if code != exitFailure || !strings.Contains(errOut.String(), "lore reindex") || !strings.Contains(errOut.String(), "192") {
			t.Fatalf("%s on a 64-dimensional store configured for 192: exit %d, stderr %q; want failure naming `lore reindex`", args[0], code, errOut.String())
		}
	}

	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"reindex", "-config", cfg, "-batch", "100"}, nil, &out, &errOut); code != exitOK {
		t.Fatalf("reindex exit %d: %s\n%s", code, errOut.String(), out.String())
	}
	m := regexp.MustCompile(`Re-embedded (\d+) items \(64 → 192 dimensions\)`).FindStringSubmatch(out.String())
	if m == nil || m[1] == "0" {
		t.Fatalf("reindex summary missing:\n%s", out.String())
	}
	if lines := strings.Count(out.String(), "items re-embedded / 条目已重新生成向量"); lines < 2 {
		t.Errorf("%d progress lines for %s items in batches of 100:\n%s", lines, m[1], out.String())
	}

	ask := func(cfg, q string) chat.Answer {
		t.Helper()
		var out, errOut bytes.Buffer
		if code := run(context.Background(), []string{"ask", "-json", "-config", cfg, q}, nil, &out, &errOut); code != exitOK {
			t.Fatalf("ask %q exit %d: %s", q, code, errOut.String())
		}
		var ans chat.Answer
		if err := json.Unmarshal(out.Bytes(), &ans); err != nil {
			t.Fatalf("%v in %s", err, out.String())
		}
		return ans
	}
	// Through the command line, a few questions; every question below.
	asked := 0
	for _, q := range qs {
		if q.Unanswerable || asked == 3 {
			continue
		}
		asked++
		got := ask(cfg, q.Q)
		if got.NoAnswer || len(got.Sources) == 0 || len(got.Statements) == 0 || len(got.Statements[0].Cites) == 0 {
			t.Errorf("`lore ask %s` after reindex: no cited answer: %+v", q.Q, got)
		}
	}
	reindexed, freshApp := openConfigured(t, cfg), openConfigured(t, filepath.Join(dir, "fresh.yaml"))
	cited := 0
	for _, q := range qs {
		got, err := reindexed.chat.Ask(context.Background(), chat.Request{Question: q.Q})
		if err != nil {
			t.Fatal(err)
		}
		want, err := freshApp.chat.Ask(context.Background(), chat.Request{Question: q.Q})
		if err != nil {
			t.Fatal(err)
		}
		if g, w := answerKey(got), answerKey(want); g != w {
			t.Errorf("%q after reindex:\n%s\nfresh store:\n%s", q.Q, g, w)
		}
		if q.Unanswerable || got.NoAnswer {
			continue
		}
		for _, s := range got.Sources[:min(3, len(got.Sources))] {
			if s.File == "demo/"+q.Source {
				cited++
				break
			}
		}
	}
	if cited == 0 {
		t.Error("no answer after reindex cites the source its question was written from")
	}
}

// openConfigured opens the app of a config file until the test ends.
func openConfigured(t *testing.T, path string) *app {
	t.Helper()
	cfg, err := configs.Load(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	a, err := openApp(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return a
}

// answerKey renders what an answer says and cites, for comparing answers.
func answerKey(a chat.Answer) string {
	var b strings.Builder
	fmt.Fprintf(&b, "no answer %v\n", a.NoAnswer)
	for _, s := range a.Statements {
		fmt.Fprintf(&b, "%s %v\n", s.Text, s.Cites)
	}
	for _, s := range a.Sources {
		fmt.Fprintf(&b, "[%d] %s %s %s\n", s.N, s.ItemID, s.File, s.Location)
	}
	return b.String()
}

// TestReindexSurvivesKill kills a real `lore reindex` process after its
// first batch: the store opens with all its items and one dimension, the
// old or the new, never a mix, and a second reindex finishes the job.
func TestReindexSurvivesKill(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns and kills a reindex process")
	}
	dir := t.TempDir()
	share := writeShare(t, 30)
	data := filepath.Join(dir, "data")
	config := func(dim int) string {
		write(t, dir, "lore.yaml", []byte(fmt.Sprintf("data_dir: %q\nretrieval:\n  dense_dim: %d\n", data, dim)))
		return filepath.Join(dir, "lore.yaml")
	}
	if _, code := ingestJSON(t, "-config", config(64), share); code != exitOK {
		t.Fatalf("ingest exit %d", code)
	}
	wantItems, wantSources := snapshot(t, data)
	cfg := config(192)

	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(self, "-test.run=^$")
	cmd.Env = append(os.Environ(), "LORE_TEST_AS_LORE="+strings.Join([]string{"reindex", "-config", cfg, "-batch", "4"}, "\x1f"))
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), "[") {
			break // the first batch is in the shadow table
		}
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()

	dimNow := func() int {
		st, err := sqlite.Open(data, sqlite.Options{})
		if err != nil {
			t.Fatalf("open after kill: %v", err)
		}
		defer st.Close()
		return st.Dim()
	}
	d := dimNow()
	if d != 64 && d != 192 {
		t.Fatalf("dimension %d after the kill", d)
	}
	t.Logf("after the kill the store holds %d-dimensional vectors", d)
	items, sources := snapshot(t, data) // also: every item's vectors load at that dimension
	if strings.Join(items, "\n") != strings.Join(wantItems, "\n") || strings.Join(sources, "\n") != strings.Join(wantSources, "\n") {
		t.Error("the killed reindex changed items or the ledger")
	}

	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"reindex", "-config", cfg}, nil, &out, &errOut); code != exitOK {
		t.Fatalf("reindex after kill: exit %d: %s", code, errOut.String())
	}
	if d := dimNow(); d != 192 {
		t.Errorf("dimension %d after the second reindex, want 192", d)
	}
	items, sources = snapshot(t, data)
	if strings.Join(items, "\n") != strings.Join(wantItems, "\n") || strings.Join(sources, "\n") != strings.Join(wantSources, "\n") {
		t.Error("reindex changed items or the ledger")
	}
	out.Reset()
	if code := run(context.Background(), []string{"ask", "-json", "-config", cfg, "逾期多少天的按日计收罚息？"}, nil, &out, &errOut); code != exitOK {
		t.Fatalf("ask after reindex: exit %d: %s", code, errOut.String())
	}
	var ans chat.Answer
	if err := json.Unmarshal(out.Bytes(), &ans); err != nil || ans.NoAnswer || len(ans.Sources) == 0 {
		t.Errorf("ask after reindex: %v, %+v", err, ans)
	}
}
