package docx

import (
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"strings"

	"github.com/lorehq/lore/ingest"
	"github.com/lorehq/lore/ingest/ooxml"
	"github.com/lorehq/lore/ingest/text"
)

// Options limit what a document may unpack to: MaxUnpackedBytes (<= 0
// means DefaultMaxUnpackedBytes) and MaxEntries (<= 0 means
// ooxml.DefaultMaxEntries).
type Options = ooxml.Limits

// DefaultMaxUnpackedBytes is the byte limit when Options leave it unset.
const DefaultMaxUnpackedBytes = 512 << 20

// Parser parses DOCX files.
type Parser struct {
	opt Options
}

var _ ingest.Parser = (*Parser)(nil)

// New returns a DOCX parser with the given limits.
func New(opt Options) *Parser {
	return &Parser{opt: opt.WithDefaults(DefaultMaxUnpackedBytes)}
}

const (
	relOfficeDocument = "/officeDocument"
	relStyles         = "/styles"
	defaultDocument   = "word/document.xml"
)

// Parse implements ingest.Parser. The document's Format is "docx".
func (p *Parser) Parse(ctx context.Context, name string, r io.Reader) (*ingest.Document, error) {
	b, err := text.ReadAll(ctx, "docx", name, r)
	if err != nil {
		return nil, err
	}
	if len(b) == 0 {
		return nil, text.ErrEmpty
	}
	a, err := openArchive(b, p.opt)
	if err != nil {
		return nil, err
	}
	doc := &ingest.Document{Format: "docx"}

	main := findRel(a, "", relOfficeDocument)
	if main == "" || !a.has(main) {
		main = defaultDocument
	}
	body, err := a.read(main)
	if err != nil {
		return nil, err
	}
	if body == nil {
		return nil, fmt.Errorf("%w: no %s / 缺少 %s", ErrNotDOCX, defaultDocument, defaultDocument)
	}
	stylesPart := findRel(a, main, relStyles)
	if stylesPart == "" {
		stylesPart = resolve(main, "styles.xml")
	}
	st := styles{}
	if sb, err := a.read(stylesPart); err != nil {
		return nil, err
	} else if sb != nil {
		if st, err = parseStyles(sb); err != nil {
			doc.Warnings = append(doc.Warnings, fmt.Sprintf("%s unreadable, heading styles not resolved / 样式表无法读取: %v", stylesPart, err))
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("docx: parse %s: %w", name, err)
	}
	doc.Blocks, err = walkBody(ctx, body, st)
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("docx: parse %s: %w", name, ctx.Err())
		}
		return nil, err
	}
	if len(doc.Blocks) == 0 {
		return nil, ErrNoText
	}
	core, err := a.read(findCore(a))
	if err != nil {
		return nil, err
	}
	doc.Title = coreTitle(core)
	if doc.Title == "" {
		for _, bl := range doc.Blocks {
			if bl.Kind == ingest.Heading {
				doc.Title = bl.Text
				break
			}
		}
	}
	return doc, nil
}

// relationships is a .rels part.
type relationships struct {
	Rels []struct {
		Type   string `xml:"Type,attr"`
		Target string `xml:"Target,attr"`
		Mode   string `xml:"TargetMode,attr"`
	} `xml:"Relationship"`
}

// findRel returns the part that the first relationship of part from whose
// type ends with typ points to, or "" when there is none.
func findRel(a *archive, from, typ string) string {
	relsName := "_rels/.rels"
	if from != "" {
		dir, file := "", from
		if i := strings.LastIndexByte(from, '/'); i >= 0 {
			dir, file = from[:i+1], from[i+1:]
		}
		relsName = dir + "_rels/" + file + ".rels"
	}
	b, err := a.read(relsName)
	if err != nil || b == nil {
		return ""
	}
	var rels relationships
	if xml.Unmarshal(b, &rels) != nil {
		return ""
	}
	for _, r := range rels.Rels {
		if strings.HasSuffix(r.Type, typ) && !strings.EqualFold(r.Mode, "External") {
			return resolve(from, r.Target)
		}
	}
	return ""
}

// findCore returns the name of the core properties part.
func findCore(a *archive) string {
	if p := findRel(a, "", "/core-properties"); p != "" {
		return p
	}
	return "docProps/core.xml"
}

// coreTitle returns dc:title of a core properties part, "" when absent.
func coreTitle(b []byte) string {
	if b == nil {
		return ""
	}
	var core struct {
		Title string `xml:"title"`
	}
	if xml.Unmarshal(b, &core) != nil {
		return ""
	}
	return strings.Join(strings.Fields(core.Title), " ")
}
