// Package knowledge is Lore's domain: the kinds of knowledge item, their
// provenance and review status, the filters and hits of a search, the Store
// every storage backend implements, and the one error type the rest of the
// program maps to user-facing messages.
//
// It imports only the standard library. Everything else in Lore depends on
// it; it depends on nothing of ours.
//
// How the pieces relate:
//
//   - An Item is one unit of knowledge (a rule clause, an FAQ pair, a reply
//     script, a procedure, a glossary term, a passage). Its ID is derived
//     from its content (see NewID), so re-ingesting unchanged content yields
//     the same ID and identical content found in two files is stored once
//     with both Provenances.
//   - A Record is an Item with the Vectors an embedder computed for it; it is
//     what ingestion hands to a Store.
//   - A Source is the ledger entry of one input file: what was seen, when,
//     with which content hash, and whether it was indexed or quarantined.
//   - A Query carries the vectors of a question and a Filter; a Store answers
//     with Hits fused from its sparse and dense rankings.
package knowledge
