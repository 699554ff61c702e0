package glossary

// Result is the outcome of discovery.
type Result struct {
	// Terms are ranked by Score, best first.
	Terms []Term
	// Synonyms are candidate pairs, most similar first.
	Synonyms []Pair
	Stats    Stats
}

// Term is one discovered term.
type Term struct {
	Term string
	// Freq is the number of occurrences found in the second pass (exact,
	// leftmost-longest among the terms), or the first-pass count when no
	// second pass saw it.
	Freq int
	// PMI is the pointwise mutual information of the weakest split;
	// LeftEntropy and RightEntropy the branching entropies (natural log).
	PMI, LeftEntropy, RightEntropy float64
	// Score ranks the terms; it grows with frequency, entropy and PMI.
	Score float64
	// Definition is the corpus sentence that best looks like a definition
	// of the term (X是指…, X指的是…, X，即…, X是…的), else the first
	// sentence containing it; Defining says which. DefinitionLine is its
	// line, 0 when unknown.
	Definition     string
	DefinitionLine int
	Defining       bool
	// Examples are the first distinct sentences containing the term.
	Examples []Context
}

// Context is a sentence of the corpus and its line (0 when unknown).
type Context struct {
	Text string
	Line int
}

// Pair is a synonym candidate: two terms used in similar contexts.
// Similarity is the cosine of their context vectors, 0..1. A is the more
// frequent term.
type Pair struct {
	A, B       string
	Similarity float64
}

// Stats describe the first pass.
type Stats struct {
	Texts    int   // texts counted
	Chars    int64 // characters counted, all scripts
	HanChars int64 // Han characters counted
	Ngrams   int   // n-gram table entries at the end
	// Prunes counts prunings of the n-gram table; PruneFloor is the highest
	// count pruned, the most an n-gram's count may be short by (per prune).
	Prunes     int
	PruneFloor int
}
