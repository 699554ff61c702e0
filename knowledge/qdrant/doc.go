// Package qdrant is the knowledge.Store kept in a Qdrant cluster, through
// the gRPC API of github.com/qdrant/go-client. It is how several `lore
// serve` replicas share one knowledge base.
//
// # Layout
//
// Two collections (Config names them):
//
//   - items ("lore_items"): one point per item. The point id is the item
//     id written as a UUID (item ids are 16 bytes of hex), so Qdrant's id
//     order is the item order List pages by. Vectors: "dense" (cosine,
//     Config.Dim) and "sparse" with Qdrant's IDF modifier, so stored
//     weights are term frequencies and Qdrant supplies the inverse
//     document frequency at query time. The payload is the item's JSON
//     fields as they are, plus "sources" (the item's source paths), "rev"
//     (a write token), "revs" (the recent tokens, one per writer) and
//     "vectors_hash". Keyword indexes on kind, space (a tenant index),
//     status and sources, a datetime index on updated.
//   - ledger ("lore_sources"): one payload point per source, its id a UUID
//     hashed from (space, path), with a one-dimensional placeholder vector.
//     Two reserved points are no source and no listing shows them: the
//     record of the embedding scheme (Config.Embedding: the embedder's name
//     and a hash of the segmentation dictionary) and, while a Reindex into
//     the collections runs, its marker.
//
// A collection holds one dense dimension and vectors of one embedding
// scheme: Open refuses a caller embedding with another dimension or scheme.
// Reindex copies a knowledge base into new collections with every item
// re-embedded, for a new embedding model, dimension or dictionary, and
// records the new scheme there; the old collections are only read.
//
// # Consistency
//
// Qdrant applies each operation atomically but has no transaction over
// several points. The store therefore:
//
//   - writes every item change conditionally on the write token it read
//     (update_filter with UpdateMode UpdateOnly for whole points, a filter
//     selector for payload overwrites and deletes, InsertOnly for new
//     items), then reads the tokens back and plans the lost changes again:
//     replicas editing and syncing the same items do not overwrite each
//     other;
//   - orders a SyncSource so that the ledger entry is the commit marker:
//     pending first, then items, then stale provenance, then the committed
//     entry. After a crash, Sources reports the source as quarantined
//     ("sync in progress or interrupted"), the ingester processes the file
//     again, and the repeated SyncSource repairs what the first left. Until
//     then searches may see the source's old and new items side by side;
//     no item is ever left without provenance and no other source's items
//     are touched. See Store.SyncSource.
//
// Writes wait for the server (wait=true) with strong ordering; reads that
// decide a write use majority read consistency. Every request has a
// per-attempt timeout and is retried with exponential backoff when Qdrant
// is unavailable, times out or asks to slow down.
//
// # Search
//
// Store.Search sends one QueryBatch: a Query API request with a dense
// prefetch (score threshold 0, so only positive cosines are candidates) and
// a sparse prefetch (IDF-weighted by the collection's modifier), both under
// the filter, fused by RRF with k = knowledge.RRFK+1 (Qdrant counts ranks
// from 0), plus the two rankings alone, which give each hit its ranks and
// scores. Qdrant 1.17 or later is required; Open refuses older servers.
//
// # Tests
//
// The tests run the contract suite of knowledge/storetest and this
// package's own tests against an in-process stand-in for Qdrant: a gRPC
// server on 127.0.0.1 built on the go-client's generated server
// interfaces, which models the parts of Qdrant the store uses (see
// standin_test.go for what it does not model). Tests that use it have
// "QdrantStandIn" in their names.
//
// To run the contract suite against a real Qdrant as well:
//
//	docker run -p 6334:6334 qdrant/qdrant
//	QDRANT_URL=http://localhost:6334 go test ./knowledge/qdrant/
//
// QDRANT_URL names the gRPC port (6334, not the 6333 REST port); an https
// URL turns on TLS and QDRANT_API_KEY, when set, is sent as the API key.
// TestContract_QdrantServer is skipped without QDRANT_URL. Each case uses
// collections of its own, named after the test, and deletes them at the
// end.
package qdrant
