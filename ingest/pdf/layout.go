package pdf

import (
	"math"
	"regexp"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/lorehq/lore/ingest"
	"github.com/lorehq/lore/ingest/text"
)

// line is one visual line of a page.
type line struct {
	x, endX, y, size float64
	text             string
}

// buildLines groups a page's segments into lines. Segments come in
// content-stream order, which producers write in reading order; a segment
// continues the current line when it sits on the same baseline to the
// right of it. A space is put between two segments when the gap is at
// least a fifth of the font size between Latin text, or a whole em next
// to a Chinese character (so a table's cells stay apart but a justified
// line does not fall into characters). Text drawn twice at the same spot (fake bold) is
// kept once.
func buildLines(segs []segment) []line {
	var lines []line
	var cur *line
	var lastSeg segment
	for _, s := range segs {
		if strings.TrimSpace(s.text) == "" {
			if cur != nil && math.Abs(s.y-cur.y) <= 0.35*cur.size && !strings.HasSuffix(cur.text, " ") {
				cur.text += " "
				cur.endX = math.Max(cur.endX, s.endX)
			}
			continue
		}
		if cur != nil && s.text == lastSeg.text && math.Abs(s.y-lastSeg.y) < 0.2*s.size &&
			s.x >= lastSeg.x-0.2*s.size && s.x < lastSeg.x+0.5*(lastSeg.endX-lastSeg.x) {
			continue // drawn twice, slightly offset
		}
		if cur != nil && math.Abs(s.y-cur.y) <= 0.35*math.Max(cur.size, s.size) && s.x >= cur.endX-0.5*s.size {
			gap := s.x - cur.endX
			last, _ := utf8.DecodeLastRuneInString(cur.text)
			first, _ := utf8.DecodeRuneInString(s.text)
			need := 0.2 * s.size
			if text.IsWide(last) || text.IsWide(first) {
				// Word processors widen the gap between Chinese and
				// Latin text; only a table-cell gap is a space.
				need = s.size
			}
			if gap >= need && !unicode.IsSpace(last) && !unicode.IsSpace(first) {
				cur.text += " "
			}
			cur.text += s.text
			cur.endX = math.Max(cur.endX, s.endX)
			cur.size = math.Max(cur.size, s.size)
			lastSeg = s
			continue
		}
		lines = append(lines, line{x: s.x, endX: s.endX, y: s.y, size: s.size, text: s.text})
		cur = &lines[len(lines)-1]
		lastSeg = s
	}
	out := lines[:0]
	for _, l := range lines {
		l.text = strings.TrimSpace(l.text)
		if l.text != "" {
			out = append(out, l)
		}
	}
	return out
}

var (
	// pageNumberRe matches a line that is only a page number: 3, - 3 -,
	// 第 3 页, 第3页 共10页, 3/10, Page 3 of 10.
	pageNumberRe = regexp.MustCompile(`(?i)^(?:[-–—_\s]*\d+[-–—_\s]*|第\s*\d+\s*页(?:\s*[,，/／]?\s*共\s*\d+\s*页)?|\d+\s*[/／]\s*\d+|共\s*\d+\s*页\s*第\s*\d+\s*页|page\s*\d+(?:\s*(?:of|/)\s*\d+)?)$`)
	digitsRe     = regexp.MustCompile(`\d+`)
	// bulletRe matches a bullet that opens a list item.
	bulletRe = regexp.MustCompile(`^(?:[•·▪●◦‣■□]\s*|[-*]\s+)`)
)

// Running headers, footers and page numbers are looked for among the
// edgeLines top and bottom lines of a page that lie in the band of
// edgeBand of the page height at its top or bottom.
const (
	edgeLines = 2
	edgeBand  = 0.12
)

// edges returns the indexes of the top and bottom lines of a page that lie
// in its top and bottom bands; box is the page's [x0 y0 x1 y1].
func edges(lines []line, box [4]float64) []int {
	idx := make([]int, len(lines))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return lines[idx[a]].y > lines[idx[b]].y })
	band := edgeBand * (box[3] - box[1])
	var out []int
	for k, i := range idx {
		switch {
		case k < edgeLines && lines[i].y >= box[3]-band:
			out = append(out, i)
		case k >= len(idx)-edgeLines && lines[i].y <= box[1]+band:
			out = append(out, i)
		}
	}
	return out
}

// furnitureKey normalises an edge line for counting repeats: digits stand
// for any number, so "第 1 页" and "第 2 页" are one footer.
func furnitureKey(s string) string {
	return digitsRe.ReplaceAllString(strings.Join(strings.Fields(s), ""), "#")
}

// dropFurniture removes running headers and footers and page numbers: an
// edge line (see edges) that is only a page number, or that repeats
// (numbers aside) at the edge of at least half of the pages and at least
// two.
func dropFurniture(pages [][]line, boxes [][4]float64) {
	counts := map[string]int{}
	for p, lines := range pages {
		seen := map[string]bool{}
		for _, i := range edges(lines, boxes[p]) {
			k := furnitureKey(lines[i].text)
			if !seen[k] {
				seen[k] = true
				counts[k]++
			}
		}
	}
	need := max(2, (len(pages)+1)/2)
	for p, lines := range pages {
		drop := map[int]bool{}
		for _, i := range edges(lines, boxes[p]) {
			if pageNumberRe.MatchString(lines[i].text) || counts[furnitureKey(lines[i].text)] >= need {
				drop[i] = true
			}
		}
		if len(drop) == 0 {
			continue
		}
		kept := lines[:0]
		for i, l := range lines {
			if !drop[i] {
				kept = append(kept, l)
			}
		}
		pages[p] = kept
	}
}

// pageMetrics describes the body text of a page.
type pageMetrics struct {
	left, right float64 // usual start and end of a full line
	size        float64 // usual font size
	pitch       float64 // usual distance between baselines; 0 when unknown
	// indents is true when paragraphs on the page begin with a first-line
	// indent, so a line at the left margin continues a paragraph.
	indents bool
}

func measure(lines []line) pageMetrics {
	var m pageMetrics
	if len(lines) == 0 {
		return m
	}
	// The usual size and left edge are the ones most text has.
	sizes := map[float64]int{}
	lefts := map[float64]int{}
	for _, l := range lines {
		n := utf8.RuneCountInString(l.text)
		sizes[math.Round(l.size*2)/2] += n
		lefts[math.Round(l.x/2)*2] += n
	}
	m.size = argmax(sizes)
	m.left = argmax(lefts)
	ends := make([]float64, len(lines))
	for i, l := range lines {
		ends[i] = l.endX
	}
	sort.Float64s(ends)
	m.right = ends[int(0.9*float64(len(ends)-1))]
	var gaps []float64
	for i := 1; i < len(lines); i++ {
		if d := lines[i-1].y - lines[i].y; d > 0.5*m.size && d < 3*m.size {
			gaps = append(gaps, d)
		}
	}
	if len(gaps) > 0 {
		sort.Float64s(gaps)
		m.pitch = gaps[len(gaps)/2]
	}
	indented := 0
	for _, l := range lines {
		if l.x > m.left+0.8*m.size && l.x <= m.left+4*m.size && l.size < 1.2*m.size {
			indented++
		}
	}
	m.indents = indented >= 2
	return m
}

func argmax(m map[float64]int) float64 {
	best, n := 0.0, -1
	for k, v := range m {
		if v > n || v == n && k < best {
			best, n = k, v
		}
	}
	return best
}

// breaksBefore reports whether line b starts a new paragraph after line a.
// Besides text.ParagraphBreak (a ends a Chinese sentence, b starts an
// article, an enumeration or a heading), the layout says so when a stops
// short of the right margin, b is indented further than a (but not as the
// hanging indent of a list item a starts: aStarts says a is the first line
// of its paragraph), the gap between them is wider than the usual line
// pitch, or the font size changes.
//
// One layout cue overrides the punctuation rule: on a page whose
// paragraphs start with a first-line indent, a full line ending with 。
// followed by a line at the left margin is a sentence that happened to end
// at the margin, not the end of a paragraph.
func breaksBefore(a, b line, aStarts bool, m pageMetrics) bool {
	switch {
	case a.endX < m.right-math.Max(2*m.size, 0.15*(m.right-m.left)):
		return true
	case b.x > a.x+0.8*b.size && !(aStarts && text.StartsUnit(a.text) && b.x <= a.x+4*b.size):
		// Indented further than a, unless a opens a list item whose
		// wrapped lines hang under its text.
		return true
	case b.y > a.y || m.pitch > 0 && a.y-b.y > 1.6*m.pitch:
		return true
	case math.Abs(a.size-b.size) > 0.15*math.Min(a.size, b.size):
		return true
	case m.indents && text.EndsSentence(a.text) && math.Abs(b.x-m.left) < 0.5*b.size &&
		!text.StartsUnit(b.text) && text.HeadingLevel(b.text) == 0 && text.HeadingLevel(a.text) == 0:
		return false
	}
	return text.ParagraphBreak(a.text, b.text)
}

// maxHeadingRunes is the longest text taken for a heading recognised by
// its font size.
const maxHeadingRunes = 60

// pageBlocks turns a page's lines into blocks. first is true for the
// first page with text, whose first paragraph may be the title. A
// paragraph is a heading when it is a Chinese numbered heading
// (text.HeadingLevel) or short, set in a font at least 1.2 times the body
// size and not ending like a sentence (level 2; level 1 for the first
// paragraph of the document, the title). A paragraph opening with a
// bullet is a list item without the bullet.
func pageBlocks(lines []line, page int, first bool) []ingest.Block {
	m := measure(lines)
	var blocks []ingest.Block
	var para []line
	flush := func() {
		if len(para) == 0 {
			return
		}
		texts := make([]string, len(para))
		big := true
		for i, l := range para {
			texts[i] = l.text
			big = big && l.size >= 1.2*m.size
		}
		t := text.JoinLines(texts)
		b := ingest.Block{Kind: ingest.Paragraph, Text: t, Page: page}
		if m := bulletRe.FindString(t); m != "" && len(m) < len(t) {
			b.Kind, b.Text = ingest.ListItem, t[len(m):]
		} else if lvl := text.HeadingLevel(t); lvl > 0 {
			b.Kind, b.Level = ingest.Heading, lvl
		} else if big && headingLike(t) {
			b.Kind, b.Level = ingest.Heading, 2
			if first && len(blocks) == 0 {
				b.Level = 1
			}
		}
		blocks = append(blocks, b)
		para = para[:0]
	}
	for i, l := range lines {
		if i > 0 && breaksBefore(lines[i-1], l, len(para) == 1, m) {
			flush()
		}
		para = append(para, l)
	}
	flush()
	return blocks
}

// headingLike reports whether t is short and does not end like a sentence.
func headingLike(t string) bool {
	last, _ := utf8.DecodeLastRuneInString(t)
	return utf8.RuneCountInString(t) <= maxHeadingRunes && !strings.ContainsRune("，,。.；;：:！!？?、", last)
}
