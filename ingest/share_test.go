package ingest

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lorehq/lore/knowledge"
)

func TestSelected(t *testing.T) {
	cases := []struct {
		rel              string
		include, exclude []string
		want             bool
	}{
		{"a.pdf", nil, nil, true},
		{"sub/a.pdf", []string{"*.pdf"}, nil, true},
		{"sub/a.docx", []string{"*.pdf"}, nil, false},
		{"sub/deep/a.pdf", []string{"**/*.pdf"}, nil, true},
		{"a.pdf", []string{"**/*.pdf"}, nil, true},
		{"drafts/a.pdf", []string{"*.pdf"}, []string{"drafts/**"}, false},
		{"x/drafts/a.pdf", []string{"*.pdf"}, []string{"drafts/**"}, true},
		{"x/~$a.docx", nil, []string{"~$*"}, false},
		{"rules/2026/规程.md", []string{"rules/*/*.md"}, nil, true},
		{"rules/规程.md", []string{"rules/*/*.md"}, nil, false},
		{"a1.txt", []string{"a?.txt"}, nil, true},
		{"b.txt", []string{"[ab].txt"}, nil, true},
		{"c.txt", []string{"[ab].txt"}, nil, false},
	}
	for _, c := range cases {
		if got := selected(c.rel, c.include, c.exclude); got != c.want {
			t.Errorf("selected(%q, %q, %q) = %v, want %v", c.rel, c.include, c.exclude, got, c.want)
		}
	}
	if _, err := globRegexp("[unclosed"); err == nil {
		t.Error("an unclosed class compiled")
	}
}

func TestRunRejectsSameShareName(t *testing.T) {
	a, b := filepath.Join(t.TempDir(), "docs"), filepath.Join(t.TempDir(), "docs")
	for _, d := range []string{a, b} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	p := New(nil, nil, Formats{}, Options{Space: "s"})
	_, err := p.RunShares(context.Background(), []Share{{Path: a}, {Path: b}}, nil)
	if knowledge.ErrorCode(err) != knowledge.Invalid || !strings.Contains(err.Error(), "docs") {
		t.Errorf("two shares named docs: %v, want an invalid error naming them", err)
	}
}
