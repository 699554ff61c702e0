// Package pdf parses PDF files with a text layer into an ingest.Document,
// one block per paragraph or heading, each with its 1-based page.
//
// The file is read into memory (Options.MaxBytes, 200 MB by default) and
// opened with github.com/ledongthuc/pdf, which reads the objects. The
// text is not taken from that package's plain-text output, which breaks
// lines wherever a font or a text object changes (inside a word, before a
// hanging 。); instead each page's content stream is interpreted here with
// the positions of the text: segments on one baseline form a line, and
// lines form paragraphs. ToUnicode CMaps are read here too (a map lookup
// per code), and fonts of the predefined Chinese encodings without one
// (GBK-EUC-H, UniGB-UCS2-H …) are decoded as GB18030 or UTF-16. Text in
// form XObjects is read; rotated text, mostly watermarks, is left out, and
// so is text drawn twice for a bold effect.
//
// Lines are rejoined into paragraphs with the rules of package text
// (Chinese lines without a space, Latin lines with one; a break after
// 。！？；： and before 第X条, 第X章, 一、, （一）, 1. and the like, but not
// before a cross-reference such as "第六条的规定" that starts a wrapped
// line) and with the layout: a line that stops short of the right margin
// ends its paragraph, and so do a first-line indent, a wider gap than the
// line pitch and a change of font size. On a page whose paragraphs are
// indented, a full line ending with 。 followed by one at the margin is
// joined to it. A paragraph never continues across a page: its part on the
// next page is a block of its own, with that page's number.
//
// Running headers and footers (a line at the top or bottom of at least
// half of the pages, numbers aside) and page numbers (3, - 3 -, 第 3 页,
// 3/10, Page 3 of 10) are dropped. Headings are the Chinese numbered ones
// (第X章 …, see text.HeadingLevel) and short lines in a larger font; a
// larger first line is the title, else the document information Title
// unless it is a file name. Tables come out as one paragraph per row,
// cells separated by spaces.
//
// Nothing the pdf package does on a malformed file escapes as a panic:
// opening, walking the page tree and each page are recovered; a page that
// fails is a warning, and a file that yields (almost) no text and has
// pages that failed is ErrCorrupt. Otherwise a PDF whose pages yield
// (almost) no text — fewer than 16 letters or digits a page on average —
// is ErrNoTextLayer, never an empty document, and one whose text is mostly
// undecodable glyphs (more than 30%) is ErrUndecodable; fewer undecodable
// glyphs are left out with a warning, and so is a page without text. Pages are processed
// one at a time and only their lines are kept until the document is built;
// work per page is bounded, so a hostile file ends in a warning or an
// error rather than a hang.
package pdf
