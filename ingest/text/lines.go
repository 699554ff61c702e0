package text

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// JoinLines joins the hard-wrapped lines of one paragraph. Each line is
// trimmed and blank lines are skipped; two lines are joined with nothing in
// between when either side is a wide (CJK) character, as a line break inside
// Chinese text is not a space, and with one space when both sides are
// narrow, as in Latin text. A line ending with a hyphen is joined without a
// space, keeping the hyphen.
func JoinLines(lines []string) string {
	var b strings.Builder
	for _, l := range lines {
		l = strings.TrimFunc(l, isBlank)
		if l == "" {
			continue
		}
		if b.Len() > 0 {
			s := b.String()
			last, _ := utf8.DecodeLastRuneInString(s)
			first, _ := utf8.DecodeRuneInString(l)
			if !IsWide(last) && !IsWide(first) && last != '-' {
				b.WriteByte(' ')
			}
		}
		b.WriteString(l)
	}
	return b.String()
}

// IsWide reports whether r is a wide East Asian character: Han, kana,
// Hangul, Bopomofo, CJK symbols and punctuation (U+3000–U+303F) or a
// full-width form (U+FF00–U+FF60, U+FFE0–U+FFE6). No space is written
// between wide characters.
func IsWide(r rune) bool {
	switch {
	case r < 0x1100:
		return false
	case r >= 0x3000 && r <= 0x303F, r >= 0xFF00 && r <= 0xFF60, r >= 0xFFE0 && r <= 0xFFE6:
		return true
	}
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul, unicode.Bopomofo)
}

// EndsSentence reports whether line ends with Chinese sentence-end or
// clause-end punctuation (。！？；：…), possibly followed by closing quotes
// or brackets.
func EndsSentence(line string) bool {
	line = strings.TrimRightFunc(line, func(r rune) bool {
		return isBlank(r) || strings.ContainsRune("”’」』）)】》\"'", r)
	})
	last, _ := utf8.DecodeLastRuneInString(line)
	return strings.ContainsRune("。！？；：…", last)
}

// ParagraphBreak reports whether a line break between the lines prev and
// next separates two paragraphs rather than wrapping one: when prev ends a
// sentence (EndsSentence) or is a heading, or next is a heading or starts a
// structural unit (StartsUnit). A cross-reference that happens to start a
// wrapped line does not break: 第六条 after a line ending mid-sentence
// starts an article only when white space follows it ("第六条 催收人员…",
// not "第六条的规定…"), and 第（一）项 or （一）款 is never a unit.
func ParagraphBreak(prev, next string) bool {
	next = strings.TrimLeftFunc(next, isBlank)
	if EndsSentence(prev) || HeadingLevel(prev) > 0 || HeadingLevel(next) > 0 {
		return true
	}
	if !StartsUnit(next) {
		return false
	}
	if m := articleRe.FindStringSubmatch(next); m != nil {
		return m[1] != ""
	}
	return true
}

const cnNum = `[一二三四五六七八九十百千零〇两]+`

var (
	// unitRe matches the start of a structural unit other than an article:
	// 第二章, 一、, （一）, (1), 1. and 1、 (but not 3.5 or 2026.07), circled
	// numbers, and bullets. An enumeration followed by 项, 款 or 目 is a
	// reference (（一）项), not a unit.
	unitRe = regexp.MustCompile(`^(?:第(?:` + cnNum + `|\d+)(?:编|部分|章|节)|` +
		cnNum + `[、．.]|[（(](?:` + cnNum + `|\d+)[)）](?:[^项款目]|$)|\d+[、．)）]|\d+\.(?:[^\d.]|$)|` +
		`[①-⑳]|[-•·*][\s\x{3000}])`)
	// articleRe matches an article number (第五条, 第5条); group 1 is the
	// white space after it, if any.
	articleRe = regexp.MustCompile(`^第(?:` + cnNum + `|\d+)条([\s\x{3000}]?)`)
	// chapterRe matches 第X编/部分/章/节 headings; group 1 is the unit word.
	chapterRe = regexp.MustCompile(`^第(?:` + cnNum + `|\d+)(编|部分|章|节)`)
	// listHeadRe matches 一、 (group 1) and （一） (group 2) headings.
	listHeadRe = regexp.MustCompile(`^(?:(` + cnNum + `[、．])|([（(]` + cnNum + `[)）]))(?:[^项款目]|$)`)
)

// StartsUnit reports whether line begins a structural unit: an article or
// chapter (第五条, 第二章), a Chinese or Arabic enumeration (一、, （一）,
// (1), 1., 1、, ①) or a bullet.
func StartsUnit(line string) bool {
	line = strings.TrimLeftFunc(line, isBlank)
	return unitRe.MatchString(line) || articleRe.MatchString(line)
}

// maxHeadingRunes is the longest line taken for a numbered heading.
const maxHeadingRunes = 40

// HeadingLevel returns the level of a Chinese numbered heading line, or 0
// when line is not one: 第X编 and 第X部分 1, 第X章 2, 第X节 3, 一、 3,
// （一） 4. A heading is at most 40 characters (25 for 一、 and （一）) and
// has no sentence punctuation (，。；：！？) at its end or, for 一、 and
// （一）, anywhere. 第X条 is an article, not a heading: 0.
func HeadingLevel(line string) int {
	line = strings.TrimFunc(line, isBlank)
	n := utf8.RuneCountInString(line)
	if n == 0 || n > maxHeadingRunes {
		return 0
	}
	last, _ := utf8.DecodeLastRuneInString(line)
	if strings.ContainsRune("，,。；;：:！!？?、", last) {
		return 0
	}
	if m := chapterRe.FindStringSubmatch(line); m != nil {
		switch m[1] {
		case "编", "部分":
			return 1
		case "章":
			return 2
		default:
			return 3
		}
	}
	if m := listHeadRe.FindStringSubmatch(line); m != nil {
		if n > 25 || strings.ContainsAny(line, "，。；：！？,;") {
			return 0
		}
		if m[1] != "" {
			return 3
		}
		return 4
	}
	return 0
}
