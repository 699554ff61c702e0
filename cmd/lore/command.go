package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/lorehq/lore/chat"
	"github.com/lorehq/lore/configs"
	"github.com/lorehq/lore/demo"
	"github.com/lorehq/lore/ingest"
	"github.com/lorehq/lore/ingest/schedule"
	"github.com/lorehq/lore/knowledge"
	"github.com/lorehq/lore/retrieval/eval"
)

// command is a parsed command line with its configuration.
type command struct {
	name   string
	cfg    configs.Config
	args   []string
	stdout io.Writer
	stderr io.Writer

	jsonOut   bool   // ask, ingest, eval: print JSON
	kinds     string // ask: comma-separated kinds
	questions string // eval: JSONL questions with gold items

	toCollection string // reindex: the new Qdrant item collection
	batch        int    // reindex: items per embedding batch
}

func parseCommand(name string, args, environ []string, stdout, stderr io.Writer) (*command, error) {
	c := &command{name: name, stdout: stdout, stderr: stderr}
	fs := flag.NewFlagSet("lore "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	configPath := fs.String("config", "", "YAML config file")
	dataDir := fs.String("data", "", "data directory (default from config: data)")
	addr := ""
	space := ""
	switch name {
	case "demo", "serve":
		fs.StringVar(&addr, "addr", "", "listen address, e.g. 127.0.0.1:8080 (port 0 picks a free port)")
	case "ingest":
		fs.StringVar(&space, "space", "", "knowledge space to ingest into (default from config)")
		fs.BoolVar(&c.jsonOut, "json", false, "print the summary as JSON")
	case "eval":
		fs.StringVar(&space, "space", "", "knowledge space to evaluate (default from config)")
		fs.BoolVar(&c.jsonOut, "json", false, "print the report as JSON")
		fs.StringVar(&c.questions, "questions", "", "JSONL questions with gold items (required)")
	case "ask":
		fs.StringVar(&space, "space", "", "knowledge space to search (default from config)")
		fs.BoolVar(&c.jsonOut, "json", false, "print the answer as JSON")
		fs.StringVar(&c.kinds, "kind", "", "only these kinds, comma-separated: rule,faq,script,procedure,term,passage")
	case "reindex":
		fs.StringVar(&c.toCollection, "to-collection", "", "Qdrant backend: the new item collection to copy into (required there; its ledger is NAME_sources)")
		fs.IntVar(&c.batch, "batch", 256, "items per embedding batch")
	}
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage of lore %s:\n", name)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	c.args = fs.Args()
	switch name {
	case "ingest":
	case "eval":
		if c.questions == "" {
			return nil, fmt.Errorf("give the questions file with -questions / 请用 -questions 指定问题文件")
		}
	case "ask":
		if len(c.args) == 0 {
			return nil, fmt.Errorf("give a question / 请输入问题")
		}
	default:
		if len(c.args) > 0 {
			return nil, fmt.Errorf("unexpected arguments %q", c.args)
		}
	}
	cfg, err := configs.Load(*configPath, environ)
	if err != nil {
		return nil, err
	}
	if *dataDir != "" {
		cfg.DataDir = *dataDir
	}
	if addr != "" {
		cfg.Server.Addr = addr
	}
	if space != "" {
		cfg.Space = space
	}
	if name == "reindex" {
		if err := c.checkReindex(cfg); err != nil {
			return nil, err
		}
	}
	if name == "ingest" && len(c.args) == 0 && len(cfg.Shares) == 0 {
		return nil, fmt.Errorf("give files or folders to ingest, or configure shares / 请指定要导入的文件或目录，或在配置中设置 shares")
	}
	for _, sh := range cfg.Shares {
		if sh.Schedule != "" {
			if err := schedule.Parse(sh.Schedule); err != nil {
				return nil, fmt.Errorf("config: share %s: %w", sh.Path, err)
			}
		}
	}
	c.cfg = cfg
	return c, nil
}

func runServe(ctx context.Context, c *command) error {
	a, err := openApp(ctx, c.cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	sched, err := a.schedule(ctx, c.stderr)
	if err != nil {
		return err
	}
	defer sched.Stop()
	return a.serve(ctx, c.stdout)
}

// demoOplog is how the demo's operation log reads when the configuration
// does not say otherwise: the first event's result is the case type, and a
// case succeeds when it is closed (结案) as resolved (已解决).
var demoOplog = configs.Oplog{
	CaseTypeColumn:    "result",
	OutcomeColumn:     "result",
	OutcomeActivities: []string{"结案"},
	Success:           []string{"已解决"},
}

func runDemo(ctx context.Context, c *command) error {
	if o := c.cfg.Mining.Oplog; o.CaseTypeColumn == "" && o.OutcomeColumn == "" && len(o.Success) == 0 {
		c.cfg.Mining.Oplog = demoOplog
	}
	a, err := openApp(ctx, c.cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	dir := filepath.Join(c.cfg.DataDir, "demo")
	if err := demo.Extract(dir); err != nil {
		return fmt.Errorf("unpack demo corpus: %w", err)
	}
	fmt.Fprintf(c.stdout, "Ingesting the demo corpus / 正在导入演示语料: %s\n", dir)
	sum, err := a.ingest(ctx, []string{dir}, progressPrinter(c.stdout))
	if err != nil {
		return err
	}
	printSummary(c.stdout, sum)
	return a.serve(ctx, c.stdout)
}

func runIngest(ctx context.Context, c *command) error {
	a, err := openApp(ctx, c.cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	var progress func(ingest.Event)
	if !c.jsonOut {
		progress = progressPrinter(c.stdout)
	}
	var sum ingest.Summary
	if len(c.args) > 0 {
		sum, err = a.ingest(ctx, c.args, progress)
	} else {
		sum, err = a.ingestShares(ctx, c.cfg.Shares, progress)
	}
	if err != nil {
		return err
	}
	if c.jsonOut {
		enc := json.NewEncoder(c.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(sum); err != nil {
			return err
		}
	} else {
		printSummary(c.stdout, sum)
	}
	if sum.Quarantined > 0 {
		return exitError{code: exitPartial}
	}
	return nil
}

// runEval ingests the given corpus (if any), then scores the searcher and
// a BM25 baseline over the same items on the questions.
func runEval(ctx context.Context, c *command) error {
	qs, err := eval.LoadQuestions(c.questions)
	if err != nil {
		return exitError{code: exitUsage, err: err}
	}
	a, err := openApp(ctx, c.cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	if len(c.args) > 0 {
		sum, err := a.ingest(ctx, c.args, nil)
		if err != nil {
			return err
		}
		fmt.Fprintf(c.stderr, "ingested / 已导入: ")
		printSummary(c.stderr, sum)
	}
	f := eval.DefaultFilter(qs)
	f.Spaces = []string{c.cfg.Space}
	rep, err := eval.Evaluate(ctx, qs, eval.Config{Searcher: a.search, Items: a.store, Filter: f})
	if err != nil {
		return err
	}
	if c.jsonOut {
		return rep.WriteJSON(c.stdout)
	}
	return rep.WriteText(c.stdout)
}

func runAsk(ctx context.Context, c *command) error {
	a, err := openApp(ctx, c.cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	req := chat.Request{Question: strings.Join(c.args, " ")}
	if c.kinds != "" {
		for _, k := range strings.Split(c.kinds, ",") {
			req.Kinds = append(req.Kinds, knowledge.Kind(strings.TrimSpace(k)))
		}
	}
	ans, err := a.chat.Ask(ctx, req)
	if err != nil {
		if knowledge.ErrorCode(err) == knowledge.Invalid {
			return exitError{code: exitUsage, err: err}
		}
		return err
	}
	if c.jsonOut {
		enc := json.NewEncoder(c.stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(ans)
	}
	printAnswer(c.stdout, ans)
	return nil
}

// progressPrinter reports each finished file. On a terminal it keeps one
// status line (a bar with the count and the current file) and prints only
// quarantined and retired files on lines of their own; elsewhere (logs,
// pipes) it writes one line per file.
func progressPrinter(w io.Writer) func(ingest.Event) {
	tty := isTerminal(w)
	return func(ev ingest.Event) {
		line := fmt.Sprintf("[%d/%d] %-11s %s", ev.Done, ev.Total, ev.Outcome, ev.Path)
		if ev.Outcome != ingest.OutcomeRetired && ev.Outcome != ingest.OutcomeQuarantined {
			line += fmt.Sprintf(" (%d items)", ev.Items)
		}
		if ev.Reason != "" {
			line += " — " + ev.Reason
		}
		if !tty {
			fmt.Fprintln(w, line)
			return
		}
		if ev.Outcome == ingest.OutcomeQuarantined || ev.Outcome == ingest.OutcomeRetired {
			fmt.Fprintf(w, "\r\033[K%s\n", line)
		}
		const width = 30
		filled := 0
		if ev.Total > 0 {
			filled = min(width, width*ev.Done/ev.Total)
		}
		fmt.Fprintf(w, "\r\033[K[%s%s] %d/%d %s", strings.Repeat("#", filled), strings.Repeat(".", width-filled), ev.Done, ev.Total, ev.Path)
		if ev.Done == ev.Total {
			fmt.Fprintln(w)
		}
	}
}

// isTerminal reports whether w is a character device, such as a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

func printSummary(w io.Writer, s ingest.Summary) {
	fmt.Fprintf(w, "Files seen %d · new %d · changed %d · unchanged %d · retired %d · quarantined %d\n",
		s.Seen, s.New, s.Changed, s.Unchanged, s.Retired, s.Quarantined)
	fmt.Fprintf(w, "Items %d (added %d) in %s\n", s.Items, s.ItemsAdded, s.Duration.Round(time.Millisecond))
	for _, p := range s.Problems {
		fmt.Fprintf(w, "  quarantined / 已隔离: %s — %s\n", p.Path, p.Reason)
	}
	for _, p := range s.Warnings {
		fmt.Fprintf(w, "  warning / 警告: %s — %s\n", p.Path, p.Reason)
	}
}

func printAnswer(w io.Writer, a chat.Answer) {
	if a.NoAnswer {
		fmt.Fprintln(w, a.Notice)
	}
	for _, s := range a.Statements {
		fmt.Fprintf(w, "%s %s\n", s.Text, cites(s.Cites))
	}
	if a.Script != nil {
		fmt.Fprintf(w, "\nRecommended reply / 推荐话术 [%d]: %s\n", a.Script.N, a.Script.Snippet)
	}
	if len(a.Steps) > 0 {
		fmt.Fprintln(w, "\nSteps / 步骤:")
		for i, s := range a.Steps {
			fmt.Fprintf(w, "  %d. %s\n", i+1, s)
		}
	}
	if len(a.Sources) > 0 {
		fmt.Fprintln(w, "\nSources / 来源:")
		for _, s := range a.Sources {
			loc := s.File
			if s.Location != "" {
				loc += " · " + s.Location
			}
			fmt.Fprintf(w, "  [%d] %s (%s) %s\n", s.N, s.Title, s.Kind, loc)
		}
	}
}

func cites(ns []int) string {
	var b strings.Builder
	for _, n := range ns {
		fmt.Fprintf(&b, "[%d]", n)
	}
	return b.String()
}

// ensureDir makes the data directory, so a fresh clone works without setup.
func ensureDir(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create data directory %s: %w", dir, err)
	}
	return nil
}
