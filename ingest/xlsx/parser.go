package xlsx

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/lorehq/lore/ingest/ooxml"

	"github.com/xuri/excelize/v2"

	"github.com/lorehq/lore/ingest"
	"github.com/lorehq/lore/ingest/text"
)

// Errors of Parse that callers may want to tell apart. The messages are
// shown to users as quarantine reasons.
var (
	ErrNotXLSX = errors.New("not an XLSX (zip) file / 不是有效的 XLSX 文件")
	ErrLegacy  = errors.New("legacy Excel .xls or encrypted workbook, save it as .xlsx without a password / 旧版 Excel (.xls) 或已加密的工作簿，请另存为无密码的 .xlsx")
	ErrCorrupt = errors.New("corrupt or truncated XLSX file / XLSX 文件已损坏或不完整")
	ErrZipBomb = ooxml.ErrZipBomb
	ErrNoText  = errors.New("no data in any visible sheet / 所有可见工作表均无数据")
)

// Options limit what a workbook may unpack to: MaxUnpackedBytes (<= 0
// means DefaultMaxUnpackedBytes, which excelize holds in memory) and MaxEntries (<= 0 means
// ooxml.DefaultMaxEntries).
type Options = ooxml.Limits

// DefaultMaxUnpackedBytes is the byte limit when Options leave it unset.
const DefaultMaxUnpackedBytes = 256 << 20

// Parser parses XLSX files.
type Parser struct {
	opt Options
}

var _ ingest.Parser = (*Parser)(nil)

// New returns an XLSX parser with the given limits.
func New(opt Options) *Parser {
	return &Parser{opt: opt.WithDefaults(DefaultMaxUnpackedBytes)}
}

// Parse implements ingest.Parser. The document's Format is "xlsx".
func (p *Parser) Parse(ctx context.Context, name string, r io.Reader) (*ingest.Document, error) {
	b, err := text.ReadAll(ctx, "xlsx", name, r)
	if err != nil {
		return nil, err
	}
	if len(b) == 0 {
		return nil, text.ErrEmpty
	}
	if err := p.check(b); err != nil {
		return nil, err
	}
	doc, err := p.read(ctx, b)
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("xlsx: parse %s: %w", name, ctx.Err())
		}
		return nil, err
	}
	return doc, nil
}

// check refuses what is not a zip, and a zip whose declared entry count or
// uncompressed size is over the limits, before anything is decompressed.
func (p *Parser) check(b []byte) error {
	zr, err := ooxml.Open(b, p.opt,
		ooxml.Errors{NotZip: ErrNotXLSX, Legacy: ErrLegacy, Corrupt: ErrCorrupt})
	if err != nil {
		return err
	}
	for _, f := range zr.File {
		if strings.EqualFold(strings.TrimPrefix(f.Name, "/"), "xl/workbook.xml") {
			return nil
		}
	}
	return fmt.Errorf("%w: no xl/workbook.xml / 缺少 xl/workbook.xml", ErrNotXLSX)
}

// read opens b with excelize and reads every visible sheet. A panic inside
// excelize is turned into ErrCorrupt.
func (p *Parser) read(ctx context.Context, b []byte) (doc *ingest.Document, err error) {
	defer func() {
		if r := recover(); r != nil {
			doc, err = nil, fmt.Errorf("%w: %v", ErrCorrupt, r)
		}
	}()
	f, err := excelize.OpenReader(bytes.NewReader(b), excelize.Options{
		UnzipSizeLimit:    p.opt.MaxUnpackedBytes,
		UnzipXMLSizeLimit: p.opt.MaxUnpackedBytes,
	})
	if err != nil {
		if strings.Contains(err.Error(), "unzip size") {
			return nil, fmt.Errorf("%w: %v", ErrZipBomb, err)
		}
		return nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	defer f.Close()

	doc = &ingest.Document{Format: "xlsx"}
	if props, err := f.GetDocProps(); err == nil {
		doc.Title = strings.Join(strings.Fields(props.Title), " ")
	}
	for _, sheet := range f.GetSheetList() {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if visible, err := f.GetSheetVisible(sheet); err == nil && !visible {
			doc.Warnings = append(doc.Warnings, fmt.Sprintf("sheet %q is hidden, skipped / 工作表 %q 已隐藏，未导入", sheet, sheet))
			continue
		}
		rows, err := readSheet(ctx, f, sheet)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			doc.Warnings = append(doc.Warnings, fmt.Sprintf("sheet %q unreadable / 工作表 %q 无法读取: %v", sheet, sheet, err))
		}
		if len(rows) == 0 {
			continue
		}
		doc.Blocks = append(doc.Blocks, ingest.Block{Kind: ingest.Heading, Level: 1, Text: sheet})
		doc.Blocks = ingest.AppendTable(doc.Blocks, rows)
	}
	if len(doc.Blocks) == 0 {
		return nil, ErrNoText
	}
	return doc, nil
}

// readSheet returns the non-empty rows of a sheet, with the rows read
// before an error.
func readSheet(ctx context.Context, f *excelize.File, sheet string) ([]ingest.Row, error) {
	it, err := f.Rows(sheet)
	if err != nil {
		return nil, err
	}
	defer it.Close()
	var out []ingest.Row
	for no := 1; it.Next(); no++ {
		if no%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return out, err
			}
		}
		cols, err := it.Columns()
		if err != nil {
			return out, fmt.Errorf("row %d: %w", no, err)
		}
		if cells := ingest.TrimCells(cols); len(cells) > 0 {
			out = append(out, ingest.Row{Line: no, Cells: cells})
		}
	}
	return out, it.Error()
}
