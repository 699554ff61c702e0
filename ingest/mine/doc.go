// Package mine mines experience from service dialogues: FAQ pairs and
// best-practice reply scripts, with the compliance violations it refused to
// recommend.
//
// A Miner takes dialogues (dialogue.Dialogue, from JSONL via the dialogue
// package, or from CSV exports and plain transcripts via ReadCSV and
// ReadTranscript) one at a time with Add, or all at once with Mine. Every
// turn is PII-masked (MaskPII: ID card, mobile phone, bank card, e-mail)
// before anything else looks at it, so nothing unmasked is kept.
//
// Each dialogue is analysed (Analyze): its intent from the configurable
// taxonomy of the Policy (unknown intents are clustered into "other:…"
// intents, not dropped), the customer's emotion per turn from a
// negation-aware lexicon (不满意 is not satisfaction), the outcome as
// labelled or, when absent, inferred and marked as inferred, key facts
// (amounts, dates, the promised repayment date) and a one-line case note.
//
// Result then holds:
//
//   - FAQs: customer questions whose agent answer resolved them, paraphrases
//     clustered by character-bigram Jaccard similarity; one knowledge.FAQ
//     item per cluster, with the most central answer.
//   - Scripts: for every situation (intent × customer emotion before the
//     reply), agent replies clustered into templates and compared by what
//     happened next. A script carries the dialogues seen, the success rate
//     against the situation's baseline, the lift and a lower confidence
//     bound of the lift (the Wilson lower bound of the success rate divided
//     by the baseline), and example dialogue ids.
//   - Violations: agent replies that break the policy lexicon (threats,
//     insults, disclosure of debt to third parties, false legal claims,
//     pressure to borrow). They are never recommended, however well they
//     worked; their evidence is reported instead.
//
// ExtractFile reads a dialogue file (JSONL, CSV or transcript) and returns
// the items; Extractor adapts the miner to the ingest pipeline, which sees
// only Turn blocks (outcomes are then inferred).
package mine
