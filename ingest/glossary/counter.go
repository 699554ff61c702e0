package glossary

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Known reports whether the general dictionary already holds a word; such
// words are not new and are never reported as terms. The ingest wiring backs
// it with the segmenter's dictionary.
type Known interface {
	Known(word string) bool
}

// KnownFunc adapts a function to Known.
type KnownFunc func(word string) bool

// Known implements Known.
func (f KnownFunc) Known(word string) bool { return f(word) }

// Text is one unit of the corpus: a paragraph, a dialogue turn, a line.
// Line is its 1-based line in the source, 0 when unknown; sentences on
// later lines of a multi-line text get Line plus the newlines before them.
type Text struct {
	Text string
	Line int
}

// Counter is the first pass: it counts the n-grams of the texts added.
// A Counter is not safe for concurrent use.
type Counter struct {
	opt   Options
	known Known
	grams map[string]int32 // n-grams of 2..MaxLen+1 Han characters
	chars map[rune]int64   // single Han characters
	total int64            // Han characters seen
	texts int
	runes int64 // all characters seen
	// prunes counts table prunings; floor is the highest count pruned.
	prunes int
	floor  int32
	off    []int // scratch: byte offsets of a run's characters
}

// NewCounter returns an empty Counter. known may be nil (nothing is known).
func NewCounter(known Known, opt Options) *Counter {
	return &Counter{
		opt:   opt.withDefaults(),
		known: known,
		grams: map[string]int32{},
		chars: map[rune]int64{},
	}
}

// Add counts one text.
func (c *Counter) Add(t Text) {
	c.texts++
	s := t.Text
	for len(s) > 0 {
		start, end := nextHanRun(s)
		if start < 0 {
			c.runes += int64(utf8.RuneCountInString(s))
			return
		}
		c.runes += int64(utf8.RuneCountInString(s[:end]))
		c.addRun(s[start:end])
		s = s[end:]
	}
}

// nextHanRun returns the byte span of the first run of Han characters in s,
// or -1 when there is none.
func nextHanRun(s string) (start, end int) {
	start = -1
	for i, r := range s {
		if isHan(r) {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 {
			return start, i
		}
	}
	if start < 0 {
		return -1, len(s)
	}
	return start, len(s)
}

// isHan reports whether r is a Han character (not a Han punctuation mark).
func isHan(r rune) bool {
	return r >= 0x2E80 && unicode.Is(unicode.Han, r) && r != '〇' && r != '々'
}

// addRun counts the n-grams of one run of Han characters.
func (c *Counter) addRun(run string) {
	c.off = c.off[:0]
	for i, r := range run {
		c.off = append(c.off, i)
		c.chars[r]++
	}
	c.off = append(c.off, len(run))
	n := len(c.off) - 1
	c.total += int64(n)
	maxN := c.opt.MaxLen + 1
	for i := 0; i+1 < n; i++ {
		for l := 2; l <= maxN && i+l <= n; l++ {
			key := run[c.off[i]:c.off[i+l]]
			if v, ok := c.grams[key]; ok {
				c.grams[key] = v + 1
			} else {
				c.grams[strings.Clone(key)] = 1
			}
		}
		if len(c.grams) > c.opt.MaxNgrams {
			c.prune()
		}
	}
}

// prune drops the rarest n-grams, those counted at most a floor chosen so
// that at most three quarters of the table stays (ties at the floor go too).
// Counts of n-grams that survive are exact since their last pruning; a
// pruned n-gram that comes back starts again from 1 (lossy counting).
func (c *Counter) prune() {
	c.prunes++
	counts := make([]int32, 0, len(c.grams))
	for _, v := range c.grams {
		counts = append(counts, v)
	}
	slices.Sort(counts)
	floor := counts[len(counts)-c.opt.MaxNgrams*3/4-1]
	for k, v := range c.grams {
		if v <= floor {
			delete(c.grams, k)
		}
	}
	c.floor = max(c.floor, floor)
}

// count returns the first-pass count of a string of Han characters, single
// characters included.
func (c *Counter) count(s string) int64 {
	if r, size := utf8.DecodeRuneInString(s); size == len(s) {
		return c.chars[r]
	}
	return int64(c.grams[s])
}
