package main

import (
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"sort"
	"strconv"
	"time"

	"github.com/lorehq/lore/chat"
	"github.com/lorehq/lore/configs"
	"github.com/lorehq/lore/ingest"
	"github.com/lorehq/lore/ingest/chunk"
	"github.com/lorehq/lore/ingest/csv"
	"github.com/lorehq/lore/ingest/docx"
	"github.com/lorehq/lore/ingest/faqtable"
	"github.com/lorehq/lore/ingest/faqtext"
	"github.com/lorehq/lore/ingest/glossary"
	"github.com/lorehq/lore/ingest/html"
	"github.com/lorehq/lore/ingest/markdown"
	"github.com/lorehq/lore/ingest/mine"
	"github.com/lorehq/lore/ingest/oplog"
	"github.com/lorehq/lore/ingest/passage"
	"github.com/lorehq/lore/ingest/pdf"
	"github.com/lorehq/lore/ingest/rules"
	"github.com/lorehq/lore/ingest/schedule"
	"github.com/lorehq/lore/ingest/text"
	"github.com/lorehq/lore/ingest/xlsx"
	"github.com/lorehq/lore/knowledge"
	"github.com/lorehq/lore/knowledge/qdrant"
	"github.com/lorehq/lore/knowledge/sqlite"
	"github.com/lorehq/lore/retrieval"
	"github.com/lorehq/lore/retrieval/embed"
	"github.com/lorehq/lore/retrieval/embed/remote"
	"github.com/lorehq/lore/retrieval/rerank"
	"github.com/lorehq/lore/retrieval/segment"
	"github.com/lorehq/lore/retrieval/understand"
	"github.com/lorehq/lore/ui"
)

// embedder embeds items at ingest and questions at search.
type embedder interface {
	EmbedItems(ctx context.Context, items []knowledge.Item) ([]knowledge.Vectors, error)
	EmbedQuery(ctx context.Context, text string) (knowledge.Vectors, error)
}

// app is Lore wired from one configuration.
type app struct {
	cfg    configs.Config
	store  knowledge.Store
	seg    *segment.Segmenter
	emb    embedder
	search *retrieval.Searcher
	chat   *chat.Service
	syn    *understand.Synonyms // query expansions, glossary synonyms included
	// closeEmb releases a model embedder's cache; nil for the offline one.
	closeEmb func() error
}

// embedding is the configured embedder with what the commands need to know
// of it.
type embedding struct {
	seg  *segment.Segmenter
	syn  *understand.Synonyms // the expansion list, its terms in seg's dictionary
	emb  embedder
	name string // the embedder, e.g. "offline-hash-v1"
	dim  int    // the dense dimension it makes
	// fingerprint names the embedding scheme the stores record: name and
	// a hash of the words added to seg's dictionary (see fingerprint).
	fingerprint string
	// close releases a model embedder's cache; nil for the offline one.
	close func() error
}

// openEmbedding builds the configured embedder: offline, or a model with
// the offline sparse part. Its segmenter keeps the terms of the expansion
// list and of the user dictionary whole: items and questions are segmented
// with the same dictionary, so these come from configuration only (the
// glossary, which changes with every ingest, feeds query expansion).
func openEmbedding(ctx context.Context, cfg configs.Config) (embedding, error) {
	seg, err := segment.New()
	if err != nil {
		return embedding{}, err
	}
	syn := understand.DefaultSynonyms()
	if p := cfg.Retrieval.Synonyms; p != "" {
		if syn, err = understand.LoadSynonyms(p); err != nil {
			return embedding{}, knowledge.Errorf(knowledge.Invalid, "config", "retrieval.synonyms: %w / 同义词表无效", err)
		}
	}
	words := syn.Terms()
	if p := cfg.Retrieval.UserDict; p != "" {
		user, err := segment.LoadWords(p)
		if err != nil {
			return embedding{}, knowledge.Errorf(knowledge.Invalid, "config", "retrieval.user_dict: %w / 用户词典无效", err)
		}
		words = append(words, user...)
	}
	if err := seg.AddWords(words...); err != nil {
		return embedding{}, err
	}
	offline := embed.NewOffline(seg, cfg.Retrieval.DenseDim)
	e := embedding{seg: seg, syn: syn, emb: offline, name: offline.Name(), dim: offline.Dim()}
	if m := cfg.Embedding; m.Provider != "" {
		r, err := remote.New(ctx, remote.Config{
			Provider: m.Provider, BaseURL: m.BaseURL, Model: m.Model, APIKey: m.APIKey, Dim: m.Dim,
			BatchSize: m.BatchSize, Timeout: m.Timeout, CacheDir: filepath.Join(cfg.DataDir, "embed-cache"),
		}, offline)
		if err != nil {
			return embedding{}, err
		}
		e.emb, e.name, e.dim, e.close = r, r.Name(), r.Dim(), r.Close
	}
	e.fingerprint = fingerprint(e.name, words, seg.Normalize)
	return e, nil
}

// fingerprint names an embedding scheme for the stores to record, e.g.
// "offline-hash-v1 vocab:3f2a9c1b": the embedder's name, then a hash of
// the words added to the segmenter's dictionary, normalised, sorted and
// de-duplicated. Items are segmented when they are indexed, so their
// sparse vectors depend on those words as much as on the embedder: a
// store refuses a configuration whose fingerprint differs from its own,
// and the two parts let it say which changed. Words the segmenter ignores
// (not Chinese, or in its dictionary already) count too: a needless
// reindex is cheaper than silently mixed vectors.
func fingerprint(name string, words []string, normalize func(string) string) string {
	set := make(map[string]bool, len(words))
	for _, w := range words {
		if w = normalize(w); w != "" {
			set[w] = true
		}
	}
	sorted := make([]string, 0, len(set))
	for w := range set {
		sorted = append(sorted, w)
	}
	sort.Strings(sorted)
	h := sha256.New()
	for _, w := range sorted {
		h.Write([]byte(w))
		h.Write([]byte{'\n'})
	}
	return knowledge.EmbeddingScheme(name, fmt.Sprintf("%x", h.Sum(nil)[:4]))
}

func openApp(ctx context.Context, cfg configs.Config) (*app, error) {
	if err := ensureDir(cfg.DataDir); err != nil {
		return nil, err
	}
	e, err := openEmbedding(ctx, cfg)
	if err != nil {
		return nil, err
	}
	seg, syn, emb, closeEmb := e.seg, e.syn, e.emb, e.close
	cfg.Retrieval.DenseDim = e.dim
	store, err := openStore(ctx, cfg, e.fingerprint)
	if err == nil {
		err = addGlossarySynonyms(ctx, store, syn)
		if err != nil {
			store.Close()
		}
	}
	if err != nil {
		if closeEmb != nil {
			closeEmb()
		}
		return nil, err
	}
	opt := retrieval.Options{
		Candidates:   cfg.Retrieval.Candidates,
		Limit:        cfg.Retrieval.Limit,
		DenseWeight:  cfg.Retrieval.DenseWeight,
		Understander: understand.New(seg, syn),
	}
	if r := cfg.Retrieval.Rerank; r.Model != "" {
		rr, err := rerank.New(rerank.Config{BaseURL: r.BaseURL, Model: r.Model, APIKey: r.APIKey, TopN: r.TopN, Timeout: r.Timeout})
		if err != nil {
			store.Close()
			if closeEmb != nil {
				closeEmb()
			}
			return nil, err
		}
		opt.Reranker = rr
	}
	search := retrieval.New(store, emb, opt)
	answer := chat.New(search, seg, chat.Options{
		Understander: opt.Understander,
		DefaultSpace: cfg.Space,
		Limit:        cfg.Retrieval.Limit,
		MaxSentences: cfg.Chat.MaxSentences,
		MinScore:     cfg.Chat.MinScore,
	})
	return &app{cfg: cfg, store: store, seg: seg, emb: emb, syn: syn, closeEmb: closeEmb, search: search, chat: answer}, nil
}

func (a *app) Close() error {
	if a.closeEmb != nil {
		a.closeEmb()
	}
	return a.store.Close()
}

// addGlossarySynonyms feeds the synonyms of the stored glossary terms
// (those reviewers have not rejected) to query expansion.
func addGlossarySynonyms(ctx context.Context, store knowledge.Store, syn *understand.Synonyms) error {
	f := knowledge.Filter{Kinds: []knowledge.Kind{knowledge.KindTerm}}
	for after := ""; ; {
		page, err := store.List(ctx, f, after, 500)
		if err != nil {
			return fmt.Errorf("load glossary: %w", err)
		}
		for _, it := range page {
			if it.Term != nil && len(it.Term.Synonyms) > 0 {
				syn.Add(it.Term.Term, it.Term.Synonyms...)
			}
		}
		if len(page) < 500 {
			return nil
		}
		after = page[len(page)-1].ID
	}
}

// openStore opens the configured backend: the embedded store in the data
// directory, or a Qdrant server. Either refuses a store whose vectors were
// made by another embedding scheme than scheme (see fingerprint).
func openStore(ctx context.Context, cfg configs.Config, scheme string) (knowledge.Store, error) {
	if cfg.Store.Backend != "qdrant" {
		return sqlite.Open(cfg.DataDir, sqlite.Options{Dim: cfg.Retrieval.DenseDim, Embedding: scheme})
	}
	qcfg, err := qdrantConfig(cfg)
	if err != nil {
		return nil, err
	}
	qcfg.Embedding = scheme
	return qdrant.Open(ctx, qcfg)
}

// qdrantConfig is the Qdrant store's configuration: the ledger collection
// is the item collection's name with "_sources".
func qdrantConfig(cfg configs.Config) (qdrant.Config, error) {
	q := cfg.Store.Qdrant
	u, err := url.Parse(q.URL)
	if err != nil || u.Hostname() == "" {
		return qdrant.Config{}, knowledge.Errorf(knowledge.Invalid, "config", "store.qdrant.url %q: want http://host:6334 / Qdrant 地址无效", q.URL)
	}
	port := qdrant.DefaultPort
	if u.Port() != "" {
		if port, err = strconv.Atoi(u.Port()); err != nil {
			return qdrant.Config{}, knowledge.Errorf(knowledge.Invalid, "config", "store.qdrant.url %q: bad port / 端口无效", q.URL)
		}
	}
	return qdrant.Config{
		Host:             u.Hostname(),
		Port:             port,
		UseTLS:           u.Scheme == "https",
		APIKey:           q.APIKey,
		Collection:       q.Collection,
		LedgerCollection: ledgerCollection(q.Collection),
		Dim:              cfg.Retrieval.DenseDim,
		Timeout:          q.Timeout,
	}, nil
}

// ledgerCollection names the ledger collection beside an item collection.
func ledgerCollection(items string) string { return items + "_sources" }

// pipeline returns the ingestion pipeline for a knowledge space.
func (a *app) pipeline(space string) (*ingest.Pipeline, error) {
	miner, err := mine.New(mine.DefaultPolicy())
	if err != nil {
		return nil, err
	}
	o := a.cfg.Mining.Oplog
	events := oplog.NewExtractor(oplog.Config{
		CaseColumn:     o.CaseColumn,
		ActivityColumn: o.ActivityColumn,
		TimeColumn:     o.TimeColumn,
		ResourceColumn: o.ResourceColumn,
		CaseType:       oplog.CaseTypeRule{Column: o.CaseTypeColumn},
		Outcome:        oplog.OutcomeRule{Column: o.OutcomeColumn, Activities: o.OutcomeActivities, Success: o.Success},
	})
	maxBytes := a.cfg.Ingest.MaxFileBytes
	passages := passage.New(chunk.Options{MaxChars: a.cfg.Ingest.ChunkChars})
	formats := ingest.Formats{
		Files: []ingest.FileExtractor{miner, events},
		Parsers: map[string]ingest.Parser{
			".md":       markdown.New(),
			".markdown": markdown.New(),
			".txt":      text.New(),
			".html":     html.New(),
			".htm":      html.New(),
			".pdf":      pdf.New(pdf.Options{MaxBytes: maxBytes}),
			".docx":     docx.New(docx.Options{}),
			".xlsx":     xlsx.New(xlsx.Options{}),
			".xlsm":     xlsx.New(xlsx.Options{}),
			".csv":      csv.New(),
			".tsv":      csv.New(),
		},
		Extractors: []ingest.Extractor{
			rules.New(rules.Options{}),
			faqtable.New(),
			faqtext.New(),
			passages,
		},
		Hints: map[string][]ingest.Extractor{
			"rule":    {rules.New(rules.Options{Force: true}), passages},
			"faq":     {faqtable.New(), faqtext.New(), passages},
			"passage": {passages},
		},
	}
	return ingest.New(a.store, a.emb, formats, ingest.Options{
		Space:        space,
		MaxFileBytes: maxBytes,
		Workers:      a.cfg.Ingest.Workers,
	}), nil
}

// ingest runs the pipeline once over roots, into the configured space.
func (a *app) ingest(ctx context.Context, roots []string, progress func(ingest.Event)) (ingest.Summary, error) {
	p, err := a.pipeline(a.cfg.Space)
	if err != nil {
		return ingest.Summary{}, err
	}
	sum, err := p.Run(ctx, roots, progress)
	if err != nil {
		return sum, err
	}
	return sum, a.refreshGlossary(ctx, a.cfg.Space)
}

// refreshGlossary rediscovers a space's terms when any source changed
// since the glossary was last stored. It goes by the ledger, not by what
// this run did, so a run killed or failing between its last file and the
// refresh is made good by the next one. The new terms' synonyms reach
// query expansion at once.
func (a *app) refreshGlossary(ctx context.Context, space string) error {
	srcs, err := a.store.Sources(ctx, space)
	if err != nil {
		return err
	}
	var glossarySeen, newest time.Time
	stored := false
	for _, src := range srcs {
		switch {
		case src.Path == glossary.SourcePath:
			stored, glossarySeen = true, src.Seen
		case src.Seen.After(newest):
			newest = src.Seen
		}
	}
	if stored && !newest.After(glossarySeen) || !stored && len(srcs) == 0 {
		return nil
	}
	if _, err := glossary.Refresh(ctx, a.store, a.emb, space, a.seg, glossary.Options{}); err != nil {
		return err
	}
	return addGlossarySynonyms(ctx, a.store, a.syn)
}

// ingestShares runs the configured shares, one after another.
func (a *app) ingestShares(ctx context.Context, shares []configs.Share, progress func(ingest.Event)) (ingest.Summary, error) {
	var total ingest.Summary
	for _, sh := range shares {
		sum, err := a.ingestShare(ctx, sh, progress)
		total.Add(sum)
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

func (a *app) ingestShare(ctx context.Context, sh configs.Share, progress func(ingest.Event)) (ingest.Summary, error) {
	space := sh.Space
	if space == "" {
		space = a.cfg.Space
	}
	p, err := a.pipeline(space)
	if err != nil {
		return ingest.Summary{}, err
	}
	sum, err := p.RunShares(ctx, []ingest.Share{{
		Name: sh.Name, Path: sh.Path, Include: sh.Include, Exclude: sh.Exclude, Kind: sh.Kind,
	}}, progress)
	if err != nil {
		return sum, err
	}
	return sum, a.refreshGlossary(ctx, space)
}

// schedule starts the scheduled shares; stop it when serving ends.
func (a *app) schedule(ctx context.Context, log io.Writer) (*schedule.Scheduler, error) {
	var jobs []schedule.Job
	for _, sh := range a.cfg.Shares {
		if sh.Schedule == "" {
			continue
		}
		sh := sh
		jobs = append(jobs, schedule.Job{Name: sh.Path, Spec: sh.Schedule, Run: func(ctx context.Context) error {
			sum, err := a.ingestShare(ctx, sh, nil)
			if err == nil {
				fmt.Fprintf(log, "scheduled ingest / 定时导入 %s: ", sh.Path)
				printSummary(log, sum)
			}
			return err
		}})
	}
	return schedule.Start(ctx, jobs, func(job string, err error) {
		if err != nil {
			fmt.Fprintf(log, "scheduled ingest / 定时导入 %s failed / 失败: %v\n", job, err)
		}
	})
}

// serve runs the HTTP server until ctx ends, printing its URL when ready.
func (a *app) serve(ctx context.Context, stdout io.Writer) error {
	srv, err := ui.New(a.cfg.Server, ui.Deps{
		Asker:        a.chat,
		Searcher:     searchAdapter{a.search},
		Ledger:       a.store,
		DefaultSpace: a.cfg.Space,
	})
	if err != nil {
		return err
	}
	return srv.Listen(ctx, a.cfg.Server.Addr, func(url string) {
		fmt.Fprintf(stdout, "Lore is serving at / 服务地址: %s\n", url)
	})
}

// searchAdapter fits the retrieval searcher to the UI's Searcher.
type searchAdapter struct{ s *retrieval.Searcher }

func (a searchAdapter) Search(ctx context.Context, text string, f knowledge.Filter, limit int) ([]knowledge.Hit, error) {
	return a.s.Search(ctx, retrieval.Request{Text: text, Filter: f, Limit: limit})
}
