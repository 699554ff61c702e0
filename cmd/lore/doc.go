// Command lore is Lore's one binary: it wires the configured store,
// embedder, parsers, retrieval and answering together and exposes them as
// subcommands (demo, serve, ingest, ask, eval). Nothing but wiring lives
// here.
package main
