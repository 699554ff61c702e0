package rules

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/lorehq/lore/ingest"
	"github.com/lorehq/lore/knowledge"
)

// Options configure an Extractor.
type Options struct {
	// Force treats every document as a rule document, as when the user
	// hints that a folder holds rules. Without it a document is a rule
	// document only when at least MinArticles article numbers stand at
	// the start of its blocks, mostly in ascending order. A forced
	// document without article numbers is cut at its outermost 一、 or 1.
	// numbering instead.
	Force bool
	// MinArticles is the number of articles that makes a document a rule
	// document when Force is off; <= 0 means 3.
	MinArticles int
}

// Confidence of the items, by how the article was found.
const (
	confidenceArticle    = 0.9  // a numbered article in sequence
	confidenceOutOfOrder = 0.75 // a numbered article out of sequence
	confidenceEnumerated = 0.6  // a 一、 unit of a forced document
)

// minOrdered is the share of consecutive articles that must be in
// ascending order for automatic detection.
const minOrdered = 0.8

// ruleTitleRe matches the title of a rule document, as it may stand
// under the notice that issues it.
var ruleTitleRe = regexp.MustCompile(`(?:办法|规定|条例|细则|规则|指引|准则|法|解释|制度|规程|(?i:regulations?|rules|policy|act|code|guidelines?))$`)

// maxTitleRunes is the longest paragraph taken for a missing title.
const maxTitleRunes = 60

// Extractor makes rule items, one per article. It is safe for concurrent
// use.
type Extractor struct {
	opt Options
}

var _ ingest.Extractor = (*Extractor)(nil)

// New returns a rule extractor.
func New(opt Options) *Extractor {
	if opt.MinArticles <= 0 {
		opt.MinArticles = 3
	}
	return &Extractor{opt: opt}
}

// article is one article being collected.
type article struct {
	no    articleNo
	path  []string
	page  int
	line  int
	texts []string // its blocks' text, as written
	paras []int    // the 款 (1-based) each block belongs to; 0 before the first
	conf  float64
}

// pathEntry is one enclosing division heading.
type pathEntry struct {
	rank int
	text string
}

// Extract implements ingest.Extractor. It returns nil when the document is
// not a rule document (see Options.Force). Each article becomes one item
// whose Body is the article's blocks as written, joined by line breaks;
// paragraphs without an article number, and headings that are not
// divisions (编, 章, 节 …) and are not followed by an article, continue the
// article before them. The only error is ctx's.
func (e *Extractor) Extract(ctx context.Context, doc *ingest.Document) ([]knowledge.Item, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("rules: extract: %w", err)
	}
	if doc == nil {
		return nil, nil
	}
	blocks := usableBlocks(doc.Blocks)
	sch := chooseScheme(blocks, e.opt.Force)
	if sch == schemeNone {
		return nil, nil
	}
	s := segmenter{blocks: blocks, sch: sch, title: trimBlank(doc.Title)}
	for i := range blocks {
		if i%512 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, fmt.Errorf("rules: extract: %w", err)
			}
		}
		s.add(i)
	}
	s.close()
	if len(s.articles) == 0 {
		return nil, nil
	}
	if !e.opt.Force && !looksLikeRules(s.articles, e.opt.MinArticles) {
		return nil, nil
	}
	s.trimSignature()
	return s.items(), nil
}

// usableBlocks drops empty blocks and page numbers standing alone.
func usableBlocks(in []ingest.Block) []ingest.Block {
	out := make([]ingest.Block, 0, len(in))
	for _, b := range in {
		t := trimBlank(b.Text)
		if t == "" || (b.Page > 0 && pageMarkRe.MatchString(t)) {
			continue
		}
		b.Text = t
		out = append(out, b)
	}
	return out
}

// chooseScheme picks the article numbering with the most block starts:
// Chinese 第N条 over Article N over Section N; with force and none of
// them, the outermost enumeration.
func chooseScheme(blocks []ingest.Block, force bool) scheme {
	var zh, art, sec int
	for _, b := range blocks {
		if _, ok := matchArticle(b.Text, schemeChinese); ok {
			zh++
		}
		if _, ok := matchArticle(b.Text, schemeArticle); ok {
			art++
		}
		if _, ok := matchArticle(b.Text, schemeSection); ok {
			sec++
		}
	}
	switch {
	case zh > 0 && zh >= art:
		return schemeChinese
	case art > 0:
		return schemeArticle
	case sec > 0:
		return schemeSection
	case force:
		return schemeEnumerate
	}
	return schemeNone
}

// looksLikeRules reports whether the articles found make a rule document:
// at least min of them, mostly in ascending order.
func looksLikeRules(arts []*article, min int) bool {
	if len(arts) < min {
		return false
	}
	if len(arts) == 1 {
		return true
	}
	ordered := 0
	for i := 1; i < len(arts); i++ {
		if arts[i].no.key() >= arts[i-1].no.key() {
			ordered++
		}
	}
	return float64(ordered) >= minOrdered*float64(len(arts)-1)
}

// segmenter cuts a document's blocks into articles.
type segmenter struct {
	blocks   []ingest.Block
	sch      scheme
	title    string // document title, found or given
	path     []pathEntry
	cur      *article
	articles []*article
	meta     []string // text outside articles: preamble and signature
}

// add takes block i.
func (s *segmenter) add(i int) {
	b := s.blocks[i]
	text := b.Text
	if s.cur != nil && b.Page > 0 && text == s.title {
		return // running header of a paged document
	}
	if a, ok := s.startsArticle(b); ok {
		s.close()
		conf := confidenceArticle
		switch {
		case s.sch == schemeEnumerate:
			conf = confidenceEnumerated
		case len(s.articles) > 0 && a.key() <= s.articles[len(s.articles)-1].no.key():
			conf = confidenceOutOfOrder
		}
		para := 1
		if b.Kind == ingest.Heading || trimBlank(text[len(a.text):]) == "" {
			para = 0 // a heading or bare number: the text follows
		}
		s.cur = &article{no: a, path: s.pathTexts(), page: b.Page, line: b.Line,
			texts: []string{text}, paras: []int{para}, conf: conf}
		return
	}
	if rank := divisionRank(text, s.sch); rank > 0 && !(s.cur != nil && s.continuesList()) {
		if b.Kind == ingest.Heading && b.Level > 0 {
			rank = b.Level * 10
		}
		s.close()
		s.push(rank, text)
		return
	}
	if rank := enumHeadingRank(text); rank > 0 && b.Kind != ingest.Heading && !s.continuesList() && s.divisionFollows(i) {
		s.close()
		s.push(rank, text) // 一、投诉受理 written as a paragraph
		return
	}
	if b.Kind == ingest.Heading {
		switch {
		case s.cur == nil && len(s.path) == 0 && (s.title == "" || text == s.title):
			if s.title == "" {
				s.title = text
			}
			return
		case s.cur == nil && len(s.articles) == 0 && ruleTitleRe.MatchString(text):
			s.meta = append(s.meta, text) // the title of rules a notice issues
			return
		case s.cur == nil && s.divisionFollows(i):
			s.push(b.Level*10, text)
			return
		case s.cur == nil:
			s.meta = append(s.meta, text)
			return
		case !s.continuesList() && s.divisionFollows(i):
			s.close()
			s.push(b.Level*10, text)
			return
		}
	}
	if s.cur == nil {
		if s.title == "" && len(s.meta) == 0 && utf8.RuneCountInString(text) <= maxTitleRunes && !endsSentence(text) {
			s.title = text
			return
		}
		s.meta = append(s.meta, text)
		return
	}
	para := s.cur.paras[len(s.cur.paras)-1]
	if b.Kind != ingest.Heading && !isEnumerated(text) {
		para++
	}
	s.cur.texts = append(s.cur.texts, text)
	s.cur.paras = append(s.cur.paras, para)
}

// startsArticle reports whether block b starts an article: its number is
// followed by a separator, or b is a heading, or it is the next number in
// sequence.
func (s *segmenter) startsArticle(b ingest.Block) (articleNo, bool) {
	a, ok := matchArticle(b.Text, s.sch)
	if !ok {
		return a, false
	}
	if a.strong || b.Kind == ingest.Heading {
		return a, true
	}
	prev := 0
	if s.cur != nil {
		prev = s.cur.no.value
	} else if n := len(s.articles); n > 0 {
		prev = s.articles[n-1].no.value
	}
	return a, a.value == prev+1 || (a.sub > 0 && a.value == prev)
}

// divisionFollows reports whether the block after the headings following
// block i starts an article or a division, which makes the headings
// divisions rather than text.
func (s *segmenter) divisionFollows(i int) bool {
	for j := i + 1; j < len(s.blocks) && j <= i+4; j++ {
		b := s.blocks[j]
		if _, ok := s.startsArticle(b); ok {
			return true
		}
		if divisionRank(b.Text, s.sch) > 0 {
			return true
		}
		if b.Kind != ingest.Heading {
			return false
		}
	}
	return false
}

// continuesList reports whether the current article's last block
// announces a list (ends with a colon) or is an item of one, so that a
// heading-like line after it is the list's next item.
func (s *segmenter) continuesList() bool {
	if s.cur == nil {
		return false
	}
	t := s.cur.texts[len(s.cur.texts)-1]
	return strings.HasSuffix(t, "：") || strings.HasSuffix(t, ":") || (len(s.cur.texts) > 1 && enumRe.MatchString(t))
}

// push makes text the innermost division, replacing those of rank or
// deeper.
func (s *segmenter) push(rank int, text string) {
	for len(s.path) > 0 && s.path[len(s.path)-1].rank >= rank {
		s.path = s.path[:len(s.path)-1]
	}
	s.path = append(s.path, pathEntry{rank: rank, text: text})
}

func (s *segmenter) pathTexts() []string {
	if len(s.path) == 0 {
		return nil
	}
	out := make([]string, len(s.path))
	for i, p := range s.path {
		out[i] = p.text
	}
	return out
}

// close ends the current article.
func (s *segmenter) close() {
	if s.cur != nil {
		s.articles = append(s.articles, s.cur)
		s.cur = nil
	}
}

// trimSignature moves the signature that closes a document (the issuing
// body and the date, after the last article) out of the last article and
// into the metadata.
func (s *segmenter) trimSignature() {
	last := s.articles[len(s.articles)-1]
	n := len(last.texts)
	for n > 1 {
		t := last.texts[n-1]
		if !onlyDateRe.MatchString(t) && !(utf8.RuneCountInString(t) <= 30 && orgLineRe.MatchString(t)) {
			break
		}
		n--
	}
	s.meta = append(s.meta, last.texts[n:]...)
	last.texts, last.paras = last.texts[:n], last.paras[:n]
}

// items builds the rule items.
func (s *segmenter) items() []knowledge.Item {
	bodies := make([]string, len(s.articles))
	for i, a := range s.articles {
		bodies[i] = strings.Join(a.texts, "\n")
	}
	md := readMeta(s.title, s.meta, bodies)
	aliases := lawAliases(append(append([]string{s.title}, s.meta...), bodies...))
	items := make([]knowledge.Item, 0, len(s.articles))
	for i, a := range s.articles {
		rc := refContext{article: a.no.text, aliases: aliases}
		if i > 0 {
			rc.previous = s.articles[i-1].no.text
		}
		var refs []string
		for j, t := range a.texts {
			if j == 0 {
				t = t[len(a.no.text):]
			}
			rc.para = a.paras[j]
			if s.sch == schemeChinese || s.sch == schemeEnumerate {
				refs = zhReferences(t, rc, refs)
			} else {
				refs = enReferences(t, refs)
			}
		}
		title := a.no.text
		if md.title != "" {
			title = md.title + " " + a.no.text
		}
		items = append(items, knowledge.Item{
			Kind:       knowledge.KindRule,
			Title:      title,
			Body:       bodies[i],
			Confidence: a.conf,
			Provenance: []knowledge.Provenance{{
				Page:        a.page,
				HeadingPath: a.path,
				Article:     a.no.text,
				Line:        a.line,
			}},
			Rule: &knowledge.Rule{
				DocTitle:    md.title,
				Issuer:      md.issuer,
				DocNumber:   md.number,
				Effective:   md.effective,
				Repealed:    md.repealed,
				HeadingPath: append([]string(nil), a.path...),
				Article:     a.no.text,
				Modality:    modality(bodies[i]),
				References:  dedupe(refs, a.no.text),
			},
		})
	}
	return items
}

// endsSentence reports whether t ends with sentence punctuation.
func endsSentence(t string) bool {
	last, _ := utf8.DecodeLastRuneInString(t)
	return strings.ContainsRune("。；;！!？?，,：:", last)
}
