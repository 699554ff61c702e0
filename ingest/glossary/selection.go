package glossary

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxFeatures caps the distinct context features kept per term.
const maxFeatures = 2048

// Selection is the second pass: it holds the ranked terms of the first and
// observes the texts again for their exact frequencies, examples,
// definitions and contexts. A Selection is not safe for concurrent use.
type Selection struct {
	opt    Options
	terms  []Term
	index  map[string]int
	obs    []observed
	stats  Stats
	passed int // texts observed
	off    []int
}

// observed is what the second pass learnt about one term.
type observed struct {
	freq     int
	defRank  int // strength of def, -1 while none
	def      Context
	examples []Context
	features map[string]int // context feature -> count
}

func newSelection(opt Options, terms []Term) *Selection {
	s := &Selection{opt: opt, terms: terms, index: make(map[string]int, len(terms)), obs: make([]observed, len(terms))}
	for i, t := range terms {
		s.index[t.Term] = i
		s.obs[i] = observed{defRank: -1, features: map[string]int{}}
	}
	return s
}

// Terms returns the selected terms in rank order.
func (s *Selection) Terms() []string {
	out := make([]string, len(s.terms))
	for i, t := range s.terms {
		out[i] = t.Term
	}
	return out
}

// sentenceEnd holds the characters that end a sentence.
const sentenceEnd = "。！？!?；;\n"

// Observe records the occurrences of the selected terms in one text.
func (s *Selection) Observe(t Text) {
	s.passed++
	if len(s.terms) == 0 {
		return
	}
	line := t.Line
	rest := t.Text
	for len(rest) > 0 {
		end := strings.IndexAny(rest, sentenceEnd)
		var sent string
		var sep rune
		if end < 0 {
			sent, rest = rest, ""
		} else {
			r, size := utf8.DecodeRuneInString(rest[end:])
			sep = r
			sent, rest = rest[:end+size], rest[end+size:]
			if r == '\n' {
				sent = sent[:end]
			}
		}
		s.sentence(stripLabel(strings.TrimSpace(sent)), line)
		if sep == '\n' && line > 0 {
			line++
		}
	}
}

// stripLabel drops a leading speaker or section label of up to four
// characters (客服：, 问：, Q:) from a sentence.
func stripLabel(sent string) string {
	for i, r := range sent {
		if i > 0 && (r == '：' || r == ':') {
			return strings.TrimSpace(sent[i+utf8.RuneLen(r):])
		}
		if i >= 12 || !(unicode.IsLetter(r) || unicode.IsDigit(r)) {
			break
		}
	}
	return sent
}

// sentence finds the terms in one sentence, leftmost-longest.
func (s *Selection) sentence(sent string, line int) {
	if sent == "" {
		return
	}
	s.off = s.off[:0]
	for i := range sent {
		s.off = append(s.off, i)
	}
	s.off = append(s.off, len(sent))
	n := len(s.off) - 1
	runeAt := func(i int) rune {
		r, _ := utf8.DecodeRuneInString(sent[s.off[i]:])
		return r
	}
	hanEnd := 0 // end of the Han run holding i
	for i := 0; i < n; {
		if i >= hanEnd {
			if !isHan(runeAt(i)) {
				i++
				continue
			}
			hanEnd = i
			for hanEnd < n && isHan(runeAt(hanEnd)) {
				hanEnd++
			}
		}
		matched := 0
		for l := min(s.opt.MaxLen, hanEnd-i); l >= 2; l-- {
			if k, ok := s.index[sent[s.off[i]:s.off[i+l]]]; ok {
				s.record(k, sent, i, i+l, line)
				matched = l
				break
			}
		}
		if matched == 0 {
			matched = 1
		}
		i += matched
	}
}

// record notes one occurrence of term k at characters [i, j) of sent.
func (s *Selection) record(k int, sent string, i, j, line int) {
	o := &s.obs[k]
	o.freq++
	feature := func(key string) {
		if _, ok := o.features[key]; ok || len(o.features) < maxFeatures {
			o.features[key]++
		}
	}
	feature("L1:" + s.span(sent, i-1, i))
	feature("L2:" + s.span(sent, i-2, i))
	feature("R1:" + s.span(sent, j, j+1))
	feature("R2:" + s.span(sent, j, j+2))

	ctx := Context{Text: clip(sent, s.off[i], s.off[j]), Line: line}
	if len(o.examples) < s.opt.MaxExamples && !hasContext(o.examples, ctx.Text) {
		o.examples = append(o.examples, ctx)
	}
	if rank := definitionRank(sent[s.off[j]:]); rank > o.defRank {
		o.defRank, o.def = rank, ctx
	}
}

// span renders characters [i, j) of the sentence as a context feature:
// positions outside the sentence become ^ (start) or $ (end), digits 0,
// letters a.
func (s *Selection) span(sent string, i, j int) string {
	var b strings.Builder
	n := len(s.off) - 1
	for k := i; k < j; k++ {
		switch {
		case k < 0:
			b.WriteByte('^')
		case k >= n:
			b.WriteByte('$')
		default:
			r, _ := utf8.DecodeRuneInString(sent[s.off[k]:])
			switch {
			case unicode.IsDigit(r):
				r = '0'
			case r < utf8.RuneSelf && unicode.IsLetter(r):
				r = 'a'
			}
			b.WriteRune(r)
		}
	}
	return b.String()
}

func hasContext(cs []Context, text string) bool {
	for _, c := range cs {
		if c.Text == text {
			return true
		}
	}
	return false
}

// maxContext is the longest context kept, in characters; longer sentences
// are cut around the term.
const maxContext = 160

// clip returns sent, or a window of it around the term at bytes [a, b)
// when it is longer than maxContext characters.
func clip(sent string, a, b int) string {
	if utf8.RuneCountInString(sent) <= maxContext {
		return sent
	}
	start := a
	for k := 0; k < 50 && start > 0; k++ {
		_, size := utf8.DecodeLastRuneInString(sent[:start])
		start -= size
	}
	end := b
	for k := 0; k < maxContext-50-utf8.RuneCountInString(sent[a:b]) && end < len(sent); k++ {
		_, size := utf8.DecodeRuneInString(sent[end:])
		end += size
	}
	out := sent[start:end]
	if start > 0 {
		out = "…" + out
	}
	if end < len(sent) {
		out += "…"
	}
	return out
}

// definitionRank says how much the text right after a term reads like its
// definition: 3 for 是指/指的是/指/即/是一种/就是, 2 for 是…的, 1 when a
// defining phrase comes later in the sentence, 0 otherwise.
func definitionRank(after string) int {
	after = strings.TrimLeft(after, "，,：:”」』）)\"' ")
	for _, p := range []string{"是指", "指的是", "是一种", "就是", "也称", "又称", "简称"} {
		if strings.HasPrefix(after, p) {
			return 3
		}
	}
	// 指 and 即 alone, but not 指定, 指引, 即可, 即时 and the like.
	if r, size := utf8.DecodeRuneInString(after); r == '指' || r == '即' {
		next, _ := utf8.DecodeRuneInString(after[size:])
		if !strings.ContainsRune("定引南导示令标纹出可时将日刻便使", next) {
			return 3
		}
	}
	if strings.HasPrefix(after, "是") && strings.Contains(after, "的") {
		return 2
	}
	if strings.Contains(after, "是指") || strings.Contains(after, "指的是") {
		return 1
	}
	return 0
}
