package mine

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/lorehq/lore/internal/golden"
)

// TestGolden mines testdata/small.jsonl and compares the items, violations
// and case notes with testdata/small.golden.json.
func TestGolden(t *testing.T) {
	f, err := os.Open(filepath.Join("testdata", "small.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m := newMiner(t)
	items, warnings, err := m.ExtractFile(context.Background(), "small.jsonl", f)
	if err != nil {
		t.Fatal(err)
	}
	res := mineFile(t, DefaultPolicy(), filepath.Join("testdata", "small.jsonl"))
	notes := map[string]string{}
	for _, a := range res.Dialogues {
		notes[a.ID] = a.Note
	}
	golden.JSON(t, filepath.Join("testdata", "small.golden.json"), map[string]any{
		"items": items, "warnings": warnings, "violations": res.Violations,
		"situations": res.Situations, "notes": notes,
	})
}
