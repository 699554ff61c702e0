package remote

import (
	"context"
	"fmt"
	"testing"

	"github.com/lorehq/lore/knowledge"
)

// benchItems returns n distinct items built from the corpus.
func benchItems(n int) []knowledge.Item {
	items := make([]knowledge.Item, n)
	for i := range items {
		items[i] = corpus[i%len(corpus)]
		items[i].Body = fmt.Sprintf("%s（第%d号）", items[i].Body, i)
	}
	return items
}

// BenchmarkEmbedItemsCached measures re-ingesting unchanged items: offline
// sparse vectors plus 64 cache lookups, no request.
func BenchmarkEmbedItemsCached(b *testing.B) {
	s, srv := newOpenAIStandIn(b, 1024)
	cfg := openAIConfig(srv.URL, 1024)
	cfg.CacheDir = b.TempDir()
	e, err := New(context.Background(), cfg, testOffline(b))
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	items := benchItems(64)
	if _, err := e.EmbedItems(context.Background(), items); err != nil {
		b.Fatal(err)
	}
	before := s.requests()
	b.ResetTimer()
	for b.Loop() {
		if _, err := e.EmbedItems(context.Background(), items); err != nil {
			b.Fatal(err)
		}
	}
	if s.requests() != before {
		b.Fatal("cached items were sent again")
	}
}

// BenchmarkEmbedItemsStandIn measures 64 uncached items against the
// loopback OpenAI stand-in in batches of 32, cache writes included.
func BenchmarkEmbedItemsStandIn(b *testing.B) {
	_, srv := newOpenAIStandIn(b, 1024)
	cfg := openAIConfig(srv.URL, 1024)
	cfg.CacheDir = b.TempDir()
	e, err := New(context.Background(), cfg, testOffline(b))
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	items := benchItems(64)
	round := 0
	for b.Loop() {
		round++
		for i := range items { // new text every round: cache misses
			items[i].Title = fmt.Sprintf("%s %d", corpus[i%len(corpus)].Title, round)
		}
		if _, err := e.EmbedItems(context.Background(), items); err != nil {
			b.Fatal(err)
		}
	}
}
