// Package sqlite is Lore's embedded knowledge store, the default: one data
// directory holding a SQLite database (modernc.org/sqlite, pure Go, WAL
// journal) with the items, their vectors, their provenance and the ingestion
// ledger. Every write is one transaction, so a process killed at any moment
// leaves a database that opens with all or none of each call's changes.
//
// Search runs in memory over an index rebuilt from the database when the
// store opens: an inverted index of the sparse vectors, scored with Qdrant's
// IDF modifier and pruned MaxScore-style (the common terms of a query only
// update items that can still reach the k best, with exactly the ranking of
// scoring every item), and an exact scan of the dense vectors held in one
// contiguous float32 block (SIMD dot products), shared by all cores from
// 16k items. The two rankings are fused
// by reciprocal rank, as the Qdrant adapter does on a server, so both stores
// rank alike and pass the same contract suite (knowledge/storetest).
//
// The store holds one dense dimension and records the embedding scheme
// that made its vectors (Options.Embedding: the embedder's name and a hash
// of the segmentation dictionary), both in the database; Open refuses a
// caller embedding with another dimension or scheme, so vectors of two
// models, or sparse vectors of two dictionaries, never mix. Store.Reindex
// re-embeds every item with a new embedder: new vectors go to a shadow
// table batch by batch and are swapped in, with the new dimension and
// scheme, in one transaction, so an interrupted reindex leaves the store
// as it was.
//
// A lock file keeps a second Lore process from opening the same directory:
// the second Open fails with a Conflict error that says so.
package sqlite
