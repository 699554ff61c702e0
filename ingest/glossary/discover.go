package glossary

import (
	"context"
	"fmt"
	"iter"

	"github.com/lorehq/lore/ingest"
)

// Result ends the second pass and assembles the outcome. When the second
// pass observed texts, terms it found fewer than MinFreq times on their own
// (fragments always part of a longer selected term) are dropped; the rest
// keep their first-pass rank.
func (s *Selection) Result() *Result {
	r := &Result{Stats: s.stats}
	var keep []int
	for k, t := range s.terms {
		o := s.obs[k]
		if s.passed > 0 {
			if o.freq < s.opt.MinFreq {
				continue
			}
			t.Freq = o.freq
		}
		if o.defRank >= 0 {
			t.Definition, t.DefinitionLine, t.Defining = o.def.Text, o.def.Line, o.defRank >= 2
		}
		t.Examples = append([]Context(nil), o.examples...)
		r.Terms = append(r.Terms, t)
		keep = append(keep, k)
	}
	if s.passed > 0 {
		r.Synonyms = s.pairs(keep)
	}
	return r
}

// Discover finds the terms of texts; the line of texts[i] is i+1.
// known may be nil.
func Discover(ctx context.Context, texts []string, known Known, opt Options) (*Result, error) {
	return DiscoverSeq(ctx, func(yield func(Text) bool) {
		for i, t := range texts {
			if !yield(Text{Text: t, Line: i + 1}) {
				return
			}
		}
	}, known, opt)
}

// DiscoverSeq finds the terms of a corpus given as a sequence, which it
// ranges over twice (count, then observe); the sequence must yield the same
// texts both times. Memory is bounded by Options.MaxNgrams and MaxTerms,
// not by the corpus size. The error is the context's, when it ends first.
func DiscoverSeq(ctx context.Context, texts iter.Seq[Text], known Known, opt Options) (*Result, error) {
	const op = "glossary: discover"
	c := NewCounter(known, opt)
	n := 0
	for t := range texts {
		if n++; n%256 == 0 && ctx.Err() != nil {
			break
		}
		c.Add(t)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("%s: counting: %w", op, err)
	}
	s := c.Select()
	n = 0
	for t := range texts {
		if n++; n%256 == 0 && ctx.Err() != nil {
			break
		}
		s.Observe(t)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("%s: observing: %w", op, err)
	}
	return s.Result(), nil
}

// DocumentTexts yields the text of every block of the documents, with the
// block's line.
func DocumentTexts(docs ...*ingest.Document) iter.Seq[Text] {
	return func(yield func(Text) bool) {
		for _, d := range docs {
			if d == nil {
				continue
			}
			for _, b := range d.Blocks {
				if !yield(Text{Text: b.Text, Line: b.Line}) {
					return
				}
			}
		}
	}
}
