package text

import (
	"context"
	"io"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/lorehq/lore/ingest"
)

// Parser parses plain text files. The zero value is ready to use.
type Parser struct{}

var _ ingest.Parser = (*Parser)(nil)

// New returns a plain text parser.
func New() *Parser { return &Parser{} }

// maxTitleRunes is the longest line taken for a title or a heading that is
// recognised by its layout alone.
const maxTitleRunes = 40

var (
	// dateRe matches a line that is only a date, as under a signature.
	dateRe = regexp.MustCompile(`^(?:\d{4}|[〇零一二三四五六七八九]{4})\s*年\s*[\d一二三四五六七八九十]{1,3}\s*月(?:\s*[\d一二三四五六七八九十]{1,3}\s*日)?$|^\d{4}[-/.]\d{1,2}[-/.]\d{1,2}$`)
	// numberedRe matches an Arabic section number at the start of a
	// heading: 1, 1.2, 1.2.3 (group 1), followed by white space or a dot.
	numberedRe = regexp.MustCompile(`^(\d+(?:\.\d+)*)(?:\.|[\s\x{3000}])`)
)

// Parse implements ingest.Parser. The document's Format is "text".
func (p *Parser) Parse(ctx context.Context, name string, r io.Reader) (*ingest.Document, error) {
	s, err := Read(ctx, "text", name, r)
	if err != nil {
		return nil, err
	}
	doc := &ingest.Document{Format: "text", Blocks: parseBlocks(splitLines(s))}
	if len(doc.Blocks) == 0 {
		return nil, ErrEmpty
	}
	if first := doc.Blocks[0]; first.Kind == ingest.Heading && first.Level == 1 {
		doc.Title = first.Text
	}
	return doc, nil
}

// splitLines splits s into lines, accepting \n, \r\n and \r; a form feed
// counts as a blank line.
func splitLines(s string) []string {
	s = strings.NewReplacer("\r\n", "\n", "\r", "\n", "\f", "\n\n").Replace(s)
	return strings.Split(s, "\n")
}

// line is a non-blank line and its 1-based number.
type line struct {
	text   string // trimmed
	no     int
	indent bool // starts with two or more spaces, a tab or an ideographic space
}

// parseBlocks groups lines into paragraphs and headings.
func parseBlocks(lines []string) []ingest.Block {
	// Group non-blank lines into runs separated by blank lines.
	var groups [][]line
	var cur []line
	for i, l := range lines {
		t := strings.TrimFunc(l, isBlank)
		if t == "" {
			if len(cur) > 0 {
				groups = append(groups, cur)
				cur = nil
			}
			continue
		}
		cur = append(cur, line{text: t, no: i + 1, indent: indented(l)})
	}
	if len(cur) > 0 {
		groups = append(groups, cur)
	}

	var blocks []ingest.Block
	for gi, g := range groups {
		if len(g) == 1 {
			if lvl := standaloneHeading(g[0].text, gi == 0, groups[gi+1:]); lvl > 0 {
				blocks = append(blocks, ingest.Block{Kind: ingest.Heading, Level: lvl, Text: g[0].text, Line: g[0].no})
				continue
			}
		}
		blocks = appendGroup(blocks, g)
	}
	return blocks
}

// appendGroup appends the blocks of one run of non-blank lines: numbered
// headings on their own, the rest as paragraphs of rejoined lines.
func appendGroup(blocks []ingest.Block, g []line) []ingest.Block {
	var para []string
	start := 0
	flush := func() {
		if len(para) > 0 {
			blocks = append(blocks, ingest.Block{Kind: ingest.Paragraph, Text: JoinLines(para), Line: start})
			para = nil
		}
	}
	for i, l := range g {
		if lvl := HeadingLevel(l.text); lvl > 0 && !listContinues(l.text, g[i+1:]) {
			flush()
			blocks = append(blocks, ingest.Block{Kind: ingest.Heading, Level: lvl, Text: l.text, Line: l.no})
			continue
		}
		// An indented line after one that is not starts a paragraph, and
		// so does a date line (under a signature).
		if len(para) > 0 && (l.indent && !g[i-1].indent || dateRe.MatchString(l.text) || ParagraphBreak(para[len(para)-1], l.text)) {
			flush()
		}
		if len(para) == 0 {
			start = l.no
		}
		para = append(para, l.text)
	}
	flush()
	return blocks
}

// listContinues reports whether an 一、 or （一） line is followed by a line
// of the same kind, which makes the two list items rather than headings.
// 第X章 and the like are always headings.
func listContinues(text string, rest []line) bool {
	m := listHeadRe.FindStringSubmatch(text)
	if m == nil || len(rest) == 0 {
		return false
	}
	n := listHeadRe.FindStringSubmatch(rest[0].text)
	return n != nil && (m[1] != "") == (n[1] != "")
}

// standaloneHeading returns the heading level of a line that stands alone
// between blank lines, or 0 when it is body text. A numbered Chinese
// heading keeps its level. Otherwise the line must be short, end without
// punctuation, not be a date or start a list or an article, and be followed
// by body text: a group of several lines or a line that is longer or ends
// with punctuation. The first line of the file is then the title (level 1);
// any other such line is level 2, or 1 + the depth of its number (1.2 → 3).
func standaloneHeading(text string, first bool, rest [][]line) int {
	if lvl := HeadingLevel(text); lvl > 0 {
		return lvl
	}
	n := utf8.RuneCountInString(text)
	last, _ := utf8.DecodeLastRuneInString(text)
	if n > maxTitleRunes || strings.ContainsRune("，,。.；;：:！!？?、…", last) || dateRe.MatchString(text) {
		return 0
	}
	if len(rest) == 0 || !bodyFollows(rest[0]) {
		return 0
	}
	if m := numberedRe.FindStringSubmatch(text); m != nil {
		return min(2+strings.Count(m[1], "."), 6)
	}
	if StartsUnit(text) {
		return 0
	}
	if first {
		return 1
	}
	return 2
}

// bodyFollows reports whether a group of lines reads as body text rather
// than another heading or a signature line.
func bodyFollows(g []line) bool {
	if len(g) > 1 {
		return true
	}
	t := g[0].text
	last, _ := utf8.DecodeLastRuneInString(t)
	return utf8.RuneCountInString(t) > maxTitleRunes || strings.ContainsRune("，,。.；;：:！!？?…", last) || HeadingLevel(t) > 0
}

// indented reports whether a raw line starts with two spaces, a tab or an
// ideographic space: the first line of a paragraph in many Chinese files.
func indented(l string) bool {
	return strings.HasPrefix(l, "  ") || strings.HasPrefix(l, "\t") || strings.HasPrefix(l, "\u3000")
}
