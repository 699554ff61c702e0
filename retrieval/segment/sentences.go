package segment

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Sentences splits text into sentences at Chinese sentence ends (。！？；…,
// anywhere) and Western ones (. ! ? ; followed by white space or the end of
// the text, so "3.5" and "www.a.cn" stay whole), keeping each end mark and
// any closing quotes or brackets after it with its sentence. A line break
// ends a sentence too. Sentences are trimmed; empty ones are dropped, so
// joining the result gives back the text's non-space characters in order.
func Sentences(text string) []string {
	var out []string
	start := 0
	cut := func(end int) {
		if s := strings.TrimSpace(text[start:end]); s != "" {
			out = append(out, s)
		}
		start = end
	}
	for i := 0; i < len(text); {
		r, n := utf8.DecodeRuneInString(text[i:])
		next := i + n
		switch {
		case r == '\n' || r == '\r':
			cut(next)
		case isWideEnd(r):
			next = skipClosers(text, next)
			cut(next)
		case r == '.' || r == '!' || r == '?' || r == ';':
			k := skipClosers(text, next)
			if k == len(text) {
				cut(k)
				next = k
			} else if after, _ := utf8.DecodeRuneInString(text[k:]); unicode.IsSpace(after) {
				cut(k)
				next = k
			}
		}
		i = next
	}
	cut(len(text))
	return out
}

func isWideEnd(r rune) bool {
	switch r {
	case '。', '！', '？', '；', '…':
		return true
	}
	return false
}

// skipClosers moves i past further end marks and closing quotes or brackets.
func skipClosers(text string, i int) int {
	for i < len(text) {
		r, n := utf8.DecodeRuneInString(text[i:])
		if !isWideEnd(r) && !strings.ContainsRune("!?.;”’」』）)】\"'", r) {
			break
		}
		i += n
	}
	return i
}
