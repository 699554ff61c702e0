// Package understand turns a question into what the searcher needs to
// answer it well, offline and deterministically: the normalised text,
// weighted expansions from colloquial to formal wording, the type of the
// question with a prior per knowledge kind, and an exact reference to a
// rule when the question names one.
//
// Expansion. People ask with everyday words (老公, 欠钱不还, 房东); rules,
// FAQs and scripts use formal ones (配偶, 借款人逾期, 出租人). Synonyms holds
// a list of one-way entries (colloquial phrases → formal terms) and two-way
// groups, loaded from YAML (LoadSynonyms) or the list compiled into the
// binary (DefaultSynonyms, the file synonyms.yaml beside this one; the
// repository's configs/synonyms.yaml is an identical copy for operators to
// edit). Glossary terms mined from documents can be added at run time with
// Synonyms.Add. Every expansion carries a weight below 1, so it adds to the
// question without outweighing the words the user typed.
//
// Question type. Cue phrases classify a question as asking for a reply to a
// customer (TypeScript), what a rule allows (TypeRule), the steps of a
// process (TypeProcedure), a fact (TypeFact) or nothing in particular
// (TypeGeneral). Each type comes with modest multipliers per knowledge kind
// (see KindWeights), which the searcher applies to fused scores as a prior:
// the largest is 1.15, so a type nudges the order of close candidates and
// never buries a clearly better item of another kind.
//
// Lookup. A question that names an article (商业银行法第三十条, 民法典第1064条,
// 第12条) or a document number (安和消金发〔2026〕12号) gets a Lookup that the
// searcher answers by exact field match before anything else.
//
// An Understander needs the Segmenter of package segment for the same
// normalisation the index uses; it is safe for concurrent use.
package understand
