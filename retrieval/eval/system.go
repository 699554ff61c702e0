package eval

import (
	"context"

	"github.com/lorehq/lore/knowledge"
	"github.com/lorehq/lore/retrieval"
)

// Searcher is the search call of a retrieval.Searcher.
type Searcher interface {
	Search(ctx context.Context, req retrieval.Request) ([]knowledge.Hit, error)
}

// SearchSystem is a Searcher under evaluation, with the filter every
// question is searched with (Kinds: rule, for a benchmark over rules).
type SearchSystem struct {
	name   string
	s      Searcher
	filter knowledge.Filter
}

// NewSearchSystem names a searcher for a report.
func NewSearchSystem(name string, s Searcher, f knowledge.Filter) *SearchSystem {
	return &SearchSystem{name: name, s: s, filter: f}
}

// Name returns the name given to NewSearchSystem.
func (s *SearchSystem) Name() string { return s.name }

// Search returns the items of the searcher's hits, in order.
func (s *SearchSystem) Search(ctx context.Context, q string, limit int) ([]knowledge.Item, error) {
	hits, err := s.s.Search(ctx, retrieval.Request{Text: q, Filter: s.filter, Limit: limit})
	if err != nil {
		return nil, err
	}
	out := make([]knowledge.Item, len(hits))
	for i, h := range hits {
		out[i] = h.Item
	}
	return out, nil
}
