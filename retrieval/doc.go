// Package retrieval finds the knowledge items that answer a question: the
// hybrid searcher used by chat and by the HTTP API.
//
// A Searcher validates a Request, embeds its text with a QueryEmbedder
// (the offline embedder of package embed, or a model-backed one), asks an
// Index (any knowledge.Store) for hits fused by reciprocal rank from a
// sparse lexical and a dense ranking, and then re-orders the best of them
// by maximal marginal relevance (MMR), so that near-duplicate passages (the
// same clause in two versions of a regulation, a paragraph quoted in three
// FAQs) do not crowd out the other relevant items.
//
// Subpackages do the parts: segment normalises and segments text, embed
// computes the offline vectors and embed/remote the model-backed ones,
// understand analyses questions (type, expansions, exact lookups), and
// eval measures retrieval against a BM25 baseline.
package retrieval
