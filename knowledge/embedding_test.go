package knowledge

import "testing"

func TestVocabularyChanged(t *testing.T) {
	a := EmbeddingScheme("offline-hash-v1", "3f2a9c1b")
	tests := []struct {
		stored, given string
		want          bool
	}{
		{a, EmbeddingScheme("offline-hash-v1", "00aa11bb"), true},
		{a, EmbeddingScheme("openai:bge-m3+offline-hash-v1", "3f2a9c1b"), false},
		{a, EmbeddingScheme("openai:bge-m3+offline-hash-v1", "00aa11bb"), false},
		{a, a, false},
		{"offline-hash-v1", a, true}, // a record made before dictionaries were hashed
	}
	for _, tc := range tests {
		if got := VocabularyChanged(tc.stored, tc.given); got != tc.want {
			t.Errorf("VocabularyChanged(%q, %q) = %v, want %v", tc.stored, tc.given, got, tc.want)
		}
	}
	if a != "offline-hash-v1 vocab:3f2a9c1b" {
		t.Errorf("EmbeddingScheme = %q", a)
	}
}
