package main

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/lorehq/lore/configs"
	"github.com/lorehq/lore/demo"
	"github.com/lorehq/lore/knowledge/sqlite"
	"github.com/lorehq/lore/retrieval"
)

// benchApp opens Lore on a fresh data directory with the demo corpus
// unpacked beside it; the segmenter load (about a second) is outside the
// timed part.
func benchApp(b *testing.B) (*app, string) {
	b.Helper()
	cfg := configs.Default()
	cfg.DataDir = b.TempDir()
	cfg.Mining.Oplog = demoOplog
	a, err := openApp(context.Background(), cfg)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { a.Close() })
	dir := filepath.Join(b.TempDir(), "demo")
	if err := demo.Extract(dir); err != nil {
		b.Fatal(err)
	}
	return a, dir
}

func corpusBytes(b *testing.B, dir string) (n int64, files int) {
	b.Helper()
	err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		fi, err := d.Info()
		n += fi.Size()
		files++
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	return n, files
}

// BenchmarkIngestDemo ingests the whole demo corpus (rules in five
// formats, dialogues, an operation log) into a new store per iteration:
// parse, extract, mine, embed and commit.
func BenchmarkIngestDemo(b *testing.B) {
	a, dir := benchApp(b)
	size, files := corpusBytes(b, dir)
	b.SetBytes(size)
	ingestFresh(b, a, dir, files)
}

// ingestFresh ingests root, holding files files, into a new store per
// iteration (opening it is not timed) and reports files/s.
func ingestFresh(b *testing.B, a *app, root string, files int) {
	for b.Loop() {
		b.StopTimer()
		a.store.Close()
		st, err := sqlite.Open(b.TempDir(), sqlite.Options{Dim: a.cfg.Retrieval.DenseDim})
		if err != nil {
			b.Fatal(err)
		}
		a.store = st
		b.StartTimer()
		sum, err := a.ingest(context.Background(), []string{root}, nil)
		if err != nil || sum.New != files {
			b.Fatalf("ingest: %+v, %v", sum, err)
		}
	}
	b.ReportMetric(float64(files*b.N)/b.Elapsed().Seconds(), "files/s")
}

// BenchmarkSearchDemo runs the demo questions through the searcher
// (understanding, embedding, hybrid search, MMR) over the ingested demo.
func BenchmarkSearchDemo(b *testing.B) {
	a, dir := benchApp(b)
	if _, err := a.ingest(context.Background(), []string{dir}, nil); err != nil {
		b.Fatal(err)
	}
	qs, err := demo.Questions()
	if err != nil {
		b.Fatal(err)
	}
	var lat []time.Duration
	i := 0
	for b.Loop() {
		start := time.Now()
		if _, err := a.search.Search(context.Background(), retrieval.Request{Text: qs[i%len(qs)].Q}); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(start))
		i++
	}
	reportPercentiles(b, lat)
}

func reportPercentiles(b *testing.B, lat []time.Duration) {
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	at := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) / 1000 }
	b.ReportMetric(at(0.50), "p50-ms")
	b.ReportMetric(at(0.99), "p99-ms")
}

// BenchmarkRescanUnchanged10k measures re-running ingest over a share of
// 10,000 files none of which changed: a walk and a stat per file against
// the ledger, no reading or hashing. The first ingest is setup.
func BenchmarkRescanUnchanged10k(b *testing.B) {
	const n = 10000
	a, _ := benchApp(b)
	share := filepath.Join(b.TempDir(), "notices")
	for i := 0; i < n; i++ {
		dir := filepath.Join(share, fmt.Sprintf("%02d", i%100))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			b.Fatal(err)
		}
		body := fmt.Sprintf("# 第%d号通知\n\n借款人编号%d的还款提醒已发送，客服应当在受理后%d个工作日内回复。\n", i, i, i%5+1)
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("n%05d.md", i)), []byte(body), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	if sum, err := a.ingest(context.Background(), []string{share}, nil); err != nil || sum.New != n {
		b.Fatalf("setup ingest: %+v, %v", sum, err)
	}
	for b.Loop() {
		sum, err := a.ingest(context.Background(), []string{share}, nil)
		if err != nil || sum.Unchanged != n {
			b.Fatalf("rescan: %+v, %v", sum, err)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "files/s")
}

// BenchmarkIngestFormat ingests a share of 20 files of one format into a
// new store per iteration: read, parse, extract, embed and commit.
func BenchmarkIngestFormat(b *testing.B) {
	corpus := demo.Corpus()
	read := func(name string) []byte {
		data, err := fs.ReadFile(corpus, name)
		if err != nil {
			b.Fatal(err)
		}
		return data
	}
	formats := []struct {
		ext  string
		data []byte
	}{
		{".md", read("rules/催收作业管理办法.md")},
		{".html", read("rules/客户投诉处理规程.html")},
		{".txt", read("rules/随心贷产品常见问题.txt")},
		{".pdf", read("rules/个人贷款提前还款与展期操作细则.pdf")},
		{".docx", docxFile(b)},
		{".xlsx", xlsxFAQ(b)},
	}
	a, _ := benchApp(b)
	for _, f := range formats {
		b.Run(f.ext[1:], func(b *testing.B) {
			const files = 20
			share := filepath.Join(b.TempDir(), "share")
			for i := 0; i < files; i++ {
				write(b, share, fmt.Sprintf("doc%02d%s", i, f.ext), f.data)
			}
			b.SetBytes(int64(files * len(f.data)))
			ingestFresh(b, a, share, files)
		})
	}
}
