package html

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/lorehq/lore/ingest"
	"github.com/lorehq/lore/ingest/text"
)

// Parser parses HTML pages. The zero value is ready to use.
type Parser struct{}

var _ ingest.Parser = (*Parser)(nil)

// New returns an HTML parser.
func New() *Parser { return &Parser{} }

// ErrNoText is returned for a page with no text outside page furniture.
var ErrNoText = errors.New("no text content / 没有文字内容")

// Parse implements ingest.Parser. The document's Format is "html".
func (p *Parser) Parse(ctx context.Context, name string, r io.Reader) (doc *ingest.Document, err error) {
	b, err := text.ReadAll(ctx, "html", name, r)
	if err != nil {
		return nil, err
	}
	s, warning, err := decode(b)
	if err != nil {
		return nil, err
	}
	defer func() {
		if r := recover(); r != nil {
			doc, err = nil, fmt.Errorf("malformed HTML / HTML 文件无法解析: %v", r)
		}
	}()
	// html.Parse refuses pages nested more than 512 elements deep, which
	// bounds the recursion below.
	gq, err := goquery.NewDocumentFromReader(strings.NewReader(s))
	if err != nil {
		return nil, fmt.Errorf("malformed HTML / HTML 文件无法解析: %w", err)
	}
	doc = &ingest.Document{Format: "html"}
	if warning != "" {
		doc.Warnings = append(doc.Warnings, warning)
	}
	doc.Title = collapse(gq.Find("head title").First().Text())
	removeFurniture(gq)

	w := &walker{kind: ingest.Paragraph}
	for _, n := range gq.Find("body").Nodes {
		w.walk(n)
	}
	w.flush()
	doc.Blocks = w.blocks
	if len(doc.Blocks) == 0 {
		return nil, ErrNoText
	}
	if doc.Title == "" {
		for _, b := range doc.Blocks {
			if b.Kind == ingest.Heading && b.Level == 1 {
				doc.Title = b.Text
				break
			}
		}
	}
	return doc, nil
}

// furnitureTags are dropped wherever they are.
const furnitureTags = "script, style, noscript, template, svg, nav, aside, footer, iframe, object, embed, button, select, [hidden], [aria-hidden=true]"

// furnitureRoles are ARIA roles of page furniture.
var furnitureRoles = map[string]bool{
	"navigation": true, "menu": true, "menubar": true, "banner": true,
	"contentinfo": true, "complementary": true, "search": true, "dialog": true, "alertdialog": true,
}

// removeFurniture drops what is not the page's content; see the package
// documentation.
func removeFurniture(gq *goquery.Document) {
	gq.Find(furnitureTags).Remove()
	gq.Find("header").Each(func(_ int, s *goquery.Selection) {
		if s.ParentsFiltered("article, main").Length() == 0 {
			s.Remove()
		}
	})
	gq.Find("form").Each(func(_ int, s *goquery.Selection) {
		if !holdsContent(s) {
			s.Remove()
		}
	})
	gq.Find("[style]").Each(func(_ int, s *goquery.Selection) {
		style := strings.ToLower(strings.Join(strings.Fields(s.AttrOr("style", "")), ""))
		if strings.Contains(style, "display:none") || strings.Contains(style, "visibility:hidden") {
			s.Remove()
		}
	})
	gq.Find("[class], [id], [role]").Each(func(_ int, s *goquery.Selection) {
		if s.Is("html, body, main, article") {
			return
		}
		if furnitureRoles[strings.ToLower(strings.TrimSpace(s.AttrOr("role", "")))] ||
			(marksFurniture(s.AttrOr("class", "")+" "+s.AttrOr("id", "")) && !holdsContent(s)) {
			s.Remove()
		}
	})
}

// holdsContent reports whether s holds the page's main content.
func holdsContent(s *goquery.Selection) bool {
	return s.Find("main, article, h1").Length() > 0
}

// marksFurniture reports whether class and id names mark page furniture.
// Names are split at spaces, hyphens and underscores and camel case is not
// split, so "ad-slot" and "sidebar" match but "header", "download" and
// "shadow" do not.
func marksFurniture(names string) bool {
	for _, part := range strings.FieldsFunc(strings.ToLower(names), func(r rune) bool {
		return r == ' ' || r == '-' || r == '_' || r == '\t' || r == '\n'
	}) {
		switch {
		case part == "nav" || strings.HasPrefix(part, "navbar") || strings.HasPrefix(part, "navigation") ||
			strings.HasSuffix(part, "nav") && len(part) <= 8,
			strings.Contains(part, "menu"),
			strings.Contains(part, "breadcrumb"),
			strings.Contains(part, "sidebar"), part == "side",
			strings.Contains(part, "footer"),
			strings.Contains(part, "cookie"),
			part == "ad" || part == "ads" || part == "advert" || strings.HasPrefix(part, "advertis") || part == "adsense":
			return true
		}
	}
	return false
}

// walker collects the blocks of a body in document order.
type walker struct {
	blocks []ingest.Block
	run    strings.Builder // inline text not yet emitted
	kind   ingest.BlockKind
}

func (w *walker) emit(b ingest.Block) {
	if b.Text == "" {
		return
	}
	w.blocks = append(w.blocks, b)
}

// flush emits the pending inline text as one block of the current kind.
func (w *walker) flush() {
	t := collapse(w.run.String())
	w.run.Reset()
	w.emit(ingest.Block{Kind: w.kind, Text: t})
}

func (w *walker) walk(n *html.Node) {
	switch n.Type {
	case html.TextNode:
		w.run.WriteString(n.Data)
		return
	case html.ElementNode, html.DocumentNode:
	default:
		return
	}
	switch n.DataAtom {
	case atom.Head, atom.Script, atom.Style, atom.Title, atom.Img:
		return
	case atom.Br, atom.Hr:
		w.flush()
		return
	case atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6:
		w.flush()
		w.emit(ingest.Block{Kind: ingest.Heading, Level: int(n.Data[1] - '0'), Text: collapse(textOf(n))})
		return
	case atom.Pre:
		w.flush()
		w.emit(ingest.Block{Kind: w.kind, Text: strings.Trim(rawText(n), "\n")})
		return
	case atom.Table:
		w.flush()
		if rows := dataRows(n); rows != nil {
			w.table(n, rows)
			return
		}
	case atom.Li:
		w.flush()
		outer := w.kind
		w.kind = ingest.ListItem
		w.children(n)
		w.flush()
		w.kind = outer
		return
	}
	if isBlock(n.DataAtom) {
		w.flush()
		w.children(n)
		w.flush()
		return
	}
	w.children(n)
}

func (w *walker) children(n *html.Node) {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		w.walk(c)
	}
}

// table emits a data table: its caption as a paragraph, then its rows.
func (w *walker) table(n *html.Node, rows []*html.Node) {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.DataAtom == atom.Caption {
			w.emit(ingest.Block{Kind: ingest.Paragraph, Text: collapse(textOf(c))})
		}
	}
	for _, tr := range rows {
		var cells []string
		header := tr.Parent != nil && tr.Parent.DataAtom == atom.Thead
		allTH := true
		for c := tr.FirstChild; c != nil; c = c.NextSibling {
			if c.DataAtom != atom.Td && c.DataAtom != atom.Th {
				continue
			}
			allTH = allTH && c.DataAtom == atom.Th
			cells = append(cells, collapse(textOf(c)))
		}
		if len(cells) == 0 || strings.Join(cells, "") == "" {
			continue
		}
		w.blocks = append(w.blocks, ingest.Block{Kind: ingest.TableRow, Text: strings.Join(cells, " | "), Cells: cells, Header: header || allTH})
	}
}

// dataRows returns the rows of a data table, or nil for a layout table:
// one that holds another table or a heading, or has a single row or a
// single column.
func dataRows(table *html.Node) []*html.Node {
	var rows []*html.Node
	cols := 0
	layout := false
	// visit looks for rows of this table (not of a nested one) and for
	// what makes it a layout table; inRow is true below a row.
	var visit func(n *html.Node, inRow bool)
	visit = func(n *html.Node, inRow bool) {
		for c := n.FirstChild; c != nil && !layout; c = c.NextSibling {
			switch c.DataAtom {
			case atom.Table, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6:
				layout = true
			case atom.Tr:
				if !inRow {
					rows = append(rows, c)
					cols = max(cols, countCells(c))
				}
				visit(c, true)
			default:
				if c.Type == html.ElementNode {
					visit(c, inRow)
				}
			}
		}
	}
	visit(table, false)
	if layout || len(rows) < 2 || cols < 2 {
		return nil
	}
	return rows
}

func countCells(tr *html.Node) int {
	n := 0
	for c := tr.FirstChild; c != nil; c = c.NextSibling {
		if c.DataAtom == atom.Td || c.DataAtom == atom.Th {
			n++
		}
	}
	return n
}

// textOf returns the text of n; block boundaries inside it become spaces.
func textOf(n *html.Node) string {
	var b strings.Builder
	var visit func(n *html.Node)
	visit = func(n *html.Node) {
		switch n.Type {
		case html.TextNode:
			b.WriteString(n.Data)
			return
		case html.ElementNode:
		default:
			return
		}
		switch n.DataAtom {
		case atom.Script, atom.Style, atom.Img:
			return
		case atom.Br:
			b.WriteByte(' ')
			return
		}
		block := isBlock(n.DataAtom) || n.DataAtom == atom.Td || n.DataAtom == atom.Th
		if block {
			b.WriteByte(' ')
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			visit(c)
		}
		if block {
			b.WriteByte(' ')
		}
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		visit(c)
	}
	return b.String()
}

// rawText returns the text of n verbatim, <br> as a line break.
func rawText(n *html.Node) string {
	var b strings.Builder
	var visit func(n *html.Node)
	visit = func(n *html.Node) {
		switch {
		case n.Type == html.TextNode:
			b.WriteString(n.Data)
		case n.DataAtom == atom.Br:
			b.WriteByte('\n')
		case n.Type == html.ElementNode:
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				visit(c)
			}
		}
	}
	visit(n)
	return strings.TrimRightFunc(b.String(), unicode.IsSpace)
}

// isBlock reports block-level elements, whose boundaries end a text run.
func isBlock(a atom.Atom) bool {
	switch a {
	case atom.Html, atom.Body, atom.P, atom.Div, atom.Section, atom.Article, atom.Main, atom.Header,
		atom.Blockquote, atom.Ul, atom.Ol, atom.Dl, atom.Dt, atom.Dd, atom.Figure, atom.Figcaption,
		atom.Address, atom.Center, atom.Details, atom.Summary, atom.Fieldset, atom.Legend, atom.Form,
		atom.Table, atom.Caption, atom.Thead, atom.Tbody, atom.Tfoot, atom.Tr, atom.Td, atom.Th,
		atom.Hgroup, atom.Menu, atom.Nav, atom.Aside, atom.Footer, atom.Li, atom.Pre, atom.Option:
		return true
	}
	return false
}

// collapse collapses white space as a browser shows it: runs of white space
// become one space, trimmed at both ends, except that a run holding a line
// break between two wide (CJK) characters is dropped.
func collapse(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space, newline := false, false
	var last rune
	for _, r := range s {
		if unicode.IsSpace(r) || r == '\u00a0' {
			space = true
			newline = newline || r == '\n' || r == '\r'
			continue
		}
		if space && b.Len() > 0 && !(newline && text.IsWide(last) && text.IsWide(r)) {
			b.WriteByte(' ')
		}
		space, newline = false, false
		b.WriteRune(r)
		last = r
	}
	out := b.String()
	if !utf8.ValidString(out) {
		out = strings.ToValidUTF8(out, "\uFFFD")
	}
	return out
}
