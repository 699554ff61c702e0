// Package glossary discovers domain terms and product names in a Chinese
// corpus without a dictionary of them ("new-word discovery"), finds synonym
// candidates among them, and renders both as knowledge.KindTerm items.
//
// Discovery runs in two passes over the same texts:
//
//  1. A Counter counts every n-gram of 2..MaxLen+1 Han characters (runs of
//     Han characters; anything else is a boundary). Candidates are n-grams of
//     2..MaxLen characters seen at least MinFreq times. Each is scored by
//     its frequency, its internal cohesion — the pointwise mutual
//     information of its weakest split into two parts, ln(p(w)/(p(a)p(b)))
//     — and its left and right branching entropy (the entropy of the
//     characters seen just before and after it; a text boundary counts as a
//     neighbour never seen before). Fragments of longer words (款日 of 还款日,
//     惠享 of 惠享贷) have one low-entropy side; chance juxtapositions have a
//     low PMI. Candidates bounded by function characters (的还款, 随心贷的),
//     holding a particle (的, 了, 吗 …) or already known to the general
//     dictionary (the Known interface) are dropped, and so are numbers with
//     their measure word (三个月, 第十), a known word or candidate followed by
//     a localizer (宽限期内, 还款日后) and a better-ranked term with one
//     character glued on (下随心贷). Select ranks the rest.
//     The n-gram table is capped (Options.MaxNgrams): when it fills up, the
//     rarest entries are pruned (lossy counting), so memory stays bounded
//     whatever the corpus size.
//  2. A Selection observes the texts again and, for the chosen terms only,
//     collects exact frequencies, example sentences, the sentence that best
//     looks like a definition (X是指…, X指的是…, X，即…, X是…的) and the
//     distribution of characters around each occurrence. Terms whose context
//     vectors (positive PMI weighted, cosine similarity) are close are
//     reported as synonym candidates (Pair). Result assembles the outcome.
//
// Discover and DiscoverSeq run both passes; Counter and Selection expose
// them for callers that stream a corpus too large to hold (DocumentTexts
// turns parsed ingest documents into texts with their line numbers).
//
// Result.Items renders one knowledge.KindTerm item per term. Items leave ID,
// Space, Status and the provenance Source for the ingest pipeline to fill;
// provenance Line is set from the texts' line numbers when known.
//
// Glossary discovery is corpus-level: it does not fit the per-document
// ingest.Extractor chain (whose first extractor to find items decides what
// a document becomes). The pipeline runs it as a post-pass over the parsed
// documents of a space, or over chosen sources, and stores the items with
// the source they were found in.
package glossary
