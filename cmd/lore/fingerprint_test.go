package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/lorehq/lore/chat"
	"github.com/lorehq/lore/configs"
)

func TestFingerprint(t *testing.T) {
	lower := strings.ToLower
	base := fingerprint("offline-hash-v1", []string{"砍头息", "宽限期", "Loan"}, lower)
	if !regexp.MustCompile(`^offline-hash-v1 vocab:[0-9a-f]{8}$`).MatchString(base) {
		t.Fatalf("fingerprint %q: want the name, then vocab: and 8 hex digits", base)
	}
	tests := []struct {
		name  string
		model string
		words []string
		same  bool // whether the fingerprint equals base
	}{
		{"same words in another order", "offline-hash-v1", []string{"loan", "宽限期", "砍头息"}, true},
		{"repeated and normalised words", "offline-hash-v1", []string{"砍头息", "LOAN", "宽限期", "砍头息", ""}, true},
		{"one more word", "offline-hash-v1", []string{"砍头息", "宽限期", "Loan", "撸口子"}, false},
		{"one word fewer", "offline-hash-v1", []string{"砍头息", "宽限期"}, false},
		{"two words that concatenate alike", "offline-hash-v1", []string{"砍头", "息宽限期", "Loan"}, false},
		{"another model", "openai:bge-m3+offline-hash-v1", []string{"砍头息", "宽限期", "Loan"}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := fingerprint(tc.model, tc.words, lower)
			if (got == base) != tc.same {
				t.Errorf("fingerprint %q, base %q: equal %v, want %v", got, base, got == base, tc.same)
			}
			if !strings.HasPrefix(got, tc.model+" vocab:") {
				t.Errorf("fingerprint %q does not start with the model %q", got, tc.model)
			}
		})
	}
}

// TestOpenEmbeddingFingerprint checks the fingerprint of configured
// embedders: a user dictionary with a new word changes only its
// dictionary part; one holding only words the expansion list has already
// changes nothing.
func TestOpenEmbeddingFingerprint(t *testing.T) {
	dir := t.TempDir()
	fp := func(cfg configs.Config) string {
		t.Helper()
		e, err := openEmbedding(context.Background(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		return e.fingerprint
	}
	cfg := configs.Default()
	e, err := openEmbedding(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	base, known := e.fingerprint, e.syn.Terms()[0]

	write(t, dir, "known.txt", []byte("# 已在同义词表中\n"+known+"\n"))
	cfg.Retrieval.UserDict = filepath.Join(dir, "known.txt")
	if got := fp(cfg); got != base {
		t.Errorf("a dictionary of known words %q changed the fingerprint: %q, base %q", known, got, base)
	}
	write(t, dir, "new.txt", []byte("砍头息\n"))
	cfg.Retrieval.UserDict = filepath.Join(dir, "new.txt")
	got := fp(cfg)
	model, vocab, _ := strings.Cut(got, " vocab:")
	bmodel, bvocab, _ := strings.Cut(base, " vocab:")
	if model != bmodel || vocab == bvocab {
		t.Errorf("a new dictionary word: fingerprint %q, base %q; want the same model, another vocab", got, base)
	}
}

// loanShare writes a small share of lending notices.
func loanShare(t *testing.T) string {
	t.Helper()
	share := filepath.Join(t.TempDir(), "notices")
	write(t, share, "砍头息.md", []byte("# 关于禁止收取砍头息的通知\n\n"+
		"放款时不得从借款本金中预先扣除利息、手续费或服务费。已收取砍头息的，应当按实际到账金额重新计算借款本金和利息，并退还多收部分。\n"))
	write(t, share, "宽限期.md", []byte("# 还款宽限期说明\n\n"+
		"到期日后三天为宽限期，宽限期内还款不计罚息，也不报送逾期记录。超过宽限期仍未还款的，自到期日次日起按日计收罚息。\n"))
	write(t, share, "结清证明.md", []byte("# 结清证明办理\n\n"+
		"贷款全部结清后，客户可在App“我的借款”中申请电子结清证明，一般两个工作日内发送至预留邮箱。\n"))
	return share
}

// askCLI runs `lore ask -json` and returns its exit code, answer and
// standard error.
func askCLI(t *testing.T, cfg, q string) (int, chat.Answer, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"ask", "-json", "-config", cfg, q}, nil, &out, &errOut)
	var ans chat.Answer
	if code == exitOK {
		if err := json.Unmarshal(out.Bytes(), &ans); err != nil {
			t.Fatalf("ask %q: %v in %s", q, err, out.String())
		}
	}
	return code, ans, errOut.String()
}

// TestReindexAfterDictionaryChange ingests with the default configuration,
// adds a word to retrieval.user_dict (which changes how items are
// segmented, so their sparse vectors), and checks that ask and ingest
// refuse the store naming `lore reindex` and the dictionary, that `lore
// reindex` makes it usable again, and that the old configuration is then
// refused in turn.
func TestReindexAfterDictionaryChange(t *testing.T) {
	if testing.Short() {
		t.Skip("opens the configuration six times")
	}
	dir := t.TempDir()
	share := loanShare(t)
	data := filepath.Join(dir, "data")
	config := func(extra string) string {
		write(t, dir, "lore.yaml", []byte(fmt.Sprintf("data_dir: %q\n%s", data, extra)))
		return filepath.Join(dir, "lore.yaml")
	}
	cfg := config("")
	if sum, code := ingestJSON(t, "-config", cfg, share); code != exitOK || sum.Items == 0 {
		t.Fatalf("ingest exit %d, %d items", code, sum.Items)
	}
	const q = "砍头息多收的部分怎么处理？"

	write(t, dir, "dict.txt", []byte("# 监管用语\n砍头息\n"))
	cfg = config(fmt.Sprintf("retrieval:\n  user_dict: %q\n", filepath.Join(dir, "dict.txt")))
	code, _, errOut := askCLI(t, cfg, q)
	t.Logf("ask after adding a dictionary word: %s", errOut)
	for _, want := range []string{"lore reindex", "retrieval.user_dict", "vocab:"} {
		if code != exitFailure || !strings.Contains(errOut, want) {
			t.Errorf("ask after adding a dictionary word: exit %d, stderr %q; want a failure naming %q", code, errOut, want)
		}
	}
	var out, errBuf bytes.Buffer
	if code := run(context.Background(), []string{"ingest", "-config", cfg, share}, nil, &out, &errBuf); code == exitOK || !strings.Contains(errBuf.String(), "lore reindex") {
		t.Errorf("ingest after adding a dictionary word: exit %d, stderr %q; want a failure naming `lore reindex`", code, errBuf.String())
	}

	out.Reset()
	errBuf.Reset()
	if code := run(context.Background(), []string{"reindex", "-config", cfg}, nil, &out, &errBuf); code != exitOK {
		t.Fatalf("reindex exit %d: %s\n%s", code, errBuf.String(), out.String())
	}
	if !regexp.MustCompile(`Re-embedded [1-9]\d* items`).MatchString(out.String()) {
		t.Errorf("reindex summary missing:\n%s", out.String())
	}
	code, ans, errOut := askCLI(t, cfg, q)
	if code != exitOK || ans.NoAnswer || len(ans.Sources) == 0 || !strings.HasSuffix(ans.Sources[0].File, "砍头息.md") {
		t.Fatalf("ask after reindex: exit %d, %+v, %s; want an answer citing 砍头息.md first", code, ans, errOut)
	}

	// The store now records the new dictionary: the old one is refused.
	cfg = config("")
	if code, _, errOut := askCLI(t, cfg, q); code != exitFailure || !strings.Contains(errOut, "lore reindex") {
		t.Errorf("ask with the old dictionary after reindex: exit %d, stderr %q; want a failure naming `lore reindex`", code, errOut)
	}
}

// TestReindexAfterModelChange switches the embedding model to another of
// the same dimension (a loopback stand-in of an OpenAI-compatible
// endpoint, as no model runs here): the dimension check cannot see it, the
// recorded scheme does.
func TestReindexAfterModelChange(t *testing.T) {
	if testing.Short() {
		t.Skip("opens the configuration four times")
	}
	var texts atomic.Int64
	srv := openAIStandIn(t, &texts)
	dir := t.TempDir()
	share := loanShare(t)
	config := func(model string) string {
		write(t, dir, "lore.yaml", []byte(fmt.Sprintf(
			"data_dir: %q\nembedding:\n  provider: openai\n  base_url: %s/v1\n  model: %s\n  api_key: test-key\n",
			filepath.Join(dir, "data"), srv.URL, model)))
		return filepath.Join(dir, "lore.yaml")
	}
	if _, code := ingestJSON(t, "-config", config("embed-a"), share); code != exitOK {
		t.Fatalf("ingest exit %d", code)
	}
	cfg := config("embed-b") // same 16 dimensions
	const q = "宽限期内还款算逾期吗？"
	code, _, errOut := askCLI(t, cfg, q)
	if code != exitFailure || !strings.Contains(errOut, "lore reindex") || !strings.Contains(errOut, "openai:embed-b") || strings.Contains(errOut, "user_dict") {
		t.Fatalf("ask with another model of the same dimension: exit %d, stderr %q; want a failure naming `lore reindex` and the model, not the dictionary", code, errOut)
	}
	var out, errBuf bytes.Buffer
	if code := run(context.Background(), []string{"reindex", "-config", cfg}, nil, &out, &errBuf); code != exitOK {
		t.Fatalf("reindex exit %d: %s\n%s", code, errBuf.String(), out.String())
	}
	if code, ans, errOut := askCLI(t, cfg, q); code != exitOK || ans.NoAnswer || len(ans.Sources) == 0 {
		t.Fatalf("ask after reindex: exit %d, %+v, %s", code, ans, errOut)
	}
}
