package qdrant_test

import (
	"context"
	"strings"
	"testing"

	"github.com/lorehq/lore/knowledge"
	"github.com/lorehq/lore/knowledge/qdrant"
)

// Embedding schemes of the tests, in the form the CLI makes them.
const (
	schemeA      = "offline-hash-v1 vocab:1a2b3c4d"
	schemeAVocab = "offline-hash-v1 vocab:9e8f7a6b" // same model, another dictionary
	schemeB      = "openai:bge-m3+offline-hash-v1 vocab:1a2b3c4d"
)

// schemeConfig is the stand-in config of the collections named name with
// an embedding scheme.
func schemeConfig(si *standIn, name, scheme string) qdrant.Config {
	cfg := standInConfig(si)
	cfg.Collection, cfg.LedgerCollection, cfg.Embedding = name, name+"_sources", scheme
	return cfg
}

func TestOpenChecksEmbedding_QdrantStandIn(t *testing.T) {
	si := startStandIn(t)
	ctx := context.Background()
	cases := []struct {
		name   string
		stored string // the scheme the collections were made with; "" for none (older ones)
		items  bool   // whether they hold items
		given  string
		code   knowledge.Code // expected error code; "" for success
		want   []string       // substrings of the error
		absent []string       // what the error must not say
		after  string         // the scheme recorded after a successful open
	}{
		{name: "new collections take the scheme", given: schemeA, after: schemeA},
		{name: "new collections without a scheme", given: "", after: ""},
		{name: "older collections take the scheme", items: true, given: schemeA, after: schemeA},
		{name: "same scheme", stored: schemeA, items: true, given: schemeA, after: schemeA},
		{name: "no scheme checks nothing", stored: schemeA, items: true, given: "", after: schemeA},
		{name: "dictionary changed", stored: schemeA, items: true, given: schemeAVocab, code: knowledge.Conflict,
			want: []string{"lore reindex -to-collection", schemeA, schemeAVocab, "retrieval.user_dict", "retrieval.synonyms", "分词词典"}},
		{name: "model changed, same dimension", stored: schemeA, items: true, given: schemeB, code: knowledge.Conflict,
			want: []string{"lore reindex -to-collection", schemeA, schemeB, "向量模型"}, absent: []string{"user_dict"}},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			name := "case" + string(rune('a'+i))
			s, err := qdrant.Open(ctx, schemeConfig(si, name, tc.stored))
			if err != nil {
				t.Fatal(err)
			}
			if tc.items {
				reviewedBase(t, s)
			}
			srcsBefore, err := s.Sources(ctx, "")
			if err != nil {
				t.Fatal(err)
			}
			s.Close()

			s, err = qdrant.Open(ctx, schemeConfig(si, name, tc.given))
			if tc.code != "" {
				if err == nil {
					s.Close()
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
				tc.after = tc.stored // the refusal changed nothing
				s, err = qdrant.Open(ctx, schemeConfig(si, name, ""))
				if err != nil {
					t.Fatal(err)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if got := s.Embedding(); got != tc.after {
				t.Errorf("Embedding() = %q, want %q", got, tc.after)
			}
			// The record is in the ledger collection but is no source.
			srcs, err := s.Sources(ctx, "")
			if err != nil {
				t.Fatal(err)
			}
			if asJSON(t, srcs) != asJSON(t, srcsBefore) {
				t.Errorf("sources changed:\nbefore %s\nafter  %s", asJSON(t, srcsBefore), asJSON(t, srcs))
			}
			if spaced, err := s.Sources(ctx, space); err != nil || len(spaced) != len(srcs) {
				t.Errorf("sources of space %s: %d, %v; want the %d of all spaces", space, len(spaced), err, len(srcs))
			}
			st, err := s.Stats(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if st.Sources != len(srcs) {
				t.Errorf("Stats().Sources = %d, want %d", st.Sources, len(srcs))
			}
			recorded := 0
			if tc.after != "" {
				recorded = 1
			}
			if n := si.pointCount(name + "_sources"); n != len(srcs)+recorded {
				t.Errorf("the ledger collection holds %d points, want %d sources and %d record", n, len(srcs), recorded)
			}
			if tc.after != "" {
				if _, err := qdrant.Open(ctx, schemeConfig(si, name, schemeB+"x")); knowledge.ErrorCode(err) != knowledge.Conflict {
					t.Errorf("open with another scheme after recording %q: %v, want conflict", tc.after, err)
				}
			}
		})
	}
}

// TestReindexRecordsEmbedding_QdrantStandIn copies a knowledge base made
// with one scheme into new collections with another: the target records
// the new scheme only once the copy is complete, whatever an Open of the
// empty target recorded before, and the source keeps its own.
func TestReindexRecordsEmbedding_QdrantStandIn(t *testing.T) {
	si := startStandIn(t)
	ctx := context.Background()
	old, err := qdrant.Open(ctx, schemeConfig(si, qdrant.DefaultCollection, schemeA))
	if err != nil {
		t.Fatal(err)
	}
	defer old.Close()
	before := reviewedBase(t, old)
	srcsBefore, err := old.Sources(ctx, "")
	if err != nil {
		t.Fatal(err)
	}

	// A new model of the same dimension is refused on the old collection.
	if _, err := qdrant.Open(ctx, schemeConfig(si, qdrant.DefaultCollection, schemeB)); knowledge.ErrorCode(err) != knowledge.Conflict ||
		!strings.Contains(err.Error(), "lore reindex") {
		t.Fatalf("open with a new model of the same dimension: %v; want a conflict naming `lore reindex`", err)
	}

	to := schemeConfig(si, "lore_items_v2", schemeB)
	to.Dim = newDim
	// Someone opened the new collections before the reindex, with the old
	// configuration: they hold only an embedding record.
	early := to
	early.Embedding = schemeA
	if s, err := qdrant.Open(ctx, early); err != nil {
		t.Fatal(err)
	} else {
		s.Close()
	}

	from := schemeConfig(si, qdrant.DefaultCollection, schemeB) // the source's scheme is not checked
	from.Dim = 0
	opt := qdrant.ReindexOptions{BatchSize: 2}
	if _, err := qdrant.Reindex(ctx, from, to, &wideEmbedder{failAt: 3}, opt); knowledge.ErrorCode(err) != knowledge.Unavailable {
		t.Fatalf("reindex with a failing embedder: %v", err)
	}
	probe := to
	probe.Embedding = ""
	if s, err := qdrant.Open(ctx, probe); err != nil {
		t.Fatal(err)
	} else {
		if got := s.Embedding(); got != schemeA {
			t.Errorf("an interrupted reindex recorded %q in the target, want the earlier %q", got, schemeA)
		}
		s.Close()
	}

	res, err := qdrant.Reindex(ctx, from, to, &wideEmbedder{}, opt)
	if err != nil {
		t.Fatal(err)
	}
	if res.Items != len(before) || res.Sources != len(srcsBefore) {
		t.Errorf("result %+v: want %d items and %d sources (no reserved point)", res, len(before), len(srcsBefore))
	}
	stale := to
	stale.Embedding = schemeA
	if _, err := qdrant.Open(ctx, stale); knowledge.ErrorCode(err) != knowledge.Conflict {
		t.Errorf("open the target with the old scheme: %v, want conflict", err)
	}
	moved, err := qdrant.Open(ctx, to)
	if err != nil {
		t.Fatalf("open the target with the new scheme: %v", err)
	}
	defer moved.Close()
	if got := moved.Embedding(); got != schemeB {
		t.Errorf("target records %q, want %q", got, schemeB)
	}
	if got := everything(t, moved); asJSON(t, got) != asJSON(t, before) {
		t.Errorf("items differ:\nbefore %s\nafter  %s", asJSON(t, before), asJSON(t, got))
	}
	if got, _ := moved.Sources(ctx, ""); asJSON(t, got) != asJSON(t, srcsBefore) {
		t.Errorf("ledger differs:\nbefore %s\nafter  %s", asJSON(t, srcsBefore), asJSON(t, got))
	}
	// Each ledger holds its sources and one embedding record; no marker.
	if n, m := si.pointCount("lore_items_v2_sources"), si.pointCount(qdrant.DefaultCollection+"_sources"); n != len(srcsBefore)+1 || m != n {
		t.Errorf("ledger points: target %d, source %d; want %d each", n, m, len(srcsBefore)+1)
	}
	checkFindsWide(t, moved, before)

	// The source is only read: it keeps its scheme.
	if s, err := qdrant.Open(ctx, schemeConfig(si, qdrant.DefaultCollection, schemeA)); err != nil {
		t.Errorf("open the source with its scheme after the reindex: %v", err)
	} else {
		s.Close()
	}
}
