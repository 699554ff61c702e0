package knowledge

import "strings"

// vocabMark separates the two parts of an embedding scheme.
const vocabMark = " vocab:"

// EmbeddingScheme names how a store's vectors were made, as stores record
// it: the embedder's name, then the hash of the words added to the
// segmenter's dictionary, on which sparse vectors depend, as in
// "offline-hash-v1 vocab:3f2a9c1b". Vectors of two schemes do not mix.
func EmbeddingScheme(embedder, vocabHash string) string {
	return embedder + vocabMark + vocabHash
}

// VocabularyChanged reports whether two embedding schemes name the same
// embedder and differ only in their dictionary: what a store's error
// should say changed.
func VocabularyChanged(stored, given string) bool {
	sm, sv := splitScheme(stored)
	gm, gv := splitScheme(given)
	return sm == gm && sv != gv
}

func splitScheme(e string) (embedder, vocab string) {
	if i := strings.LastIndex(e, vocabMark); i >= 0 {
		return e[:i], e[i+len(vocabMark):]
	}
	return e, ""
}
