package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lorehq/lore/chat"
	"github.com/lorehq/lore/demo"
	"github.com/lorehq/lore/retrieval/eval"
)

func TestCommandLine(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
		out  string
	}{
		{"no command", nil, exitUsage, "Usage:"},
		{"help", []string{"--help"}, exitOK, "lore ingest"},
		{"command help", []string{"ingest", "-help"}, exitOK, "-space"},
		{"unknown command", []string{"fly"}, exitUsage, `unknown command "fly"`},
		{"unknown flag", []string{"serve", "-fast"}, exitUsage, "flag provided but not defined"},
		{"ingest without path", []string{"ingest"}, exitUsage, "give files or folders"},
		{"ask without question", []string{"ask"}, exitUsage, "give a question"},
		{"eval without questions", []string{"eval", "-data", "DATA"}, exitUsage, "-questions"},
		{"eval with missing questions", []string{"eval", "-data", "DATA", "-questions", "/nonexistent/q.jsonl"}, exitUsage, "nonexistent"},
		{"bad config", []string{"ask", "-config", "/nonexistent/lore.yaml", "x"}, exitUsage, "nonexistent"},
		{"missing path", []string{"ingest", "-data", "DATA", "/nonexistent/share"}, exitFailure, "cannot read /nonexistent/share"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := t.TempDir()
			args := make([]string, len(tt.args))
			for i, a := range tt.args {
				args[i] = strings.ReplaceAll(a, "DATA", data)
			}
			var out bytes.Buffer
			if code := run(context.Background(), args, nil, &out, &out); code != tt.code {
				t.Errorf("exit %d, want %d; output:\n%s", code, tt.code, out.String())
			}
			if !strings.Contains(out.String(), tt.out) {
				t.Errorf("output lacks %q:\n%s", tt.out, out.String())
			}
		})
	}
}

// TestIngestQuarantine checks that broken files are reported with their
// path and reason, the exit code says so, the good files are indexed, and a
// later run keeps what was indexed.
func TestIngestQuarantine(t *testing.T) {
	data, share := t.TempDir(), filepath.Join(t.TempDir(), "share")
	write := func(name, body string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(filepath.Join(share, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(share, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("good.md", "# 还款须知\n\n借款人可以通过 App 或银行卡自动扣款还款。逾期将按日计收罚息。\n")
	write("broken.pdf", "%PDF-1.4 this is not really a pdf")
	write("empty.txt", "")
	write("photo.png", "\x89PNG\r\n")

	var out bytes.Buffer
	code := run(context.Background(), []string{"ingest", "-data", data, "-json", share}, nil, &out, &out)
	if code != exitPartial {
		t.Fatalf("exit %d, want %d (partial)\n%s", code, exitPartial, out.String())
	}
	var sum struct {
		Seen, New, Quarantined, Items int
		Problems                      []struct{ Path, Reason string }
	}
	if err := json.Unmarshal(out.Bytes(), &sum); err != nil {
		t.Fatalf("%v in %s", err, out.String())
	}
	if sum.Seen != 4 || sum.New != 1 || sum.Quarantined != 3 || sum.Items == 0 {
		t.Errorf("summary %+v", sum)
	}
	reasons := map[string]string{}
	for _, p := range sum.Problems {
		reasons[p.Path] = p.Reason
	}
	for path, want := range map[string]string{"share/broken.pdf": "PDF", "share/empty.txt": "empty", "share/photo.png": "unsupported format"} {
		if !strings.Contains(reasons[path], want) {
			t.Errorf("reason for %s = %q, want mention of %q", path, reasons[path], want)
		}
	}

	// The good file's content is now answerable; breaking it later keeps it.
	write("good.md", "")
	out.Reset()
	if code := run(context.Background(), []string{"ingest", "-data", data, share}, nil, &out, &out); code != exitPartial {
		t.Fatalf("second run exit %d\n%s", code, out.String())
	}
	out.Reset()
	if code := run(context.Background(), []string{"ask", "-data", data, "-json", "逾期怎么计收罚息？"}, nil, &out, &out); code != exitOK {
		t.Fatalf("ask exit %d\n%s", code, out.String())
	}
	var ans chat.Answer
	if err := json.Unmarshal(out.Bytes(), &ans); err != nil {
		t.Fatalf("%v in %s", err, out.String())
	}
	if ans.NoAnswer || len(ans.Sources) == 0 || ans.Sources[0].File != "share/good.md" {
		t.Errorf("after the good file broke, its indexed content should still answer; got %+v", ans)
	}
}

// TestEvalDemo runs `lore eval` over the demo corpus and its questions:
// a baseline row and a Lore row over the answerable questions.
func TestEvalDemo(t *testing.T) {
	if testing.Short() {
		t.Skip("ingests the demo corpus")
	}
	corpus := filepath.Join(t.TempDir(), "demo")
	if err := demo.Extract(corpus); err != nil {
		t.Fatal(err)
	}
	qs, err := demo.Questions()
	if err != nil {
		t.Fatal(err)
	}
	answerable := 0
	for _, q := range qs {
		if !q.Unanswerable {
			answerable++
		}
	}
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"eval", "-json", "-data", t.TempDir(), "-questions", "../../demo/questions.jsonl", corpus}, nil, &out, &errOut)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	var rep eval.Report
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatalf("report: %v\n%s", err, out.String())
	}
	if rep.Questions != answerable || len(rep.Systems) != 2 || rep.Systems[0].Name != "bm25-bigram" || rep.Systems[1].Name != "lore" {
		t.Fatalf("report has %d questions and systems %+v; want %d questions, the baseline then lore", rep.Questions, rep.Systems, answerable)
	}
}
