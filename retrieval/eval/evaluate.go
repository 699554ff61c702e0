package eval

import (
	"context"
	"fmt"

	"github.com/lorehq/lore/knowledge"
)

// Config is one evaluation of a searcher against the BM25 baseline, as
// `lore eval` runs it.
type Config struct {
	// Name labels the searcher's row; "lore" when empty.
	Name string
	// Searcher is the system under evaluation: a *retrieval.Searcher
	// over Items, configured as in production.
	Searcher Searcher
	// Items lists the items the searcher searches (its store). The
	// baseline indexes the items of Items that pass Filter, so both
	// systems rank the same items.
	Items Lister
	// Filter is the filter every question is searched with and the
	// baseline's items pass. A zero Filter means DefaultFilter(questions).
	Filter knowledge.Filter
	// Extra systems are run after the searcher, for an ablation (see
	// Ladder).
	Extra []System
	// Options of Run.
	Options Options
}

// Evaluate runs the BM25 baseline over cfg.Items, then cfg.Searcher,
// then cfg.Extra, on every question, and reports them in that order: the
// baseline is the first row, the one the text table compares with.
func Evaluate(ctx context.Context, qs []Question, cfg Config) (*Report, error) {
	if cfg.Searcher == nil || cfg.Items == nil {
		return nil, fmt.Errorf("eval: evaluate: a searcher and its items are required")
	}
	f := cfg.Filter
	if isZeroFilter(f) {
		f = DefaultFilter(qs)
	}
	bm, err := NewBM25(ctx, cfg.Items, f)
	if err != nil {
		return nil, err
	}
	name := cfg.Name
	if name == "" {
		name = "lore"
	}
	systems := append([]System{bm, NewSearchSystem(name, cfg.Searcher, f)}, cfg.Extra...)
	return Run(ctx, qs, systems, cfg.Options)
}

// DefaultFilter is the filter questions are searched with when none is
// given: rules only when every gold entry names a law article (a statute
// benchmark such as STARD is measured over the rule items Lore returns),
// otherwise no filter.
func DefaultFilter(qs []Question) knowledge.Filter {
	laws := false
	for _, q := range qs {
		for _, g := range q.Gold {
			if g.Law == "" {
				return knowledge.Filter{}
			}
			laws = true
		}
	}
	if !laws {
		return knowledge.Filter{}
	}
	return knowledge.Filter{Kinds: []knowledge.Kind{knowledge.KindRule}}
}

func isZeroFilter(f knowledge.Filter) bool {
	return len(f.Kinds) == 0 && len(f.Spaces) == 0 && len(f.Statuses) == 0 && f.Source == "" &&
		f.UpdatedAfter.IsZero() && f.UpdatedBefore.IsZero()
}
