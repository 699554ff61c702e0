package faqtext_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lorehq/lore/internal/golden"

	"github.com/lorehq/lore/ingest"
	"github.com/lorehq/lore/ingest/faqtext"
	"github.com/lorehq/lore/ingest/markdown"
	"github.com/lorehq/lore/ingest/text"
)

func parse(t testing.TB, name string, data []byte) *ingest.Document {
	t.Helper()
	var p ingest.Parser = text.New()
	if strings.HasSuffix(name, ".md") {
		p = markdown.New()
	}
	doc, err := p.Parse(context.Background(), name, strings.NewReader(string(data)))
	if err != nil {
		t.Fatalf("parse %s: %v", name, err)
	}
	return doc
}

func TestExtract(t *testing.T) {
	cases := []struct {
		file      string
		questions []string // nil: not a FAQ document
	}{
		{"card_faq.txt", []string{
			"可以绑定哪些银行的借记卡？",
			"换了新手机号，银行卡预留手机号也要改吗？",
			"还款日当天几点扣款？如果当天没扣成功会怎样？",
			"扣款失败提示“余额不足”，但卡里明明有钱？",
		}},
		{"guide.md", []string{"提前结清要收手续费吗？", "结清证明多久能开出来？"}},
		{"notice.txt", nil},
	}
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			items, err := faqtext.New().Extract(context.Background(), parse(t, tc.file, data))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, it := range items {
				got = append(got, it.FAQ.Question)
				if it.FAQ.Answer == "" || it.Title != it.FAQ.Question || !strings.Contains(it.Body, it.FAQ.Answer) {
					t.Errorf("item %q: answer %q body %q", it.Title, it.FAQ.Answer, it.Body)
				}
			}
			if strings.Join(got, "|") != strings.Join(tc.questions, "|") {
				t.Errorf("questions = %q, want %q", got, tc.questions)
			}
			golden.JSON(t, filepath.Join("testdata", strings.TrimSuffix(tc.file, filepath.Ext(tc.file))+".golden"), items)
		})
	}
}

func FuzzExtract(f *testing.F) {
	for _, name := range []string{"card_faq.txt", "guide.md", "notice.txt"} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(data))
	}
	f.Add("问：\n答：\n问：a\nA: b")
	f.Fuzz(func(t *testing.T, s string) {
		doc, err := text.New().Parse(context.Background(), "f.txt", strings.NewReader(s))
		if err != nil {
			return
		}
		items, err := faqtext.New().Extract(context.Background(), doc)
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range items {
			if it.FAQ == nil || strings.TrimSpace(it.FAQ.Question) == "" || strings.TrimSpace(it.FAQ.Answer) == "" {
				t.Fatalf("empty question or answer: %+v", it)
			}
		}
	})
}
