package html

import (
	"bytes"
	"fmt"
	"regexp"
	"unicode/utf8"

	"golang.org/x/net/html/charset"

	"github.com/lorehq/lore/ingest/text"
)

// metaCharsetRe finds a charset declaration in a meta element, either
// <meta charset="gbk"> or content="text/html; charset=gb2312".
var metaCharsetRe = regexp.MustCompile(`(?is)<meta\b[^>]*?charset\s*=\s*["']?\s*([a-z0-9_:.\-]+)`)

// prescanBytes is how far into a page a charset declaration is looked for.
const prescanBytes = 4096

// decode returns the page as UTF-8 and a warning, if any, about its
// declared character set. Empty and binary input fail as in text.Decode.
func decode(b []byte) (string, string, error) {
	if hasBOM(b) {
		s, _, err := text.Decode(b)
		return s, "", err
	}
	head := b
	if len(head) > prescanBytes {
		head = head[:prescanBytes]
	}
	m := metaCharsetRe.FindSubmatch(head)
	if m == nil {
		s, _, err := text.Decode(b)
		return s, "", err
	}
	label := string(m[1])
	enc, name := charset.Lookup(label)
	switch {
	case enc == nil:
		s, used, err := text.Decode(b)
		return s, fmt.Sprintf("unknown charset %q, read as %s / 未知字符集 %q，已按 %s 读取", label, used, label, used), err
	case name == "utf-8":
		s, used, err := text.Decode(b)
		if err == nil && used != text.UTF8 {
			return s, fmt.Sprintf("declared UTF-8 but is not, read as %s / 声明为 UTF-8 但实际不是，已按 %s 读取", used, used), nil
		}
		return s, "", err
	case name == "gbk" || name == "gb18030":
		// GB18030 decodes everything GBK and GB2312 do, and more.
		s, _, err := text.Decode(b)
		return s, "", err
	}
	if bytes.IndexByte(b, 0) >= 0 {
		return "", "", text.ErrBinary
	}
	out, err := enc.NewDecoder().Bytes(b)
	if err != nil {
		return "", "", fmt.Errorf("cannot decode as %s / 无法按 %s 解码: %w", name, name, err)
	}
	if !utf8.Valid(out) {
		out = bytes.ToValidUTF8(out, []byte("\uFFFD"))
	}
	if len(bytes.TrimSpace(out)) == 0 {
		return "", "", text.ErrEmpty
	}
	return string(out), "", nil
}

func hasBOM(b []byte) bool {
	return bytes.HasPrefix(b, []byte{0xEF, 0xBB, 0xBF}) || bytes.HasPrefix(b, []byte{0xFF, 0xFE}) || bytes.HasPrefix(b, []byte{0xFE, 0xFF})
}
