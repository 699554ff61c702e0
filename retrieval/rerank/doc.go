// Package rerank re-orders a search's candidates with a language model
// behind an OpenAI-compatible chat endpoint (any server that speaks the
// API, local or remote), through langchaingo. It implements
// retrieval.Reranker and is off by default: Lore retrieves without it, and
// a failing reranker leaves the fused order in place.
package rerank
