// Package segment normalises text and splits it into the units Lore
// indexes and searches by: sentences, words and Han character bigrams.
//
// Chinese is written without spaces, so keyword search needs a word
// segmenter: without one, a query for 逾期 or 健康 either misses or
// matches every character on its own. A Segmenter combines
//
//   - normalisation (Normalize): traditional to simplified Chinese
//     (OpenCC t2s), full-width ASCII letters, digits and symbols to their
//     half-width forms, lower case, collapsed white space; and
//   - word segmentation (Words): the gse dictionary segmenter in search
//     mode, so a long word is indexed with the shorter words inside it
//     (借款人 gives 借款 and 借款人), minus punctuation and a small table
//     of stop words.
//
// Bigrams adds overlapping Han character bigrams, which catch words the
// dictionary does not know (product names such as 借呗) and are the
// fallback when segmentation splits a term differently in a question and a
// document.
//
// Sentences splits text at Chinese and Western sentence ends and needs no
// Segmenter.
//
// Both dictionaries are compiled into the binary (gse's embedded zh_s
// dictionary and OpenCC's embedded tables), so nothing is read from disk or
// the network at run time. Loading them costs about 1.5 s and 130-150 MB of
// heap: create one Segmenter per process and share it; it is safe for
// concurrent use.
package segment
