// Package text parses plain text files (.txt) into an ingest.Document and
// holds the text helpers the other format parsers share.
//
// Decode turns the bytes of a file into UTF-8: a byte order mark (UTF-8,
// UTF-16LE, UTF-16BE) wins; otherwise valid UTF-8 is taken as UTF-8 and
// anything else is decoded as GB18030, the superset of GBK and GB2312 that
// Chinese Windows tools write. Bytes with NULs (without a UTF-16 mark) or
// text that decodes to mostly control or replacement characters are
// rejected as binary.
//
// The parser splits paragraphs at blank lines and rejoins hard-wrapped
// lines inside a paragraph: two Chinese lines are joined with nothing in
// between, two Latin lines with one space (JoinLines). A line break is kept
// as a paragraph break when the line ends a sentence with Chinese end
// punctuation (。！？；：) or the next line starts a structural unit such as
// 第五条, 一、, （一）, (1) or 1. (ParagraphBreak).
//
// Headings are recognised in two ways:
//
//   - Chinese numbered headings, wherever they stand (HeadingLevel): 第X编
//     and 第X部分 are level 1, 第X章 level 2, 第X节 level 3, 一、 level 3 and
//     （一） level 4. A heading line is short and does not end with
//     punctuation; 第X条 (an article) is body text, not a heading. 一、 and
//     （一） lines followed by a line of the same kind are a list, not
//     headings.
//   - A short line standing alone between blank lines, without end
//     punctuation and followed by body text, is a heading of level 2 (or
//     deeper when it is numbered 1.1, 1.1.1); when it is the first line of
//     the file it is the document title, level 1. Dates (2026年6月15日) are
//     never headings.
package text
