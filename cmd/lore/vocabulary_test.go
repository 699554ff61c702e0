package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lorehq/lore/configs"
	"github.com/lorehq/lore/retrieval"
)

// TestVocabularyConfig checks retrieval.synonyms and retrieval.user_dict:
// a configured expansion list replaces the built-in one (a question in
// slang finds the article only through it), and a broken list or
// dictionary stops the command with a message naming the setting.
func TestVocabularyConfig(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	write("share/额度管理.md", "# 额度管理\n\n客户利用虚构交易将信用额度套现的，公司有权冻结其额度并要求提前还款。\n")
	share := filepath.Dir(write("share/逾期处理.md", "# 逾期处理\n\n逾期客户由贷后人员先行电话提醒；逾期超过九十日的，按流程委托第三方机构处理。\n"))
	syn := write("synonyms.yaml", "version: 1\nexpand:\n  - from: [撸口子]\n    to: [套现, 虚构交易]\n    weight: 0.6\n")
	dict := write("dict.txt", "# 风控用语\n撸口子\n")

	search := func(cfg configs.Config, q string) []string {
		t.Helper()
		a, err := openApp(context.Background(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		defer a.Close()
		if sum, err := a.ingest(context.Background(), []string{share}, nil); err != nil || sum.Items == 0 {
			t.Fatalf("ingest: %+v, %v", sum, err)
		}
		hits, err := a.search.Search(context.Background(), retrieval.Request{Text: q})
		if err != nil {
			t.Fatal(err)
		}
		var files []string
		for _, h := range hits {
			files = append(files, filepath.Base(h.Item.Provenance[0].Source))
		}
		return files
	}
	cfg := configs.Default()
	cfg.DataDir = filepath.Join(t.TempDir(), "builtin")
	if got := search(cfg, "撸口子有什么后果"); len(got) > 0 && got[0] == "额度管理.md" {
		t.Fatalf("built-in list: hits %v; the slang should not find 额度管理.md first without the configured list", got)
	}
	cfg.DataDir = filepath.Join(t.TempDir(), "configured")
	cfg.Retrieval.Synonyms, cfg.Retrieval.UserDict = syn, dict
	if got := search(cfg, "撸口子有什么后果"); len(got) == 0 || got[0] != "额度管理.md" {
		t.Fatalf("configured list: hits %v, want 额度管理.md first", got)
	}

	bad := write("bad.yaml", "version: 1\nexpand:\n  - from: [撸口子]\n    to: []\n")
	long := write("long.txt", "撸口子\n"+strings.Repeat("贷", 40)+"\n")
	for _, tc := range []struct{ env, want string }{
		{"LORE_RETRIEVAL_SYNONYMS=" + bad, "retrieval.synonyms"},
		{"LORE_RETRIEVAL_SYNONYMS=" + filepath.Join(dir, "missing.yaml"), "retrieval.synonyms"},
		{"LORE_RETRIEVAL_USER_DICT=" + long, "line 2"},
		{"LORE_RETRIEVAL_USER_DICT=" + filepath.Join(dir, "missing.txt"), "retrieval.user_dict"},
	} {
		var out bytes.Buffer
		code := run(context.Background(), []string{"ask", "-data", t.TempDir(), "还款"}, []string{tc.env}, &out, &out)
		if code == exitOK || !strings.Contains(out.String(), tc.want) {
			t.Errorf("%s: exit %d, output %q; want a failure naming %q", tc.env, code, out.String(), tc.want)
		}
	}
}
