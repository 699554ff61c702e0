package ooxml

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
)

// ErrZipBomb refuses an archive that declares too many entries or too many
// unpacked bytes.
var ErrZipBomb = errors.New("archive unpacks too large or has too many entries (possible zip bomb) / 压缩包解压后过大或文件数过多（疑似压缩炸弹）")

// Errors are a format's own errors for what Open refuses, so messages name
// the format the user expected.
type Errors struct {
	NotZip  error // not a zip at all
	Legacy  error // an OLE compound file: the legacy format, or an encrypted package
	Corrupt error // a zip that cannot be read
}

// Limits bound what an archive may declare. Zero values take a format's
// defaults (WithDefaults).
type Limits struct {
	// MaxUnpackedBytes caps the sum of the uncompressed sizes the archive
	// declares for all its entries.
	MaxUnpackedBytes int64
	// MaxEntries caps the number of entries in the archive; <= 0 means
	// DefaultMaxEntries.
	MaxEntries int
}

// DefaultMaxEntries is the entry limit when Limits leave it unset.
const DefaultMaxEntries = 10000

// WithDefaults returns lim with unset (<= 0) fields filled: maxUnpacked,
// the format's own byte limit, and DefaultMaxEntries.
func (lim Limits) WithDefaults(maxUnpacked int64) Limits {
	if lim.MaxUnpackedBytes <= 0 {
		lim.MaxUnpackedBytes = maxUnpacked
	}
	if lim.MaxEntries <= 0 {
		lim.MaxEntries = DefaultMaxEntries
	}
	return lim
}

var (
	zipMagic = []byte("PK\x03\x04")
	// emptyZipMagic starts an archive with no entries: an end of central
	// directory record alone.
	emptyZipMagic = []byte("PK\x05\x06")
	// oleMagic starts a compound file: a .doc or .xls, or an encrypted
	// .docx or .xlsx.
	oleMagic = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}
)

// Open checks b's signature and the archive's declared sizes against lim,
// and returns the archive's reader.
func Open(b []byte, lim Limits, errs Errors) (*zip.Reader, error) {
	switch {
	case bytes.HasPrefix(b, oleMagic):
		return nil, errs.Legacy
	case !bytes.HasPrefix(b, zipMagic) && !bytes.HasPrefix(b, emptyZipMagic):
		return nil, errs.NotZip
	}
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errs.Corrupt, err)
	}
	if len(zr.File) > lim.MaxEntries {
		return nil, fmt.Errorf("%w: %d entries, limit %d", ErrZipBomb, len(zr.File), lim.MaxEntries)
	}
	var total uint64
	for _, f := range zr.File {
		total += f.UncompressedSize64
		if total > uint64(lim.MaxUnpackedBytes) || total < f.UncompressedSize64 {
			return nil, fmt.Errorf("%w: more than %d bytes unpacked", ErrZipBomb, lim.MaxUnpackedBytes)
		}
	}
	return zr, nil
}
