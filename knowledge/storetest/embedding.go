package storetest

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/lorehq/lore/knowledge"
)

// SchemeStore is a store that records the embedding scheme of its vectors
// (knowledge.EmbeddingScheme).
type SchemeStore interface {
	knowledge.Store
	Embedding() string
}

// SchemeOpener opens the store named name with dense dimension Dim and an
// embedding scheme ("" checks and records nothing). Opening the same name
// again opens the same data; a new name is an empty store.
type SchemeOpener func(t *testing.T, name, scheme string) (SchemeStore, error)

// Embedding schemes of RunEmbedding, in the form the CLI makes them.
const (
	schemeA      = "offline-hash-v1 vocab:1a2b3c4d"
	schemeAVocab = "offline-hash-v1 vocab:9e8f7a6b" // same model, another dictionary
	schemeB      = "openai:bge-m3+offline-hash-v1 vocab:1a2b3c4d"
)

// RunEmbedding checks how a store records its embedding scheme: a store
// that records none takes the one it is opened with; one that records
// another refuses to open with knowledge.Conflict, naming fix (the command
// that re-embeds) and saying whether the dictionary or the model changed,
// and changes nothing; the record survives a reopen, is enforced, and is
// never listed as a source. extra, when set, checks a store's own side of
// each case on the reopened store.
func RunEmbedding(t *testing.T, open SchemeOpener, fix string, extra func(t *testing.T, name string, st SchemeStore, recorded bool)) {
	cases := []struct {
		name   string
		stored string // the scheme the store was made with; "" for none (an older store)
		items  bool   // whether the store holds items
		given  string
		want   []string // substrings of the refusal; none for a successful open
		absent []string // what the refusal must not say
		after  string   // the scheme recorded after a successful open
	}{
		{name: "new store takes the scheme", given: schemeA, after: schemeA},
		{name: "new store without a scheme", given: "", after: ""},
		{name: "older store takes the scheme", items: true, given: schemeA, after: schemeA},
		{name: "same scheme", stored: schemeA, items: true, given: schemeA, after: schemeA},
		{name: "no scheme checks nothing", stored: schemeA, items: true, given: "", after: schemeA},
		{name: "dictionary changed", stored: schemeA, items: true, given: schemeAVocab,
			want: []string{fix, schemeA, schemeAVocab, "retrieval.user_dict", "retrieval.synonyms", "分词词典"}},
		{name: "model changed, same dimension", stored: schemeA, items: true, given: schemeB,
			want: []string{fix, schemeA, schemeB, "向量模型"}, absent: []string{"user_dict"}},
		{name: "model and dictionary changed", stored: schemeAVocab, given: schemeB,
			want: []string{fix, schemeAVocab, schemeB}, absent: []string{"user_dict"}},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			name := "scheme" + string(rune('a'+i))
			st, err := open(t, name, tc.stored)
			if err != nil {
				t.Fatal(err)
			}
			if tc.items {
				mustSync(t, st, "s", "share/a.md", Record("s", "share/a.md", docA))
				mustSync(t, st, "s", "share/b.md", Record("s", "share/b.md", docB))
			}
			srcsBefore, n := sourcesJSON(t, st, "")
			st.Close()

			st, err = open(t, name, tc.given)
			if len(tc.want) > 0 {
				if err == nil {
					st.Close()
					t.Fatalf("open with %q over %q succeeded; want a conflict", tc.given, tc.stored)
				}
				if knowledge.ErrorCode(err) != knowledge.Conflict {
					t.Errorf("code %s, want conflict: %v", knowledge.ErrorCode(err), err)
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
				tc.after = tc.stored // the refusal changed nothing
				if st, err = open(t, name, tc.stored); err != nil {
					t.Fatalf("reopen with the stored scheme: %v", err)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			if got := st.Embedding(); got != tc.after {
				t.Errorf("Embedding() = %q, want %q", got, tc.after)
			}
			st.Close()

			// The record survives a reopen, is no source, and is enforced.
			if st, err = open(t, name, ""); err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			if got := st.Embedding(); got != tc.after {
				t.Errorf("after reopen Embedding() = %q, want %q", got, tc.after)
			}
			if got, _ := sourcesJSON(t, st, ""); got != srcsBefore {
				t.Errorf("sources changed:\nbefore %s\nafter  %s", srcsBefore, got)
			}
			if _, spaced := sourcesJSON(t, st, "s"); spaced != n {
				t.Errorf("sources of space s: %d, want the %d of all spaces", spaced, n)
			}
			if s, err := st.Stats(ctx); err != nil || s.Sources != n {
				t.Errorf("Stats = %+v, %v; want %d sources", s, err, n)
			}
			if extra != nil {
				extra(t, name, st, tc.after != "")
			}
			if tc.after != "" {
				if other, err := open(t, name, schemeB+"x"); knowledge.ErrorCode(err) != knowledge.Conflict {
					if err == nil {
						other.Close()
					}
					t.Errorf("open with another scheme after recording %q: %v, want conflict", tc.after, err)
				}
			}
		})
	}
}

// sourcesJSON returns a space's ledger entries ("" for all) as JSON, for
// comparison, and their number.
func sourcesJSON(t *testing.T, st knowledge.Store, space string) (string, int) {
	t.Helper()
	srcs, err := st.Sources(ctx, space)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(srcs)
	if err != nil {
		t.Fatal(err)
	}
	return string(b), len(srcs)
}
