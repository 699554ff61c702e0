package embed

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/lorehq/lore/knowledge"
	"github.com/lorehq/lore/retrieval/segment"
)

// DefaultDim is the dense dimension NewOffline uses when given none. Hashed
// n-gram vectors need room when the dense ranking weighs much (512 ranks
// better than 256 alone); at the fusion weight Lore ships (0.02) 256 ranks
// the same, which is what configs sets (see retrieval/eval/ABLATION.md).
const DefaultDim = 512

// BM25 constants of the document weights. The store applies IDF; the
// document side is tf·(k1+1) / (tf + k1·(1 − b + b·len/avgLen)), with len
// the item's word count and avgLen fixed, so an item's vector does not
// depend on the rest of the collection and never needs recomputing.
const (
	bm25K1 = 1.2
	bm25B  = 0.75
	// bm25AvgLen is the assumed average item length in words (not
	// bigrams): about a 180-200 character Chinese rule clause or passage.
	bm25AvgLen = 120
	// headBoost multiplies the counts of terms in an item's title and
	// heading fields (see itemText). Saturation keeps the body dominant: a
	// title word seen once scores like a body word seen twice, not more.
	headBoost = 2
)

// Prefixes keep term kinds apart before hashing: the word 罚息 and the
// bigram 罚息 are different sparse terms, and the dense features of each
// kind land on their own hash positions.
const (
	prefixWord    = "w:"
	prefixBigram  = "b:"
	prefixUnigram = "u:"
	prefixTrigram = "t:"
	prefixLatin   = "c:" // character trigram of a Latin word
	// denseSeed is hashed before every dense feature, so dense positions
	// are independent of sparse indices.
	denseSeed = "lore-dense-v1\x00"
)

// denseWeight is the weight of a dense feature kind: single characters and
// the character trigrams of Latin words say less than words and n-grams.
func denseWeight(prefix string) float64 {
	switch prefix {
	case prefixUnigram, prefixLatin:
		return 0.5
	}
	return 1
}

// Offline is the deterministic, model-free embedder. It is safe for
// concurrent use.
type Offline struct {
	seg *segment.Segmenter
	dim int
}

// NewOffline returns an offline embedder whose dense vectors have dim
// dimensions (DefaultDim when dim <= 0). The store's dimension must match.
func NewOffline(seg *segment.Segmenter, dim int) *Offline {
	if dim <= 0 {
		dim = DefaultDim
	}
	return &Offline{seg: seg, dim: dim}
}

// Dim returns the length of the dense vectors.
func (o *Offline) Dim() int { return o.dim }

// Name identifies the embedding scheme, so a store can tell vectors of
// different embedders apart. The dimension is reported by Dim.
func (o *Offline) Name() string { return "offline-hash-v1" }

// EmbedItems returns one Vectors per item, in order. Sparse weights are BM25
// document weights over the item's words and Han bigrams; terms of the
// title and heading fields count headBoost times. An item with no
// indexable text gets an all-zero Dense of length Dim and an empty Sparse.
// It fails only when ctx ends.
func (o *Offline) EmbedItems(ctx context.Context, items []knowledge.Item) ([]knowledge.Vectors, error) {
	out := make([]knowledge.Vectors, len(items))
	for i := range items {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("embed: items: %w", err)
		}
		head, body := itemText(&items[i])
		var tf terms
		tf.add(o.seg, body, 1)
		tf.add(o.seg, head, headBoost)
		out[i] = knowledge.Vectors{Dense: o.dense(&tf), Sparse: tf.bm25()}
	}
	return out, nil
}

// EmbedQuery returns the vectors of a question. Sparse weights are plain
// term counts, duplicates merged (the store applies IDF). Text with no
// indexable terms gets an all-zero Dense of length Dim and an empty Sparse.
// It fails only when ctx has ended.
func (o *Offline) EmbedQuery(ctx context.Context, text string) (knowledge.Vectors, error) {
	if err := ctx.Err(); err != nil {
		return knowledge.Vectors{}, fmt.Errorf("embed: query: %w", err)
	}
	var tf terms
	tf.add(o.seg, []string{text}, 1)
	return knowledge.Vectors{Dense: o.dense(&tf), Sparse: tf.counts()}, nil
}

// itemText gathers an item's text in two groups. Head holds the short
// fields that name what the item is about: the title, the rule's document
// title, heading path and article, the provenance heading paths and
// articles, the FAQ question, the glossary term, the procedure's case type
// and the script's intent. Body holds the body and the alternative
// phrasings usually absent from it: FAQ question variants and term
// synonyms. Repeated head strings are counted once.
func itemText(it *knowledge.Item) (head, body []string) {
	seen := map[string]bool{}
	addHead := func(s ...string) {
		for _, v := range s {
			if v = strings.TrimSpace(v); v != "" && !seen[v] {
				seen[v] = true
				head = append(head, v)
			}
		}
	}
	addHead(it.Title)
	body = append(body, it.Body)
	if r := it.Rule; r != nil {
		addHead(r.DocTitle)
		addHead(r.HeadingPath...)
		addHead(r.Article)
	}
	for _, p := range it.Provenance {
		addHead(p.HeadingPath...)
		addHead(p.Article)
	}
	if f := it.FAQ; f != nil {
		addHead(f.Question)
		body = append(body, f.Variants...)
	}
	if t := it.Term; t != nil {
		addHead(t.Term)
		body = append(body, t.Synonyms...)
	}
	if p := it.Procedure; p != nil {
		addHead(p.CaseType)
	}
	if s := it.Script; s != nil {
		addHead(s.Intent)
	}
	return head, body
}

// terms counts the sparse terms and the dense features of some text, both
// by hash.
type terms struct {
	sparse map[uint32]float64 // hashed term → count
	dense  map[uint64]feature // hashed feature → count and weight
	words  int                // words seen, unboosted: the BM25 length
}

// feature is a dense feature's count and its kind's weight.
type feature struct{ tf, weight float64 }

func (t *terms) addDense(prefix, s string, boost float64) {
	h := hash64(prefix, s)
	f := t.dense[h]
	f.tf += boost
	f.weight = denseWeight(prefix)
	t.dense[h] = f
}

// add counts the terms of each text, each occurrence weighing boost.
// Sparse terms are the words of seg.Split and the bigrams of
// segment.Bigrams; dense features are the words, the Han unigrams, bigrams
// and trigrams, and the character trigrams of Latin words of four letters
// or more, padded with < and > so prefixes and suffixes count.
func (t *terms) add(seg *segment.Segmenter, texts []string, boost float64) {
	if t.sparse == nil {
		t.sparse = map[uint32]float64{}
		t.dense = map[uint64]feature{}
	}
	for _, text := range texts {
		norm := seg.Normalize(text)
		if norm == "" {
			continue
		}
		for _, w := range seg.Split(norm) {
			t.words++
			t.sparse[hash32(prefixWord, w)] += boost
			t.addDense(prefixWord, w, boost)
			if isLatinWord(w) && utf8.RuneCountInString(w) >= 4 {
				padded := []rune("<" + w + ">")
				for k := 0; k+3 <= len(padded); k++ {
					t.addDense(prefixLatin, string(padded[k:k+3]), boost)
				}
			}
		}
		// Han runs, walked by rune offsets so n-grams are substrings of
		// norm, not new strings. The bigrams are those of segment.Bigrams.
		forHanRuns(norm, func(run string, at []int) {
			n := len(at) - 1 // runes in run; at[n] == len(run)
			if n == 1 {
				t.sparse[hash32(prefixBigram, run)] += boost
			}
			for k := 0; k < n; k++ {
				t.addDense(prefixUnigram, run[at[k]:at[k+1]], boost)
				if k+2 <= n {
					bi := run[at[k]:at[k+2]]
					t.sparse[hash32(prefixBigram, bi)] += boost
					t.addDense(prefixBigram, bi, boost)
				}
				if k+3 <= n {
					t.addDense(prefixTrigram, run[at[k]:at[k+3]], boost)
				}
			}
		})
	}
}

// bm25 returns the document weights of the sparse terms.
func (t *terms) bm25() knowledge.Sparse {
	norm := bm25K1 * (1 - bm25B + bm25B*float64(t.words)/bm25AvgLen)
	return t.sparseVector(func(tf float64) float64 {
		return tf * (bm25K1 + 1) / (tf + norm)
	})
}

// counts returns the raw sparse term counts.
func (t *terms) counts() knowledge.Sparse {
	return t.sparseVector(func(tf float64) float64 { return tf })
}

// sparseVector returns the terms with weights f(tf), indices ascending.
func (t *terms) sparseVector(f func(tf float64) float64) knowledge.Sparse {
	sp := knowledge.Sparse{Indices: make([]uint32, 0, len(t.sparse)), Values: make([]float32, 0, len(t.sparse))}
	for idx := range t.sparse {
		sp.Indices = append(sp.Indices, idx)
	}
	slices.Sort(sp.Indices)
	for _, idx := range sp.Indices {
		sp.Values = append(sp.Values, float32(f(t.sparse[idx])))
	}
	return sp
}

// dense feature-hashes the dense features: each adds ±weight·(1+ln tf) at
// the position its hash picks, the sign from another bit of the hash, so
// colliding features tend to cancel rather than pile up. Features are
// visited in hash order, so float rounding is the same on every run.
func (o *Offline) dense(t *terms) []float32 {
	keys := make([]uint64, 0, len(t.dense))
	for h := range t.dense {
		keys = append(keys, h)
	}
	slices.Sort(keys)
	acc := make([]float64, o.dim)
	for _, h := range keys {
		f := t.dense[h]
		w := f.weight * (1 + math.Log(f.tf))
		if h>>63 == 1 {
			w = -w
		}
		acc[h%uint64(o.dim)] += w
	}
	var sum float64
	for _, v := range acc {
		sum += v * v
	}
	out := make([]float32, o.dim)
	if sum == 0 {
		return out
	}
	inv := 1 / math.Sqrt(sum)
	for i, v := range acc {
		out[i] = float32(v * inv)
	}
	return out
}

// forHanRuns calls f with every maximal run of Han characters in s and the
// byte offsets of its runes, plus len(run) at the end.
func forHanRuns(s string, f func(run string, at []int)) {
	var at []int
	start := -1
	for i, r := range s {
		if unicode.Is(unicode.Han, r) {
			if start < 0 {
				start, at = i, at[:0]
			}
			at = append(at, i-start)
			continue
		}
		if start >= 0 {
			f(s[start:i], append(at, i-start))
			start = -1
		}
	}
	if start >= 0 {
		f(s[start:], append(at, len(s)-start))
	}
}

// isLatinWord reports whether w is letters only, none of them Han.
func isLatinWord(w string) bool {
	for _, r := range w {
		if !unicode.Is(unicode.Latin, r) {
			return false
		}
	}
	return w != ""
}

// hash32 is FNV-1a (32 bit) of prefix+s: the sparse index of a term.
// Distinct terms may collide; their counts then add up, which costs a
// little precision on rare terms and nothing else.
func hash32(prefix, s string) uint32 {
	h := uint32(2166136261)
	for i := 0; i < len(prefix); i++ {
		h = (h ^ uint32(prefix[i])) * 16777619
	}
	for i := 0; i < len(s); i++ {
		h = (h ^ uint32(s[i])) * 16777619
	}
	return h
}

// hash64 is FNV-1a (64 bit) of denseSeed+prefix+s, finished with
// MurmurHash3's fmix64 so that the low bits (the position) and the top bit
// (the sign) of a dense feature's hash are well mixed.
func hash64(prefix, s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(denseSeed); i++ {
		h = (h ^ uint64(denseSeed[i])) * 1099511628211
	}
	for i := 0; i < len(prefix); i++ {
		h = (h ^ uint64(prefix[i])) * 1099511628211
	}
	for i := 0; i < len(s); i++ {
		h = (h ^ uint64(s[i])) * 1099511628211
	}
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	h *= 0xc4ceb9fe1a85ec53
	h ^= h >> 33
	return h
}
