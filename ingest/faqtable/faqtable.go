package faqtable

import (
	"context"
	"regexp"
	"slices"
	"strings"

	"golang.org/x/text/width"

	"github.com/lorehq/lore/ingest"
	"github.com/lorehq/lore/knowledge"
)

// Extractor makes faq items from question-and-answer tables. The zero value
// is ready to use.
type Extractor struct{}

var _ ingest.Extractor = (*Extractor)(nil)

// New returns an FAQ table extractor.
func New() *Extractor { return &Extractor{} }

// Column roles a header cell can have.
type role int

const (
	roleNone role = iota
	roleQuestion
	roleAnswer
	roleVariants
)

// exactNames maps normalised header names to their role.
var exactNames = map[string]role{}

func init() {
	for role, names := range map[role][]string{
		roleQuestion: {"问题", "问", "客户问题", "用户问题", "常见问题", "标准问题", "标准问", "标准问法", "提问", "问句", "问法",
			"question", "questions", "q", "faq", "query", "customerquestion", "faqquestion"},
		roleAnswer: {"答案", "答", "回答", "答复", "标准答复", "标准答案", "标准回答", "解答", "回复", "标准回复", "参考答案",
			"参考回答", "参考答复", "客服回复", "answer", "answers", "a", "reply", "response", "standardanswer"},
		roleVariants: {"相似问题", "相似问法", "相似问", "相似问句", "扩展问", "扩展问题", "扩展问法", "同义问法", "同义问", "其他问法",
			"similarquestions", "variants", "paraphrases", "alternativequestions"},
	} {
		for _, n := range names {
			exactNames[n] = role
		}
	}
}

// Suffixes of longer header names, tried when no exact name matches.
var (
	questionSuffixes = []string{"问题", "问法", "question", "questions"}
	answerSuffixes   = []string{"答案", "答复", "回答", "回复", "解答", "answer", "answers", "reply", "response"}
)

// bracketRe matches a bracketed note in a header: 问题（必填）, Answer [EN].
var bracketRe = regexp.MustCompile(`\([^)]*\)|\[[^\]]*\]|【[^】]*】|<[^>]*>`)

// normalise folds a header cell for matching: full-width to half-width,
// lower case, bracketed notes, white space, marks and a trailing colon
// removed.
func normalise(s string) string {
	s = strings.ToLower(width.Fold.String(s))
	if t := bracketRe.ReplaceAllString(s, ""); strings.TrimSpace(t) != "" {
		s = t
	}
	s = strings.Map(func(r rune) rune {
		switch r {
		case ' ', '\t', '\n', '\r', '\u3000', '*', '#', '_', '-', '.', ':', '：':
			return -1
		}
		return r
	}, s)
	return s
}

// classify returns the role of a header cell and its rank: 1 for an exact
// name, 2 for a suffix match, 0 for none.
func classify(cell string) (role, int) {
	n := normalise(cell)
	if n == "" {
		return roleNone, 0
	}
	if r, ok := exactNames[n]; ok {
		return r, 1
	}
	for _, s := range questionSuffixes {
		if strings.HasSuffix(n, s) {
			return roleQuestion, 2
		}
	}
	for _, s := range answerSuffixes {
		if strings.HasSuffix(n, s) {
			return roleAnswer, 2
		}
	}
	return roleNone, 0
}

// columns are the column indexes of an FAQ table; variants is -1 when the
// table has no similar-questions column.
type columns struct {
	q, a, variants int
}

// detect finds the columns of an FAQ header row.
func detect(header []string) (columns, bool) {
	c := columns{q: -1, a: -1, variants: -1}
	qRank, aRank := 3, 3
	for i, cell := range header {
		r, rank := classify(cell)
		switch {
		case r == roleQuestion && rank < qRank:
			c.q, qRank = i, rank
		case r == roleAnswer && rank < aRank:
			c.a, aRank = i, rank
		case r == roleVariants && c.variants < 0:
			c.variants = i
		}
	}
	return c, c.q >= 0 && c.a >= 0
}

// FAQColumns reports whether header, the cells of a table's header row,
// names a question column and an answer column, and returns their
// indexes. Exact names (问题, 答案, Question, A, …) win over names that only
// end like one (客户常见问题, 客服标准答复), then the leftmost column wins.
func FAQColumns(header []string) (q, a int, ok bool) {
	c, ok := detect(header)
	if !ok {
		return -1, -1, false
	}
	return c.q, c.a, true
}

// variantSplitRe separates the questions of a similar-questions cell.
var variantSplitRe = regexp.MustCompile(`\s*(?:\n|；|;|｜|\|)\s*`)

// trimLabel removes a leading label such as "Q:", "问：" or "A：" from a
// cell; labels holds the accepted label words.
func trimLabel(s string, labels ...string) string {
	s = strings.TrimSpace(s)
	for _, l := range labels {
		if len(s) < len(l) || !strings.EqualFold(s[:len(l)], l) {
			continue
		}
		rest := strings.TrimLeft(s[len(l):], " \t")
		for _, colon := range []string{":", "："} {
			if strings.HasPrefix(rest, colon) {
				return strings.TrimSpace(rest[len(colon):])
			}
		}
	}
	return s
}

// headingPath tracks the enclosing headings of a block.
type headingPath struct {
	levels []int
	texts  []string
}

func (h *headingPath) push(level int, text string) {
	i := len(h.levels)
	for i > 0 && h.levels[i-1] >= level {
		i--
	}
	h.levels = append(h.levels[:i], level)
	h.texts = append(h.texts[:i], text)
}

// path returns a copy of the current heading path, nil when empty.
func (h *headingPath) path() []string {
	if len(h.texts) == 0 {
		return nil
	}
	return append([]string(nil), h.texts...)
}

// Extract implements ingest.Extractor. It returns nil for a document
// without an FAQ table.
func (e *Extractor) Extract(ctx context.Context, doc *ingest.Document) ([]knowledge.Item, error) {
	var (
		items  []knowledge.Item
		hp     headingPath
		cols   columns
		header []string // cells of the open FAQ table's header row
		open   bool     // inside an FAQ table
	)
	for i, b := range doc.Blocks {
		if i%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		switch {
		case b.Kind == ingest.Heading:
			hp.push(b.Level, b.Text)
			open = false
		case b.Kind != ingest.TableRow:
			open = false
		case b.Header:
			cols, open = detect(b.Cells)
			header = b.Cells
		case open:
			if slices.Equal(b.Cells, header) {
				continue // a header repeated down the table
			}
			if it, ok := rowItem(b, cols, hp.path()); ok {
				items = append(items, it)
			}
		}
	}
	return items, nil
}

// rowItem makes the item of one data row, false when the question or the
// answer is empty.
func rowItem(b ingest.Block, c columns, path []string) (knowledge.Item, bool) {
	q := trimLabel(cell(b.Cells, c.q), "q", "问")
	a := trimLabel(cell(b.Cells, c.a), "a", "答")
	if q == "" || a == "" {
		return knowledge.Item{}, false
	}
	var variants []string
	if c.variants >= 0 {
		for _, v := range variantSplitRe.Split(cell(b.Cells, c.variants), -1) {
			if v = strings.TrimSpace(v); v != "" && v != q {
				variants = append(variants, v)
			}
		}
	}
	return knowledge.Item{
		Kind:  knowledge.KindFAQ,
		Title: q,
		Body:  "问：" + q + "\n答：" + a,
		FAQ:   &knowledge.FAQ{Question: q, Answer: a, Variants: variants, Support: 1},
		Provenance: []knowledge.Provenance{{
			Page:        b.Page,
			Line:        b.Line,
			HeadingPath: path,
		}},
	}, true
}

// cell returns cells[i], "" when the row is shorter.
func cell(cells []string, i int) string {
	if i < 0 || i >= len(cells) {
		return ""
	}
	return cells[i]
}
