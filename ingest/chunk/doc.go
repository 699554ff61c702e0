// Package chunk splits a parsed document into passages for retrieval:
// structure-aware (a chunk belongs to one section, one page, one table or
// one dialogue) and Chinese-aware (sizes are counted in characters, and
// text is cut at sentence ends, then at clause punctuation, never between
// a Chinese sentence's characters at random).
//
// Split walks the blocks in order:
//
//   - A heading closes the current chunk and updates the heading path: a
//     heading of level L replaces the headings of level L and deeper. A
//     heading is never a chunk by itself; it is in the HeadingPath of the
//     chunks under it.
//   - Paragraphs and list items are packed, in order and joined by line
//     breaks, into chunks of at most MaxChars characters (runes, line
//     breaks included). A block that does not fit in the current chunk
//     starts the next one. A block longer than MaxChars starts a chunk of
//     its own and is cut at sentence ends (segment.Sentences) into pieces
//     of at most MaxChars; a sentence longer than that is cut after clause
//     punctuation (，、：, and "," or ":" before a space), and a clause
//     longer than that after MaxChars characters (at a space when one is
//     near, so a Latin word stays whole). The last piece stays open for
//     the blocks after it.
//   - A chunk never crosses a page: a block on another page starts a new
//     chunk, so Page is exact (the parsers already cut a paragraph that
//     runs over a page break in two).
//   - A table (consecutive table rows) starts a new chunk; when it has
//     header rows (the leading rows marked Header), every chunk of it
//     starts with them, followed by as many body rows as fit. A body row
//     too long to fit beside the header is cut like a paragraph. Only when
//     the header and its line break leave less than MaxChars/4 characters
//     for rows may a table chunk exceed MaxChars: it then holds the header
//     and up to MaxChars/4 characters of rows. A table without header rows
//     is packed like paragraphs.
//   - Dialogue turns are packed like paragraphs, prefixed with the speaker
//     (客户：/坐席： when the turn has Chinese, Customer:/Agent: otherwise),
//     and a chunk holds turns of one dialogue only and nothing else.
//
// So, for any document: the chunk texts, concatenated in order, with white
// space removed and each repeated table header removed, equal the texts of
// the document's non-heading blocks (turns with their speaker prefix) with
// white space removed; and no chunk is longer than MaxChars characters,
// except a table chunk, which is at most max(MaxChars, header length + 1 +
// MaxChars/4).
package chunk
