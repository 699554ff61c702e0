package retrieval

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/lorehq/lore/knowledge"
	"github.com/lorehq/lore/retrieval/understand"
)

// Index answers hybrid queries; every knowledge.Store is one. Hits come
// ordered by fused score, highest first.
type Index interface {
	Search(ctx context.Context, q knowledge.Query) ([]knowledge.Hit, error)
}

// QueryEmbedder computes the vectors of a question, with the same embedder
// that indexed the items (embed.Offline is one).
type QueryEmbedder interface {
	EmbedQuery(ctx context.Context, text string) (knowledge.Vectors, error)
}

// Understander analyses a question before it is searched: expansions,
// question type with kind priors, exact lookups. *understand.Understander
// is one.
type Understander interface {
	Understand(q string) understand.Understanding
}

// Reranker re-orders the candidate pool of a search, for example with a
// cross-encoder. It gets the pool best first and returns the hits it keeps,
// best first, with Score set to its own relevance (higher is better; MMR
// min-max scales it). It must not add hits that were not in the pool.
type Reranker interface {
	Rerank(ctx context.Context, query string, hits []knowledge.Hit) ([]knowledge.Hit, error)
}

// Limits and defaults of a search.
const (
	MaxQueryChars    = 2000 // longest Request.Text, in characters
	MaxLimit         = 100  // largest Request.Limit
	DefaultLimit     = 10   // hits returned when neither Request nor Options set a limit
	DefaultMMRLambda = 0.7  // relevance weight of MMR when Options leave it unset
	// DefaultDenseWeight is the weight of the dense ranking in fusion when
	// Options leave it unset. The offline hashed n-gram vector repeats the
	// lexical evidence without its IDF: on the STARD laws benchmark weight
	// 0.02 left quality as it was (it breaks ties and adds items the
	// sparse ranking misses), 0.05 lowered MRR@10 by about 0.01, 0.3 by
	// 0.09 and 1 by 0.16 (see retrieval/eval/ABLATION.md). Wire 1 for a model-backed
	// embedder whose dense vectors carry meaning of their own; a negative
	// weight searches sparse only.
	DefaultDenseWeight = 0.02
	// DefaultExpansionWeight scales the weights of the Understander's
	// expansions when Options leave it unset. The synonym list weighs an
	// expansion at 0.3-0.6 of a typed term; halving that again lets
	// expansions break ties and rescue questions in everyday words without
	// drowning the question's own rare terms (on STARD: Hit@5 +0.013,
	// MRR@10 +0.012 over scale 1; scale 1.3 was worse than 1).
	DefaultExpansionWeight = 0.5
	// minPool and poolFactor size the candidate pool MMR chooses from:
	// max(poolFactor·limit, minPool) fused hits.
	minPool    = 30
	poolFactor = 3
)

// Options configure a Searcher. Zero values take the documented defaults.
type Options struct {
	// Candidates is how many hits each of the sparse and the dense ranking
	// contributes to fusion (knowledge.Query.Candidates); <= 0 leaves the
	// index's default, max(4·pool, 50) for a store.
	Candidates int
	// Limit is how many hits a Request without a limit gets; <= 0 means
	// DefaultLimit, above MaxLimit means MaxLimit.
	Limit int
	// MMRLambda weighs relevance against novelty when hits are picked:
	// each next hit maximises λ·relevance − (1−λ)·similarity to the hits
	// already picked. 1 keeps the fused order; <= 0 means
	// DefaultMMRLambda; above 1 means 1.
	MMRLambda float64
	// Understander, when set, analyses each question: its expansions are
	// added to the query vectors, its kind weights multiply fused scores,
	// and its exact lookup is answered first. Nil searches the question
	// as typed.
	Understander Understander
	// Reranker, when set, re-orders the candidate pool before MMR. Off by
	// default; Lore retrieves well without one. When it fails, the search
	// goes on with the fused order (the error is not returned: a broken
	// optional reranker must not stop search).
	Reranker Reranker
	// DenseWeight is the weight of the dense ranking in reciprocal-rank
	// fusion, the sparse ranking weighing 1: a hit scores
	// 1/(RRFK+sparse rank) + DenseWeight/(RRFK+dense rank). 0 means
	// DefaultDenseWeight; a negative value leaves the dense vector
	// out of the query, so the sparse ranking alone decides. The index
	// fuses with the weight (knowledge.Query.DenseWeight).
	DenseWeight float64
	// ExpansionWeight multiplies the weight of every expansion of the
	// Understander; 0 means DefaultExpansionWeight, a negative value drops
	// the expansions.
	ExpansionWeight float64
}

// Searcher runs hybrid searches with MMR diversity. It is safe for
// concurrent use when its Index and QueryEmbedder are.
type Searcher struct {
	idx Index
	emb QueryEmbedder
	opt Options
}

// New returns a Searcher over idx that embeds questions with emb.
func New(idx Index, emb QueryEmbedder, opt Options) *Searcher {
	if opt.Limit <= 0 {
		opt.Limit = DefaultLimit
	}
	opt.Limit = min(opt.Limit, MaxLimit)
	switch {
	case opt.MMRLambda <= 0:
		opt.MMRLambda = DefaultMMRLambda
	case opt.MMRLambda > 1:
		opt.MMRLambda = 1
	}
	if opt.DenseWeight == 0 {
		opt.DenseWeight = DefaultDenseWeight
	}
	if opt.ExpansionWeight == 0 {
		opt.ExpansionWeight = DefaultExpansionWeight
	}
	return &Searcher{idx: idx, emb: emb, opt: opt}
}

// Request is one search.
type Request struct {
	Text   string // the question, 1..MaxQueryChars characters after trimming
	Filter knowledge.Filter
	Limit  int // hits to return, 0..MaxLimit; 0 means the Searcher's default
	// Understanding, when set, is the question already analysed by the
	// caller (with the Searcher's Understander), so it is not analysed
	// twice; nil lets the Searcher analyse it.
	Understanding *understand.Understanding
}

// Search returns up to Limit hits for req. In order:
//
//  1. With an Understander, the question is analysed. The query vectors
//     are the question's plus each expansion's scaled by its weight times
//     Options.ExpansionWeight (see queryVectors).
//  2. A pool of max(3·Limit, 30) hits is fused by reciprocal rank with
//     the dense ranking at Options.DenseWeight (the index fuses).
//  3. The priors apply: each hit's sparse and dense scores are multiplied
//     by the kind weight of the question type (1 without an Understander)
//     and by the confidence prior (ConfidenceFloor), and the pool is fused
//     again from the re-ordered rankings (see weigh).
//  4. A Reranker, if set, re-orders the pool.
//  5. Hits are picked from the pool by MMR: the best first, then each next
//     hit the one that best combines relevance with novelty, so a
//     near-duplicate of an earlier hit may yield its place to a less
//     relevant but different one.
//  6. When the question asks for a kind (a script, a procedure, a rule)
//     and none of the first two hits has it, the best close item of that
//     kind moves to second place (surfaceKind).
//  7. Rules that match the question's exact Lookup (see lookupHits) are
//     put first.
//
// Hit.Score is the score the hit was ranked by: the fused score after the
// priors (or the reranker's score); an exact lookup match scores 1 plus
// its fused score, above any fused score (those are below 0.04). The ranks
// and the sparse and dense scores are the index's.
//
// A malformed request gets a knowledge.Invalid error whose message says,
// in Chinese and English, what to fix. A question with no searchable terms
// (only punctuation, say) gets no hits and no error. Errors of the embedder
// and the index are returned wrapped, their codes kept.
func (s *Searcher) Search(ctx context.Context, req Request) ([]knowledge.Hit, error) {
	text, limit, err := s.validate(req)
	if err != nil {
		return nil, err
	}
	var u understand.Understanding
	switch {
	case req.Understanding != nil:
		u = *req.Understanding
	case s.opt.Understander != nil:
		u = s.opt.Understander.Understand(text)
	}
	vecs, err := s.queryVectors(ctx, text, u.Expansions)
	if err != nil {
		return nil, err
	}
	if len(vecs.Dense) == 0 && len(vecs.Sparse.Indices) == 0 {
		return []knowledge.Hit{}, nil
	}
	hits, err := s.idx.Search(ctx, knowledge.Query{
		Vectors: vecs, Filter: req.Filter, Limit: max(poolFactor*limit, minPool),
		Candidates: max(s.opt.Candidates, 0), DenseWeight: s.opt.DenseWeight,
	})
	if err != nil {
		return nil, fmt.Errorf("retrieval: search: %w", err)
	}
	hits = weigh(hits, u.KindWeights, s.opt.DenseWeight)
	if s.opt.Reranker != nil && len(hits) > 1 {
		if rr, err := s.opt.Reranker.Rerank(ctx, text, hits); err == nil && len(rr) > 0 {
			hits = rr
		}
	}
	pool := hits
	hits = diversify(hits, limit, s.opt.MMRLambda)
	hits = surfaceKind(hits, pool, u.KindWeights, limit)
	if u.Lookup != nil {
		exact, err := s.lookupHits(ctx, req.Filter, u.Lookup, pool)
		if err != nil {
			return nil, err
		}
		hits = putFirst(exact, hits, limit)
	}
	return hits, nil
}

// validate checks req and returns its trimmed text and the limit to use.
func (s *Searcher) validate(req Request) (string, int, error) {
	const op = "retrieval.Search"
	text := strings.TrimSpace(req.Text)
	switch {
	case text == "":
		return "", 0, knowledge.Errorf(knowledge.Invalid, op, "the question is empty / 问题不能为空")
	case utf8.RuneCountInString(text) > MaxQueryChars:
		return "", 0, knowledge.Errorf(knowledge.Invalid, op,
			"the question is longer than %d characters; shorten it / 问题超过 %d 个字符，请缩短", MaxQueryChars, MaxQueryChars)
	case req.Limit < 0 || req.Limit > MaxLimit:
		return "", 0, knowledge.Errorf(knowledge.Invalid, op,
			"limit %d is out of range 0..%d / limit %d 超出范围 0..%d", req.Limit, MaxLimit, req.Limit, MaxLimit)
	}
	for _, k := range req.Filter.Kinds {
		if !k.Valid() {
			return "", 0, knowledge.Errorf(knowledge.Invalid, op, "unknown kind %q / 未知的知识类型 %q", k, k)
		}
	}
	for _, st := range req.Filter.Statuses {
		if !st.Valid() {
			return "", 0, knowledge.Errorf(knowledge.Invalid, op, "unknown status %q / 未知的审核状态 %q", st, st)
		}
	}
	limit := req.Limit
	if limit == 0 {
		limit = s.opt.Limit
	}
	return text, limit, nil
}

func allZero(v []float32) bool {
	for _, x := range v {
		if x != 0 {
			return false
		}
	}
	return true
}
