// Package markdown parses Markdown files (CommonMark with GitHub tables)
// into an ingest.Document with a line-based parser; no Markdown library is
// needed for the block structure Lore uses.
//
// Blocks: ATX (# …) and setext (=== / ---) headings; paragraphs, whose
// wrapped lines are joined without a space between Chinese characters and
// with one between Latin words; list items (-, *, +, 1., 1)), one block per
// item with its continuation lines; GitHub pipe tables, one TableRow per
// row with the first marked Header and the delimiter row skipped; fenced
// code blocks, kept as one paragraph with their line breaks; block quotes,
// as paragraphs without the > marks. HTML comments, thematic breaks, link
// reference definitions and YAML front matter are dropped; a front matter
// title: is the document title, otherwise the first level-1 heading is.
//
// Inline markup is removed from text: emphasis and strike-through marks,
// code span backticks, link and image syntax (the link text or image alt
// text stays), HTML tags, and backslash escapes. Each block carries the
// 1-based line where it starts in the file.
//
// Files are decoded with text.Decode, so GBK Markdown works too.
package markdown
