package pdf

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"

	"github.com/ledongthuc/pdf"

	"github.com/lorehq/lore/ingest"
)

// Errors of Parse that callers may want to tell apart.
var (
	// ErrNoTextLayer is a PDF whose pages yield (almost) no text: a scan
	// that needs OCR. It is never returned as an empty document.
	ErrNoTextLayer = errors.New("scanned PDF, no text layer / 扫描件 PDF，没有文字层，需要 OCR")
	// ErrUndecodable is a PDF whose text is drawn with fonts that map
	// their glyphs to no Unicode text, so what it says cannot be read
	// without OCR either.
	ErrUndecodable = errors.New("text layer cannot be decoded, fonts lack a Unicode map / PDF 文字层无法解码（字体缺少 Unicode 映射），需要 OCR")
	// ErrEncrypted is a PDF that needs a password or uses an encryption
	// the pdf package does not support (AES-256 among them).
	ErrEncrypted = errors.New("encrypted PDF, password required or encryption not supported / PDF 已加密（需要密码或加密方式不受支持）")
	// ErrTooLarge is a file over Options.MaxBytes.
	ErrTooLarge = errors.New("PDF file too large / PDF 文件过大")
	// ErrCorrupt is a file that is not a readable PDF.
	ErrCorrupt = errors.New("corrupt PDF / PDF 文件已损坏")
)

// DefaultMaxBytes is the size limit when Options.MaxBytes is not set.
const DefaultMaxBytes = 200 << 20

// Options configure a Parser.
type Options struct {
	// MaxBytes is the largest PDF read, in bytes; the whole file is held in
	// memory while it is parsed. <= 0 means DefaultMaxBytes (200 MB).
	MaxBytes int64
}

// Parser parses PDF files with a text layer.
type Parser struct {
	opt Options
}

var _ ingest.Parser = (*Parser)(nil)

// New returns a PDF parser.
func New(opt Options) *Parser {
	if opt.MaxBytes <= 0 {
		opt.MaxBytes = DefaultMaxBytes
	}
	return &Parser{opt: opt}
}

// Thresholds of text-layer detection.
const (
	// minCharsPerPage is the average number of letters and digits per
	// page below which a PDF counts as scanned; a page with fewer gets a
	// warning.
	minCharsPerPage = 16
	// maxBadShare is the share of undecodable characters above which the
	// text layer counts as unreadable.
	maxBadShare = 0.3
)

// Parse implements ingest.Parser. The document's Format is "pdf", Pages
// is the page count and every block has its 1-based Page.
func (p *Parser) Parse(ctx context.Context, name string, r io.Reader) (*ingest.Document, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("pdf: parse %s: %w", name, err)
	}
	src, err := p.read(r)
	if err != nil {
		return nil, err
	}
	head := readAt(src, 0, 16)
	if !bytes.HasPrefix(head, []byte("%PDF-")) {
		if src.Size() <= 1<<16 && len(bytes.TrimSpace(readAt(src, 0, int(src.Size())))) == 0 {
			return nil, errors.New("empty file / 文件为空")
		}
		return nil, fmt.Errorf("%w: not a PDF file, no %%PDF header / 不是 PDF 文件", ErrCorrupt)
	}
	ra, size := repair(src, head)
	rd, err := open(ra, size)
	if err != nil {
		return nil, err
	}
	pages, err := pageList(rd, int(min(maxTreeNodes, size/minNodeBytes+16)))
	if err != nil {
		return nil, err
	}
	if len(pages) == 0 {
		return nil, fmt.Errorf("%w: no pages / 没有页面", ErrCorrupt)
	}

	doc := &ingest.Document{Format: "pdf", Pages: len(pages)}
	lines := make([][]line, len(pages))
	boxes := make([][4]float64, len(pages))
	var good, bad, failed, chars int
	var firstErr error
	for i, pg := range pages {
		if chars > maxDocChars {
			doc.Warnings = append(doc.Warnings, fmt.Sprintf("text limit reached, pages %d-%d skipped / 文字量超出上限，第 %d-%d 页已跳过", i+1, len(pages), i+1, len(pages)))
			break
		}
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("pdf: parse %s: %w", name, err)
		}
		segs, err := readPage(ctx, pg)
		if err != nil {
			if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
				return nil, fmt.Errorf("pdf: parse %s: %w", name, err)
			}
			failed++
			if firstErr == nil {
				firstErr = fmt.Errorf("page %d: %w", i+1, err)
			}
			doc.Warnings = append(doc.Warnings, fmt.Sprintf("page %d: %v / 第 %d 页读取不完整", i+1, err, i+1))
		}
		lines[i] = buildLines(segs)
		boxes[i] = mediaBox(pg)
		for _, l := range lines[i] {
			chars += len(l.text)
		}
		n, b := countChars(lines[i])
		good += n
		bad += b
		if n < minCharsPerPage {
			doc.Warnings = append(doc.Warnings, fmt.Sprintf("page %d: no text layer, maybe a scanned page / 第 %d 页没有文字层，可能是扫描页", i+1, i+1))
		}
	}
	switch {
	case bad > 0 && float64(bad) > maxBadShare*float64(good+bad):
		return nil, ErrUndecodable
	case good < minCharsPerPage*len(pages) && failed > 0:
		// Little text, and pages that could not be read: the file is
		// damaged rather than scanned.
		return nil, fmt.Errorf("%w: %v", ErrCorrupt, firstErr)
	case good < minCharsPerPage*len(pages):
		return nil, ErrNoTextLayer
	}
	if bad > 0 {
		doc.Warnings = append(doc.Warnings, fmt.Sprintf("%d characters could not be decoded and were left out / %d 个字符无法解码，已略去", bad, bad))
	}

	dropFurniture(lines, boxes)
	first := true
	for i := range lines {
		blocks := pageBlocks(clean(lines[i]), i+1, first)
		if len(blocks) > 0 {
			first = false
		}
		doc.Blocks = append(doc.Blocks, blocks...)
		lines[i] = nil // done with the page
	}
	if len(doc.Blocks) == 0 {
		return nil, ErrNoTextLayer
	}
	if b := doc.Blocks[0]; b.Kind == ingest.Heading && b.Level == 1 {
		doc.Title = b.Text
	} else {
		doc.Title = infoTitle(rd)
	}
	return doc, nil
}

// read returns the file as a bytes.Reader, failing with ErrTooLarge past
// MaxBytes. A bytes.Reader that has not been read from is used as it is,
// so the pipeline's copy of the file is not copied again.
func (p *Parser) read(r io.Reader) (*bytes.Reader, error) {
	if br, ok := r.(*bytes.Reader); ok && int64(br.Len()) == br.Size() {
		if br.Size() > p.opt.MaxBytes {
			return nil, fmt.Errorf("%w: more than %d bytes / 超过 %d 字节", ErrTooLarge, p.opt.MaxBytes, p.opt.MaxBytes)
		}
		return br, nil
	}
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(io.LimitReader(r, p.opt.MaxBytes+1)); err != nil {
		return nil, fmt.Errorf("cannot read file / 无法读取文件: %w", err)
	}
	if int64(buf.Len()) > p.opt.MaxBytes {
		return nil, fmt.Errorf("%w: more than %d bytes / 超过 %d 字节", ErrTooLarge, p.opt.MaxBytes, p.opt.MaxBytes)
	}
	return bytes.NewReader(buf.Bytes()), nil
}

// readAt returns up to n bytes of r from off.
func readAt(r io.ReaderAt, off int64, n int) []byte {
	b := make([]byte, n)
	k, _ := r.ReadAt(b, off)
	return b[:k]
}

// tailBytes is how much of the end of a file is searched for %%EOF and
// /Encrypt.
const tailBytes = 8192

// repair works around two harmless deviations the pdf package rejects,
// without copying the file: a PDF 2.0 header (read as 1.7; the syntax Lore
// needs is the same) and bytes after the last %%EOF. It returns the file
// to read and its size.
func repair(src *bytes.Reader, head []byte) (io.ReaderAt, int64) {
	size := src.Size()
	tailStart := max(0, size-tailBytes)
	if i := bytes.LastIndex(readAt(src, tailStart, tailBytes), []byte("%%EOF")); i >= 0 {
		size = tailStart + int64(i) + int64(len("%%EOF"))
	}
	var ra io.ReaderAt = src
	if bytes.HasPrefix(head, []byte("%PDF-2.")) && len(head) > 8 {
		ra = patchedHeader{src, []byte("%PDF-1.7")}
	}
	return ra, size
}

// patchedHeader reads a file with its first bytes replaced.
type patchedHeader struct {
	io.ReaderAt
	head []byte
}

func (p patchedHeader) ReadAt(b []byte, off int64) (int, error) {
	n, err := p.ReaderAt.ReadAt(b, off)
	for i := int64(0); i < int64(n); i++ {
		if pos := off + i; pos < int64(len(p.head)) {
			b[i] = p.head[pos]
		} else {
			break
		}
	}
	return n, err
}

// open reads the cross-reference table and trailer.
func open(ra io.ReaderAt, size int64) (rd *pdf.Reader, err error) {
	defer func() {
		if r := recover(); r != nil {
			rd, err = nil, fmt.Errorf("%w: %v", ErrCorrupt, r)
		}
	}()
	rd, err = pdf.NewReader(ra, size)
	switch {
	case errors.Is(err, pdf.ErrInvalidPassword):
		return nil, ErrEncrypted
	case err != nil && bytes.Contains(readAt(ra, max(0, size-tailBytes), tailBytes), []byte("/Encrypt")):
		return nil, fmt.Errorf("%w: %v", ErrEncrypted, err)
	case err != nil:
		return nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	return rd, nil
}

// Limits of the page tree walk.
const (
	maxPages     = 100_000
	maxTreeDepth = 64
	maxTreeNodes = 2*maxPages + 1000
	// minNodeBytes is less than any page tree node takes in a file, so a
	// file of n bytes has fewer than n/minNodeBytes real nodes; a cycle in
	// the tree stops there.
	minNodeBytes = 16
	// maxDocChars bounds the text kept of one document; later pages are
	// skipped with a warning.
	maxDocChars = 64 << 20
)

// pageList returns the pages in order by walking the page tree once
// (pdf.Reader.Page walks it from the root for every page), visiting at
// most maxNodes nodes.
func pageList(rd *pdf.Reader, maxNodes int) (pages []pdf.Page, err error) {
	defer func() {
		if r := recover(); r != nil {
			pages, err = nil, fmt.Errorf("%w: page tree: %v / 页面目录无法读取", ErrCorrupt, r)
		}
	}()
	nodes := 0
	var walk func(v pdf.Value, depth int)
	walk = func(v pdf.Value, depth int) {
		nodes++
		if depth > maxTreeDepth || nodes > maxNodes || len(pages) >= maxPages {
			return
		}
		kids := v.Key("Kids")
		if v.Key("Type").Name() == "Pages" || kids.Kind() == pdf.Array {
			for i := 0; i < kids.Len(); i++ {
				walk(kids.Index(i), depth+1)
			}
			return
		}
		if v.Kind() == pdf.Dict {
			pages = append(pages, pdf.Page{V: v})
		}
	}
	walk(rd.Trailer().Key("Root").Key("Pages"), 0)
	return pages, nil
}

// mediaBox returns the page's MediaBox [x0 y0 x1 y1], or A4 when it is
// missing or malformed.
func mediaBox(pg pdf.Page) (box [4]float64) {
	a4 := [4]float64{0, 0, 595, 842}
	defer func() {
		if recover() != nil {
			box = a4
		}
	}()
	v := inherited(pg.V, "MediaBox")
	if v.Len() != 4 {
		return a4
	}
	for i := range box {
		box[i] = v.Index(i).Float64()
	}
	if box[0] > box[2] {
		box[0], box[2] = box[2], box[0]
	}
	if box[1] > box[3] {
		box[1], box[3] = box[3], box[1]
	}
	if box[3]-box[1] < 1 {
		return a4
	}
	return box
}

// maxParents bounds the walk up a page's Parent chain, which a malformed
// file may make circular.
const maxParents = 64

// inherited returns a page attribute that may be set on the page or on a
// node above it (Resources, MediaBox). pdf.Page.Resources does the same
// without a bound on the walk.
func inherited(page pdf.Value, key string) pdf.Value {
	v := page
	for range maxParents {
		if v.IsNull() {
			break
		}
		if r := v.Key(key); !r.IsNull() {
			return r
		}
		v = v.Key("Parent")
	}
	return pdf.Value{}
}

// countChars counts the letters and digits of a page's lines, and the
// characters that could not be decoded (replacement characters, private
// use and control characters).
func countChars(lines []line) (good, bad int) {
	for _, l := range lines {
		for _, r := range l.text {
			switch {
			case undecodable(r):
				bad++
			case unicode.IsLetter(r) || unicode.IsNumber(r):
				good++
			}
		}
	}
	return good, bad
}

func undecodable(r rune) bool {
	return r == unicode.ReplacementChar || unicode.Is(unicode.Co, r) || unicode.IsControl(r) && !unicode.IsSpace(r)
}

// clean removes undecodable characters from the lines and drops lines
// left empty.
func clean(lines []line) []line {
	out := lines[:0]
	for _, l := range lines {
		if strings.IndexFunc(l.text, undecodable) >= 0 {
			l.text = strings.TrimSpace(strings.Map(func(r rune) rune {
				if undecodable(r) {
					return -1
				}
				return r
			}, l.text))
		}
		if l.text != "" {
			out = append(out, l)
		}
	}
	return out
}

// infoTitle returns the document information Title, unless it is empty or
// looks like a file name ("Microsoft Word - 制度.docx").
func infoTitle(rd *pdf.Reader) (title string) {
	defer func() {
		if recover() != nil {
			title = ""
		}
	}()
	t := strings.TrimSpace(rd.Trailer().Key("Info").Key("Title").Text())
	low := strings.ToLower(t)
	for _, ext := range []string{".doc", ".docx", ".wps", ".pdf", ".txt", ".xls", ".xlsx", ".ppt", ".pptx"} {
		if strings.HasSuffix(low, ext) {
			return ""
		}
	}
	if strings.HasPrefix(low, "microsoft word") || strings.ToLower(t) == "untitled" {
		return ""
	}
	return t
}
