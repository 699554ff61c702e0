package pdf

import (
	"strings"
	"unicode/utf16"

	"github.com/ledongthuc/pdf"
)

// toUnicode is a font's ToUnicode CMap: the code space (which byte lengths
// codes have) and the text of each code.
type toUnicode struct {
	spaces []codeRange
	chars  map[string]string
	ranges []bfRange
}

type codeRange struct{ lo, hi string }

// bfRange maps codes lo…hi to text: either dst with its last UTF-16 unit
// advanced by the code's offset from lo, or one entry of list per code.
type bfRange struct {
	lo, hi string
	dst    string
	list   []string
}

// parseToUnicode reads a ToUnicode CMap stream. It returns nil when the
// stream has no mappings; a malformed stream panics inside pdf.Interpret,
// which the page reader recovers from.
//
// A CMap starts with "/CIDInit /ProcSet findresource begin", and begin
// needs a dictionary on the stack; scratch, a dictionary value of the
// font, stands in for the ProcSet. The CMap's own definitions (CMapName,
// CMapType) are then stored in it and never read.
func parseToUnicode(strm, scratch pdf.Value) *toUnicode {
	m := &toUnicode{chars: map[string]string{}}
	n := 0
	pdf.Interpret(strm, func(stk *pdf.Stack, op string) {
		switch op {
		case "findresource":
			stk.Pop()
			stk.Pop()
			stk.Push(scratch)
		case "begincodespacerange", "beginbfchar", "beginbfrange":
			n = int(stk.Pop().Int64())
		case "endcodespacerange":
			for range min(n, stk.Len()/2) {
				hi, lo := stk.Pop().RawString(), stk.Pop().RawString()
				if len(lo) > 0 && len(lo) <= 4 && len(lo) == len(hi) {
					m.spaces = append(m.spaces, codeRange{lo, hi})
				}
			}
		case "endbfchar":
			for range min(n, stk.Len()/2) {
				dst, src := stk.Pop(), stk.Pop().RawString()
				m.chars[src] = utf16BE(dst.RawString())
			}
		case "endbfrange":
			for range min(n, stk.Len()/3) {
				dst, hi, lo := stk.Pop(), stk.Pop().RawString(), stk.Pop().RawString()
				if len(lo) == 0 || len(lo) != len(hi) || lo > hi {
					continue
				}
				r := bfRange{lo: lo, hi: hi}
				if dst.Kind() == pdf.Array {
					for i := 0; i < dst.Len() && i < 1<<16; i++ {
						r.list = append(r.list, utf16BE(dst.Index(i).RawString()))
					}
				} else {
					r.dst = dst.RawString()
				}
				m.ranges = append(m.ranges, r)
			}
		default:
			// Other operators (begincmap, def, findresource …) leave
			// operands on the stack that do not matter here.
			for stk.Len() > 0 {
				stk.Pop()
			}
		}
	})
	if len(m.chars) == 0 && len(m.ranges) == 0 {
		return nil
	}
	return m
}

// codeLen returns the length of the code at the start of raw according to
// the code space, or 0 when the code space says nothing.
func (m *toUnicode) codeLen(raw string) int {
	for n := 1; n <= 4 && n <= len(raw); n++ {
		for _, r := range m.spaces {
			if len(r.lo) == n && r.lo <= raw[:n] && raw[:n] <= r.hi {
				return n
			}
		}
	}
	return 0
}

// lookup returns the text of one code and whether the CMap maps it.
func (m *toUnicode) lookup(code string) (string, bool) {
	if s, ok := m.chars[code]; ok {
		return s, true
	}
	for _, r := range m.ranges {
		if len(r.lo) != len(code) || code < r.lo || code > r.hi {
			continue
		}
		off := codeValue(code) - codeValue(r.lo)
		if r.list != nil {
			if off < len(r.list) {
				return r.list[off], true
			}
			return "", false
		}
		if len(r.dst) < 2 {
			return "", false
		}
		b := []byte(r.dst)
		last := int(b[len(b)-2])<<8 | int(b[len(b)-1])
		last += off
		b[len(b)-2], b[len(b)-1] = byte(last>>8), byte(last)
		return utf16BE(string(b)), true
	}
	return "", false
}

func codeValue(s string) int {
	v := 0
	for i := 0; i < len(s); i++ {
		v = v<<8 | int(s[i])
	}
	return v
}

// utf16BE decodes big-endian UTF-16; an odd trailing byte is dropped.
func utf16BE(s string) string {
	u := make([]uint16, 0, len(s)/2)
	for i := 0; i+1 < len(s); i += 2 {
		u = append(u, uint16(s[i])<<8|uint16(s[i+1]))
	}
	if len(u) == 1 && u[0] < 0x80 {
		return string(rune(u[0]))
	}
	var b strings.Builder
	for _, r := range utf16.Decode(u) {
		b.WriteRune(r)
	}
	return b.String()
}
