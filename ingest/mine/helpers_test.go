package mine

import (
	"context"
	"os"
	"testing"

	"github.com/lorehq/lore/ingest/dialogue"
)

// mineFile mines a JSONL file with p.
func mineFile(t *testing.T, p Policy, path string) *Result {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ds, _, err := dialogue.Read(f)
	if err != nil {
		t.Fatal(err)
	}
	m, err := New(p)
	if err != nil {
		t.Fatal(err)
	}
	res, err := m.Mine(context.Background(), ds)
	if err != nil {
		t.Fatal(err)
	}
	return res
}
