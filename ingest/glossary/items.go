package glossary

import (
	"fmt"
	"math"
	"strings"

	"github.com/lorehq/lore/knowledge"
)

// maxSynonyms caps the synonym candidates listed on one term item.
const maxSynonyms = 5

// Items renders one knowledge.KindTerm item per term, in rank order. The
// term's synonym candidates are its partners in r.Synonyms, most similar
// first. Provenance has one entry per distinct line of the definition and
// examples (a single empty entry when no line is known); ID, Space, Status
// and Source are left for the ingest pipeline to fill.
func (r *Result) Items() []knowledge.Item {
	partners := map[string][]Pair{}
	for _, p := range r.Synonyms {
		partners[p.A] = append(partners[p.A], p)
		partners[p.B] = append(partners[p.B], p)
	}
	items := make([]knowledge.Item, 0, len(r.Terms))
	for _, t := range r.Terms {
		term := &knowledge.Term{Term: t.Term, Definition: t.Definition, Frequency: t.Freq}
		var syn []string
		for _, p := range partners[t.Term] {
			if len(term.Synonyms) == maxSynonyms {
				break
			}
			other := p.A
			if other == t.Term {
				other = p.B
			}
			term.Synonyms = append(term.Synonyms, other)
			syn = append(syn, fmt.Sprintf("%s（相似度 similarity %.2f）", other, p.Similarity))
		}

		var b strings.Builder
		fmt.Fprintf(&b, "术语 term：%s\n", t.Term)
		if t.Definition != "" {
			label := "定义 definition"
			if !t.Defining {
				label = "出处 source sentence"
			}
			fmt.Fprintf(&b, "%s：%s\n", label, t.Definition)
		}
		if len(syn) > 0 {
			fmt.Fprintf(&b, "同义词候选 synonym candidates：%s\n", strings.Join(syn, "；"))
		}
		fmt.Fprintf(&b, "出现 occurrences：%d 次 times", t.Freq)
		for _, e := range t.Examples {
			if e.Text != t.Definition {
				fmt.Fprintf(&b, "\n例句 example：%s", e.Text)
			}
		}

		var prov []knowledge.Provenance
		seen := map[int]bool{}
		lines := []int{t.DefinitionLine}
		for _, e := range t.Examples {
			lines = append(lines, e.Line)
		}
		for _, l := range lines {
			if l > 0 && !seen[l] {
				seen[l] = true
				prov = append(prov, knowledge.Provenance{Line: l})
			}
		}
		if len(prov) == 0 {
			prov = []knowledge.Provenance{{}}
		}

		items = append(items, knowledge.Item{
			Kind:       knowledge.KindTerm,
			Title:      t.Term,
			Body:       b.String(),
			Provenance: prov,
			Confidence: confidence(t),
			Term:       term,
		})
	}
	return items
}

// confidence grows with the occurrences and the weaker branching entropy
// and is higher when a defining sentence was found; it stays within
// [0.05, 0.95].
func confidence(t Term) float64 {
	f := float64(t.Freq)
	c := f / (f + DefaultMinFreq) * (1 - math.Exp(-min(t.LeftEntropy, t.RightEntropy)))
	if !t.Defining {
		c *= 0.8
	}
	return min(0.95, max(0.05, c))
}
