package glossary

// Options tune discovery. A zero field takes the default documented beside
// it; a negative MinPMI, MinEntropy or MinSimilarity accepts any value.
type Options struct {
	// MinFreq is the least count of a candidate in the first pass; 0 means 5.
	MinFreq int
	// MinPMI is the least pointwise mutual information (natural log) of a
	// candidate's weakest split; 0 means 2.0.
	MinPMI float64
	// MinEntropy is the least of a candidate's left and right branching
	// entropies (natural log); 0 means 1.0.
	MinEntropy float64
	// MaxLen is the longest term in Han characters, 2..8; 0 means 6.
	MaxLen int
	// MaxTerms caps the ranked terms kept; 0 means 200.
	MaxTerms int
	// MaxNgrams caps the n-gram table of the first pass; when it is
	// exceeded the rarest n-grams are pruned. 0 means 1<<20 (about 100 MB
	// at worst).
	MaxNgrams int
	// MinSimilarity is the least cosine similarity of the context vectors
	// of a synonym candidate pair; 0 means 0.5.
	MinSimilarity float64
	// MaxExamples caps the example contexts kept per term; 0 means 3.
	MaxExamples int
}

// Defaults of Options.
const (
	DefaultMinFreq       = 5
	DefaultMinPMI        = 2.0
	DefaultMinEntropy    = 1.0
	DefaultMaxLen        = 6
	DefaultMaxTerms      = 200
	DefaultMaxNgrams     = 1 << 20
	DefaultMinSimilarity = 0.5
	DefaultMaxExamples   = 3
)

// withDefaults returns opt with zero fields set to their defaults and the
// rest clamped to workable ranges.
func (opt Options) withDefaults() Options {
	if opt.MinFreq <= 0 {
		opt.MinFreq = DefaultMinFreq
	}
	if opt.MinPMI == 0 {
		opt.MinPMI = DefaultMinPMI
	}
	if opt.MinEntropy == 0 {
		opt.MinEntropy = DefaultMinEntropy
	}
	switch {
	case opt.MaxLen == 0:
		opt.MaxLen = DefaultMaxLen
	case opt.MaxLen < 2:
		opt.MaxLen = 2
	case opt.MaxLen > 8:
		opt.MaxLen = 8
	}
	if opt.MaxTerms <= 0 {
		opt.MaxTerms = DefaultMaxTerms
	}
	if opt.MaxNgrams <= 0 {
		opt.MaxNgrams = DefaultMaxNgrams
	}
	if opt.MaxNgrams < 1024 {
		opt.MaxNgrams = 1024
	}
	if opt.MinSimilarity == 0 {
		opt.MinSimilarity = DefaultMinSimilarity
	}
	if opt.MaxExamples <= 0 {
		opt.MaxExamples = DefaultMaxExamples
	}
	return opt
}
