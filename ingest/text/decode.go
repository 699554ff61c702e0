package text

import (
	"bytes"
	"errors"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/simplifiedchinese"
	unicodeenc "golang.org/x/text/encoding/unicode"
)

// Errors of Decode, shared by the parsers built on it.
var (
	ErrEmpty  = errors.New("empty file / 文件为空")
	ErrBinary = errors.New("binary or unknown encoding / 二进制文件或无法识别的编码")
)

// Encoding names returned by Decode.
const (
	UTF8    = "utf-8"
	UTF16LE = "utf-16le"
	UTF16BE = "utf-16be"
	GB18030 = "gb18030"
)

// maxBadShare is the share of control and replacement characters above
// which decoded text is taken for binary data.
const maxBadShare = 0.1

// Decode returns b as UTF-8 text without a byte order mark, and the name of
// the encoding it was read in (UTF8, UTF16LE, UTF16BE or GB18030). It fails
// with ErrEmpty when the text is empty or only white space, and ErrBinary
// when b holds NUL bytes without a UTF-16 byte order mark or decodes to
// mostly control or replacement characters.
func Decode(b []byte) (text string, enc string, err error) {
	switch {
	case bytes.HasPrefix(b, []byte{0xEF, 0xBB, 0xBF}):
		text, enc = string(b[3:]), UTF8
		if !utf8.ValidString(text) {
			text = strings.ToValidUTF8(text, "\uFFFD")
		}
	case bytes.HasPrefix(b, []byte{0xFF, 0xFE}):
		text, enc = decodeWith(unicodeenc.UTF16(unicodeenc.LittleEndian, unicodeenc.IgnoreBOM), b[2:]), UTF16LE
	case bytes.HasPrefix(b, []byte{0xFE, 0xFF}):
		text, enc = decodeWith(unicodeenc.UTF16(unicodeenc.BigEndian, unicodeenc.IgnoreBOM), b[2:]), UTF16BE
	case bytes.IndexByte(b, 0) >= 0:
		return "", "", ErrBinary
	case utf8.Valid(b):
		text, enc = string(b), UTF8
	default:
		text, enc = decodeWith(simplifiedchinese.GB18030, b), GB18030
	}
	if strings.TrimFunc(text, isBlank) == "" {
		return "", enc, ErrEmpty
	}
	if mostlyBad(text) {
		return "", enc, ErrBinary
	}
	return text, enc, nil
}

// decodeWith decodes b, replacing what does not decode with U+FFFD.
func decodeWith(e encoding.Encoding, b []byte) string {
	out, err := e.NewDecoder().Bytes(b)
	if err != nil {
		// x/text decoders replace invalid input themselves; an error here
		// means a transformer failure, so fall back to a lossy copy.
		return strings.ToValidUTF8(string(b), "\uFFFD")
	}
	return string(out)
}

// isBlank reports white space, including the ideographic space and the
// byte order mark, which some editors leave in the middle of files.
func isBlank(r rune) bool { return unicode.IsSpace(r) || r == '\uFEFF' }

// mostlyBad reports whether more than maxBadShare of the runes of s are
// replacement characters or control characters other than white space.
func mostlyBad(s string) bool {
	var n, bad int
	for _, r := range s {
		n++
		if r == utf8.RuneError || (unicode.IsControl(r) && !unicode.IsSpace(r)) {
			bad++
		}
	}
	return n > 0 && float64(bad) > maxBadShare*float64(n)
}
