package docx

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/lorehq/lore/ingest/ooxml"
)

// Errors of Parse that callers may want to tell apart. The messages are
// shown to users as quarantine reasons.
var (
	ErrNotDOCX   = errors.New("not a DOCX (zip) file / 不是有效的 DOCX 文件")
	ErrLegacy    = errors.New("legacy Word .doc or encrypted document, save it as .docx without a password / 旧版 Word (.doc) 或已加密的文档，请另存为无密码的 .docx")
	ErrCorrupt   = errors.New("corrupt or truncated DOCX file / DOCX 文件已损坏或不完整")
	ErrZipBomb   = ooxml.ErrZipBomb
	ErrNoText    = errors.New("no text content / 没有文字内容")
	ErrMalformed = errors.New("malformed document XML / 文档 XML 格式错误")
)

// archive is an opened zip whose declared sizes passed the limits. Part
// names are looked up without regard to case, as OPC requires.
type archive struct {
	parts   map[string]*zip.File
	maxPart int64
}

// openArchive checks b's signature and the archive's declared sizes before
// anything is decompressed.
func openArchive(b []byte, opt Options) (*archive, error) {
	zr, err := ooxml.Open(b, opt,
		ooxml.Errors{NotZip: ErrNotDOCX, Legacy: ErrLegacy, Corrupt: ErrCorrupt})
	if err != nil {
		return nil, err
	}
	a := &archive{parts: make(map[string]*zip.File, len(zr.File)), maxPart: opt.MaxUnpackedBytes}
	for _, f := range zr.File {
		name := strings.ToLower(strings.TrimPrefix(strings.ReplaceAll(f.Name, `\`, "/"), "/"))
		if _, dup := a.parts[name]; !dup {
			a.parts[name] = f
		}
	}
	return a, nil
}

// has reports whether the archive holds the part called name.
func (a *archive) has(name string) bool {
	_, ok := a.parts[strings.ToLower(name)]
	return ok
}

// read returns the content of the part called name, or nil and no error
// when there is no such part. archive/zip fails an entry that inflates past
// its declared size, and the declared sizes passed openArchive, so a part
// cannot grow beyond the limit; the LimitReader is a second fence.
func (a *archive) read(name string) ([]byte, error) {
	f, ok := a.parts[strings.ToLower(name)]
	if !ok {
		return nil, nil
	}
	rc, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrCorrupt, name, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, a.maxPart+1))
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrCorrupt, name, err)
	}
	if int64(len(b)) > a.maxPart {
		return nil, fmt.Errorf("%w: %s", ErrZipBomb, name)
	}
	return b, nil
}

// resolve returns the part name that target, a relationship target, points
// to from the part called from ("" for the package root).
func resolve(from, target string) string {
	if strings.HasPrefix(target, "/") {
		return strings.TrimPrefix(target, "/")
	}
	return strings.TrimPrefix(path.Join(path.Dir(from), target), "/")
}
