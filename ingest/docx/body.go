package docx

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/lorehq/lore/ingest"
	"github.com/lorehq/lore/ingest/text"
)

// Namespaces of WordprocessingML (transitional and strict) and of markup
// compatibility.
const (
	nsW       = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
	nsWStrict = "http://purl.oclc.org/ooxml/wordprocessingml/main"
	nsMC      = "http://schemas.openxmlformats.org/markup-compatibility/2006"
)

// Bounds that keep a hostile document from making the parser allocate
// out of proportion to its size.
const (
	maxGridSpan = 64 // cells a merged cell may pad a row with
	ctxEvery    = 1 << 12
)

// para is a paragraph being read.
type para struct {
	text     strings.Builder
	styleID  string
	numbered int // -1 not set, 0 numbering removed (numId 0), 1 numbered
	outline  int // direct outline level, -1 not set
}

// cell is a table cell being read: the blocks of its paragraphs.
type cell struct {
	blocks []ingest.Block
	span   int // grid columns covered, >= 1
	vMerge int // 0 none, 1 starts a vertical merge, 2 continues one
}

// row is a table row being read.
type row struct {
	cells  []cell
	header bool // marked as a repeating header row
}

// table is a table being read.
type table struct {
	rows []row
	row  *row  // nil between rows
	cell *cell // nil between cells
}

// walker turns the token stream of document.xml into blocks.
type walker struct {
	st     styles
	blocks []ingest.Block
	paras  []*para
	tables []*table
	inText bool // inside w:t
}

// walkBody reads document.xml.
func walkBody(ctx context.Context, b []byte, st styles) ([]ingest.Block, error) {
	w := &walker{st: st}
	d := xml.NewDecoder(bytes.NewReader(b))
	for n := 0; ; n++ {
		if n%ctxEvery == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if err := w.start(d, t); err != nil {
				return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
			}
		case xml.EndElement:
			w.end(t)
		case xml.CharData:
			if w.inText && len(w.paras) > 0 {
				w.paras[len(w.paras)-1].text.Write(t)
			}
		}
	}
	return w.blocks, nil
}

// isW reports whether space is the WordprocessingML namespace. Elements
// without a namespace are accepted too, for hand-written files.
func isW(space string) bool {
	return space == nsW || space == nsWStrict || space == "" || space == "w"
}

// attr returns the value of the attribute with local name local.
func attr(se xml.StartElement, local string) (string, bool) {
	for _, a := range se.Attr {
		if a.Name.Local == local {
			return a.Value, true
		}
	}
	return "", false
}

func (w *walker) top() *para {
	if len(w.paras) == 0 {
		return nil
	}
	return w.paras[len(w.paras)-1]
}

func (w *walker) topTable() *table {
	if len(w.tables) == 0 {
		return nil
	}
	return w.tables[len(w.tables)-1]
}

func (w *walker) start(d *xml.Decoder, t xml.StartElement) error {
	if t.Name.Local == "Fallback" && (t.Name.Space == nsMC || t.Name.Space == "mc") {
		return d.Skip() // a copy of the mc:Choice content for old readers
	}
	if !isW(t.Name.Space) {
		return nil
	}
	p := w.top()
	switch t.Name.Local {
	case "p":
		w.paras = append(w.paras, &para{numbered: -1, outline: -1})
	case "pPr":
		if p == nil {
			return d.Skip()
		}
		return readProps(d, func(se xml.StartElement) {
			v, _ := attr(se, "val")
			switch se.Name.Local {
			case "pStyle":
				p.styleID = v
			case "numId":
				p.numbered = 0
				if v != "" && v != "0" {
					p.numbered = 1
				}
			case "outlineLvl":
				if n, err := strconv.Atoi(v); err == nil && n >= 0 {
					p.outline = n
				}
			}
		})
	case "rPr", "sectPr", "tblPr", "tblGrid", "del", "moveFrom", "delText", "instrText", "delInstrText":
		return d.Skip()
	case "t":
		w.inText = true
	case "tab", "ptab":
		if p != nil {
			p.text.WriteByte('\t')
		}
	case "br":
		if typ, _ := attr(t, "type"); p != nil && typ != "page" && typ != "column" {
			p.text.WriteByte('\n')
		}
	case "cr":
		if p != nil {
			p.text.WriteByte('\n')
		}
	case "noBreakHyphen":
		if p != nil {
			p.text.WriteByte('-')
		}
	case "tbl":
		w.tables = append(w.tables, &table{})
	case "tr":
		if tb := w.topTable(); tb != nil {
			tb.row, tb.cell = &row{}, nil
		}
	case "trPr":
		tb := w.topTable()
		if tb == nil || tb.row == nil {
			return d.Skip()
		}
		return readProps(d, func(se xml.StartElement) {
			if se.Name.Local == "tblHeader" {
				v, ok := attr(se, "val")
				tb.row.header = !ok || onOff(v)
			}
		})
	case "tc":
		if tb := w.topTable(); tb != nil && tb.row != nil {
			tb.cell = &cell{span: 1}
		}
	case "tcPr":
		tb := w.topTable()
		if tb == nil || tb.cell == nil {
			return d.Skip()
		}
		c := tb.cell
		return readProps(d, func(se xml.StartElement) {
			v, ok := attr(se, "val")
			switch se.Name.Local {
			case "gridSpan":
				if n, err := strconv.Atoi(v); err == nil {
					c.span = max(1, min(n, maxGridSpan))
				}
			case "vMerge":
				c.vMerge = 2
				if ok && v == "restart" {
					c.vMerge = 1
				}
			}
		})
	}
	return nil
}

// onOff reads an ST_OnOff value.
func onOff(v string) bool {
	switch v {
	case "0", "false", "off":
		return false
	}
	return true
}

// readProps consumes a property element up to its end, calling fn for
// every element inside it except the records of tracked changes (*Change),
// which hold the old values, and run properties.
func readProps(d *xml.Decoder, fn func(xml.StartElement)) error {
	for depth := 0; ; {
		tok, err := d.Token()
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if strings.HasSuffix(t.Name.Local, "Change") || t.Name.Local == "rPr" {
				if err := d.Skip(); err != nil {
					return err
				}
				continue
			}
			fn(t)
			depth++
		case xml.EndElement:
			if depth == 0 {
				return nil
			}
			depth--
		}
	}
}

func (w *walker) end(t xml.EndElement) {
	if !isW(t.Name.Space) {
		return
	}
	switch t.Name.Local {
	case "t":
		w.inText = false
	case "p":
		if p := w.top(); p != nil {
			w.paras = w.paras[:len(w.paras)-1]
			w.endPara(p)
		}
	case "tc":
		if tb := w.topTable(); tb != nil && tb.row != nil && tb.cell != nil {
			tb.row.cells = append(tb.row.cells, *tb.cell)
			tb.cell = nil
		}
	case "tr":
		if tb := w.topTable(); tb != nil && tb.row != nil {
			tb.rows = append(tb.rows, *tb.row)
			tb.row, tb.cell = nil, nil
		}
	case "tbl":
		if tb := w.topTable(); tb != nil {
			w.tables = w.tables[:len(w.tables)-1]
			w.endTable(tb)
		}
	}
}

// emit adds a block to the innermost open table cell, or to the document.
func (w *walker) emit(b ingest.Block) {
	if tb := w.topTable(); tb != nil && tb.cell != nil {
		tb.cell.blocks = append(tb.cell.blocks, b)
		return
	}
	w.blocks = append(w.blocks, b)
}

// endPara classifies a finished paragraph and emits it.
func (w *walker) endPara(p *para) {
	txt := strings.TrimSpace(strings.ReplaceAll(p.text.String(), "\r", ""))
	if txt == "" {
		return
	}
	st := w.st.lookup(p.styleID)
	if st.kind == styleTOC {
		return
	}
	level := 0
	switch {
	case p.outline >= 0 && p.outline <= 8:
		level = p.outline + 1
	case p.outline > 8: // explicitly body text
		level = -1
	case st.kind == styleHeading:
		level = st.level
	}
	if level > 0 {
		w.emit(ingest.Block{Kind: ingest.Heading, Level: clampLevel(level), Text: strings.Join(strings.Fields(txt), " ")})
		return
	}
	list := st.kind == styleList
	if p.numbered >= 0 {
		list = p.numbered == 1
	}
	switch {
	case list:
		w.emit(ingest.Block{Kind: ingest.ListItem, Text: txt})
	case level == 0 && strings.HasPrefix(txt, "第") && text.HeadingLevel(txt) > 0:
		w.emit(ingest.Block{Kind: ingest.Heading, Level: text.HeadingLevel(txt), Text: txt})
	default:
		w.emit(ingest.Block{Kind: ingest.Paragraph, Text: txt})
	}
}

// endTable emits a finished table: rows of a top-level table as TableRow
// blocks, a nested table as paragraphs of its enclosing cell, and a
// single-column table as the blocks of its cells.
func (w *walker) endTable(tb *table) {
	grid := resolveGrid(tb.rows)
	single := true
	for _, r := range tb.rows {
		if len(r.cells) > 1 {
			single = false
			break
		}
	}
	if single {
		for _, r := range tb.rows {
			for _, c := range r.cells {
				for _, b := range c.blocks {
					w.emit(b)
				}
			}
		}
		return
	}
	if len(w.tables) > 0 {
		for _, cells := range grid {
			if line := joinCells(cells); line != "" {
				w.emit(ingest.Block{Kind: ingest.Paragraph, Text: line})
			}
		}
		return
	}
	header := true
	first := true
	for i, cells := range grid {
		if joinCells(cells) == "" {
			continue
		}
		isHeader := first || header && tb.rows[i].header
		header = isHeader
		first = false
		w.blocks = append(w.blocks, ingest.Block{
			Kind:   ingest.TableRow,
			Text:   strings.Join(cells, " | "),
			Cells:  cells,
			Header: isHeader,
		})
	}
}

// joinCells returns the non-empty cells joined by " | ", "" when all are
// empty.
func joinCells(cells []string) string {
	var parts []string
	for _, c := range cells {
		if c != "" {
			parts = append(parts, c)
		}
	}
	return strings.Join(parts, " | ")
}

// resolveGrid returns the text of every row's cells: a cell's blocks
// joined by "\n", a merged cell followed by "" for each extra grid column
// it covers, and a cell continuing a vertical merge given the text of the
// cell above it.
func resolveGrid(rows []row) [][]string {
	out := make([][]string, len(rows))
	var above map[int]string
	for i, r := range rows {
		var cells []string
		here := map[int]string{}
		col := 0
		for _, c := range r.cells {
			var parts []string
			for _, b := range c.blocks {
				parts = append(parts, b.Text)
			}
			s := strings.Join(parts, "\n")
			if c.vMerge == 2 && s == "" {
				s = above[col]
			}
			here[col] = s
			cells = append(cells, s)
			for k := 1; k < c.span; k++ {
				cells = append(cells, "")
			}
			col += c.span
		}
		out[i] = cells
		above = here
	}
	return out
}
