package glossary

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files")

// TestGolden discovers terms in testdata/small.txt (one text per line) and
// compares the items with testdata/small.golden.json.
func TestGolden(t *testing.T) {
	src := filepath.Join("testdata", "small.txt")
	raw, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	texts := strings.Split(strings.TrimRight(string(raw), "\n"), "\n")
	res, err := Discover(context.Background(), texts, synthKnown, Options{MinFreq: 3})
	if err != nil {
		t.Fatal(err)
	}
	items := res.Items()
	validItems(t, items)
	got, err := json.MarshalIndent(struct {
		Synonyms []Pair
		Items    any
	}{res.Synonyms, items}, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "small.golden.json")
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s (run go test -update and review the diff):\n%s", golden, got)
	}
}
