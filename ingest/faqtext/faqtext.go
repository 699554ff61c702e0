package faqtext

import (
	"context"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/lorehq/lore/ingest"
	"github.com/lorehq/lore/knowledge"
)

// MinPairs is how many question-answer pairs make a document a FAQ.
const MinPairs = 2

// Extractor makes faq items from Q/A text.
type Extractor struct{}

var _ ingest.Extractor = (*Extractor)(nil)

// New returns the extractor.
func New() *Extractor { return &Extractor{} }

var (
	// Optional numbering, then a question or answer label and a colon.
	questionRe = regexp.MustCompile(`^(?:\d{1,3}[.、．)）]\s*)?(?:问题|问|Q|Question)\s*\d{0,3}\s*[:：.．]\s*`)
	answerRe   = regexp.MustCompile(`^(?:答复|回答|答案|答|A|Answer)\s*\d{0,3}\s*[:：.．]\s*`)
)

// line is one line of the document with where it came from.
type line struct {
	text     string
	heading  bool
	level    int
	page     int
	line     int
	headings []string
}

// pair is a question being collected.
type pair struct {
	q, a     []string
	at       line
	inAnswer bool
}

// Extract implements ingest.Extractor. It returns nil unless the document
// holds at least MinPairs pairs and they make up at least half of its text,
// so a notice with a Q/A box still becomes passages.
func (e *Extractor) Extract(ctx context.Context, doc *ingest.Document) ([]knowledge.Item, error) {
	var (
		items    []knowledge.Item
		headings []string
		cur      *pair
	)
	flush := func() {
		if cur == nil {
			return
		}
		q := strings.TrimSpace(strings.Join(cur.q, ""))
		a := strings.TrimSpace(strings.Join(cur.a, "\n"))
		if q != "" && a != "" {
			items = append(items, knowledge.Item{
				Kind:       knowledge.KindFAQ,
				Title:      q,
				Body:       "问：" + q + "\n答：" + a,
				Confidence: 0.9,
				FAQ:        &knowledge.FAQ{Question: q, Answer: a, Support: 1},
				Provenance: []knowledge.Provenance{{
					Page: cur.at.page, Line: cur.at.line, HeadingPath: cur.at.headings,
				}},
			})
		}
		cur = nil
	}
	for _, b := range doc.Blocks {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if b.Kind == ingest.Heading {
			level := max(b.Level, 1)
			if len(headings) >= level {
				headings = headings[:level-1]
			}
			for len(headings) < level-1 {
				headings = append(headings, "")
			}
			text := strings.TrimSpace(b.Text)
			if isQuestion(text) {
				// A heading asking a question opens a pair whose answer
				// is the text under it.
				flush()
				at := line{page: b.Page, line: b.Line, headings: clone(headings)}
				cur = &pair{q: []string{stripLabel(questionRe, text)}, at: at, inAnswer: true}
				headings = append(headings, text)
				continue
			}
			flush()
			headings = append(headings, text)
			continue
		}
		if b.Kind == ingest.TableRow {
			flush()
			continue
		}
		for i, raw := range strings.Split(b.Text, "\n") {
			t := strings.TrimSpace(raw)
			if t == "" {
				continue
			}
			switch {
			case questionRe.MatchString(t):
				flush()
				at := line{page: b.Page, line: b.Line, headings: clone(headings)}
				if b.Line > 0 {
					at.line = b.Line + i
				}
				cur = &pair{q: []string{stripLabel(questionRe, t)}, at: at}
			case cur != nil && answerRe.MatchString(t):
				cur.inAnswer = true
				cur.a = append(cur.a, stripLabel(answerRe, t))
			case cur != nil && cur.inAnswer:
				cur.a = append(cur.a, t)
			case cur != nil:
				cur.q = append(cur.q, t) // a question wrapped onto the next line
			}
		}
	}
	flush()
	if len(items) < MinPairs || 2*covered(items) < textChars(doc) {
		return nil, nil
	}
	return items, nil
}

// covered counts the characters of questions and answers.
func covered(items []knowledge.Item) int {
	n := 0
	for _, it := range items {
		n += utf8.RuneCountInString(it.FAQ.Question) + utf8.RuneCountInString(it.FAQ.Answer)
	}
	return n
}

// textChars counts the characters of the document's non-heading text.
func textChars(doc *ingest.Document) int {
	n := 0
	for _, b := range doc.Blocks {
		if b.Kind != ingest.Heading {
			n += utf8.RuneCountInString(b.Text)
		}
	}
	return n
}

// isQuestion reports whether a heading asks something: it ends with a
// question mark or carries a question label.
func isQuestion(s string) bool {
	return strings.HasSuffix(s, "？") || strings.HasSuffix(s, "?") || questionRe.MatchString(s)
}

func stripLabel(re *regexp.Regexp, s string) string {
	return strings.TrimSpace(re.ReplaceAllString(s, ""))
}

// clone copies a heading path without the levels a document skipped.
func clone(s []string) []string {
	var out []string
	for _, h := range s {
		if h != "" {
			out = append(out, h)
		}
	}
	return out
}
