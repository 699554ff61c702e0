// Package xlsx parses Excel workbooks (.xlsx, .xlsm) into an
// ingest.Document with github.com/xuri/excelize/v2.
//
// Every visible worksheet with data yields a level-1 Heading block with the
// sheet name, then one TableRow block per non-empty row, with Line set to
// the 1-based row number in the sheet. Cells are the formatted values
// Excel shows (cached results for formulas), trimmed; empty trailing cells
// are dropped and rows shorter than the header are padded with "" so that
// Cells[i] lines up with the header's column i. The first non-empty row is
// the Header, except that a first row with a single filled cell followed by
// a row of several (a caption above the table, often a merged title such as
// "信用卡分期常见问题") becomes a Paragraph and the row below it the Header.
// Hidden sheets are skipped with a warning. The title is the workbook's
// core property title, "" when it has none.
//
// Zip bombs are refused before excelize sees the file: the archive's
// declared entry count and uncompressed sizes are checked against Options
// with archive/zip (which also refuses an entry that inflates past its
// declared size), and the same limit is passed to excelize as
// UnzipSizeLimit. UnzipXMLSizeLimit is set to the same value so excelize
// keeps every part in memory instead of spilling large sheets to temporary
// files. A panic inside excelize on a malformed file is recovered and
// reported as a corrupt file.
package xlsx
