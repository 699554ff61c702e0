package ingest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/lorehq/lore/knowledge"
)

// Sink is the part of a knowledge.Store the pipeline writes to.
type Sink interface {
	SyncSource(ctx context.Context, src knowledge.Source, recs []knowledge.Record) (knowledge.SyncResult, error)
	RetireSource(ctx context.Context, space, path string) (int, error)
	MarkSource(ctx context.Context, src knowledge.Source) error
	Sources(ctx context.Context, space string) ([]knowledge.Source, error)
}

// Embedder computes the vectors of items, one Vectors per item, in order.
type Embedder interface {
	EmbedItems(ctx context.Context, items []knowledge.Item) ([]knowledge.Vectors, error)
}

// Extractor turns a parsed document into knowledge items. Items need no ID,
// space, status or source provenance: the pipeline sets those. An extractor
// returns nil when the document is not its kind.
type Extractor interface {
	Extract(ctx context.Context, doc *Document) ([]knowledge.Item, error)
}

// FileExtractor mines a whole file as one corpus, with no Document in
// between: dialogue logs, event logs. Accepts sees the file's name and its
// first bytes (up to 4 KiB) and says whether the file is its kind. Items
// are completed by the pipeline as an Extractor's are; warnings are
// problems with single records (with their line) that did not stop mining.
type FileExtractor interface {
	Accepts(name string, head []byte) bool
	ExtractFile(ctx context.Context, name string, r io.Reader) (items []knowledge.Item, warnings []string, err error)
}

// Formats say how the pipeline reads files.
type Formats struct {
	// Files are tried first, in order; the first that accepts a file
	// handles it.
	Files []FileExtractor
	// Parsers maps file extensions (".pdf") to the parser for them.
	Parsers map[string]Parser
	// Extractors run in order on a parsed document; the first that finds
	// items decides what the document becomes (a rule document becomes
	// rules, not rules and passages). Put the catch-all (passages) last.
	Extractors []Extractor
	// Hints replace Extractors for the documents of a share with that kind
	// hint ("rule", "faq", "passage"): the operator knows better than the
	// detector. A hint not listed here is ignored.
	Hints map[string][]Extractor
}

// Options configure a Pipeline.
type Options struct {
	Space        string // knowledge space the items go to
	MaxFileBytes int64  // larger files are quarantined; <= 0 means 200 MB
	Workers      int    // files processed in parallel; <= 0 means 1
	// Now returns the time stamped on ledger entries; nil means time.Now.
	Now func() time.Time
}

// Pipeline ingests files into a Sink. It is safe to run one Pipeline's Run
// calls one after another; concurrent runs over the same store serialise
// in the store's transactions.
type Pipeline struct {
	sink    Sink
	emb     Embedder
	formats Formats // Parsers keyed by lower-case extension with dot
	opt     Options
}

// New returns a pipeline reading the formats given.
func New(sink Sink, emb Embedder, formats Formats, opt Options) *Pipeline {
	if opt.MaxFileBytes <= 0 {
		opt.MaxFileBytes = 200 << 20
	}
	if opt.Workers <= 0 {
		opt.Workers = 1
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	ps := make(map[string]Parser, len(formats.Parsers))
	for ext, p := range formats.Parsers {
		ps[strings.ToLower(ext)] = p
	}
	formats.Parsers = ps
	return &Pipeline{sink: sink, emb: emb, formats: formats, opt: opt}
}

// Outcome is what happened to one file.
type Outcome string

// File outcomes.
const (
	OutcomeNew         Outcome = "new"
	OutcomeChanged     Outcome = "changed"
	OutcomeUnchanged   Outcome = "unchanged"
	OutcomeQuarantined Outcome = "quarantined"
	OutcomeRetired     Outcome = "retired"
)

// Event reports progress: one event per file, after the file is done.
type Event struct {
	Path    string // source name, as stored in provenance
	Outcome Outcome
	Items   int    // items the file contributes now
	Reason  string // for quarantined files
	// Warnings are problems with parts of the file (a malformed record at
	// a line) that did not stop it from being ingested.
	Warnings []string
	Done     int // files finished so far in this run
	Total    int // files discovered in this run
}

// Problem is a quarantined file and why.
type Problem struct {
	Path   string `json:"path"`
	Reason string `json:"reason"`
}

// Summary counts what a run did.
type Summary struct {
	Seen        int           `json:"seen"`
	New         int           `json:"new"`
	Changed     int           `json:"changed"`
	Unchanged   int           `json:"unchanged"`
	Retired     int           `json:"retired"`
	Quarantined int           `json:"quarantined"`
	Items       int           `json:"items"`       // items the processed files contribute
	ItemsAdded  int           `json:"items_added"` // items new to the store
	Problems    []Problem     `json:"problems"`    // quarantined files, by path
	Warnings    []Problem     `json:"warnings"`    // problems within ingested files
	Duration    time.Duration `json:"duration_ns"`
}

// Add counts o into s, for runs over several shares.
func (s *Summary) Add(o Summary) {
	s.Seen += o.Seen
	s.New += o.New
	s.Changed += o.Changed
	s.Unchanged += o.Unchanged
	s.Retired += o.Retired
	s.Quarantined += o.Quarantined
	s.Items += o.Items
	s.ItemsAdded += o.ItemsAdded
	s.Problems = append(s.Problems, o.Problems...)
	s.Warnings = append(s.Warnings, o.Warnings...)
	s.Duration += o.Duration
}

// file is one discovered input.
type file struct {
	abs  string // where to read it
	name string // source name: root name + "/" + slash path under the root
	info fs.FileInfo
	kind string // the share's kind hint
}

// Share is a folder of documents kept in step with the store.
type Share struct {
	// Name prefixes the source names of its files ("<name>/<path>"); empty
	// means the base name of Path.
	Name string
	Path string // a directory, or a single file
	// Include and Exclude are globs over slash paths relative to Path
	// ("**/*.pdf", "drafts/**", "~$*"); a pattern without a slash matches
	// the file's base name. Empty Include takes every file.
	Include, Exclude []string
	// Kind is a hint naming the extractor chain for its documents (see
	// Formats.Hints); empty lets the content decide.
	Kind string
}

// Run ingests every file under roots, each root a Share with no globs or
// hint. See RunShares.
func (p *Pipeline) Run(ctx context.Context, roots []string, progress func(Event)) (Summary, error) {
	shares := make([]Share, len(roots))
	for i, r := range roots {
		shares[i] = Share{Path: r}
	}
	return p.RunShares(ctx, shares, progress)
}

// RunShares ingests the files of the shares. A share that is a directory is
// walked in full: ledger entries under its name whose files are gone (or no
// longer match its globs) are retired. A share that is a file is named by
// its base name. A file that cannot be ingested is quarantined with its
// reason and the run goes on; RunShares fails only when a share cannot be
// read at all, the store fails, or ctx ends. progress may be nil; it is
// called from one goroutine at a time.
func (p *Pipeline) RunShares(ctx context.Context, roots []Share, progress func(Event)) (Summary, error) {
	start := time.Now()
	var sum Summary
	var files []file
	var shares []string
	for _, root := range roots {
		fs, share, err := discover(root)
		if err != nil {
			return sum, err
		}
		if share != "" && slices.Contains(shares, share) {
			return sum, knowledge.Errorf(knowledge.Invalid, "ingest.Run",
				"two shares are named %q; their files would overwrite each other: give them distinct names / 两个共享目录同名 %q，请为其指定不同名称", share, share)
		}
		files = append(files, fs...)
		if share != "" {
			shares = append(shares, share)
		}
	}
	ledger, err := p.sink.Sources(ctx, p.opt.Space)
	if err != nil {
		return sum, fmt.Errorf("ingest: read ledger: %w", err)
	}
	known := make(map[string]knowledge.Source, len(ledger))
	for _, s := range ledger {
		known[s.Path] = s
	}

	total := len(files)
	var (
		mu       sync.Mutex
		done     int
		firstErr error
	)
	report := func(ev Event) {
		mu.Lock()
		defer mu.Unlock()
		done++
		ev.Done, ev.Total = done, total
		sum.Seen++
		switch ev.Outcome {
		case OutcomeNew:
			sum.New++
		case OutcomeChanged:
			sum.Changed++
		case OutcomeUnchanged:
			sum.Unchanged++
		case OutcomeQuarantined:
			sum.Quarantined++
			sum.Problems = append(sum.Problems, Problem{Path: ev.Path, Reason: ev.Reason})
		}
		sum.Items += ev.Items
		for _, w := range ev.Warnings {
			sum.Warnings = append(sum.Warnings, Problem{Path: ev.Path, Reason: w})
		}
		if progress != nil {
			progress(ev)
		}
	}

	work := make(chan file)
	var wg sync.WaitGroup
	for w := 0; w < p.opt.Workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for f := range work {
				prev, seen := known[f.name]
				ev, added, err := p.ingestFile(ctx, f, prev, seen)
				if err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
					continue
				}
				mu.Lock()
				sum.ItemsAdded += added
				mu.Unlock()
				report(ev)
			}
		}()
	}
feed:
	for _, f := range files {
		mu.Lock()
		stop := firstErr != nil
		mu.Unlock()
		if stop {
			break
		}
		select {
		case work <- f:
		case <-ctx.Done():
			break feed
		}
	}
	close(work)
	wg.Wait()
	if firstErr != nil {
		return sum, firstErr
	}
	if err := ctx.Err(); err != nil {
		return sum, fmt.Errorf("ingest: %w", err)
	}

	// Retire what disappeared from the shares walked in full.
	present := make(map[string]bool, len(files))
	for _, f := range files {
		present[f.name] = true
	}
	for _, s := range ledger {
		if present[s.Path] || s.Status == knowledge.SourceRetired || !underAny(s.Path, shares) {
			continue
		}
		if _, err := p.sink.RetireSource(ctx, p.opt.Space, s.Path); err != nil {
			return sum, fmt.Errorf("ingest: retire %s: %w", s.Path, err)
		}
		sum.Retired++
		if progress != nil {
			progress(Event{Path: s.Path, Outcome: OutcomeRetired, Done: done, Total: total})
		}
	}
	sort.Slice(sum.Problems, func(i, j int) bool { return sum.Problems[i].Path < sum.Problems[j].Path })
	sort.SliceStable(sum.Warnings, func(i, j int) bool { return sum.Warnings[i].Path < sum.Warnings[j].Path })
	sum.Duration = time.Since(start)
	return sum, nil
}

func underAny(path string, shares []string) bool {
	for _, s := range shares {
		if strings.HasPrefix(path, s+"/") {
			return true
		}
	}
	return false
}

// discover lists the files of a share. Hidden files and directories (names
// starting with ".") are skipped. name is the share's name for a directory,
// "" for a single file.
func discover(sh Share) (files []file, name string, err error) {
	root := sh.Path
	for _, g := range append(append([]string(nil), sh.Include...), sh.Exclude...) {
		if _, err := globRegexp(g); err != nil {
			return nil, "", knowledge.Errorf(knowledge.Invalid, "ingest.Run", "share %s: bad glob %q / 通配符无效: %w", root, g, err)
		}
	}
	info, err := os.Stat(root)
	if err != nil {
		return nil, "", knowledge.Errorf(knowledge.Invalid, "ingest.Run", "cannot read %s / 无法读取 %s: %w", root, root, err)
	}
	if !info.IsDir() {
		return []file{{abs: root, name: filepath.Base(root), info: info, kind: sh.Kind}}, "", nil
	}
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, "", fmt.Errorf("ingest: resolve %s: %w", root, err)
	}
	name = sh.Name
	if name == "" {
		name = filepath.Base(abs)
	}
	err = filepath.WalkDir(abs, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if path != abs && strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() || !d.Type().IsRegular() {
			return nil
		}
		rel, err := filepath.Rel(abs, path)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if !selected(rel, sh.Include, sh.Exclude) {
			return nil
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		files = append(files, file{abs: path, name: name + "/" + rel, info: fi, kind: sh.Kind})
		return nil
	})
	if err != nil {
		return nil, "", knowledge.Errorf(knowledge.Invalid, "ingest.Run", "cannot walk %s / 无法遍历 %s: %w", root, root, err)
	}
	sort.Slice(files, func(i, j int) bool { return files[i].name < files[j].name })
	return files, name, nil
}

// selected reports whether a slash path passes the include and exclude
// globs. The globs were checked by discover.
func selected(rel string, include, exclude []string) bool {
	match := func(globs []string) bool {
		for _, g := range globs {
			re, _ := globRegexp(g)
			target := rel
			if !strings.Contains(g, "/") {
				target = path.Base(rel)
			}
			if re.MatchString(target) {
				return true
			}
		}
		return false
	}
	return (len(include) == 0 || match(include)) && !match(exclude)
}

// globRegexp compiles a glob: ** matches across directories, * and ?
// within one, [...] a character class.
func globRegexp(g string) (*regexp.Regexp, error) {
	var b strings.Builder
	b.WriteString("^")
	for i := 0; i < len(g); i++ {
		switch c := g[i]; c {
		case '*':
			if i+1 < len(g) && g[i+1] == '*' {
				i++
				if i+1 < len(g) && g[i+1] == '/' {
					i++
					b.WriteString("(?:.*/)?")
				} else {
					b.WriteString(".*")
				}
			} else {
				b.WriteString("[^/]*")
			}
		case '?':
			b.WriteString("[^/]")
		case '[':
			j := strings.IndexByte(g[i:], ']')
			if j < 0 {
				return nil, errors.New("unclosed [")
			}
			b.WriteString(g[i : i+j+1])
			i += j
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	b.WriteString("$")
	return regexp.Compile(b.String())
}

// ingestFile handles one file. It returns an error only for failures that
// should stop the run (the store failing, ctx ending); problems with the
// file itself become a quarantine event.
func (p *Pipeline) ingestFile(ctx context.Context, f file, prev knowledge.Source, seen bool) (Event, int, error) {
	src := knowledge.Source{
		Space:   p.opt.Space,
		Path:    f.name,
		Size:    f.info.Size(),
		ModTime: f.info.ModTime().UTC(),
		Format:  strings.TrimPrefix(strings.ToLower(filepath.Ext(f.name)), "."),
		Seen:    p.opt.Now().UTC(),
	}
	indexed := seen && prev.Status == knowledge.SourceIndexed
	if indexed && prev.Size == src.Size && prev.ModTime.Equal(src.ModTime) {
		return Event{Path: f.name, Outcome: OutcomeUnchanged, Items: prev.Items}, 0, nil
	}
	if seen && prev.Status == knowledge.SourceQuarantined && prev.Size == src.Size && prev.ModTime.Equal(src.ModTime) {
		// Still the file that failed: report it again without rereading.
		return Event{Path: f.name, Outcome: OutcomeQuarantined, Reason: prev.Reason, Items: prev.Items}, 0, nil
	}
	quarantine := func(reason string) (Event, int, error) {
		src.Status = knowledge.SourceQuarantined
		src.Reason = reason
		src.Hash = prev.Hash
		src.Items = prev.Items
		if err := p.sink.MarkSource(ctx, src); err != nil {
			return Event{}, 0, fmt.Errorf("ingest: record quarantine of %s: %w", f.name, err)
		}
		return Event{Path: f.name, Outcome: OutcomeQuarantined, Reason: reason, Items: prev.Items}, 0, nil
	}
	if src.Size > p.opt.MaxFileBytes {
		return quarantine(fmt.Sprintf("file too large: %d bytes, limit %d / 文件过大", src.Size, p.opt.MaxFileBytes))
	}
	content, err := readLimited(f.abs, p.opt.MaxFileBytes)
	if err != nil {
		return quarantine(err.Error())
	}
	sum := sha256.Sum256(content)
	src.Hash = hex.EncodeToString(sum[:])
	if indexed && prev.Hash == src.Hash {
		// Touched but not changed: refresh size and time so the next run
		// skips it without hashing.
		src.Status, src.Items = knowledge.SourceIndexed, prev.Items
		if err := p.sink.MarkSource(ctx, src); err != nil {
			return Event{}, 0, fmt.Errorf("ingest: update ledger for %s: %w", f.name, err)
		}
		return Event{Path: f.name, Outcome: OutcomeUnchanged, Items: prev.Items}, 0, nil
	}
	items, warnings, err := p.read(ctx, f.name, f.kind, content, src)
	if err != nil {
		if ctx.Err() != nil {
			return Event{}, 0, fmt.Errorf("ingest: %w", ctx.Err())
		}
		return quarantine(err.Error())
	}
	if len(items) == 0 {
		return quarantine("no text found / 未找到文字内容")
	}
	vecs, err := p.emb.EmbedItems(ctx, items)
	if err != nil {
		return Event{}, 0, fmt.Errorf("ingest: embed %s: %w", f.name, err)
	}
	if len(vecs) != len(items) {
		return Event{}, 0, fmt.Errorf("ingest: embed %s: the embedder returned %d vectors for %d items", f.name, len(vecs), len(items))
	}
	recs := make([]knowledge.Record, len(items))
	for i := range items {
		recs[i] = knowledge.Record{Item: items[i], Vectors: vecs[i]}
	}
	src.Status = knowledge.SourceIndexed
	src.Items = len(items)
	res, err := p.sink.SyncSource(ctx, src, recs)
	if err != nil {
		if knowledge.ErrorCode(err) == knowledge.Invalid {
			return quarantine(knowledge.ErrorMessage(err))
		}
		return Event{}, 0, fmt.Errorf("ingest: store %s: %w", f.name, err)
	}
	out := OutcomeNew
	if seen {
		out = OutcomeChanged
	}
	if len(warnings) > maxWarnings {
		warnings = append(warnings[:maxWarnings:maxWarnings], fmt.Sprintf("… %d more / 另有 %d 条", len(warnings)-maxWarnings, len(warnings)-maxWarnings))
	}
	return Event{Path: f.name, Outcome: out, Items: len(items), Warnings: warnings}, res.Added, nil
}

func readLimited(path string, limit int64) ([]byte, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("cannot open file / 无法打开文件: %w", err)
	}
	defer fh.Close()
	b, err := io.ReadAll(io.LimitReader(fh, limit+1))
	if err != nil {
		return nil, fmt.Errorf("cannot read file / 无法读取文件: %w", err)
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("file too large: limit %d bytes / 文件过大", limit)
	}
	return b, nil
}

// parseSafely runs a parser and turns a panic into an error, so one bad
// file cannot take the run down even if a parser misses a case.
func parseSafely(ctx context.Context, p Parser, name string, content []byte) (doc *Document, err error) {
	defer func() {
		if r := recover(); r != nil {
			doc, err = nil, fmt.Errorf("parser crashed on this file / 解析器无法处理该文件: %v\n%s", r, firstLines(string(debug.Stack()), 6))
		}
	}()
	doc, err = p.Parse(ctx, name, bytes.NewReader(content))
	if err == nil && doc == nil {
		err = errors.New("parser returned no document / 解析结果为空")
	}
	return doc, err
}

func firstLines(s string, n int) string {
	lines := strings.SplitN(s, "\n", n+1)
	if len(lines) > n {
		lines = lines[:n]
	}
	return strings.Join(lines, "\n")
}

// maxWarnings is how many warnings of one file an event carries.
const maxWarnings = 20

// headBytes is how much of a file FileExtractor.Accepts sees.
const headBytes = 4 << 10

// read turns a file's content into completed items: by the first file
// extractor that accepts it, or by its parser and the first extractor that
// finds items.
func (p *Pipeline) read(ctx context.Context, name, hint string, content []byte, src knowledge.Source) (items []knowledge.Item, warnings []string, err error) {
	defer func() {
		if r := recover(); r != nil {
			items, warnings = nil, nil
			err = fmt.Errorf("extractor crashed on this file / 抽取器无法处理该文件: %v\n%s", r, firstLines(string(debug.Stack()), 6))
		}
	}()
	head := content[:min(len(content), headBytes)]
	for _, fx := range p.formats.Files {
		if fx.Accepts(name, head) {
			items, warnings, err = fx.ExtractFile(ctx, name, bytes.NewReader(content))
			if err != nil {
				return nil, warnings, err
			}
			return p.complete(items, src), warnings, nil
		}
	}
	parser, ok := p.formats.Parsers[strings.ToLower(filepath.Ext(name))]
	if !ok {
		return nil, nil, fmt.Errorf("unsupported format %q / 不支持的文件格式", filepath.Ext(name))
	}
	doc, err := parseSafely(ctx, parser, name, content)
	if err != nil {
		return nil, nil, err
	}
	chain := p.formats.Extractors
	if h, ok := p.formats.Hints[hint]; ok {
		chain = h
	}
	for _, ex := range chain {
		got, err := ex.Extract(ctx, doc)
		if err != nil {
			return nil, doc.Warnings, err
		}
		if len(got) > 0 {
			return p.complete(got, src), doc.Warnings, nil
		}
	}
	return nil, doc.Warnings, nil
}

// complete sets what the pipeline owns on extracted items: ids, space,
// status, confidence and source provenance. Items with the same id within
// one file are merged into one with every provenance.
func (p *Pipeline) complete(got []knowledge.Item, src knowledge.Source) []knowledge.Item {
	var items []knowledge.Item
	index := map[string]int{}
	for _, it := range got {
		it.Space = p.opt.Space
		if it.Status == "" {
			it.Status = knowledge.StatusDraft
		}
		if it.Confidence == 0 {
			it.Confidence = 1
		}
		if it.Title == "" {
			it.Title = path.Base(src.Path)
		}
		if len(it.Provenance) == 0 {
			it.Provenance = []knowledge.Provenance{{}}
		}
		for i := range it.Provenance {
			it.Provenance[i].Source = src.Path
			it.Provenance[i].ContentHash = src.Hash
		}
		if it.ID == "" {
			it.ID = knowledge.NewID(it.Space, it.Kind, identity(&it)...)
		}
		if j, ok := index[it.ID]; ok {
			items[j].Provenance = append(items[j].Provenance, it.Provenance...)
			continue
		}
		index[it.ID] = len(items)
		items = append(items, it)
	}
	return items
}

// identity lists what makes an item the same item: a rule is its document,
// article and text; a passage its text alone, so an exact duplicate in
// another file is stored once; anything else its title and text.
func identity(it *knowledge.Item) []string {
	switch {
	case it.Rule != nil:
		return []string{it.Rule.DocTitle, it.Rule.Article, it.Rule.Paragraph, it.Body}
	case it.Kind == knowledge.KindPassage:
		return []string{it.Body}
	}
	return []string{it.Title, it.Body}
}
