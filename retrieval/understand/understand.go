package understand

import (
	"sort"
	"strings"

	"github.com/lorehq/lore/knowledge"
	"github.com/lorehq/lore/retrieval/segment"
)

// MaxExpansions bounds the expansions of one question: a long question
// that trips many entries would otherwise drift towards the expansions.
// The highest weights are kept, earlier triggers first among equals.
const MaxExpansions = 12

// Expansion is a term added to a question, with its weight relative to a
// term the user typed (0 < Weight < 1).
type Expansion struct {
	Text   string  `json:"text"`
	Weight float64 `json:"weight"`
}

// Understanding is what Understand makes of a question.
type Understanding struct {
	// Normalized is the question as Segmenter.Normalize gives it.
	Normalized string `json:"normalized"`
	// Expansions are formal terms and synonyms of what the question says,
	// none of them already in it, highest weight first.
	Expansions []Expansion `json:"expansions,omitempty"`
	// Type is what the question asks for.
	Type QuestionType `json:"type"`
	// KindWeights are the multipliers of Type (see KindWeights), one per
	// kind.
	KindWeights map[knowledge.Kind]float64 `json:"kind_weights"`
	// Lookup is the exact reference the question makes, or nil.
	Lookup *Lookup `json:"lookup,omitempty"`
}

// Understander analyses questions. It is safe for concurrent use.
type Understander struct {
	seg *segment.Segmenter
	syn *Synonyms
}

// New returns an Understander that normalises and segments with seg and
// expands with syn; a nil syn means no expansion.
func New(seg *segment.Segmenter, syn *Synonyms) *Understander {
	if syn == nil {
		syn = &Synonyms{}
	}
	return &Understander{seg: seg, syn: syn}
}

// Synonyms returns the list the Understander expands with, so that mined
// glossary terms can be added to it.
func (u *Understander) Synonyms() *Synonyms { return u.syn }

// Understand analyses one question. It never fails: a question with nothing
// to recognise gets its normalised text, TypeGeneral and weights of 1.
func (u *Understander) Understand(q string) Understanding {
	norm := u.seg.Normalize(q)
	t := DetectType(norm)
	return Understanding{
		Normalized:  norm,
		Expansions:  u.expand(norm),
		Type:        t,
		KindWeights: KindWeights(t),
		Lookup:      ParseLookup(norm),
	}
}

// expand collects the expansions of the triggers found in norm.
func (u *Understander) expand(norm string) []Expansion {
	words := map[string]bool{}
	for _, w := range u.seg.Split(norm) {
		words[w] = true
	}
	byText := map[string]*Expansion{}
	var cands []*Expansion
	for _, m := range u.syn.find(norm, words) {
		for _, t := range m.targets {
			if strings.Contains(norm, t.text) {
				continue // already asked
			}
			if c, ok := byText[t.text]; ok {
				c.Weight = max(c.Weight, t.weight)
				continue
			}
			c := &Expansion{Text: t.text, Weight: t.weight}
			byText[t.text] = c
			cands = append(cands, c)
		}
	}
	sort.SliceStable(cands, func(i, j int) bool { return cands[i].Weight > cands[j].Weight })
	if len(cands) > MaxExpansions {
		cands = cands[:MaxExpansions]
	}
	out := make([]Expansion, len(cands))
	for i, c := range cands {
		out[i] = *c
	}
	return out
}
