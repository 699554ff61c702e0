package glossary

import (
	"context"
	"testing"
	"unicode/utf8"
)

// benchTexts is a synthetic corpus of about 300,000 characters.
var benchTexts = synthCorpus(42, 20000)

func corpusChars(texts []string) int {
	n := 0
	for _, s := range texts {
		n += utf8.RuneCountInString(s)
	}
	return n
}

// BenchmarkDiscover runs both passes; chars/s counts the corpus once.
func BenchmarkDiscover(b *testing.B) {
	chars := corpusChars(benchTexts)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Discover(context.Background(), benchTexts, synthKnown, Options{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(chars)*float64(b.N)/b.Elapsed().Seconds(), "chars/s")
}

// BenchmarkCount is the first pass alone, the part that grows with the
// corpus and the n-gram table.
func BenchmarkCount(b *testing.B) {
	chars := corpusChars(benchTexts)
	b.ReportAllocs()
	for b.Loop() {
		c := NewCounter(synthKnown, Options{})
		for _, s := range benchTexts {
			c.Add(Text{Text: s})
		}
	}
	b.ReportMetric(float64(chars)*float64(b.N)/b.Elapsed().Seconds(), "chars/s")
}

// BenchmarkCountPruned counts with a table a tenth of what the corpus
// needs, so that pruning runs often.
func BenchmarkCountPruned(b *testing.B) {
	chars := corpusChars(benchTexts)
	b.ReportAllocs()
	for b.Loop() {
		c := NewCounter(synthKnown, Options{MaxNgrams: 20000})
		for _, s := range benchTexts {
			c.Add(Text{Text: s})
		}
	}
	b.ReportMetric(float64(chars)*float64(b.N)/b.Elapsed().Seconds(), "chars/s")
}
