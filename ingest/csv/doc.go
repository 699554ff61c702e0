// Package csv parses delimited text files (.csv, .tsv) into an
// ingest.Document of TableRow blocks.
//
// The bytes are decoded with text.Decode, so UTF-8 (with or without a byte
// order mark), UTF-16 with a mark, and GBK/GB18030 files as Chinese Excel
// saves them all read the same. The delimiter is sniffed from the first
// records: comma, tab or semicolon, whichever splits most of them into the
// same number (two or more) of fields, ties going in that order (tab first
// for a .tsv file). An Excel "sep=;" first line names the delimiter
// outright and is dropped. Quoted fields follow RFC 4180, leniently: a
// stray quote inside a field is kept as text.
//
// Every non-empty record becomes one TableRow whose Line is the 1-based line
// where the record starts; cells are trimmed, empty trailing cells dropped,
// and rows shorter than the header padded with "" so Cells[i] lines up with
// header column i. The first non-empty record is the Header, except that a
// first record with a single filled field followed by one with several (a
// caption above the table) becomes a Paragraph and the record below it the
// Header. A record spanning many lines, the sign of an unclosed quote, is
// kept with a warning. The document has no title.
package csv
