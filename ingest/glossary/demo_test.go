package glossary

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/go-ego/gse"

	"github.com/lorehq/lore/ingest"
	"github.com/lorehq/lore/ingest/dialogue"
	"github.com/lorehq/lore/ingest/html"
	"github.com/lorehq/lore/ingest/markdown"
	"github.com/lorehq/lore/ingest/pdf"
	"github.com/lorehq/lore/ingest/text"
)

const demoDir = "../../demo/corpus"

// demoDocuments parses the demo corpus's rule documents and dialogues.
func demoDocuments(t testing.TB) []*ingest.Document {
	t.Helper()
	if _, err := os.Stat(demoDir); err != nil {
		t.Skipf("demo corpus absent: %v", err)
	}
	parsers := map[string]ingest.Parser{
		".md":    markdown.New(),
		".txt":   text.New(),
		".html":  html.New(),
		".pdf":   pdf.New(pdf.Options{}),
		".jsonl": dialogue.NewParser(),
	}
	var docs []*ingest.Document
	for _, pattern := range []string{"rules/*", "dialogues/*.jsonl"} {
		names, err := filepath.Glob(filepath.Join(demoDir, pattern))
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range names {
			p := parsers[filepath.Ext(name)]
			if p == nil {
				continue
			}
			f, err := os.Open(name)
			if err != nil {
				t.Fatal(err)
			}
			doc, err := p.Parse(context.Background(), name, f)
			f.Close()
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			docs = append(docs, doc)
		}
	}
	return docs
}

func TestDemoCorpus(t *testing.T) {
	docs := demoDocuments(t)
	g, err := gse.NewEmbed("zh_s")
	if err != nil {
		t.Fatalf("load gse dictionary: %v", err)
	}
	known := KnownFunc(func(w string) bool { _, _, ok := g.Find(w); return ok })
	res, err := DiscoverSeq(context.Background(), DocumentTexts(docs...), known, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("stats %+v; %d terms, %d synonym candidates", res.Stats, len(res.Terms), len(res.Synonyms))
	var found []string
	for i, tm := range res.Terms {
		found = append(found, tm.Term)
		if i < 40 {
			t.Logf("%2d %-8s f=%-3d pmi=%.2f H=%.2f/%.2f score=%.2f def=%q", i+1, tm.Term, tm.Freq, tm.PMI, tm.LeftEntropy, tm.RightEntropy, tm.Score, tm.Definition)
		}
	}
	for i, p := range res.Synonyms {
		if i < 15 {
			t.Logf("synonym candidate %s ~ %s %.2f", p.A, p.B, p.Similarity)
		}
	}
	for _, want := range []string{"随心贷", "安心分"} {
		if !slices.Contains(found, want) {
			t.Errorf("product name %s not found among %d terms: %s", want, len(found), strings.Join(found, " "))
		}
	}
}
