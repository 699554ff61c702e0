package glossary

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lorehq/lore/internal/golden"
)

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
	golden.JSON(t, filepath.Join("testdata", "small.golden.json"), struct {
		Synonyms []Pair
		Items    any
	}{res.Synonyms, items})
}
