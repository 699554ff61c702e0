package rules_test

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/lorehq/lore/ingest"
	"github.com/lorehq/lore/ingest/markdown"
	"github.com/lorehq/lore/ingest/rules"
	"github.com/lorehq/lore/ingest/text"
	"github.com/lorehq/lore/knowledge"
)

// lawsDir is the statute folder of the shared bench (see its README).
const lawsDir = "../../../shared/bench/laws"

// lawsTotal is the article count the bench README states.
const lawsTotal = 2917

// lawArticleRe is the independent scan of the bench files: a line that
// starts with an article number followed by white space.
var lawArticleRe = regexp.MustCompile(`^(第[一二三四五六七八九十百千零〇]+条(?:之[一二三四五六七八九十]+)?)[ \x{3000}]`)

// lawFile is one bench file with what a simple line scan finds in it.
type lawFile struct {
	path     string
	title    string   // the first "# " line
	articles []string // article numbers, in order
}

// scanLaws lists the bench files, or skips the test when the bench is
// absent.
func scanLaws(tb testing.TB) []lawFile {
	tb.Helper()
	var files []lawFile
	err := filepath.WalkDir(lawsDir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !(strings.HasSuffix(p, ".md") || strings.HasSuffix(p, ".txt")) {
			return nil
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		lf := lawFile{path: p}
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 1<<20), 1<<24)
		for sc.Scan() {
			line := sc.Text()
			if lf.title == "" && strings.HasPrefix(line, "# ") {
				lf.title = strings.TrimSpace(line[2:])
			}
			if m := lawArticleRe.FindStringSubmatch(line); m != nil {
				lf.articles = append(lf.articles, m[1])
			}
		}
		files = append(files, lf)
		return sc.Err()
	})
	if os.IsNotExist(err) {
		tb.Skipf("bench not present: %s", lawsDir)
	}
	if err != nil {
		tb.Fatal(err)
	}
	sort.Slice(files, func(i, j int) bool { return files[i].path < files[j].path })
	return files
}

// parseFile parses a bench or fixture file with the project's parser for
// its extension.
func parseFile(tb testing.TB, path string) *ingest.Document {
	tb.Helper()
	var p ingest.Parser
	switch filepath.Ext(path) {
	case ".md":
		p = markdown.New()
	case ".txt":
		p = text.New()
	default:
		tb.Fatalf("no parser for %s", path)
	}
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	doc, err := p.Parse(context.Background(), path, f)
	if err != nil {
		tb.Fatalf("parse %s: %v", path, err)
	}
	return doc
}

func TestExtractLaws(t *testing.T) {
	files := scanLaws(t)
	ex := rules.New(rules.Options{})
	total, scanned := 0, 0
	for _, lf := range files {
		doc := parseFile(t, lf.path)
		items, err := ex.Extract(context.Background(), doc)
		if err != nil {
			t.Fatalf("%s: %v", lf.path, err)
		}
		total += len(items)
		scanned += len(lf.articles)
		got := make([]string, len(items))
		for i, it := range items {
			got[i] = it.Rule.Article
			if it.Kind != knowledge.KindRule || it.Rule.DocTitle != lf.title {
				t.Errorf("%s: item %d: kind %q, law title %q, want %q", lf.path, i, it.Kind, it.Rule.DocTitle, lf.title)
			}
			if it.Title != lf.title+" "+it.Rule.Article || it.Provenance[0].Article != it.Rule.Article {
				t.Errorf("%s: item %d: title %q, provenance article %q", lf.path, i, it.Title, it.Provenance[0].Article)
			}
			if !strings.HasPrefix(it.Body, it.Rule.Article) {
				t.Errorf("%s: body of %s does not start with its number: %.40q", lf.path, it.Rule.Article, it.Body)
			}
		}
		if strings.Join(got, ",") != strings.Join(lf.articles, ",") {
			t.Errorf("%s: %d articles, scan finds %d\n got: %v\nwant: %v", lf.path, len(got), len(lf.articles), got, lf.articles)
		}
	}
	if scanned != lawsTotal {
		t.Errorf("line scan finds %d articles, README states %d", scanned, lawsTotal)
	}
	if total != lawsTotal {
		t.Errorf("extracted %d rule items, want %d", total, lawsTotal)
	}
	t.Logf("%d files, %d rule items", len(files), total)
}

func BenchmarkExtractLaws(b *testing.B) {
	files := scanLaws(b)
	docs := make([]*ingest.Document, len(files))
	for i, lf := range files {
		docs[i] = parseFile(b, lf.path)
	}
	ex := rules.New(rules.Options{})
	ctx := context.Background()
	articles := 0
	b.ResetTimer()
	for b.Loop() {
		for _, d := range docs {
			items, err := ex.Extract(ctx, d)
			if err != nil {
				b.Fatal(err)
			}
			articles += len(items)
		}
	}
	b.ReportMetric(float64(articles)/b.Elapsed().Seconds(), "articles/s")
}
