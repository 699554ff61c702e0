package chunk

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/lorehq/lore/ingest"
	"github.com/lorehq/lore/ingest/text"
	"github.com/lorehq/lore/retrieval/segment"
)

// DefaultMaxChars is the chunk size when Options.MaxChars is not set.
const DefaultMaxChars = 400

// Options configure Split.
type Options struct {
	// MaxChars is the largest chunk, in characters (runes). <= 0 means
	// DefaultMaxChars.
	MaxChars int
}

// Chunk is one passage of a document.
type Chunk struct {
	Text        string
	HeadingPath []string // outermost first; nil outside any heading
	Page        int      // page of the chunk's first block; 0 when unpaged
	Line        int      // line of the chunk's first block, where known
	Dialogue    string   // dialogue id, for a chunk of dialogue turns
}

// Split cuts doc into chunks; see the package documentation for the rules.
// It returns nil for a nil document or one without text.
func Split(doc *ingest.Document, opt Options) []Chunk {
	if doc == nil {
		return nil
	}
	if opt.MaxChars <= 0 {
		opt.MaxChars = DefaultMaxChars
	}
	s := &splitter{max: opt.MaxChars}
	blocks := doc.Blocks
	for i := 0; i < len(blocks); i++ {
		b := blocks[i]
		switch b.Kind {
		case ingest.Heading:
			s.flush()
			s.heading(b)
		case ingest.TableRow:
			j := i
			for j < len(blocks) && blocks[j].Kind == ingest.TableRow {
				j++
			}
			s.table(blocks[i:j])
			i = j - 1
		default:
			s.add(b, blockText(b))
		}
	}
	s.flush()
	return s.out
}

// blockText is the text a block contributes to chunks.
func blockText(b ingest.Block) string {
	t := strings.TrimSpace(b.Text)
	switch b.Kind {
	case ingest.TableRow:
		if t == "" && len(b.Cells) > 0 {
			t = strings.TrimSpace(strings.Join(b.Cells, " | "))
		}
	case ingest.Turn:
		if t != "" {
			t = speaker(b.Role, t) + t
		}
	}
	return t
}

// speaker returns the prefix of a dialogue turn.
func speaker(role, t string) string {
	zh := strings.IndexFunc(t, func(r rune) bool { return unicode.Is(unicode.Han, r) }) >= 0
	switch {
	case role == "agent" && zh:
		return "坐席："
	case role == "customer" && zh:
		return "客户："
	case role == "agent":
		return "Agent: "
	case role == "customer":
		return "Customer: "
	case role != "":
		return role + ": "
	}
	return ""
}

type heading struct {
	level int
	text  string
}

// splitter holds the chunk being filled.
type splitter struct {
	max  int
	out  []Chunk
	path []heading

	cur      strings.Builder
	curLen   int // runes in cur
	page     int
	line     int
	dialogue string
	turns    bool // cur holds dialogue turns
}

func (s *splitter) heading(b ingest.Block) {
	t := strings.TrimSpace(b.Text)
	if t == "" {
		return
	}
	for len(s.path) > 0 && s.path[len(s.path)-1].level >= b.Level {
		s.path = s.path[:len(s.path)-1]
	}
	s.path = append(s.path, heading{b.Level, t})
}

// flush ends the current chunk.
func (s *splitter) flush() {
	if s.curLen == 0 {
		return
	}
	c := Chunk{Text: s.cur.String(), Page: s.page, Line: s.line, Dialogue: s.dialogue}
	if len(s.path) > 0 {
		c.HeadingPath = make([]string, len(s.path))
		for i, h := range s.path {
			c.HeadingPath[i] = h.text
		}
	}
	s.out = append(s.out, c)
	s.cur.Reset()
	s.curLen, s.dialogue, s.turns = 0, "", false
}

// start begins a chunk at block b if none is open.
func (s *splitter) start(b ingest.Block) {
	if s.curLen == 0 {
		s.page, s.line = b.Page, b.Line
		if b.Kind == ingest.Turn {
			s.dialogue, s.turns = b.Dialogue, true
		}
	}
}

// appendText adds t (of n runes) to the current chunk on a new line.
func (s *splitter) appendText(t string, n int) {
	if s.curLen > 0 {
		s.cur.WriteByte('\n')
		s.curLen++
	}
	s.cur.WriteString(t)
	s.curLen += n
}

// add packs one paragraph, list item or turn, whose chunk text is t.
func (s *splitter) add(b ingest.Block, t string) {
	if t == "" {
		return
	}
	if s.curLen > 0 && (b.Page != s.page || (b.Kind == ingest.Turn) != s.turns || b.Dialogue != s.dialogue && s.turns) {
		s.flush()
	}
	n := utf8.RuneCountInString(t)
	if n <= s.max {
		if s.curLen > 0 && s.curLen+1+n > s.max {
			s.flush()
		}
		s.start(b)
		s.appendText(t, n)
		return
	}
	s.flush()
	pieces := cut(t, s.max)
	for i, p := range pieces {
		s.start(b)
		s.appendText(p, utf8.RuneCountInString(p))
		if i < len(pieces)-1 {
			s.flush()
		}
	}
}

// table chunks a run of table rows. With header rows, every chunk starts
// with them.
func (s *splitter) table(rows []ingest.Block) {
	nh := 0
	for nh < len(rows) && rows[nh].Header {
		nh++
	}
	if nh == 0 || nh == len(rows) {
		for _, r := range rows {
			s.add(r, blockText(r))
		}
		return
	}
	s.flush()
	var hb strings.Builder
	for _, r := range rows[:nh] {
		if t := blockText(r); t != "" {
			if hb.Len() > 0 {
				hb.WriteByte('\n')
			}
			hb.WriteString(t)
		}
	}
	header := hb.String()
	hLen := utf8.RuneCountInString(header)
	room := s.max - hLen - 1
	if room < s.max/4 {
		room = max(s.max/4, 1)
	}
	first := true
	var body strings.Builder
	bodyLen := 0
	emit := func() {
		if bodyLen == 0 {
			return
		}
		s.appendText(header, hLen)
		s.appendText(body.String(), bodyLen)
		s.flush()
		body.Reset()
		bodyLen = 0
		first = false
	}
	for _, r := range rows[nh:] {
		t := blockText(r)
		if t == "" {
			continue
		}
		if bodyLen > 0 && r.Page != s.page {
			emit()
		}
		pieces := []string{t}
		if utf8.RuneCountInString(t) > room {
			pieces = cut(t, room)
		}
		for _, p := range pieces {
			n := utf8.RuneCountInString(p)
			if bodyLen > 0 && bodyLen+1+n > room {
				emit()
			}
			if bodyLen == 0 {
				s.page, s.line = r.Page, r.Line
				if first {
					s.line = rows[0].Line
				}
			} else {
				body.WriteByte('\n')
				bodyLen++
			}
			body.WriteString(p)
			bodyLen += n
		}
	}
	emit()
}

// cut splits text longer than max runes into pieces of at most max runes:
// whole sentences packed greedily; a sentence longer than max is cut into
// clauses, and a clause longer than max at max runes.
func cut(t string, max int) []string {
	var units []string
	for _, sent := range segment.Sentences(t) {
		if utf8.RuneCountInString(sent) <= max {
			units = append(units, sent)
			continue
		}
		for _, cl := range clauses(sent) {
			if utf8.RuneCountInString(cl) <= max {
				units = append(units, cl)
				continue
			}
			units = append(units, hardCut(cl, max)...)
		}
	}
	var out []string
	var cur string
	curLen := 0
	for _, u := range units {
		n := utf8.RuneCountInString(u)
		sep := joiner(cur, u)
		if curLen > 0 && curLen+len(sep)+n > max {
			out = append(out, cur)
			cur, curLen, sep = "", 0, ""
		}
		cur += sep + u
		curLen += len(sep) + n
	}
	if curLen > 0 {
		out = append(out, cur)
	}
	return out
}

// joiner returns what goes between two pieces of one paragraph: a space
// between Latin text, nothing next to a Chinese character.
func joiner(a, b string) string {
	if a == "" || b == "" {
		return ""
	}
	last, _ := utf8.DecodeLastRuneInString(a)
	first, _ := utf8.DecodeRuneInString(b)
	if text.IsWide(last) || text.IsWide(first) {
		return ""
	}
	return " "
}

// clauses splits a sentence after clause punctuation: ，、： anywhere, and
// "," or ":" before white space. The pieces are trimmed.
func clauses(s string) []string {
	var out []string
	start := 0
	for i, r := range s {
		end := i + utf8.RuneLen(r)
		switch {
		case r == '，' || r == '、' || r == '：':
		case (r == ',' || r == ':') && end < len(s) && (s[end] == ' ' || s[end] == '\t' || s[end] == '\n'):
		default:
			continue
		}
		if p := strings.TrimSpace(s[start:end]); p != "" {
			out = append(out, p)
		}
		start = end
	}
	if p := strings.TrimSpace(s[start:]); p != "" {
		out = append(out, p)
	}
	return out
}

// hardCut cuts s into pieces of at most max runes, at the last space in
// the final quarter of a piece when there is one.
func hardCut(s string, max int) []string {
	var out []string
	r := []rune(s)
	for start := 0; start < len(r); {
		for start < len(r) && unicode.IsSpace(r[start]) {
			start++
		}
		end := min(start+max, len(r))
		if end < len(r) {
			for k := end - 1; k > start && k >= end-max/4; k-- {
				if unicode.IsSpace(r[k]) {
					end = k
					break
				}
			}
		}
		if p := strings.TrimSpace(string(r[start:end])); p != "" {
			out = append(out, p)
		}
		start = end
	}
	return out
}
