package retrieval

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/lorehq/lore/knowledge"
	"github.com/lorehq/lore/retrieval/understand"
)

// lookupPool is how many rules the targeted search of an exact lookup
// considers: the article number and the document's name rank the wanted
// rule near the top, but articles of other documents with the same number
// compete for the same terms.
const lookupPool = 50

// lookupHits returns the rules that match an exact lookup, best first,
// each scoring 1 plus its fused score.
//
// With a document title or number, a targeted search for "title article
// number" among the rules passing f finds candidates, and those whose
// fields match exactly are kept: Rule.DocTitle contains l.DocTitle,
// Rule.DocNumber is the same 文号, and Rule.Article (or the provenance
// article) is the same article. With an article alone, which names no
// document, the matches are the rules of the question's own pool with that
// article. No match is not an error; the search just has no exact hits.
func (s *Searcher) lookupHits(ctx context.Context, f knowledge.Filter, l *understand.Lookup, pool []knowledge.Hit) ([]knowledge.Hit, error) {
	if len(f.Kinds) > 0 && !slices.Contains(f.Kinds, knowledge.KindRule) {
		return nil, nil // rules are filtered out
	}
	cands := pool
	if l.DocTitle != "" || l.DocNumber != "" {
		vecs, err := s.emb.EmbedQuery(ctx, strings.TrimSpace(l.DocTitle+" "+l.DocNumber+" "+l.Article))
		if err != nil {
			return nil, fmt.Errorf("retrieval: embed lookup: %w", err)
		}
		// Titles and article numbers are found lexically; the dense
		// ranking would be fused at full weight here and only add noise.
		vecs.Dense = nil
		f.Kinds = []knowledge.Kind{knowledge.KindRule}
		cands, err = s.idx.Search(ctx, knowledge.Query{Vectors: vecs, Filter: f, Limit: lookupPool, Candidates: max(s.opt.Candidates, 0)})
		if err != nil {
			return nil, fmt.Errorf("retrieval: lookup search: %w", err)
		}
	}
	var out []knowledge.Hit
	for _, h := range cands {
		if matchesLookup(&h.Item, l) {
			h.Score++
			out = append(out, h)
		}
	}
	return out, nil
}

// matchesLookup reports whether a rule item has every field the lookup
// gives.
func matchesLookup(it *knowledge.Item, l *understand.Lookup) bool {
	r := it.Rule
	if r == nil {
		return false
	}
	if l.DocTitle != "" && !strings.Contains(r.DocTitle, l.DocTitle) {
		return false
	}
	if l.DocNumber != "" && !understand.SameDocNumber(r.DocNumber, l.DocNumber) {
		return false
	}
	if l.Article != "" && !understand.SameArticle(r.Article, l.Article) {
		return false
	}
	return l.DocTitle != "" || l.DocNumber != "" || l.Article != ""
}

// putFirst returns the exact hits followed by the other hits not among
// them, at most limit in all.
func putFirst(exact, hits []knowledge.Hit, limit int) []knowledge.Hit {
	if len(exact) == 0 {
		return hits
	}
	seen := map[string]bool{}
	out := make([]knowledge.Hit, 0, limit)
	for _, group := range [][]knowledge.Hit{exact, hits} {
		for _, h := range group {
			if len(out) == limit {
				return out
			}
			if !seen[h.Item.ID] {
				seen[h.Item.ID] = true
				out = append(out, h)
			}
		}
	}
	return out
}
