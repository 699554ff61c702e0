package passage

import (
	"context"
	"strings"

	"github.com/lorehq/lore/ingest"
	"github.com/lorehq/lore/ingest/chunk"
	"github.com/lorehq/lore/knowledge"
)

// Extractor makes passage items.
type Extractor struct {
	opt chunk.Options
}

var _ ingest.Extractor = (*Extractor)(nil)

// New returns a passage extractor chunking with opt.
func New(opt chunk.Options) *Extractor { return &Extractor{opt: opt} }

// Extract implements ingest.Extractor. The item title is the document title
// followed by the innermost heading, when there is one.
func (e *Extractor) Extract(_ context.Context, doc *ingest.Document) ([]knowledge.Item, error) {
	chunks := chunk.Split(doc, e.opt)
	items := make([]knowledge.Item, 0, len(chunks))
	for _, c := range chunks {
		if strings.TrimSpace(c.Text) == "" {
			continue
		}
		title := doc.Title
		if n := len(c.HeadingPath); n > 0 && c.HeadingPath[n-1] != title {
			if title != "" {
				title += " · "
			}
			title += c.HeadingPath[n-1]
		}
		items = append(items, knowledge.Item{
			Kind:  knowledge.KindPassage,
			Title: title,
			Body:  c.Text,
			Provenance: []knowledge.Provenance{{
				Page:        c.Page,
				HeadingPath: c.HeadingPath,
				Line:        c.Line,
				Dialogue:    c.Dialogue,
			}},
		})
	}
	return items, nil
}
