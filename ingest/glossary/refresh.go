package glossary

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"time"

	"github.com/lorehq/lore/knowledge"
)

// SourcePath is the ledger path under which a space's glossary is stored:
// its terms come from the whole space, not from one file. Ingestion never
// names a file so (it skips dot folders).
const SourcePath = ".lore/glossary"

// Store is what Refresh needs of a knowledge store.
type Store interface {
	List(ctx context.Context, f knowledge.Filter, after string, limit int) ([]knowledge.Item, error)
	SyncSource(ctx context.Context, src knowledge.Source, recs []knowledge.Record) (knowledge.SyncResult, error)
}

// Embedder computes the vectors of term items.
type Embedder interface {
	EmbedItems(ctx context.Context, items []knowledge.Item) ([]knowledge.Vectors, error)
}

// textKinds are the kinds whose text the glossary is mined from: what the
// organisation wrote, not what Lore derived from it.
var textKinds = []knowledge.Kind{knowledge.KindRule, knowledge.KindFAQ, knowledge.KindPassage}

// Refresh rediscovers the glossary of a space from the text of its current
// items and stores the terms as term items under SourcePath, replacing the
// previous glossary (reviewed terms are kept, as for any source). It
// returns how many terms the space has now.
func Refresh(ctx context.Context, st Store, emb Embedder, space string, known Known, opt Options) (int, error) {
	var all []Text
	f := knowledge.Filter{Spaces: []string{space}, Kinds: textKinds}
	for after := ""; ; {
		page, err := st.List(ctx, f, after, 500)
		if err != nil {
			return 0, fmt.Errorf("glossary: list %s: %w", space, err)
		}
		for _, it := range page {
			if len(it.Provenance) > 0 && it.Provenance[0].Dialogue != "" {
				continue // mined from chat: spoken language, not terminology
			}
			all = append(all, Text{Text: it.Title + "\n" + it.Body})
		}
		if len(page) < 500 {
			break
		}
		after = page[len(page)-1].ID
	}
	res, err := DiscoverSeq(ctx, slices.Values(all), known, opt)
	if err != nil {
		return 0, err
	}
	items := res.Items()
	h := sha256.New()
	for i := range items {
		it := &items[i]
		it.Space = space
		it.Status = knowledge.StatusDraft
		// Lines count texts of the whole space, not lines of one file.
		it.Provenance = []knowledge.Provenance{{Source: SourcePath}}
		it.ID = knowledge.NewID(space, knowledge.KindTerm, it.Term.Term)
		fmt.Fprintf(h, "%s\x00%s\x00", it.ID, it.Body)
	}
	vecs, err := emb.EmbedItems(ctx, items)
	if err != nil {
		return 0, fmt.Errorf("glossary: embed terms: %w", err)
	}
	if len(vecs) != len(items) {
		return 0, fmt.Errorf("glossary: the embedder returned %d vectors for %d terms", len(vecs), len(items))
	}
	recs := make([]knowledge.Record, len(items))
	for i := range items {
		recs[i] = knowledge.Record{Item: items[i], Vectors: vecs[i]}
	}
	src := knowledge.Source{
		Space: space, Path: SourcePath, Format: "glossary", Status: knowledge.SourceIndexed,
		Hash: hex.EncodeToString(h.Sum(nil)), Items: len(items), ModTime: time.Now().UTC(),
	}
	if _, err := st.SyncSource(ctx, src, recs); err != nil {
		return 0, fmt.Errorf("glossary: store terms: %w", err)
	}
	return len(items), nil
}
