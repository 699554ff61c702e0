package retrieval

import "github.com/lorehq/lore/knowledge"

// Surfacing the kind a question asks for.
const (
	// surfaceWeight is the least kind weight that marks the kind a
	// question type asks for (a script for "how do I reply", a procedure
	// for "what are the steps", a rule for "is it allowed"); the milder
	// preference of fact questions for FAQs (1.1) does not surface.
	surfaceWeight = 1.15
	// surfaceAt is the position (0-based) the best item of that kind is
	// moved up to when none is higher.
	surfaceAt = 1
	// surfaceShare is how close to the best hit's score that item must
	// be: about fifteen reciprocal ranks below the top.
	surfaceShare = 0.8
)

// surfaceKind makes sure the kind a question asks for is seen: when none
// of the first surfaceAt+1 hits has it, the best pool item of that kind
// scoring at least surfaceShare of the best hit moves to position
// surfaceAt. Without a preferred kind, or such an item, hits stay as
// they are.
func surfaceKind(hits, pool []knowledge.Hit, weights map[knowledge.Kind]float64, limit int) []knowledge.Hit {
	var want knowledge.Kind
	best := surfaceWeight
	for k, w := range weights {
		if w >= best {
			want, best = k, w
		}
	}
	if want == "" || len(hits) <= surfaceAt || len(pool) == 0 || pool[0].Score <= 0 {
		return hits // (scores that are not positive, as a reranker's may be, have no share)
	}
	for _, h := range hits[:surfaceAt+1] {
		if h.Item.Kind == want {
			return hits
		}
	}
	for _, p := range pool {
		if p.Item.Kind != want {
			continue
		}
		if p.Score < surfaceShare*pool[0].Score {
			return hits
		}
		out := make([]knowledge.Hit, 0, len(hits)+1)
		out = append(out, hits[:surfaceAt]...)
		out = append(out, p)
		for _, h := range hits[surfaceAt:] {
			if h.Item.ID != p.Item.ID {
				out = append(out, h)
			}
		}
		if len(out) > limit {
			out = out[:limit]
		}
		return out
	}
	return hits
}
