// Package docx parses Word documents (.docx, Office Open XML) into an
// ingest.Document with archive/zip and encoding/xml alone.
//
// Blocks, in reading order:
//
//   - Headings: paragraphs whose style is a built-in or custom heading style
//     (style name "heading 1".."heading 9" or "标题 1".."标题 9", or a style id
//     such as Heading1), or that carry an outline level (w:outlineLvl 0..8,
//     directly or through the style chain). Level 1 is the outermost; levels
//     past 6 are clamped to 6. The Title style is a level-1 heading.
//     Unstyled paragraphs that read as Chinese numbered headings starting
//     with 第 (第一章 总则, 第二节) take the level text.HeadingLevel gives.
//   - List items: paragraphs with numbering (w:numPr with a non-zero numId,
//     directly or through their style).
//   - Table rows: one TableRow per w:tr of a top-level table, cells in
//     order, a cell's paragraphs joined by "\n". The first non-empty row is
//     the Header, and so are rows marked as repeating header rows
//     (w:tblHeader) that follow it. A cell continuing a vertical merge takes
//     the text of the cell above, so every row reads on its own. Nested
//     tables are flattened into the text of their cell. A table of a single
//     column is a layout box, not data: its paragraphs become Paragraph
//     blocks.
//   - Paragraphs: everything else with text. Text boxes become paragraphs
//     of their own; deleted revisions, field instructions and the
//     compatibility fallback copies of drawings are dropped, as are table
//     of contents entries (styles "toc N"), which repeat the headings.
//
// The title is docProps/core.xml's dc:title, or else the first heading.
// DOCX has no lines, so Block.Line is 0.
//
// The parser guards against zip bombs: before anything is decompressed it
// checks the number of entries and the sum of the sizes the archive
// declares (Options), and archive/zip refuses an entry that inflates past its
// declared size. Files that are not zip archives, legacy .doc files and
// encrypted documents are rejected with a bilingual reason.
package docx
