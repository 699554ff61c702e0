// Package html parses HTML pages into an ingest.Document with goquery.
//
// The character set comes from a byte order mark, then from a <meta
// charset> or <meta http-equiv="Content-Type"> declaration in the first
// 4 KB, and otherwise from the bytes: UTF-8 when valid, GB18030 when not
// (text.Decode). A page declared GBK, GB2312 or GB18030 is read as GB18030,
// their superset, unless its bytes are valid UTF-8 (then it was saved as
// UTF-8 without updating the declaration); a page declared UTF-8 whose
// bytes are not is read as GB18030, with a warning; other declared
// character sets (Big5, Shift_JIS, windows-1252 …) are honoured.
//
// Page furniture is dropped before the text is read: script, style,
// noscript, template, svg, nav, aside, footer, iframe, hidden elements, a
// header outside <article> and <main>, and elements whose class, id or role
// marks navigation, a menu, breadcrumbs, a sidebar, a footer, a cookie
// notice or an advertisement. A form, and an element marked by class or id,
// is kept when it holds the page's <main>, <article> or <h1>, because some
// sites (ASP.NET WebForms among them) wrap the whole page in one.
//
// Blocks: h1–h6 are headings; text in p, div and other block elements
// becomes paragraphs, each text run once, split where a nested block or a
// <br> begins; li text becomes list items (nested lists give their own
// items); pre keeps its line breaks. A data table gives one TableRow per
// row, rows of th cells or in thead marked Header; a table holding other
// tables, a single row or a single column is taken for layout and read as
// ordinary blocks. White space collapses as a browser would show it, except
// that a line break in the source between two Chinese characters is
// dropped rather than shown as a space.
//
// The title is the <title> text, or else the first h1. HTML has no line
// numbers: Line is 0.
package html
