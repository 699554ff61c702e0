package rules

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// cnNum is a Chinese or Arabic number as legal texts write article numbers.
const cnNum = `(?:[零〇一二三四五六七八九十百千万两]+|[0-9０-９]+)`

// scheme is the numbering a document gives its articles.
type scheme int

const (
	schemeNone      scheme = iota
	schemeChinese          // 第十条, 第二百五十三条之一
	schemeArticle          // Article 5
	schemeSection          // Section 5, § 5 (when no Article numbering)
	schemeEnumerate        // 一、 or 1. units, only when forced
)

var (
	// zhArticleRe matches a Chinese article number at the start of a
	// block; group 1 is the number, group 2 the 之 suffix number.
	zhArticleRe = regexp.MustCompile(`^第(` + cnNum + `)条(?:之([一二三四五六七八九十]+))?`)
	// enArticleRe matches "Article 5", "ARTICLE 12a", "Art. IV".
	enArticleRe = regexp.MustCompile(`^(?:Article|ARTICLE|Art\.)[ \t\x{00A0}]*(\d+[a-z]?|[IVXLC]+)\b`)
	// enSectionRe matches "Section 5", "SECTION 2.1", "Sec. 3", "§ 4".
	enSectionRe = regexp.MustCompile(`^(?:Section|SECTION|Sec\.|§)[ \t\x{00A0}]*(\d+[A-Za-z]?(?:\.\d+)*)\b`)
	// zhDivisionRe matches 第一编, 第二分编, 第三部分, 第四章, 第五节; group 1 is
	// the unit word.
	zhDivisionRe = regexp.MustCompile(`^第` + cnNum + `(分编|编|部分|章|节)`)
	// zhNamedDivisionRe matches unnumbered divisions: 总则, 分则, 附则,
	// 附件一, 附录, and book names such as 合同编.
	zhNamedDivisionRe = regexp.MustCompile(`^(?:总则|分则|附则|附录|附件` + cnNum + `?|\p{Han}{1,8}编)(?:[\s\x{3000}]|$)`)
	// enDivisionRe matches Part, Title, Chapter and Section headings; group 1
	// is the unit word.
	enDivisionRe = regexp.MustCompile(`^(?i:(part|title|chapter|section|annex|schedule))[ \t]+(?:[IVXLC]+|\d+|[A-Z][a-z]+)\b`)
	// enumRe matches the enumerations used inside and between articles:
	// 一、 (group 1), （一） (group 2), 1. or 1、 (group 3), （1） (group 4),
	// circled numbers (group 5).
	enumRe = regexp.MustCompile(`^(?:([一二三四五六七八九十百]+)[、．]|[（(]([一二三四五六七八九十百]+)[)）]|(\d+)(?:[、．]|\.(?:[^\d]|$))|[（(](\d+)[)）]|([①-⑳]))`)
	// pageMarkRe matches a page number standing alone: "3", "- 3 -",
	// "第 3 页", "第3页 共12页", "Page 3 of 12".
	pageMarkRe = regexp.MustCompile(`^(?:[-—–\s]*\d{1,4}[-—–\s]*|第\s*\d+\s*页(?:\s*[,，/]?\s*共\s*\d+\s*页)?|\d+\s*/\s*\d+|(?i:page)\s+\d+(?:\s+of\s+\d+)?)$`)
)

// articleNo is an article number found at the start of a block.
type articleNo struct {
	text   string // as written: 第二百五十三条之一, Article 5
	value  int    // the main number, -1 when unreadable
	sub    int    // the 之 number, 0 when none
	strong bool   // followed by a separator or standing alone, not prose
}

// key orders article numbers: 第十条 < 第十条之一 < 第十一条.
func (a articleNo) key() int { return a.value*100 + a.sub }

// trimBlank trims white space, including the ideographic space and BOM.
func trimBlank(s string) string {
	return strings.TrimFunc(s, func(r rune) bool { return unicode.IsSpace(r) || r == '\uFEFF' })
}

// matchArticle returns the article number at the start of line under sch.
func matchArticle(line string, sch scheme) (articleNo, bool) {
	switch sch {
	case schemeChinese:
		m := zhArticleRe.FindStringSubmatchIndex(line)
		if m == nil {
			return articleNo{}, false
		}
		a := articleNo{text: line[:m[1]], value: numberValue(line[m[2]:m[3]])}
		if m[4] >= 0 {
			a.sub = numberValue(line[m[4]:m[5]])
		}
		next, _ := utf8.DecodeRuneInString(line[m[1]:])
		switch {
		case m[1] == len(line), unicode.IsSpace(next), strings.ContainsRune("：:【[（(.．　", next):
			a.strong = true
		case strings.ContainsRune("的规所中第款项和与及或至、，,；。之未前后以", next):
			return articleNo{}, false // a reference such as 第十条规定的…
		}
		return a, true
	case schemeArticle, schemeSection:
		re := enArticleRe
		if sch == schemeSection {
			re = enSectionRe
		}
		m := re.FindStringSubmatchIndex(line)
		if m == nil {
			return articleNo{}, false
		}
		num := line[m[2]:m[3]]
		a := articleNo{text: line[:m[1]], value: numberValue(strings.TrimRight(num, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"))}
		if i := strings.IndexByte(num, '.'); i > 0 {
			a.value = numberValue(num[:i])
		}
		rest := line[m[1]:]
		next, size := utf8.DecodeRuneInString(rest)
		switch {
		case rest == "":
			a.strong = true
		case strings.ContainsRune(".:)–—-", next):
			a.strong = true
		case unicode.IsSpace(next):
			after, _ := utf8.DecodeRuneInString(strings.TrimLeft(rest[size:], " \t"))
			// "Article 5 Scope" or "Article 5 (1) The lender…", not
			// "Article 5 of this Regulation applies…".
			a.strong = unicode.IsUpper(after) || unicode.IsDigit(after) || after == '(' || unicode.Is(unicode.Han, after) || after == utf8.RuneError
			if !a.strong {
				return articleNo{}, false
			}
		default:
			return articleNo{}, false
		}
		return a, true
	case schemeEnumerate:
		m := enumRe.FindStringSubmatchIndex(line)
		if m == nil {
			return articleNo{}, false
		}
		// Only the outermost levels make units: 一、 or 1.
		switch {
		case m[2] >= 0:
			return articleNo{text: line[:m[1]], value: numberValue(line[m[2]:m[3]]), strong: true}, true
		case m[6] >= 0:
			return articleNo{text: strings.TrimRight(line[:m[1]], " \t"), value: numberValue(line[m[6]:m[7]]), strong: true}, true
		}
	}
	return articleNo{}, false
}

// maxDivisionRunes is the longest line taken for an unnumbered or
// paragraph-styled division heading.
const maxDivisionRunes = 40

// divisionRank returns the rank of a structural division heading (编 10,
// 分编 15, 章 20, 节 30; Part 10, Chapter 20, Section 30), or 0 when line is
// not one. Section is a division only under Article numbering. A division
// line is short and does not end with sentence punctuation.
func divisionRank(line string, sch scheme) int {
	n := utf8.RuneCountInString(line)
	if n == 0 || n > maxDivisionRunes {
		return 0
	}
	last, _ := utf8.DecodeLastRuneInString(line)
	if strings.ContainsRune("，,。；;：:！!？?、", last) {
		return 0
	}
	if m := zhDivisionRe.FindStringSubmatch(line); m != nil {
		switch m[1] {
		case "编", "部分":
			return 10
		case "分编":
			return 15
		case "章":
			return 20
		default:
			return 30
		}
	}
	if zhNamedDivisionRe.MatchString(line) {
		if strings.HasPrefix(line, "附") {
			return 20
		}
		return 10
	}
	if m := enDivisionRe.FindStringSubmatch(line); m != nil {
		switch strings.ToLower(m[1]) {
		case "part", "title":
			return 10
		case "chapter", "annex", "schedule":
			return 20
		case "section":
			if sch == schemeArticle {
				return 30
			}
		}
	}
	return 0
}

// isEnumerated reports whether line starts with an item number (（一）,
// 1., （1）, ①), which makes it a 项 or 目 rather than a new 款.
func isEnumerated(line string) bool {
	m := enumRe.FindStringSubmatchIndex(line)
	return m != nil && m[2] < 0 // 一、 starts a paragraph of its own
}

// maxEnumHeadingRunes is the longest 一、 or （一） line taken for a heading.
const maxEnumHeadingRunes = 25

// enumHeadingRank returns the rank of a short 一、 (35) or （一） (45) line
// without punctuation, which heads a group of articles when one follows
// it, or 0.
func enumHeadingRank(line string) int {
	if utf8.RuneCountInString(line) > maxEnumHeadingRunes || strings.ContainsAny(line, "，。；：！？,;:!?") {
		return 0
	}
	m := enumRe.FindStringSubmatchIndex(line)
	switch {
	case m == nil:
		return 0
	case m[2] >= 0:
		return 35
	case m[4] >= 0:
		return 45
	}
	return 0
}
