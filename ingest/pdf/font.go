package pdf

import (
	"strings"

	"github.com/ledongthuc/pdf"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// font is what the text extractor needs of a PDF font: how to split a
// string into codes, the text of each code, and each code's width.
type font struct {
	composite bool             // Type0: codes of one to four bytes
	cmap      *toUnicode       // the ToUnicode CMap; nil when absent
	dict      pdf.Value        // the font dictionary
	simple    pdf.TextEncoding // a simple font's byte encoding; see byteEncoding
	legacy    string           // a predefined CJK encoding of a composite font: "utf16", "gb" or ""

	first   int       // simple fonts: code of widths[0]
	widths  []float64 // simple fonts, in glyph units
	cidW    map[int]float64
	dw      float64 // composite fonts: default width, glyph units
	missing float64 // width of a code with no width entry
	scale   float64 // glyph units to text space units
}

// loadFont reads the font dictionary fv.
func loadFont(fv pdf.Value) *font {
	f := &font{dict: fv, scale: 0.001, dw: 1000, missing: 500}
	if tu := fv.Key("ToUnicode"); tu.Kind() == pdf.Stream {
		f.cmap = parseToUnicode(tu, fv)
	}
	switch fv.Key("Subtype").Name() {
	case "Type0":
		f.composite = true
		enc := fv.Key("Encoding").Name()
		switch {
		case strings.HasPrefix(enc, "Uni") && (strings.Contains(enc, "UCS2") || strings.Contains(enc, "UTF16")):
			f.legacy = "utf16"
		case strings.HasPrefix(enc, "GB"):
			f.legacy = "gb"
		}
		desc := fv.Key("DescendantFonts").Index(0)
		if dw := desc.Key("DW"); dw.Kind() == pdf.Integer || dw.Kind() == pdf.Real {
			f.dw = dw.Float64()
		}
		f.cidW = cidWidths(desc.Key("W"))
		f.missing = f.dw
	default:
		if fv.Key("Subtype").Name() == "Type3" {
			if m := fv.Key("FontMatrix"); m.Len() == 6 && m.Index(0).Float64() > 0 {
				f.scale = m.Index(0).Float64()
			}
		}
		f.first = int(fv.Key("FirstChar").Int64())
		w := fv.Key("Widths")
		n := min(w.Len(), 256)
		f.widths = make([]float64, n)
		sum, cnt := 0.0, 0
		for i := range n {
			f.widths[i] = w.Index(i).Float64()
			if f.widths[i] > 0 {
				sum += f.widths[i]
				cnt++
			}
		}
		if cnt > 0 {
			f.missing = sum / float64(cnt)
		}
	}
	return f
}

// cidWidths reads a CIDFont W array: [c [w1 w2 …]] and [cfirst clast w]
// entries. At most 1<<16 widths are read.
func cidWidths(w pdf.Value) map[int]float64 {
	out := map[int]float64{}
	for i := 0; i < w.Len() && len(out) < 1<<16; {
		c := int(w.Index(i).Int64())
		next := w.Index(i + 1)
		if next.Kind() == pdf.Array {
			for j := 0; j < next.Len() && len(out) < 1<<16; j++ {
				out[c+j] = next.Index(j).Float64()
			}
			i += 2
			continue
		}
		last := int(next.Int64())
		width := w.Index(i + 2).Float64()
		for cid := c; cid <= last && cid-c < 1<<16 && len(out) < 1<<16; cid++ {
			out[cid] = width
		}
		i += 3
	}
	return out
}

// decode returns the text of raw, its width in glyph units scaled to text
// space (before the font size), the number of codes, and the number of
// single-byte space codes (to which word spacing applies).
func (f *font) decode(raw string) (text string, width float64, codes, spaces int) {
	if !f.composite && f.cmap == nil {
		for i := 0; i < len(raw); i++ {
			width += f.width(int(raw[i]))
			if raw[i] == ' ' {
				spaces++
			}
		}
		return f.byteEncoding().Decode(raw), width * f.scale, len(raw), spaces
	}
	var b strings.Builder
	for len(raw) > 0 {
		n := f.codeLen(raw)
		code := raw[:n]
		raw = raw[n:]
		codes++
		if n == 1 && code[0] == ' ' {
			spaces++
		}
		if f.composite {
			width += f.cidWidth(codeValue(code))
		} else {
			width += f.width(int(code[0]))
		}
		if f.cmap != nil {
			if s, ok := f.cmap.lookup(code); ok {
				b.WriteString(s)
				continue
			}
		}
		b.WriteString(f.fallback(code))
	}
	return b.String(), width * f.scale, codes, spaces
}

// codeLen returns the byte length of the code at the start of raw.
func (f *font) codeLen(raw string) int {
	if !f.composite {
		return 1
	}
	if f.cmap != nil && len(f.cmap.spaces) > 0 {
		if n := f.cmap.codeLen(raw); n > 0 {
			return n
		}
		return 1
	}
	if f.legacy == "gb" && raw[0] < 0x80 {
		return 1
	}
	return min(2, len(raw))
}

// fallback decodes a code the ToUnicode CMap does not map.
func (f *font) fallback(code string) string {
	switch {
	case !f.composite:
		return f.byteEncoding().Decode(code)
	case f.legacy == "utf16":
		return utf16BE(code)
	case f.legacy == "gb":
		if s, err := simplifiedchinese.GB18030.NewDecoder().String(code); err == nil {
			return s
		}
	}
	return "\uFFFD"
}

// byteEncoding returns the simple font's encoding (WinAnsi, MacRoman,
// Differences …) as the pdf package reads it, made on first use because
// the pdf package parses the ToUnicode CMap again when there is one.
func (f *font) byteEncoding() pdf.TextEncoding {
	if f.simple == nil {
		pf := &pdf.Font{V: f.dict}
		f.simple = pf.Encoder()
	}
	return f.simple
}

func (f *font) width(c int) float64 {
	if i := c - f.first; i >= 0 && i < len(f.widths) && f.widths[i] > 0 {
		return f.widths[i]
	}
	return f.missing
}

func (f *font) cidWidth(cid int) float64 {
	if w, ok := f.cidW[cid]; ok {
		return w
	}
	return f.dw
}
