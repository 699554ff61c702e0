package eval

import (
	"github.com/lorehq/lore/knowledge"
	"github.com/lorehq/lore/retrieval"
	"github.com/lorehq/lore/retrieval/understand"
)

// Parts selects what an ablated Understander passes on.
type Parts struct {
	Expansions  bool // colloquial → formal expansions
	KindWeights bool // the question type's kind priors
	Lookup      bool // exact article and document-number lookups
}

// ablated is an Understander with some parts switched off.
type ablated struct {
	u     retrieval.Understander
	parts Parts
}

// Ablate returns an Understander that gives u's understanding with only
// the selected parts: dropped expansions are empty, dropped kind weights
// nil (every kind weighs 1), a dropped lookup nil.
func Ablate(u retrieval.Understander, p Parts) retrieval.Understander {
	return ablated{u: u, parts: p}
}

func (a ablated) Understand(q string) understand.Understanding {
	x := a.u.Understand(q)
	if !a.parts.Expansions {
		x.Expansions = nil
	}
	if !a.parts.KindWeights {
		x.KindWeights = nil
	}
	if !a.parts.Lookup {
		x.Lookup = nil
	}
	return x
}

// Ladder builds the searcher variants of an ablation, each adding one
// step to the one before, over the same index, embedder and understander:
//
//	lore sparse          the sparse ranking only, fused order (no MMR), no understanding
//	lore +dense          the dense ranking fused in at opt.DenseWeight (only when opt turns it on)
//	lore +expansion      plus the synonym expansions of the question, at opt.ExpansionWeight
//	lore +kinds+lookup   plus question-type kind priors and exact lookups
//	lore default (+mmr)  plus MMR diversity: the searcher as opt configures it
//
// opt is the full configuration (the last rung); its Understander and
// Reranker are ignored in favour of u and no reranker. Every variant
// searches with filter f. Put a baseline before them when calling Run.
func Ladder(idx retrieval.Index, emb retrieval.QueryEmbedder, u retrieval.Understander, opt retrieval.Options, f knowledge.Filter) []System {
	opt.Reranker = nil
	step := func(name string, o retrieval.Options) System {
		return NewSearchSystem(name, retrieval.New(idx, emb, o), f)
	}
	dense := opt.DenseWeight > 0 || (opt.DenseWeight == 0 && retrieval.DefaultDenseWeight > 0)
	base := opt
	base.MMRLambda, base.Understander = 1, nil
	sparse := base
	sparse.DenseWeight = -1
	out := []System{step("lore sparse", sparse)}
	if dense {
		out = append(out, step("lore +dense", base))
	} else {
		base = sparse
	}
	exp := base
	exp.Understander = Ablate(u, Parts{Expansions: true})
	kinds := base
	kinds.Understander = Ablate(u, Parts{Expansions: true, KindWeights: true, Lookup: true})
	full := opt
	full.Understander = u
	return append(out,
		step("lore +expansion", exp),
		step("lore +kinds+lookup", kinds),
		step("lore default (+mmr)", full),
	)
}
