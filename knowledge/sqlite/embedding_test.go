package sqlite_test

import (
	"strings"
	"testing"

	"github.com/lorehq/lore/knowledge"
	"github.com/lorehq/lore/knowledge/sqlite"
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
	cases := []struct {
		name   string
		stored string // the scheme the store was made with; "" for none (an older store)
		items  bool   // whether the store holds items
		given  string
		code   knowledge.Code // expected error code; "" for success
		want   []string       // substrings of the error
		absent []string       // what the error must not say
		after  string         // the scheme recorded after a successful open
	}{
		{name: "new store takes the scheme", given: schemeA, after: schemeA},
		{name: "new store without a scheme", given: "", after: ""},
		{name: "older store takes the scheme", items: true, given: schemeA, after: schemeA},
		{name: "same scheme", stored: schemeA, items: true, given: schemeA, after: schemeA},
		{name: "no scheme checks nothing", stored: schemeA, items: true, given: "", after: schemeA},
		{name: "dictionary changed", stored: schemeA, items: true, given: schemeAVocab, code: knowledge.Conflict,
			want: []string{"lore reindex", schemeA, schemeAVocab, "retrieval.user_dict", "retrieval.synonyms", "分词词典"}},
		{name: "model changed, same dimension", stored: schemeA, items: true, given: schemeB, code: knowledge.Conflict,
			want: []string{"lore reindex", schemeA, schemeB, "向量模型"}, absent: []string{"user_dict"}},
		{name: "model and dictionary changed", stored: schemeAVocab, given: schemeB, code: knowledge.Conflict,
			want: []string{"lore reindex", schemeAVocab, schemeB}, absent: []string{"user_dict"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			emb := &runeEmbedder{dim: 8}
			st, err := openWith(t, dir, emb.dim, tc.stored)
			if err != nil {
				t.Fatal(err)
			}
			if tc.items {
				fillStore(t, st, emb)
			}
			st.Close()

			st, err = openWith(t, dir, emb.dim, tc.given)
			if tc.code != "" {
				if err == nil {
					st.Close()
					t.Fatalf("open with %q over %q succeeded; want %s", tc.given, tc.stored, tc.code)
				}
				if knowledge.ErrorCode(err) != tc.code {
					t.Errorf("code %s, want %s: %v", knowledge.ErrorCode(err), tc.code, err)
				}
				msg := knowledge.ErrorMessage(err)
				for _, w := range tc.want {
					if !strings.Contains(msg, w) {
						t.Errorf("message lacks %q: %s", w, msg)
					}
				}
				for _, w := range tc.absent {
					if strings.Contains(msg, w) {
						t.Errorf("message says %q: %s", w, msg)
					}
				}
				// The refusal changed nothing: the stored scheme still opens.
				st, err = openWith(t, dir, emb.dim, tc.stored)
				if err != nil {
					t.Fatalf("reopen with the stored scheme: %v", err)
				}
				defer st.Close()
				if got := st.Embedding(); got != tc.stored {
					t.Errorf("after the refusal the store records %q, want %q", got, tc.stored)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := st.Embedding(); got != tc.after {
				t.Errorf("Embedding() = %q, want %q", got, tc.after)
			}
			st.Close()
			// The record survives a reopen, and a recorded scheme is enforced.
			st, err = openWith(t, dir, emb.dim, "")
			if err != nil {
				t.Fatal(err)
			}
			if got := st.Embedding(); got != tc.after {
				t.Errorf("after reopen Embedding() = %q, want %q", got, tc.after)
			}
			st.Close()
			if tc.after != "" {
				if _, err := openWith(t, dir, emb.dim, schemeB+"x"); knowledge.ErrorCode(err) != knowledge.Conflict {
					t.Errorf("open with another scheme after recording %q: %v, want conflict", tc.after, err)
				}
			}
		})
	}
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
