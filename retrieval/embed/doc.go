// Package embed computes the vectors Lore indexes items and questions by.
//
// Offline is the default embedder of DESIGN.md: deterministic, with no model
// to download and no network. It produces, from the same segmentation,
//
//   - a sparse lexical vector: segmented words and Han character bigrams,
//     hashed to 32-bit indices, weighted for documents by BM25's saturated
//     term frequency (the store multiplies by IDF, as Qdrant's IDF modifier
//     does) and for questions by plain term counts; and
//   - a dense hashed n-gram vector: Han character unigrams, bigrams and
//     trigrams, words, and character trigrams of Latin words, feature-hashed
//     with a sign bit into Dim dimensions, sublinear in term frequency and
//     L2-normalised, so the dot product of two vectors is their cosine.
//
// Equal input gives bit-identical vectors on every run and machine, so a
// store can skip re-embedding unchanged content. The vectors depend on the
// Segmenter's dictionary: words added with Segmenter.AddWords change them,
// so indexing and querying must use the same word list.
package embed
