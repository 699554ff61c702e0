// Package eval measures how well a retrieval system finds the knowledge
// items that answer a set of questions, and compares it with a plain BM25
// baseline over the same items: the harness behind `lore eval`.
//
// Questions come from JSONL (ReadQuestions) in any of these formats:
//
//	{"id": "stard-2", "question": "…", "gold": [{"law": "中华人民共和国民法典", "article": "第五十六条"}]}
//	{"id": "q1", "q": "…", "gold_ids": ["<item id>", …]}
//	{"id": "q2", "q": "…", "gold_sources": ["rules/催收作业管理办法.md", …]}
//	{"q": "…", "source": "rules/催收作业管理办法.md", "also": ["…"]}   (the demo's; "unanswerable": true lines are skipped)
//
// A gold {law, article} matches a rule item whose Rule.DocTitle equals law
// and whose Rule.Article equals article; a gold id matches the item with
// that id; a gold source matches the items with a provenance from that
// source path (or a path ending in "/" plus it).
//
// Evaluate is the one call `lore eval` needs: given the production
// searcher and the store it searches, it runs the BM25 baseline over the
// same items and the searcher (and any extra systems, such as the
// ablation Ladder) and returns the Report. DefaultFilter restricts a
// statute benchmark (gold given as law and article) to rule items.
//
// A System is anything that returns ranked items for a question: a
// retrieval.Searcher with some options (SearchSystem), or the BM25
// baseline, which ranks items listed from a store by BM25 over character
// bigrams (k1 1.2, b 0.75, the collection's real average length). Run asks
// every system every question and reports, per system, Hit@1/5/10,
// Recall@5/10, MRR@10, nDCG@10 and the p50/p95/p99 latency of a query, as
// an aligned text table (Report.WriteText) or JSON (Report's json tags).
// Running variants of the searcher side by side (sparse only, with dense,
// with expansion, …) is how an ablation is made.
//
// TestSTARD measures the production pipeline on ../shared/bench when it is
// present (ABLATION.md has the figures), and BenchmarkStoreSearch the
// embedded store's latency and memory at 10k-1M synthetic items.
package eval
