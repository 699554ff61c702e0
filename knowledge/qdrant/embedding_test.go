package qdrant_test

import (
	"context"
	"strings"
	"testing"

	"github.com/lorehq/lore/knowledge"
	"github.com/lorehq/lore/knowledge/qdrant"
	"github.com/lorehq/lore/knowledge/storetest"
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
	open := func(t *testing.T, name, scheme string) (storetest.SchemeStore, error) {
		cfg := schemeConfig(si, name, scheme)
		cfg.Dim = storetest.Dim
		s, err := qdrant.Open(context.Background(), cfg)
		if err != nil {
			return nil, err // not a typed nil in the interface
		}
		return s, nil
	}
	// The record is a point of the ledger collection beside the sources'.
	ledger := func(t *testing.T, name string, st storetest.SchemeStore, recorded bool) {
		srcs, err := st.Sources(context.Background(), "")
		if err != nil {
			t.Fatal(err)
		}
		want := len(srcs)
		if recorded {
			want++
		}
		if n := si.pointCount(name + "_sources"); n != want {
			t.Errorf("the ledger collection holds %d points, want %d sources and the record (%v)", n, len(srcs), recorded)
		}
	}
	storetest.RunEmbedding(t, open, "lore reindex -to-collection", ledger)
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
