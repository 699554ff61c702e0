// Package passage is the extractor that turns any parsed document into
// passage items: structure-aware chunks (see ingest/chunk) with their
// heading path, page, line and dialogue as provenance. It is the catch-all
// of the extractor chain: what no rule, FAQ or other extractor claims is
// still indexed, as passages.
package passage
