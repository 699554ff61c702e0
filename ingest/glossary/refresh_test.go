package glossary

import (
	"context"
	"fmt"
	"testing"

	"github.com/lorehq/lore/knowledge"
	"github.com/lorehq/lore/knowledge/sqlite"
)

// termEmbedder gives every item a one-term sparse vector.
type termEmbedder struct{}

func (termEmbedder) EmbedItems(_ context.Context, items []knowledge.Item) ([]knowledge.Vectors, error) {
	out := make([]knowledge.Vectors, len(items))
	for i := range items {
		out[i].Sparse = knowledge.Sparse{Indices: []uint32{uint32(i + 1)}, Values: []float32{1}}
	}
	return out, nil
}

// TestRefreshStoresTerms mines the glossary of a space held in the real
// embedded store and checks it is stored once, under its own source.
func TestRefreshStoresTerms(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(t.TempDir(), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var recs []knowledge.Record
	for i, text := range synthCorpus(7, 600) {
		it := knowledge.Item{
			ID: knowledge.NewID("ops", knowledge.KindPassage, text, fmt.Sprint(i)), Kind: knowledge.KindPassage,
			Space: "ops", Body: text, Status: knowledge.StatusDraft,
			Provenance: []knowledge.Provenance{{Source: "share/corpus.txt", Line: i + 1}},
		}
		recs = append(recs, knowledge.Record{Item: it, Vectors: knowledge.Vectors{Sparse: knowledge.Sparse{Indices: []uint32{1}, Values: []float32{1}}}})
	}
	if _, err := st.SyncSource(ctx, knowledge.Source{Space: "ops", Path: "share/corpus.txt", Status: knowledge.SourceIndexed}, recs); err != nil {
		t.Fatal(err)
	}
	n, err := Refresh(ctx, st, termEmbedder{}, "ops", synthKnown, Options{})
	if err != nil {
		t.Fatal(err)
	}
	terms, err := st.List(ctx, knowledge.Filter{Kinds: []knowledge.Kind{knowledge.KindTerm}}, "", 1000)
	if err != nil {
		t.Fatal(err)
	}
	if n == 0 || len(terms) != n {
		t.Fatalf("Refresh reported %d terms, the store holds %d", n, len(terms))
	}
	found := map[string]bool{}
	for _, it := range terms {
		found[it.Term.Term] = true
		if it.Sources()[0] != SourcePath || it.Space != "ops" {
			t.Errorf("term %s: sources %v space %s", it.Term.Term, it.Sources(), it.Space)
		}
	}
	for _, want := range []string{"随心贷", "安心分"} {
		if !found[want] {
			t.Errorf("planted term %s not stored", want)
		}
	}
	// A second refresh over the same text stores the same terms.
	if n2, err := Refresh(ctx, st, termEmbedder{}, "ops", synthKnown, Options{}); err != nil || n2 != n {
		t.Errorf("second refresh: %d terms, %v; want %d", n2, err, n)
	}
	again, _ := st.List(ctx, knowledge.Filter{Kinds: []knowledge.Kind{knowledge.KindTerm}}, "", 1000)
	for i := range again {
		if again[i].ID != terms[i].ID || again[i].Version != 1 {
			t.Fatalf("term %s changed on an identical refresh (version %d)", again[i].Term.Term, again[i].Version)
		}
	}
}
