package ingest

import "strings"

// Row is one non-empty row of a table as a parser read it.
type Row struct {
	Line  int      // 1-based line or sheet row where it starts
	Cells []string // trimmed, without empty trailing cells
}

// TrimCells trims every cell (normalising CRLF line breaks inside cells)
// and drops empty trailing ones, in place; a row of empty cells gives nil.
func TrimCells(cells []string) []string {
	n := 0
	for i, c := range cells {
		c = strings.TrimSpace(strings.ReplaceAll(c, "\r\n", "\n"))
		cells[i] = c
		if c != "" {
			n = i + 1
		}
	}
	if n == 0 {
		return nil
	}
	return cells[:n]
}

// AppendTable appends the blocks of one table of a spreadsheet or CSV: a
// first row with a single filled cell over a row with several is a
// caption paragraph; then the header row, then the data rows padded to the
// header's width, so every row's cells line up with the header.
func AppendTable(blocks []Block, rows []Row) []Block {
	if len(rows) == 0 {
		return blocks
	}
	if len(rows) > 1 && filled(rows[0].Cells) == 1 && filled(rows[1].Cells) > 1 {
		blocks = append(blocks, Block{Kind: Paragraph, Text: strings.Join(rows[0].Cells, ""), Line: rows[0].Line})
		rows = rows[1:]
	}
	width := len(rows[0].Cells)
	for i, r := range rows {
		cells := r.Cells
		if len(cells) < width {
			cells = append(cells, make([]string, width-len(cells))...)
		}
		blocks = append(blocks, Block{
			Kind:   TableRow,
			Text:   strings.Join(cells, " | "),
			Cells:  cells,
			Header: i == 0,
			Line:   r.Line,
		})
	}
	return blocks
}

func filled(cells []string) int {
	n := 0
	for _, c := range cells {
		if c != "" {
			n++
		}
	}
	return n
}
