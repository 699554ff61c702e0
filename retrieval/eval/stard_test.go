package eval

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/lorehq/lore/ingest"
	"github.com/lorehq/lore/ingest/chunk"
	"github.com/lorehq/lore/ingest/markdown"
	"github.com/lorehq/lore/ingest/passage"
	"github.com/lorehq/lore/ingest/rules"
	"github.com/lorehq/lore/ingest/text"
	"github.com/lorehq/lore/knowledge"
	"github.com/lorehq/lore/knowledge/sqlite"
	"github.com/lorehq/lore/retrieval"
	"github.com/lorehq/lore/retrieval/embed"
	"github.com/lorehq/lore/retrieval/segment"
	"github.com/lorehq/lore/retrieval/understand"
)

// benchDir is the shared benchmark folder (see its README); tests that
// need it skip when it is absent.
const benchDir = "../../../shared/bench"

// newSegmenter returns a Segmenter; with dict, the expansion list's terms
// are added to its dictionary, as cmd/lore adds them.
func newSegmenter(tb testing.TB, dict bool) *segment.Segmenter {
	tb.Helper()
	seg, err := segment.New()
	if err == nil && dict {
		err = seg.AddWords(understand.DefaultSynonyms().Terms()...)
	}
	if err != nil {
		tb.Fatal(err)
	}
	return seg
}

// stardBench is the statutes of the shared bench ingested as Lore ingests
// them, with the dev questions.
type stardBench struct {
	store *sqlite.Store
	seg   *segment.Segmenter
	emb   *embed.Offline
	qs    []Question
}

// openStard ingests ../shared/bench/laws into a fresh embedded store with
// the production pipeline (Markdown and text parsers, the rule extractor,
// passages as the fallback, the offline embedder of dimension dim over a
// segmenter with or without the domain dictionary), or skips when the
// bench is absent.
func openStard(tb testing.TB, dim int, dict bool) *stardBench {
	tb.Helper()
	laws := filepath.Join(benchDir, "laws")
	qpath := filepath.Join(benchDir, "stard-laws-dev.jsonl")
	if _, err := os.Stat(qpath); err != nil {
		tb.Skipf("bench not present: %v", err)
	}
	qs, err := LoadQuestions(qpath)
	if err != nil {
		tb.Fatal(err)
	}
	seg := newSegmenter(tb, dict)
	store, err := sqlite.Open(tb.TempDir(), sqlite.Options{Dim: dim})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { store.Close() })
	emb := embed.NewOffline(seg, dim)
	p := ingest.New(store, emb, ingest.Formats{
		Parsers: map[string]ingest.Parser{".md": markdown.New(), ".txt": text.New()},
		Extractors: []ingest.Extractor{
			rules.New(rules.Options{}),
			passage.New(chunk.Options{}),
		},
	}, ingest.Options{Space: "bench", Workers: 2})
	sum, err := p.Run(context.Background(), []string{laws}, nil)
	if err != nil {
		tb.Fatal(err)
	}
	if sum.Quarantined > 0 {
		tb.Fatalf("quarantined: %+v", sum.Problems)
	}
	// ../shared/bench/README.md: 27 statutes, 2,917 articles; each article
	// is one rule item in the store.
	st, err := store.Stats(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	if st.ByKind[knowledge.KindRule] != 2917 || sum.New != 27 {
		tb.Fatalf("ingested %d files into %d rule items, want 27 files and 2,917 articles", sum.New, st.ByKind[knowledge.KindRule])
	}
	return &stardBench{store: store, seg: seg, emb: emb, qs: qs}
}

func ruleFilter() knowledge.Filter {
	return knowledge.Filter{Kinds: []knowledge.Kind{knowledge.KindRule}}
}

// benchDim is the dense dimension of the bench store: LORE_EVAL_DIM, or
// 256, the configs default (retrieval.dense_dim).
func benchDim(tb testing.TB) int {
	tb.Helper()
	v := os.Getenv("LORE_EVAL_DIM")
	if v == "" {
		return 256
	}
	d, err := strconv.Atoi(v)
	if err != nil || d < 8 {
		tb.Fatalf("LORE_EVAL_DIM=%q: want a dimension of at least 8", v)
	}
	return d
}

// TestSTARD measures the offline default, wired as cmd/lore wires it, on
// the STARD dev questions over the statutes ingested by the production
// pipeline, against the BM25 baseline, with the ablation ladder and the
// rejected alternatives as further rows. LORE_EVAL_JSON=path also writes
// the report as JSON. The figures are in ABLATION.md.
func TestSTARD(t *testing.T) {
	b := openStard(t, benchDim(t), true)
	// The same default over items and questions segmented without the
	// domain dictionary, for the ablation.
	nd := openStard(t, benchDim(t), false)
	ctx := context.Background()
	u := understand.New(b.seg, understand.DefaultSynonyms())
	opt := retrieval.Options{Candidates: 100, Understander: u} // as cmd/lore wires it
	f := DefaultFilter(b.qs)
	alt := func(name string, change func(o *retrieval.Options)) System {
		o := opt
		change(&o)
		return NewSearchSystem(name, retrieval.New(b.store, b.emb, o), f)
	}
	ndOpt := opt
	ndOpt.Understander = understand.New(nd.seg, understand.DefaultSynonyms())
	extra := append(Ladder(b.store, b.emb, u, opt, f),
		NewSearchSystem("alt: no domain dictionary", retrieval.New(nd.store, nd.emb, ndOpt), f),
		alt("alt: expansion weight 1", func(o *retrieval.Options) { o.ExpansionWeight = 1 }),
		alt("alt: dense weight 0.05", func(o *retrieval.Options) { o.DenseWeight = 0.05 }),
		alt("alt: dense weight 0.3", func(o *retrieval.Options) { o.DenseWeight = 0.3 }),
		alt("alt: dense weight 1", func(o *retrieval.Options) { o.DenseWeight = 1 }),
		alt("alt: mmr 1 (off)", func(o *retrieval.Options) { o.MMRLambda = 1 }),
		alt("alt: mmr 0.5", func(o *retrieval.Options) { o.MMRLambda = 0.5 }),
	)
	rep, err := Evaluate(ctx, b.qs, Config{
		Name:     "lore default",
		Searcher: retrieval.New(b.store, b.emb, opt),
		Items:    b.store,
		Extra:    extra,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("dense dim %d\n%s", b.emb.Dim(), rep)
	if p := os.Getenv("LORE_EVAL_JSON"); p != "" {
		fh, err := os.Create(p)
		if err != nil {
			t.Fatal(err)
		}
		defer fh.Close()
		if err := rep.WriteJSON(fh); err != nil {
			t.Fatal(err)
		}
	}
	base, lore := rep.Systems[0].Metrics, rep.Systems[1].Metrics
	if lore.Hit5 < base.Hit5+0.01 || lore.MRR10 < base.MRR10+0.01 {
		t.Errorf("lore default Hit@5 %.3f MRR@10 %.3f; want both at least 0.01 above BM25's %.3f and %.3f",
			lore.Hit5, lore.MRR10, base.Hit5, base.MRR10)
	}
}
