package eval

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strings"
	"unicode"

	"github.com/lorehq/lore/knowledge"
)

// Lister lists stored items; every knowledge.Store is one.
type Lister interface {
	List(ctx context.Context, f knowledge.Filter, after string, limit int) ([]knowledge.Item, error)
}

// BM25 parameters of the baseline.
const (
	BM25K1 = 1.2
	BM25B  = 0.75
)

// listPage is how many items one List call asks for.
const listPage = 500

// BM25 is the baseline system: Okapi BM25 over the character bigrams of
// each item's body (its title when the body is empty), with k1 = BM25K1,
// b = BM25B, the collection's real average length, and IDF
// ln(1 + (N − df + 0.5)/(df + 0.5)). Text is lower-cased; each run of Han
// characters gives its overlapping bigrams (a one-character run gives the
// character), each run of other letters and digits is one term, and
// everything else separates. No segmentation, synonyms or fields: it is
// the plain lexical reference every figure is compared with. It is safe
// for concurrent use.
type BM25 struct {
	items    []knowledge.Item
	postings map[string][]posting
	docLen   []float64
	avgLen   float64
}

type posting struct {
	doc int32
	tf  float32
}

// NewBM25 indexes every item that passes f, listed from l.
func NewBM25(ctx context.Context, l Lister, f knowledge.Filter) (*BM25, error) {
	var items []knowledge.Item
	after := ""
	for {
		page, err := l.List(ctx, f, after, listPage)
		if err != nil {
			return nil, fmt.Errorf("eval: list items for bm25: %w", err)
		}
		items = append(items, page...)
		if len(page) < listPage {
			break
		}
		after = page[len(page)-1].ID
	}
	return NewBM25Items(items), nil
}

// NewBM25Items indexes the given items.
func NewBM25Items(items []knowledge.Item) *BM25 {
	b := &BM25{items: items, postings: map[string][]posting{}, docLen: make([]float64, len(items))}
	total := 0.0
	for i := range items {
		text := items[i].Body
		if strings.TrimSpace(text) == "" {
			text = items[i].Title
		}
		tf := map[string]int{}
		n := 0
		for _, t := range bigramTerms(text) {
			tf[t]++
			n++
		}
		for t, c := range tf {
			b.postings[t] = append(b.postings[t], posting{doc: int32(i), tf: float32(c)})
		}
		b.docLen[i] = float64(n)
		total += float64(n)
	}
	if len(items) > 0 {
		b.avgLen = total / float64(len(items))
	}
	return b
}

// Name is "bm25-bigram".
func (b *BM25) Name() string { return "bm25-bigram" }

// Len returns how many items are indexed.
func (b *BM25) Len() int { return len(b.items) }

// Search returns the limit items with the highest BM25 score for q, ties
// broken by item id; items sharing no term with q are not returned. Each
// occurrence of a term in q counts.
func (b *BM25) Search(ctx context.Context, q string, limit int) ([]knowledge.Item, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("eval: bm25: %w", err)
	}
	if b.avgLen == 0 {
		return nil, nil
	}
	n := float64(len(b.items))
	scores := map[int32]float64{}
	for _, t := range bigramTerms(q) {
		ps := b.postings[t]
		if len(ps) == 0 {
			continue
		}
		df := float64(len(ps))
		idf := math.Log(1 + (n-df+0.5)/(df+0.5))
		for _, p := range ps {
			tf := float64(p.tf)
			norm := BM25K1 * (1 - BM25B + BM25B*b.docLen[p.doc]/b.avgLen)
			scores[p.doc] += idf * tf * (BM25K1 + 1) / (tf + norm)
		}
	}
	type scored struct {
		doc   int32
		score float64
	}
	ranked := make([]scored, 0, len(scores))
	for d, s := range scores {
		ranked = append(ranked, scored{d, s})
	}
	sort.Slice(ranked, func(i, j int) bool {
		if ranked[i].score != ranked[j].score {
			return ranked[i].score > ranked[j].score
		}
		return b.items[ranked[i].doc].ID < b.items[ranked[j].doc].ID
	})
	ranked = ranked[:min(max(limit, 0), len(ranked))]
	out := make([]knowledge.Item, len(ranked))
	for i, r := range ranked {
		out[i] = b.items[r.doc]
	}
	return out, nil
}

// bigramTerms returns the baseline's terms of text, in order, with
// repeats: Han bigrams (or a lone Han character) and lower-cased runs of
// other letters and digits.
func bigramTerms(text string) []string {
	var out []string
	var han, word []rune
	flush := func() {
		switch {
		case len(han) == 1:
			out = append(out, string(han))
		case len(han) > 1:
			for k := 0; k+1 < len(han); k++ {
				out = append(out, string(han[k:k+2]))
			}
		}
		if len(word) > 0 {
			out = append(out, string(word))
		}
		han, word = han[:0], word[:0]
	}
	for _, r := range text {
		switch {
		case unicode.Is(unicode.Han, r):
			if len(word) > 0 {
				flush()
			}
			han = append(han, r)
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if len(han) > 0 {
				flush()
			}
			word = append(word, unicode.ToLower(r))
		default:
			flush()
		}
	}
	flush()
	return out
}
