package ingest

import (
	"context"
	"io"
)

// Document is what a format parser makes of one file: its title and its
// content as an ordered list of blocks. Parsers keep the original text
// (normalisation for matching happens later) and never join blocks, so the
// chunker and the extractors see the structure the file had.
type Document struct {
	Title  string  // from the file's metadata or first heading; may be empty
	Format string  // parser name: "markdown", "pdf", "html", …
	Blocks []Block // in reading order
	// Pages is the page count of a paged format, 0 otherwise.
	Pages int
	// Warnings are problems that did not stop parsing, such as a malformed
	// record skipped at a given line; the rest of the file is used.
	Warnings []string
}

// BlockKind says what a block is.
type BlockKind string

// Block kinds.
const (
	Heading   BlockKind = "heading"   // Level 1 is the outermost
	Paragraph BlockKind = "paragraph" // running text; may hold several sentences
	ListItem  BlockKind = "list_item"
	TableRow  BlockKind = "table_row" // Cells set; Header marks a header row
	Turn      BlockKind = "turn"      // a dialogue turn; Role and Dialogue set
)

// Block is one structural unit of a document.
type Block struct {
	Kind   BlockKind
	Level  int      // heading level, 1..6
	Text   string   // the block's text; for a table row, cells joined by " | "
	Cells  []string // table cells
	Header bool     // table header row
	Page   int      // 1-based page, 0 when the format has no pages
	Line   int      // 1-based line or record number where known
	// Dialogue, Role and Turn identify a dialogue turn.
	Dialogue string
	Role     string // "agent" or "customer"
	TurnNo   int
}

// Parser turns the bytes of one file into a Document. A Parser must not
// panic on any input: malformed input yields an error whose message says
// what was wrong (it is shown to users as the quarantine reason). name is the
// file's path, for messages only.
type Parser interface {
	Parse(ctx context.Context, name string, r io.Reader) (*Document, error)
}
