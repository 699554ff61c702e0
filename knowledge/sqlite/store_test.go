package sqlite_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/lorehq/lore/knowledge"
	"github.com/lorehq/lore/knowledge/sqlite"
	"github.com/lorehq/lore/knowledge/storetest"
)

func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) knowledge.Store {
		st, err := sqlite.Open(t.TempDir(), sqlite.Options{Dim: storetest.Dim})
		if err != nil {
			t.Fatal(err)
		}
		return st
	})
}

func TestReopenKeepsItemsAndIndex(t *testing.T) {
	dir := t.TempDir()
	st, err := sqlite.Open(dir, sqlite.Options{Dim: storetest.Dim})
	if err != nil {
		t.Fatal(err)
	}
	rec := storetest.Record("s", "share/a.md", storetest.Doc{Title: "罚息", Body: "逾期按日计收罚息。",
		Dense: []float32{1, 0, 0, 0, 0, 0, 0, 0}, Sparse: map[uint32]float32{7: 1}})
	src := knowledge.Source{Space: "s", Path: "share/a.md", Status: knowledge.SourceIndexed, Items: 1}
	if _, err := st.SyncSource(ctx, src, []knowledge.Record{rec}); err != nil {
		t.Fatal(err)
	}
	if _, err := sqlite.Open(dir, sqlite.Options{}); knowledge.ErrorCode(err) != knowledge.Conflict {
		t.Errorf("second open of a locked directory: %v, want conflict", err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := sqlite.Open(dir, sqlite.Options{Dim: 16}); knowledge.ErrorCode(err) != knowledge.Conflict {
		t.Errorf("open with another dimension: %v, want conflict", err)
	}
	st, err = sqlite.Open(dir, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if st.Dim() != storetest.Dim {
		t.Errorf("reopened dim = %d", st.Dim())
	}
	hits, err := st.Search(ctx, knowledge.Query{Vectors: knowledge.Vectors{
		Dense:  []float32{1, 0, 0, 0, 0, 0, 0, 0},
		Sparse: knowledge.Sparse{Indices: []uint32{7}, Values: []float32{1}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) != 1 || hits[0].Item.ID != rec.Item.ID || hits[0].SparseRank != 1 || hits[0].DenseRank != 1 {
		t.Fatalf("search after reopen = %+v", hits)
	}
}

func TestOpenRejectsForeignFile(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, sqlite.FileName), []byte("this is not a database, just text"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := sqlite.Open(dir, sqlite.Options{})
	if err == nil || knowledge.ErrorCode(err) != knowledge.Unavailable {
		t.Fatalf("open over a text file: %v, want unavailable", err)
	}
}

var ctx = context.Background()

// TestDimensionFromFirstDenseVector opens a store without a dimension,
// stores items without dense vectors, then one with: the first dense
// vector sets the dimension and earlier items rank by sparse alone.
func TestDimensionFromFirstDenseVector(t *testing.T) {
	st, err := sqlite.Open(t.TempDir(), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	sparseOnly := storetest.Record("s", "share/a.md", storetest.Doc{Title: "甲", Body: "x", Sparse: map[uint32]float32{1: 1}})
	src := knowledge.Source{Space: "s", Path: "share/a.md", Status: knowledge.SourceIndexed}
	if _, err := st.SyncSource(ctx, src, []knowledge.Record{sparseOnly}); err != nil {
		t.Fatal(err)
	}
	q := knowledge.Query{Vectors: knowledge.Vectors{Dense: []float32{1, 0, 0, 0}, Sparse: knowledge.Sparse{Indices: []uint32{1}, Values: []float32{1}}}}
	if hits, err := st.Search(ctx, q); err != nil || len(hits) != 1 {
		t.Fatalf("dense query on a store without dense vectors: %v, %v", hits, err)
	}
	dense := storetest.Record("s", "share/b.md", storetest.Doc{Title: "乙", Body: "y", Dense: []float32{1, 0, 0, 0}, Sparse: map[uint32]float32{1: 1}})
	src.Path = "share/b.md"
	if _, err := st.SyncSource(ctx, src, []knowledge.Record{dense}); err != nil {
		t.Fatal(err)
	}
	hits, err := st.Search(ctx, q)
	if err != nil || len(hits) != 2 || hits[0].Item.ID != dense.Item.ID || hits[0].DenseRank != 1 || hits[1].DenseRank != 0 {
		t.Fatalf("after the first dense vector: %+v, %v", hits, err)
	}
	if st.Dim() != 4 {
		t.Errorf("dim = %d, want 4", st.Dim())
	}
}
