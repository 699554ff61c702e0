package ui

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"mime"
	"path"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/lorehq/lore/chat"
	"github.com/lorehq/lore/knowledge"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// pageFiles are the pages; each is parsed together with layout.html.
var pageFiles = []string{"ask.html", "sources.html"}

// kindLabels name the kinds on the page, Chinese first. static/app.js holds
// the same table for answers it renders itself.
var kindLabels = map[knowledge.Kind]string{
	knowledge.KindRule:      "规则 Rule",
	knowledge.KindFAQ:       "问答 FAQ",
	knowledge.KindScript:    "话术 Script",
	knowledge.KindProcedure: "流程 Procedure",
	knowledge.KindTerm:      "术语 Term",
	knowledge.KindPassage:   "段落 Passage",
}

var statusLabels = map[knowledge.SourceStatus]string{
	knowledge.SourceIndexed:     "已索引 Indexed",
	knowledge.SourceQuarantined: "已隔离 Quarantined",
	knowledge.SourceRetired:     "已停用 Retired",
}

var pageFuncs = template.FuncMap{
	"kindLabel": func(k knowledge.Kind) string {
		if l, ok := kindLabels[k]; ok {
			return l
		}
		return string(k)
	},
	"statusLabel": func(s knowledge.SourceStatus) string {
		if l, ok := statusLabels[s]; ok {
			return l
		}
		return string(s)
	},
	"when": func(t time.Time) string {
		if t.IsZero() {
			return "—"
		}
		return t.Local().Format("2006-01-02 15:04")
	},
}

// parsePages parses every page with the layout; any error names the file.
func parsePages() (map[string]*template.Template, error) {
	layout, err := template.New("layout.html").Funcs(pageFuncs).ParseFS(templateFS, "templates/layout.html")
	if err != nil {
		return nil, fmt.Errorf("ui: parse templates/layout.html: %w", err)
	}
	pages := make(map[string]*template.Template, len(pageFiles))
	for _, name := range pageFiles {
		t, err := layout.Clone()
		if err == nil {
			t, err = t.ParseFS(templateFS, "templates/"+name)
		}
		if err != nil {
			return nil, fmt.Errorf("ui: parse templates/%s: %w", name, err)
		}
		pages[name] = t
	}
	return pages, nil
}

// render executes a page into a buffer first, so a template error becomes
// an error response rather than half a page.
func (s *Server) render(c *fiber.Ctx, status int, name string, data any) error {
	t, ok := s.pages[name]
	if !ok {
		return fmt.Errorf("ui: no page %s", name)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout.html", data); err != nil {
		return fmt.Errorf("ui: render %s: %w", name, err)
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Type("html", "utf-8")
	return c.Status(status).Send(buf.Bytes())
}

// pageError is an error as a page shows it.
type pageError struct {
	Code    knowledge.Code
	Message string
}

// askView is the data of the question page.
type askView struct {
	Nav      string
	Question string
	Answer   *answerView
	Error    *pageError
}

// answerView is an answer with its rule numbers resolved to sources.
type answerView struct {
	chat.Answer
	RuleSources []chat.Source
}

func newAnswerView(a chat.Answer) *answerView {
	v := &answerView{Answer: a}
	byN := make(map[int]chat.Source, len(a.Sources))
	for _, src := range a.Sources {
		byN[src.N] = src
	}
	for _, n := range a.Rules {
		if src, ok := byN[n]; ok {
			v.RuleSources = append(v.RuleSources, src)
		}
	}
	return v
}

// askPage serves the question page; with ?q=… it asks and renders the
// answer on the server, so shared links and browsers without JavaScript
// get the answer in the page itself.
func (s *Server) askPage(c *fiber.Ctx) error {
	view := askView{Nav: "ask", Question: queryValue(c, "q")}
	if view.Question == "" {
		return s.render(c, fiber.StatusOK, "ask.html", view)
	}
	req := chat.Request{Question: view.Question}
	err := checkChatRequest(req)
	if err == nil {
		ctx, cancel := s.work(c)
		defer cancel()
		var ans chat.Answer
		if ans, err = s.deps.Asker.Ask(ctx, req); err == nil {
			view.Answer = newAnswerView(ans)
			return s.render(c, fiber.StatusOK, "ask.html", view)
		}
	}
	status, detail := s.problem(c, err)
	view.Error = &pageError{Code: detail.Code, Message: detail.Message}
	return s.render(c, status, "ask.html", view)
}

// sourcesView is the data of the ledger page.
type sourcesView struct {
	Nav     string
	Space   string
	Sources []knowledge.Source
	Counts  ledgerCounts
	Error   *pageError
}

// ledgerCounts count the ledger entries by status.
type ledgerCounts struct{ Indexed, Quarantined, Retired int }

func (n *ledgerCounts) add(s knowledge.SourceStatus) {
	switch s {
	case knowledge.SourceIndexed:
		n.Indexed++
	case knowledge.SourceQuarantined:
		n.Quarantined++
	case knowledge.SourceRetired:
		n.Retired++
	}
}

// sourcesPage lists the ingestion ledger of a space so quarantined files
// and their reasons are visible.
func (s *Server) sourcesPage(c *fiber.Ctx) error {
	view := sourcesView{Nav: "sources"}
	space, err := s.ledgerSpace(c)
	view.Space = space
	if err == nil {
		ctx, cancel := s.work(c)
		defer cancel()
		if view.Sources, err = s.deps.Ledger.Sources(ctx, space); err == nil {
			for _, src := range view.Sources {
				view.Counts.add(src.Status)
			}
			return s.render(c, fiber.StatusOK, "sources.html", view)
		}
	}
	status, detail := s.problem(c, err)
	view.Error = &pageError{Code: detail.Code, Message: detail.Message}
	return s.render(c, status, "sources.html", view)
}

// static serves the embedded CSS and JavaScript. Names are flat; anything
// else is a 404.
func (s *Server) static(c *fiber.Ctx) error {
	name := c.Params("name")
	b, err := fs.ReadFile(staticFS, "static/"+path.Base(name))
	if err != nil || path.Base(name) != name {
		return fiber.ErrNotFound
	}
	ct := mime.TypeByExtension(path.Ext(name))
	if ct == "" {
		ct = "application/octet-stream"
	}
	c.Set(fiber.HeaderContentType, ct)
	c.Set(fiber.HeaderCacheControl, "public, max-age=300")
	return c.Send(b)
}
