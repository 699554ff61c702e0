package pdf

import (
	"context"
	"errors"
	"fmt"
	"math"

	"github.com/ledongthuc/pdf"
)

// segment is a run of text drawn by one text-showing operator (or one
// string of a TJ array), in device space.
type segment struct {
	x, y float64 // start of the baseline
	endX float64 // x after the last glyph's advance
	size float64 // font size after scaling
	text string
}

// matrix is a PDF transformation matrix [a b c d e f].
type matrix [6]float64

var identity = matrix{1, 0, 0, 1, 0, 0}

// mul returns m × n: transform by m, then by n.
func (m matrix) mul(n matrix) matrix {
	return matrix{
		m[0]*n[0] + m[1]*n[2], m[0]*n[1] + m[1]*n[3],
		m[2]*n[0] + m[3]*n[2], m[2]*n[1] + m[3]*n[3],
		m[4]*n[0] + m[5]*n[2] + n[4], m[4]*n[1] + m[5]*n[3] + n[5],
	}
}

func translate(tx, ty float64) matrix { return matrix{1, 0, 0, 1, tx, ty} }

// gstate is the part of the graphics state text extraction needs.
type gstate struct {
	ctm                  matrix
	font                 *font
	size                 float64 // Tfs
	tc, tw, th, tl, rise float64
}

// Limits on the work one page may cause, so that a hostile file (a
// compression bomb, self-referencing forms) ends in a warning, not a hang.
const (
	maxOpsPerPage      = 4_000_000
	maxSegmentsPerPage = 500_000
	maxFormDepth       = 8
	ctxCheckEvery      = 1 << 14
)

// errPageTooBig stops a page's interpretation at the limits above.
var errPageTooBig = errors.New("page content too large, rest of page skipped / 页面内容过多，其余部分已跳过")

// pageReader interprets the content streams of one page.
type pageReader struct {
	ctx      context.Context
	segs     []segment
	ops      int
	forms    int
	fonts    map[fontKey]*font
	tm, tlm  matrix
	g        gstate
	stack    []gstate
	resStack []pdf.Value
}

// fontKey identifies a font by the resource dictionary it was found in
// (its position in the form nesting) and its name.
type fontKey struct {
	depth int
	name  string
}

// readPage returns the text segments of page in content-stream order.
// A panic of the pdf package on malformed content is recovered: the
// segments read so far are returned with the error.
func readPage(ctx context.Context, page pdf.Page) (segs []segment, err error) {
	pr := &pageReader{ctx: ctx, fonts: map[fontKey]*font{}}
	defer func() {
		if r := recover(); r != nil {
			segs = pr.segs
			if e, ok := r.(error); ok && (errors.Is(e, errPageTooBig) || errors.Is(e, context.Canceled) || errors.Is(e, context.DeadlineExceeded)) {
				err = e
				return
			}
			err = fmt.Errorf("%v", r)
		}
	}()
	if page.V.IsNull() {
		return nil, nil
	}
	contents := page.V.Key("Contents")
	if contents.Kind() == pdf.Null {
		return nil, nil
	}
	pr.g = gstate{ctm: identity, th: 1}
	pr.run(contents, inherited(page.V, "Resources"), 0)
	return pr.segs, nil
}

// run interprets one content stream (or array of streams) with its
// resources; depth counts nested form XObjects.
func (pr *pageReader) run(strm, res pdf.Value, depth int) {
	pr.resStack = append(pr.resStack, res)
	defer func() { pr.resStack = pr.resStack[:len(pr.resStack)-1] }()
	pdf.Interpret(strm, func(stk *pdf.Stack, op string) {
		args := make([]pdf.Value, stk.Len())
		for i := len(args) - 1; i >= 0; i-- {
			args[i] = stk.Pop()
		}
		pr.ops++
		if pr.ops > maxOpsPerPage || len(pr.segs) > maxSegmentsPerPage {
			panic(errPageTooBig)
		}
		if pr.ops%ctxCheckEvery == 0 {
			if err := pr.ctx.Err(); err != nil {
				panic(err)
			}
		}
		pr.op(op, args, res, depth)
	})
}

// operands returns the n operands right before an operator, or nil when
// there are fewer. Malformed streams leave stray operands on the stack;
// the ones that belong to the operator are the last.
func operands(args []pdf.Value, n int) []pdf.Value {
	if len(args) < n {
		return nil
	}
	return args[len(args)-n:]
}

func matrixOf(args []pdf.Value) matrix {
	var m matrix
	for i := range m {
		m[i] = args[i].Float64()
	}
	return m
}

// op executes one content stream operator.
func (pr *pageReader) op(op string, args []pdf.Value, res pdf.Value, depth int) {
	g := &pr.g
	one := operands(args, 1)
	two := operands(args, 2)
	switch op {
	case "q":
		if len(pr.stack) < 1024 {
			pr.stack = append(pr.stack, *g)
		}
	case "Q":
		if n := len(pr.stack); n > 0 {
			*g = pr.stack[n-1]
			pr.stack = pr.stack[:n-1]
		}
	case "cm":
		if a := operands(args, 6); a != nil {
			g.ctm = matrixOf(a).mul(g.ctm)
		}
	case "BT":
		pr.tm, pr.tlm = identity, identity
	case "Tf":
		if two != nil {
			g.font = pr.font(res, depth, two[0].Name())
			g.size = two[1].Float64()
		}
	case "Tc":
		if one != nil {
			g.tc = one[0].Float64()
		}
	case "Tw":
		if one != nil {
			g.tw = one[0].Float64()
		}
	case "Tz":
		if one != nil && one[0].Float64() > 0 {
			g.th = one[0].Float64() / 100
		}
	case "TL":
		if one != nil {
			g.tl = one[0].Float64()
		}
	case "Ts":
		if one != nil {
			g.rise = one[0].Float64()
		}
	case "Td":
		if two != nil {
			pr.moveLine(two[0].Float64(), two[1].Float64())
		}
	case "TD":
		if two != nil {
			g.tl = -two[1].Float64()
			pr.moveLine(two[0].Float64(), two[1].Float64())
		}
	case "Tm":
		if a := operands(args, 6); a != nil {
			pr.tm = matrixOf(a)
			pr.tlm = pr.tm
		}
	case "T*":
		pr.moveLine(0, -g.tl)
	case "Tj":
		if one != nil {
			pr.show(one[0].RawString())
		}
	case "'":
		if one != nil {
			pr.moveLine(0, -g.tl)
			pr.show(one[0].RawString())
		}
	case "\"":
		if a := operands(args, 3); a != nil {
			g.tw, g.tc = a[0].Float64(), a[1].Float64()
			pr.moveLine(0, -g.tl)
			pr.show(a[2].RawString())
		}
	case "TJ":
		if one == nil {
			return
		}
		a := one[0]
		for i := 0; i < a.Len(); i++ {
			v := a.Index(i)
			if v.Kind() == pdf.String {
				pr.show(v.RawString())
				continue
			}
			tx := -v.Float64() / 1000 * g.size * g.th
			pr.tm = translate(tx, 0).mul(pr.tm)
		}
	case "Do":
		if one != nil {
			pr.form(res, one[0].Name(), depth)
		}
	}
}

func (pr *pageReader) moveLine(tx, ty float64) {
	pr.tlm = translate(tx, ty).mul(pr.tlm)
	pr.tm = pr.tlm
}

// font returns the named font of the resources, loading it on first use.
func (pr *pageReader) font(res pdf.Value, depth int, name string) *font {
	k := fontKey{depth, name}
	if f, ok := pr.fonts[k]; ok {
		return f
	}
	fv := res.Key("Font").Key(name)
	var f *font
	if fv.Kind() == pdf.Dict {
		f = loadFont(fv)
	}
	pr.fonts[k] = f
	return f
}

// form runs a form XObject: its content with its own resources (or the
// current ones), under its matrix.
func (pr *pageReader) form(res pdf.Value, name string, depth int) {
	xo := res.Key("XObject").Key(name)
	if xo.Kind() != pdf.Stream || xo.Key("Subtype").Name() != "Form" || depth >= maxFormDepth {
		return
	}
	pr.forms++
	if pr.forms > 10_000 {
		panic(errPageTooBig)
	}
	saved := pr.g
	savedStack := len(pr.stack)
	if m := xo.Key("Matrix"); m.Len() == 6 {
		var fm matrix
		for i := range fm {
			fm[i] = m.Index(i).Float64()
		}
		pr.g.ctm = fm.mul(pr.g.ctm)
	}
	formRes := xo.Key("Resources")
	if formRes.Kind() != pdf.Dict {
		formRes = res
	}
	// Fonts of a form are cached under a depth of their own: names in a
	// form's resources need not mean what they mean on the page.
	for k := range pr.fonts {
		if k.depth > depth {
			delete(pr.fonts, k)
		}
	}
	pr.run(xo, formRes, depth+1)
	pr.g = saved
	pr.stack = pr.stack[:min(savedStack, len(pr.stack))]
}

// show draws a string with the current font and records it as a segment.
func (pr *pageReader) show(raw string) {
	g := &pr.g
	if g.font == nil || raw == "" {
		return
	}
	text, w, codes, spaces := g.font.decode(raw)
	trm := matrix{g.size * g.th, 0, 0, g.size, 0, g.rise}.mul(pr.tm).mul(g.ctm)
	tx := (w*g.size + g.tc*float64(codes) + g.tw*float64(spaces)) * g.th
	pr.tm = translate(tx, 0).mul(pr.tm)
	end := matrix{g.size * g.th, 0, 0, g.size, 0, g.rise}.mul(pr.tm).mul(g.ctm)

	// Keep horizontal text only: rotated text is mostly a watermark.
	if math.Abs(trm[1]) > 0.1*math.Abs(trm[0]) || trm[0] <= 0 {
		return
	}
	size := math.Hypot(trm[2], trm[3])
	if text == "" || size <= 0 || math.IsNaN(size) || math.IsInf(size, 0) {
		return
	}
	pr.segs = append(pr.segs, segment{x: trm[4], y: trm[5], endX: end[4], size: size, text: text})
}
