package markdown

import (
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/lorehq/lore/ingest"
	"github.com/lorehq/lore/ingest/text"
)

// Parser parses Markdown files. The zero value is ready to use.
type Parser struct{}

var _ ingest.Parser = (*Parser)(nil)

// New returns a Markdown parser.
func New() *Parser { return &Parser{} }

// ErrNoText is returned for a file that holds only markup, comments or
// front matter.
var ErrNoText = errors.New("no text content / 没有文字内容")

// Parse implements ingest.Parser. The document's Format is "markdown".
func (p *Parser) Parse(ctx context.Context, name string, r io.Reader) (*ingest.Document, error) {
	s, err := text.Read(ctx, "markdown", name, r)
	if err != nil {
		return nil, err
	}
	s = strings.NewReplacer("\r\n", "\n", "\r", "\n").Replace(s)
	lines := strings.Split(s, "\n")

	ps := &state{lines: lines}
	title, next := ps.frontMatter()
	ps.run(next)
	if len(ps.blocks) == 0 {
		return nil, ErrNoText
	}
	doc := &ingest.Document{Format: "markdown", Title: title, Blocks: ps.blocks, Warnings: ps.warnings}
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

// state is the line-by-line parse of one file.
type state struct {
	lines    []string
	blocks   []ingest.Block
	warnings []string

	para      []string // open paragraph lines, raw
	paraLine  int      // 1-based line of para[0]
	paraQuote bool     // the open paragraph is a block quote

	item     []string // open list item lines, raw
	itemLine int

	tableCols int // columns of the open table; 0 when none
}

var (
	fenceRe   = regexp.MustCompile("^ {0,3}(`{3,}|~{3,})(.*)$")
	listRe    = regexp.MustCompile(`^[ \t]*([-*+]|\d{1,9}[.)])(?:[ \t]+|$)(.*)$`)
	taskRe    = regexp.MustCompile(`^\[[ xX]\][ \t]+`)
	quoteRe   = regexp.MustCompile(`^ {0,3}>`)
	refDefRe  = regexp.MustCompile(`^ {0,3}\[[^\]]+\]:[ \t]*\S+`)
	setext1Re = regexp.MustCompile(`^ {0,3}=+[ \t]*$`)
	setext2Re = regexp.MustCompile(`^ {0,3}-+[ \t]*$`)
	delimRe   = regexp.MustCompile(`^[ \t]*:?-+:?[ \t]*$`)
)

// frontMatter skips a YAML front matter block (--- … --- or ...) at the
// top of the file and returns its title and the index of the next line.
// Lines between two --- that are not a YAML mapping are not front matter
// and are parsed as Markdown.
func (s *state) frontMatter() (title string, next int) {
	if len(s.lines) == 0 || strings.TrimRight(strings.TrimPrefix(s.lines[0], "\uFEFF"), " \t") != "---" {
		return "", 0
	}
	for i := 1; i < len(s.lines); i++ {
		l := strings.TrimRight(s.lines[i], " \t")
		if l != "---" && l != "..." {
			continue
		}
		var fm struct {
			Title string `yaml:"title"`
		}
		if err := unmarshalYAML(strings.Join(s.lines[1:i], "\n"), &fm); err != nil {
			return "", 0
		}
		return strings.TrimSpace(fm.Title), i + 1
	}
	return "", 0 // no closing line: a thematic break, not front matter
}

// unmarshalYAML is yaml.Unmarshal with any panic of the YAML library turned
// into an error.
func unmarshalYAML(src string, v any) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("yaml: %v", r)
		}
	}()
	return yaml.Unmarshal([]byte(src), v)
}

// run parses lines[start:].
func (s *state) run(start int) {
	inComment := false
	commentLine := 0
	for i := start; i < len(s.lines); i++ {
		raw := s.lines[i]
		no := i + 1

		if m := fenceRe.FindStringSubmatch(raw); m != nil && !(m[1][0] == '`' && strings.Contains(m[2], "`")) && !inComment {
			s.closeAll()
			i = s.fence(i, m[1])
			continue
		}

		// Drop HTML comments, which may span lines.
		line, open := stripComments(raw, inComment)
		if open && !inComment {
			commentLine = no
		}
		inComment = open
		if strings.TrimSpace(line) == "" {
			s.closeAll()
			continue
		}

		if s.tableCols > 0 {
			if strings.Contains(line, "|") {
				s.tableRow(line, no, false)
				continue
			}
			s.tableCols = 0
		}

		if lvl, t, ok := atxHeading(line); ok {
			s.closeAll()
			s.add(ingest.Block{Kind: ingest.Heading, Level: lvl, Text: stripInline(t), Line: no})
			continue
		}
		if len(s.para) > 0 && !s.paraQuote && len(s.item) == 0 {
			if setext1Re.MatchString(line) {
				s.closeAsHeading(1)
				continue
			}
			if setext2Re.MatchString(line) {
				s.closeAsHeading(2)
				continue
			}
		}
		if thematicBreak(line) {
			s.closeAll()
			continue
		}
		if i+1 < len(s.lines) && strings.Contains(line, "|") {
			if n := len(splitRow(line)); n > 0 && isDelimiterRow(s.lines[i+1], n) {
				s.closeAll()
				s.tableCols = n
				s.tableRow(line, no, true)
				i++ // the delimiter row
				continue
			}
		}
		if m := listRe.FindStringSubmatch(line); m != nil {
			s.closeAll()
			s.item = []string{taskRe.ReplaceAllString(m[2], "")}
			s.itemLine = no
			continue
		}
		if quoteRe.MatchString(line) {
			t := stripQuote(line)
			if !s.paraQuote {
				s.closeAll()
			}
			if strings.TrimSpace(t) == "" {
				s.closeAll()
				continue
			}
			if len(s.para) == 0 {
				s.paraLine = no
			}
			s.para = append(s.para, t)
			s.paraQuote = true
			continue
		}
		if len(s.item) > 0 {
			s.item = append(s.item, line) // lazy continuation
			continue
		}
		if len(s.para) == 0 && refDefRe.MatchString(line) {
			continue
		}
		if s.paraQuote {
			s.closeAll()
		}
		if len(s.para) == 0 {
			s.paraLine = no
		}
		s.para = append(s.para, line)
	}
	s.closeAll()
	if inComment {
		s.warnings = append(s.warnings, fmt.Sprintf("line %d: HTML comment not closed, rest of file skipped / HTML 注释未闭合，其后内容已跳过", commentLine))
	}
}

// fence consumes the fenced code block opening at lines[i] and returns the
// index of its closing line. The code is one paragraph keeping its line
// breaks; an unclosed fence runs to the end of the file.
func (s *state) fence(i int, marker string) int {
	open := i
	indent := len(s.lines[i]) - len(strings.TrimLeft(s.lines[i], " "))
	var code []string
	closed := false
	for i++; i < len(s.lines); i++ {
		l := s.lines[i]
		t := strings.TrimLeft(l, " ")
		if len(l)-len(t) <= 3 && strings.HasPrefix(t, marker[:1]) && runLen(t, marker[0]) >= len(marker) && strings.TrimSpace(t[runLen(t, marker[0]):]) == "" {
			closed = true
			break
		}
		// Remove up to the fence's own indentation.
		for k := 0; k < indent && strings.HasPrefix(l, " "); k++ {
			l = l[1:]
		}
		code = append(code, strings.TrimRight(l, " \t"))
	}
	if !closed {
		s.warnings = append(s.warnings, fmt.Sprintf("line %d: code block not closed / 代码块未闭合", open+1))
	}
	if t := strings.Trim(strings.Join(code, "\n"), "\n"); strings.TrimSpace(t) != "" {
		s.add(ingest.Block{Kind: ingest.Paragraph, Text: t, Line: open + 1})
	}
	return i
}

// add appends a block unless its text is empty.
func (s *state) add(b ingest.Block) {
	b.Text = strings.TrimSpace(b.Text)
	if b.Text == "" {
		return
	}
	s.blocks = append(s.blocks, b)
}

// closeAll ends the open paragraph, list item and table.
func (s *state) closeAll() {
	if len(s.para) > 0 {
		s.add(ingest.Block{Kind: ingest.Paragraph, Text: stripInline(text.JoinLines(s.para)), Line: s.paraLine})
		s.para, s.paraQuote = nil, false
	}
	if len(s.item) > 0 {
		s.add(ingest.Block{Kind: ingest.ListItem, Text: stripInline(text.JoinLines(s.item)), Line: s.itemLine})
		s.item = nil
	}
	s.tableCols = 0
}

// closeAsHeading turns the open paragraph into a setext heading.
func (s *state) closeAsHeading(level int) {
	s.add(ingest.Block{Kind: ingest.Heading, Level: level, Text: stripInline(text.JoinLines(s.para)), Line: s.paraLine})
	s.para = nil
}

// tableRow adds one table row, padded or cut to the header's width.
func (s *state) tableRow(line string, no int, header bool) {
	cells := splitRow(line)
	out := make([]string, s.tableCols)
	for i := range out {
		if i < len(cells) {
			out[i] = strings.TrimSpace(stripInline(cells[i]))
		}
	}
	if strings.TrimSpace(strings.Join(out, "")) == "" {
		return
	}
	s.blocks = append(s.blocks, ingest.Block{Kind: ingest.TableRow, Text: strings.Join(out, " | "), Cells: out, Header: header, Line: no})
}

// splitRow splits a table row at pipes that are neither escaped nor in a
// code span, dropping the outer pipes; an escaped \| becomes |.
func splitRow(line string) []string {
	line = strings.TrimSpace(line)
	var cells []string
	var cur strings.Builder
	inCode := 0
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case c == '\\' && i+1 < len(line) && line[i+1] == '|':
			cur.WriteByte('|')
			i++
		case c == '`':
			n := runLen(line[i:], '`')
			switch {
			case inCode == 0 && closingRun(line[i+n:], n) >= 0:
				inCode = n
			case inCode == n:
				inCode = 0
			}
			cur.WriteString(line[i : i+n])
			i += n - 1
		case c == '|' && inCode == 0:
			cells = append(cells, cur.String())
			cur.Reset()
		default:
			cur.WriteByte(c)
		}
	}
	cells = append(cells, cur.String())
	if strings.HasPrefix(line, "|") {
		cells = cells[1:]
	}
	if len(cells) > 0 && strings.HasSuffix(line, "|") && !strings.HasSuffix(line, `\|`) {
		cells = cells[:len(cells)-1]
	}
	return cells
}

// isDelimiterRow reports whether line is a GFM table delimiter row with n
// cells, such as "| --- | :-: |".
func isDelimiterRow(line string, n int) bool {
	if !strings.Contains(line, "|") && n > 1 {
		return false
	}
	if !strings.Contains(line, "-") {
		return false
	}
	cells := splitRow(line)
	if len(cells) != n {
		return false
	}
	for _, c := range cells {
		if !delimRe.MatchString(c) {
			return false
		}
	}
	return true
}

// atxHeading parses "## Title ##"; ok is false when line is not one.
func atxHeading(line string) (level int, title string, ok bool) {
	t := strings.TrimLeft(line, " ")
	if len(line)-len(t) > 3 {
		return 0, "", false
	}
	level = runLen(t, '#')
	if level < 1 || level > 6 {
		return 0, "", false
	}
	rest := t[level:]
	if rest != "" && rest[0] != ' ' && rest[0] != '\t' {
		return 0, "", false
	}
	rest = strings.TrimSpace(rest)
	// A closing sequence of #s preceded by a space is not part of the title.
	if trimmed := strings.TrimRight(rest, "#"); trimmed == "" || strings.HasSuffix(trimmed, " ") || strings.HasSuffix(trimmed, "\t") {
		rest = strings.TrimSpace(trimmed)
	}
	return level, rest, true
}

// thematicBreak reports whether line is ***, --- or ___ (three or more of
// one of them, spaces allowed between).
func thematicBreak(line string) bool {
	t := strings.TrimLeft(line, " ")
	if len(line)-len(t) > 3 || t == "" {
		return false
	}
	c := t[0]
	if c != '*' && c != '-' && c != '_' {
		return false
	}
	n := 0
	for i := 0; i < len(t); i++ {
		switch t[i] {
		case c:
			n++
		case ' ', '\t':
		default:
			return false
		}
	}
	return n >= 3
}

// stripQuote removes the > markers of a block quote line.
func stripQuote(line string) string {
	for {
		t := strings.TrimLeft(line, " ")
		if !strings.HasPrefix(t, ">") {
			return line
		}
		line = strings.TrimPrefix(t[1:], " ")
	}
}

// stripComments removes HTML comments from line. inComment says whether
// the line starts inside a comment; open whether it ends inside one.
func stripComments(line string, inComment bool) (out string, open bool) {
	var b strings.Builder
	for {
		if inComment {
			end := strings.Index(line, "-->")
			if end < 0 {
				return b.String(), true
			}
			line = line[end+3:]
			inComment = false
		}
		start := strings.Index(line, "<!--")
		if start < 0 {
			b.WriteString(line)
			return b.String(), false
		}
		b.WriteString(line[:start])
		line = line[start+4:]
		inComment = true
	}
}
