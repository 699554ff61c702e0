package markdown

import (
	"regexp"
	"strings"
)

var (
	imageRe    = regexp.MustCompile(`!\[([^\]]*)\]\([^)]*\)`)
	linkRe     = regexp.MustCompile(`\[([^\]]+)\]\([^)]*\)`)
	refLinkRe  = regexp.MustCompile(`\[([^\]]+)\]\[[^\]]*\]`)
	autolinkRe = regexp.MustCompile(`<((?:https?|ftp|mailto):[^<>\s]+|[^<>\s@]+@[^<>\s]+)>`)
	brRe       = regexp.MustCompile(`(?i)<br\s*/?>`)
	tagRe      = regexp.MustCompile(`</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>`)
	strongRe   = regexp.MustCompile(`\*\*(\S(?:.*?\S)?)\*\*`)
	strong2Re  = regexp.MustCompile(`__(\S(?:.*?\S)?)__`)
	strikeRe   = regexp.MustCompile(`~~(\S(?:.*?\S)?)~~`)
	emRe       = regexp.MustCompile(`\*(\S(?:[^*]*?\S)?)\*`)
	em2Re      = regexp.MustCompile(`(^|[^\p{L}\p{N}_])_(\S(?:[^_]*?\S)?)_($|[^\p{L}\p{N}_])`)
)

// escapeBase is the start of the private-use range that stands in for
// backslash-escaped punctuation while markup is removed.
const escapeBase = 0xE000

// stripInline removes inline Markdown markup from s and returns the text a
// reader sees. Code spans keep their content verbatim.
func stripInline(s string) string {
	if !strings.ContainsAny(s, "`*_~[]<>\\!") {
		return s
	}
	var b strings.Builder
	for {
		open := strings.IndexByte(s, '`')
		if open < 0 {
			b.WriteString(stripText(s))
			return b.String()
		}
		n := runLen(s[open:], '`')
		end := closingRun(s[open+n:], n)
		if end < 0 {
			// No closing run: the backticks are literal.
			b.WriteString(stripText(s[:open+n]))
			s = s[open+n:]
			continue
		}
		b.WriteString(stripText(s[:open]))
		code := s[open+n : open+n+end]
		if len(code) > 2 && code[0] == ' ' && code[len(code)-1] == ' ' && strings.Trim(code, " ") != "" {
			code = code[1 : len(code)-1]
		}
		b.WriteString(code)
		s = s[open+n+end+n:]
	}
}

// runLen returns the length of the run of c at the start of s.
func runLen(s string, c byte) int {
	n := 0
	for n < len(s) && s[n] == c {
		n++
	}
	return n
}

// closingRun returns the offset in s of a run of exactly n backticks, or -1.
func closingRun(s string, n int) int {
	for i := 0; i < len(s); {
		if s[i] != '`' {
			i++
			continue
		}
		m := runLen(s[i:], '`')
		if m == n {
			return i
		}
		i += m
	}
	return -1
}

// stripText removes markup from text outside code spans.
func stripText(s string) string {
	s, escaped := protectEscapes(s)
	s = imageRe.ReplaceAllString(s, "$1")
	s = linkRe.ReplaceAllString(s, "$1")
	s = refLinkRe.ReplaceAllString(s, "$1")
	s = autolinkRe.ReplaceAllString(s, "$1")
	s = brRe.ReplaceAllString(s, " ")
	s = tagRe.ReplaceAllString(s, "")
	s = strongRe.ReplaceAllString(s, "$1")
	s = strong2Re.ReplaceAllString(s, "$1")
	s = strikeRe.ReplaceAllString(s, "$1")
	s = emRe.ReplaceAllString(s, "$1")
	s = em2Re.ReplaceAllString(s, "$1$2$3")
	if escaped {
		s = restoreEscapes(s)
	}
	return s
}

// protectEscapes replaces backslash-escaped ASCII punctuation with
// private-use stand-ins, so an escaped \* is not taken for markup. It
// reports whether it replaced any.
func protectEscapes(s string) (string, bool) {
	if !strings.Contains(s, `\`) {
		return s, false
	}
	escaped := false
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) && isASCIIPunct(s[i+1]) {
			b.WriteRune(rune(escapeBase + int(s[i+1])))
			escaped = true
			i++
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String(), escaped
}

// restoreEscapes turns the stand-ins of protectEscapes back into the
// punctuation they stand for.
func restoreEscapes(s string) string {
	return strings.Map(func(r rune) rune {
		if isStandIn(r) {
			return r - escapeBase
		}
		return r
	}, s)
}

func isStandIn(r rune) bool { return r > escapeBase && r < escapeBase+128 }

func isASCIIPunct(c byte) bool {
	return c >= '!' && c <= '/' || c >= ':' && c <= '@' || c >= '[' && c <= '`' || c >= '{' && c <= '~'
}
