package mine

import (
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files and configs/policy.yaml")

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
	got, err := json.MarshalIndent(map[string]any{
		"items": items, "warnings": warnings, "violations": res.Violations,
		"situations": res.Situations, "notes": notes,
	}, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "small.golden.json")
	if *update {
		if err := os.WriteFile(golden, append(got, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if string(want) != string(got)+"\n" {
		t.Errorf("output differs from %s (run go test -update and review the diff):\n%s", golden, got)
	}
}
