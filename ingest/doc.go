// Package ingest turns files into knowledge: it walks sources, skips what the
// ledger says is unchanged, hands each file to the parser for its format,
// chunks and extracts items with provenance, embeds them and syncs them into
// a knowledge.Store, one source per transaction.
//
// Format parsers live in subpackages named after the format (ingest/pdf,
// ingest/html, …) and return a Document; the pipeline in this package only
// sees the Parser interface, and cmd/lore decides which parser serves which
// file extension.
package ingest
