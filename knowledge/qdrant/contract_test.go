package qdrant_test

import (
	"context"
	"os"
	"testing"

	"github.com/lorehq/lore/knowledge"
	"github.com/lorehq/lore/knowledge/qdrant"
	"github.com/lorehq/lore/knowledge/storetest"
)

// TestContract_QdrantStandIn runs the store contract suite against the
// in-process stand-in for Qdrant, a fresh server per case.
func TestContract_QdrantStandIn(t *testing.T) {
	storetest.Run(t, func(t *testing.T) knowledge.Store {
		cfg := standInConfig(startStandIn(t))
		cfg.Dim = storetest.Dim
		s, err := qdrant.Open(context.Background(), cfg)
		if err != nil {
			t.Fatalf("open on stand-in: %v", err)
		}
		return s
	})
}

// TestContract_QdrantServer runs the contract suite against the real Qdrant
// QDRANT_URL names, each case in collections of its own; it is skipped
// without QDRANT_URL.
func TestContract_QdrantServer(t *testing.T) {
	if os.Getenv("QDRANT_URL") == "" {
		t.Skip("QDRANT_URL not set (e.g. http://localhost:6334); see the package doc")
	}
	storetest.Run(t, func(t *testing.T) knowledge.Store {
		cfg := serverConfig(t)
		cfg.Dim = storetest.Dim
		s, err := qdrant.Open(context.Background(), cfg)
		if err != nil {
			t.Fatalf("open on %s: %v", cfg.Host, err)
		}
		return s
	})
}
