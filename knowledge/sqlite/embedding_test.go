package sqlite_test

import (
	"path/filepath"
	"testing"

	"github.com/lorehq/lore/knowledge"
	"github.com/lorehq/lore/knowledge/sqlite"
	"github.com/lorehq/lore/knowledge/storetest"
)

// Embedding schemes of the tests, in the form the CLI makes them.
const (
	schemeA      = "offline-hash-v1 vocab:1a2b3c4d"
	schemeAVocab = "offline-hash-v1 vocab:9e8f7a6b" // same model, another dictionary
	schemeB      = "openai:bge-m3+offline-hash-v1 vocab:1a2b3c4d"
)

// openWith opens dir with an embedding scheme (and the runeEmbedder
// dimension 8 when dim is set).
func openWith(t *testing.T, dir string, dim int, scheme string) (*sqlite.Store, error) {
	t.Helper()
	return sqlite.Open(dir, sqlite.Options{Dim: dim, Embedding: scheme})
}

func TestOpenChecksEmbedding(t *testing.T) {
	base := t.TempDir()
	storetest.RunEmbedding(t, func(t *testing.T, name, scheme string) (storetest.SchemeStore, error) {
		st, err := openWith(t, filepath.Join(base, name), storetest.Dim, scheme)
		if err != nil {
			return nil, err // not a typed nil in the interface
		}
		return st, nil
	}, "lore reindex", nil)
}

// TestReindexRecordsEmbedding reindexes a store made with one scheme with
// another of the same dimension: the new scheme is recorded with the new
// vectors, a failed reindex records nothing, and a reindex without a
// scheme clears the record.
func TestReindexRecordsEmbedding(t *testing.T) {
	dir := t.TempDir()
	oldEmb, newEmb := &runeEmbedder{dim: 8}, &runeEmbedder{dim: 8, salt: 3}
	st, err := openWith(t, dir, oldEmb.dim, schemeA)
	if err != nil {
		t.Fatal(err)
	}
	items := fillStore(t, st, oldEmb)
	st.Close()

	if _, err := openWith(t, dir, newEmb.dim, schemeB); knowledge.ErrorCode(err) != knowledge.Conflict {
		t.Fatalf("open with a new model of the same dimension: %v, want conflict", err)
	}
	st, err = openWith(t, dir, 0, "")
	if err != nil {
		t.Fatal(err)
	}
	failing := &runeEmbedder{dim: 8, salt: 3, failAt: 2}
	if _, err := st.Reindex(ctx, failing, sqlite.ReindexOptions{Dim: 8, BatchSize: 3, Embedding: schemeB}); err == nil {
		t.Fatal("reindex with a failing embedder succeeded")
	}
	if got := st.Embedding(); got != schemeA {
		t.Errorf("after a failed reindex Embedding() = %q, want %q", got, schemeA)
	}
	if _, err := st.Reindex(ctx, newEmb, sqlite.ReindexOptions{Dim: 8, Embedding: schemeB}); err != nil {
		t.Fatal(err)
	}
	if got := st.Embedding(); got != schemeB {
		t.Errorf("after reindex Embedding() = %q, want %q", got, schemeB)
	}
	st.Close()

	if _, err := openWith(t, dir, oldEmb.dim, schemeA); knowledge.ErrorCode(err) != knowledge.Conflict {
		t.Errorf("open with the old scheme after reindex: %v, want conflict", err)
	}
	st, err = openWith(t, dir, newEmb.dim, schemeB)
	if err != nil {
		t.Fatalf("open with the new scheme after reindex: %v", err)
	}
	checkFinds(t, st, newEmb, items)

	// A reindex by a caller that names no scheme leaves none recorded: the
	// next open with a scheme takes it.
	if _, err := st.Reindex(ctx, oldEmb, sqlite.ReindexOptions{Dim: 8}); err != nil {
		t.Fatal(err)
	}
	st.Close()
	st, err = openWith(t, dir, oldEmb.dim, schemeAVocab)
	if err != nil {
		t.Fatalf("open after a reindex without a scheme: %v", err)
	}
	defer st.Close()
	if got := st.Embedding(); got != schemeAVocab {
		t.Errorf("Embedding() = %q, want %q", got, schemeAVocab)
	}
}
