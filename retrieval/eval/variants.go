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
//	sparse          sparse ranking only, fused order (no MMR), no understanding
//	+dense          the dense ranking fused in at opt.DenseWeight
//	+expansion      plus synonym expansions of the question
//	+kinds+lookup   plus question-type kind priors and exact lookups
//	default         plus MMR diversity: the searcher as opt configures it
//
// opt is the full configuration (the last rung); its Understander and
// Reranker are ignored in favour of u and no reranker. Every variant
// searches with filter f. Put a baseline before them when calling Run.
func Ladder(idx retrieval.Index, emb retrieval.QueryEmbedder, u retrieval.Understander, opt retrieval.Options, f knowledge.Filter) []System {
	opt.Reranker = nil
	step := func(name string, o retrieval.Options) System {
		return NewSearchSystem(name, retrieval.New(idx, emb, o), f)
	}
	sparse := opt
	sparse.DenseWeight, sparse.MMRLambda, sparse.Understander = -1, 1, nil
	dense := opt
	dense.MMRLambda, dense.Understander = 1, nil
	exp := dense
	exp.Understander = Ablate(u, Parts{Expansions: true})
	kinds := dense
	kinds.Understander = Ablate(u, Parts{Expansions: true, KindWeights: true, Lookup: true})
	full := opt
	full.Understander = u
	return []System{
		step("lore sparse", sparse),
		step("lore +dense", dense),
		step("lore +expansion", exp),
		step("lore +kinds+lookup", kinds),
		step("lore default (+mmr)", full),
	}
}
