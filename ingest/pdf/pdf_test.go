package pdf

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/lorehq/lore/internal/golden"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/lorehq/lore/ingest"
)

func parse(b []byte) (*ingest.Document, error) {
	return New(Options{}).Parse(context.Background(), "t.pdf", bytes.NewReader(b))
}

// TestParseGolden parses the PDFs LibreOffice made from testdata/src.
func TestParseGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/*.pdf")
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".pdf")
		t.Run(name, func(t *testing.T) {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			doc, err := parse(b)
			if err != nil {
				t.Fatal(err)
			}
			golden.JSON(t, filepath.Join("testdata", name+".golden"), doc)
		})
	}
}

// TestCollectionRules checks what matters most in the Chinese fixture,
// so a careless -update cannot hide it: wrapped lines rejoined without
// spaces, running header and page numbers gone, articles and chapters
// apart, pages right.
func TestCollectionRules(t *testing.T) {
	b, err := os.ReadFile("testdata/collection_rules.pdf")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := parse(b)
	if err != nil {
		t.Fatal(err)
	}
	if doc.Title != "安和消费金融有限公司逾期贷款催收管理办法" || doc.Pages != 3 || len(doc.Warnings) != 0 {
		t.Errorf("title %q, pages %d, warnings %q", doc.Title, doc.Pages, doc.Warnings)
	}
	find := func(prefix string) ingest.Block {
		for _, b := range doc.Blocks {
			if strings.HasPrefix(b.Text, prefix) {
				return b
			}
		}
		t.Errorf("no block starting with %q", prefix)
		return ingest.Block{}
	}
	if b := find("第一条"); b.Page != 1 || !strings.Contains(b.Text, "保护借款人、担保人及其他相关当事人的合法权益") || !strings.HasSuffix(b.Text, "制定本办法。") {
		t.Errorf("第一条 = %+v", b)
	}
	if b := find("第三章"); b.Kind != ingest.Heading || b.Level != 2 || b.Page != 2 {
		t.Errorf("第三章 = %+v", b)
	}
	if b := find("第七条"); !strings.Contains(b.Text, "应当依照本办法第六条的规定在委托合同中约定") {
		t.Errorf("cross-reference split: %+v", b)
	}
	if b := find("第十三条"); b.Page != 3 {
		t.Errorf("第十三条 on page %d", b.Page)
	}
	for _, b := range doc.Blocks {
		if strings.Contains(b.Text, "内部制度") || strings.Contains(b.Text, "页") && len([]rune(b.Text)) < 8 {
			t.Errorf("running header or page number kept: %+v", b)
		}
		if strings.Contains(b.Text, "\n") {
			t.Errorf("line break kept: %q", b.Text)
		}
	}
}

// pdfFile assembles a PDF from object bodies (object i+1 is objs[i]) with a
// correct cross-reference table; the catalog must be object 1.
func pdfFile(version string, objs ...string) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%%PDF-%s\n%%\xe2\xe3\xcf\xd3\n", version)
	offsets := make([]int, len(objs))
	for i, o := range objs {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R /Info << /Title (Test) >> >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, xref)
	return b.Bytes()
}

func stream(content string) string {
	return fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(content), content)
}

// form is a form XObject with extra dictionary entries.
func form(dict, content string) string {
	return fmt.Sprintf("<< /Type /XObject /Subtype /Form /BBox [0 0 500 50] %s /Length %d >>\nstream\n%s\nendstream", dict, len(content), content)
}

// onePage is a PDF with one A4 page drawing content with resources res
// (font F1, Helvetica, when res is empty) and extra objects from 6 on.
func onePage(content, res string, extra ...string) []byte {
	if res == "" {
		res = "/Font << /F1 5 0 R >>"
	}
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << " + res + " >> >>",
		stream(content),
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
	}
	return pdfFile("1.4", append(objs, extra...)...)
}

const para = "Borrowers who repay early pay interest up to the day of repayment only."

func TestParseHandWritten(t *testing.T) {
	tests := []struct {
		name  string
		pdf   []byte
		title string
		want  []string // kind@page:text
	}{
		{"Tj, TJ and T*",
			onePage("BT /F1 20 Tf 72 760 Td (Repayment Guide) Tj ET BT /F1 11 Tf 14 TL 72 700 Td [(Borrowers who repay early)-250(pay interest)] TJ T* (up to the day of repayment only.) Tj ET", ""),
			"Repayment Guide",
			[]string{"heading1@1:Repayment Guide", "paragraph@1:Borrowers who repay early pay interest up to the day of repayment only."}},
		{"rotated watermark and fake bold dropped",
			onePage("BT /F1 11 Tf 72 700 Td ("+para+") Tj ET BT /F1 11 Tf 72.3 700 Td ("+para+") Tj ET BT /F1 60 Tf 0.7 0.7 -0.7 0.7 150 300 Tm (CONFIDENTIAL) Tj ET", ""),
			"Test",
			[]string{"paragraph@1:" + para}},
		{"form xobject text",
			onePage("q 1 0 0 1 72 700 cm /X1 Do Q", "/XObject << /X1 6 0 R >>",
				form("/Resources << /Font << /F9 5 0 R >> >>", "BT /F9 11 Tf 0 0 Td ("+para+") Tj ET")),
			"Test",
			[]string{"paragraph@1:" + para}},
		{"malformed operators skipped",
			onePage("Q Q Q BT /F1 Tf Tj TJ ' \" cm Tm 1 2 3 Td (x) 5 Tz ET BT /F1 11 Tf 72 700 Td ("+para+") Tj ET", ""),
			"Test",
			[]string{"paragraph@1:" + para}},
		{"pdf 2.0 header and bytes after EOF",
			append(bytes.Replace(onePage("BT /F1 11 Tf 72 700 Td ("+para+") Tj ET", ""), []byte("%PDF-1.4"), []byte("%PDF-2.0"), 1), "\x00\x00garbage"...),
			"Test",
			[]string{"paragraph@1:" + para}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := parse(tt.pdf)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, b := range doc.Blocks {
				k := string(b.Kind)
				if b.Level > 0 {
					k += string(rune('0' + b.Level))
				}
				got = append(got, fmt.Sprintf("%s@%d:%s", k, b.Page, b.Text))
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("blocks\n got %q\nwant %q", got, tt.want)
			}
			if doc.Title != tt.title {
				t.Errorf("title = %q, want %q", doc.Title, tt.title)
			}
		})
	}
}

// cjkFont returns the objects of a Type0 font with the given encoding and,
// when cmap is not empty, a ToUnicode CMap with those bfchar lines.
func cjkFont(encoding, cmap string) []string {
	font := "<< /Type /Font /Subtype /Type0 /BaseFont /SimSun /Encoding /" + encoding + " /DescendantFonts [7 0 R]"
	if cmap != "" {
		font += " /ToUnicode 8 0 R"
	}
	objs := []string{font + " >>",
		"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /SimSun /CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> /DW 1000 >>"}
	if cmap != "" {
		objs = append(objs, stream("/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CMapName /Test def "+
			"1 begincodespacerange <0000> <FFFF> endcodespacerange "+cmap+" endcmap CMapName currentdict /CMap defineresource pop end end"))
	}
	return objs
}

func TestChineseFonts(t *testing.T) {
	gb, err := simplifiedchinese.GB18030.NewEncoder().String("借款人应当按期还款，逾期的按日计收罚息。")
	if err != nil {
		t.Fatal(err)
	}
	hexGB := fmt.Sprintf("<%X>", gb)
	// 逾 U+903E 期 U+671F 罚 U+7F5A 息 U+606F are codes 0001-0004; 0005-0008
	// map to U+501F-U+5022 by a range.
	cmap := "4 beginbfchar <0001> <903E> <0002> <671F> <0003> <7F5A> <0004> <606F> endbfchar " +
		"1 beginbfrange <0005> <0008> <501F> endbfrange"
	tests := []struct {
		name string
		pdf  []byte
		want string
		err  error
	}{
		{"identity with ToUnicode", onePage("BT /F2 12 Tf 72 700 Td <00010002000300040001000200030004000100020003000400010002000300040001> Tj ET",
			"/Font << /F2 6 0 R >>", cjkFont("Identity-H", cmap)...), "逾期罚息逾期罚息逾期罚息逾期罚息逾", nil},
		{"bfrange", onePage("BT /F2 12 Tf 72 700 Td <0005000600070008000500060007000800050006000700080005000600070008> Tj ET",
			"/Font << /F2 6 0 R >>", cjkFont("Identity-H", cmap)...), "借倠倡倢借倠倡倢借倠倡倢借倠倡倢", nil},
		{"GBK-EUC-H without ToUnicode", onePage("BT /F2 12 Tf 72 700 Td "+hexGB+" Tj ET",
			"/Font << /F2 6 0 R >>", cjkFont("GBK-EUC-H", "")...), "借款人应当按期还款，逾期的按日计收罚息。", nil},
		{"identity without ToUnicode", onePage("BT /F2 12 Tf 72 700 Td <0001000200030004000100020003000400010002000300040001000200030004> Tj ET",
			"/Font << /F2 6 0 R >>", cjkFont("Identity-H", "")...), "", ErrUndecodable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := parse(tt.pdf)
			if !errors.Is(err, tt.err) {
				t.Fatalf("err = %v, want %v", err, tt.err)
			}
			if err == nil && (len(doc.Blocks) != 1 || doc.Blocks[0].Text != tt.want) {
				t.Errorf("blocks = %+v, want %q", doc.Blocks, tt.want)
			}
		})
	}
}

// threePages builds a PDF of three pages, each drawing its own content.
func threePages(contents ...string) []byte {
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R 4 0 R 5 0 R] /Count 3 >>",
	}
	for i := range 3 {
		objs = append(objs, fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents %d 0 R /Resources << /Font << /F1 9 0 R >> >> >>", 6+i))
	}
	for _, c := range contents {
		objs = append(objs, stream(c))
	}
	objs = append(objs, "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
	return pdfFile("1.4", objs...)
}

func TestRunningHeadersAndPages(t *testing.T) {
	page := func(n int, body string) string {
		return fmt.Sprintf("BT /F1 9 Tf 72 800 Td (Anhe Consumer Finance - internal) Tj ET "+
			"BT /F1 11 Tf 72 700 Td (%s) Tj ET BT /F1 9 Tf 290 40 Td (- %d -) Tj ET", body, n)
	}
	doc, err := parse(threePages(page(1, "Article 1. Overdue loans are reported to the credit bureau."),
		page(2, "Article 2. A fee waiver needs the approval of the team lead."),
		page(3, "Article 3. Collection calls are recorded and kept five years.")))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, b := range doc.Blocks {
		got = append(got, fmt.Sprintf("%d:%s", b.Page, b.Text))
	}
	want := []string{"1:Article 1. Overdue loans are reported to the credit bureau.",
		"2:Article 2. A fee waiver needs the approval of the team lead.",
		"3:Article 3. Collection calls are recorded and kept five years."}
	if !reflect.DeepEqual(got, want) || doc.Pages != 3 {
		t.Errorf("got %q (pages %d), want %q", got, doc.Pages, want)
	}
}

func TestNoTextLayer(t *testing.T) {
	scan := onePage("q 595 0 0 842 0 0 cm 0.8 g 0 0 1 1 re f Q", "")
	numbersOnly := threePages("BT /F1 9 Tf 290 40 Td (1) Tj ET", "BT /F1 9 Tf 290 40 Td (2) Tj ET", "q Q")
	for name, b := range map[string][]byte{"image only": scan, "page numbers only": numbersOnly} {
		t.Run(name, func(t *testing.T) {
			doc, err := parse(b)
			if !errors.Is(err, ErrNoTextLayer) || doc != nil {
				t.Fatalf("doc %v, err = %v, want ErrNoTextLayer", doc, err)
			}
			if !strings.Contains(err.Error(), "扫描件 PDF，没有文字层，需要 OCR") {
				t.Errorf("message %q", err)
			}
		})
	}
}

func TestPartlyScanned(t *testing.T) {
	body := "BT /F1 11 Tf 72 700 Td (" + para + ") Tj ET BT /F1 11 Tf 72 680 Td (" + para + ") Tj ET"
	doc, err := parse(threePages(body, "q 0.5 g 0 0 100 100 re f Q", body))
	if err != nil {
		t.Fatal(err)
	}
	if len(doc.Warnings) != 1 || !strings.Contains(doc.Warnings[0], "page 2: no text layer") {
		t.Errorf("warnings = %q", doc.Warnings)
	}
}

// corrupt returns malformed variants of a valid PDF.
func corrupt(t *testing.T) map[string][]byte {
	good, err := os.ReadFile("testdata/repayment_policy_en.pdf")
	if err != nil {
		t.Fatal(err)
	}
	flip := bytes.Clone(good)
	for i := len(flip) / 3; i < len(flip)*2/3; i += 97 {
		flip[i] ^= 0x5A
	}
	return map[string][]byte{
		"truncated":             good[:len(good)/2],
		"truncated xref":        good[:len(good)-40],
		"garbage with header":   append([]byte("%PDF-1.7\n"), bytes.Repeat([]byte("\x8f garbage )( << >> ["), 500)...),
		"header and eof only":   []byte("%PDF-1.4\n%" + strings.Repeat(" ", 200) + "\n%%EOF\n"),
		"bit flips":             flip,
		"startxref points away": []byte("%PDF-1.4\n%" + strings.Repeat(" ", 200) + "\n1 0 obj << >> endobj\nstartxref\n999999\n%%EOF\n"),
		"content stream not deflate": pdfFile("1.4", "<< /Type /Catalog /Pages 2 0 R >>",
			"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
			"<< /Type /Page /Parent 2 0 R /Contents 4 0 R /Resources << >> >>",
			"<< /Length 20 /Filter /FlateDecode >>\nstream\nthis is not deflate!\nendstream"),
		"self-referencing page tree": pdfFile("1.4", "<< /Type /Catalog /Pages 2 0 R >>",
			"<< /Type /Pages /Kids [2 0 R 2 0 R] /Count 2 >>"),
		"inline image garbage": onePage("BT /F1 11 Tf 72 700 Td (x) Tj ET BI /W 1 ID \x00\xff\x28\x3c EI ] >> }", ""),
		"odd ToUnicode": onePage("BT /F2 12 Tf 72 700 Td <00010002> Tj ET", "/Font << /F2 6 0 R >>",
			cjkFont("Identity-H", "2 beginbfchar <01> <4E> <0002> <67> endbfchar 1 beginbfrange <0003> <0001> [<00>] endbfrange")...),
		"encrypted": []byte(strings.Replace(string(onePage("BT /F1 11 Tf 72 700 Td (x) Tj ET", "")), "/Info << /Title (Test) >>",
			"/Encrypt << /Filter /Standard /V 1 /R 2 /O (0123456789abcdef0123456789abcdef) /U (0123456789abcdef0123456789abcdef) /P -4 >> /ID [(abc) (abc)]", 1)),
	}
}

// TestCorrupt proves that no panic escapes on malformed files and that
// each yields an error, never an empty document.
func TestCorrupt(t *testing.T) {
	for name, b := range corrupt(t) {
		t.Run(name, func(t *testing.T) {
			doc, err := parse(b)
			if err == nil {
				t.Fatalf("no error; doc = %+v", doc)
			}
			if !strings.Contains(err.Error(), " / ") {
				t.Errorf("message not bilingual: %v", err)
			}
			t.Logf("%s: %v", name, err)
		})
	}
}

// TestDamagedFixtures parses the fixtures cut short at many lengths and
// with bytes changed at many places, and expects an error or a document
// with blocks every time, never a panic or an empty document.
func TestDamagedFixtures(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.pdf")
	r := rand.New(rand.NewPCG(7, 7))
	for _, f := range files {
		good, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i := range 40 {
			var b []byte
			if i%2 == 0 {
				b = good[:r.IntN(len(good))]
			} else {
				b = bytes.Clone(good)
				for range 1 + r.IntN(8) {
					b[r.IntN(len(b))] = byte(r.IntN(256))
				}
			}
			doc, err := parse(b)
			if err == nil && (doc == nil || len(doc.Blocks) == 0) {
				t.Errorf("%s variant %d: no error and no blocks", f, i)
			}
		}
	}
}

func TestErrors(t *testing.T) {
	good := onePage("BT /F1 11 Tf 72 700 Td ("+para+") Tj ET", "")
	tests := []struct {
		name string
		opt  Options
		in   []byte
		err  error
		msg  string
	}{
		{"empty", Options{}, nil, nil, "文件为空"},
		{"white space", Options{}, []byte(" \n" + strings.Repeat(" ", 100)), nil, "empty file"},
		{"not a pdf", Options{}, []byte("PK\x03\x04 docx"), ErrCorrupt, "不是 PDF 文件"},
		{"too large", Options{MaxBytes: 100}, good, ErrTooLarge, "PDF 文件过大"},
		{"encrypted", Options{}, corrupt(t)["encrypted"], ErrEncrypted, "PDF 已加密"},
		{"truncated", Options{}, good[:len(good)/2], ErrCorrupt, "PDF 文件已损坏"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.opt).Parse(context.Background(), "x.pdf", bytes.NewReader(tt.in))
			if err == nil || tt.err != nil && !errors.Is(err, tt.err) || !strings.Contains(err.Error(), tt.msg) {
				t.Fatalf("err = %v, want %v containing %q", err, tt.err, tt.msg)
			}
		})
	}
	// A reader that is not a bytes.Reader goes through the size limit too.
	_, err := New(Options{MaxBytes: 100}).Parse(context.Background(), "x.pdf", strings.NewReader(string(good)))
	if !errors.Is(err, ErrTooLarge) {
		t.Errorf("strings.Reader over the limit: err = %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := New(Options{}).Parse(ctx, "x.pdf", bytes.NewReader(good)); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: err = %v", err)
	}
}

func BenchmarkParse(b *testing.B) {
	data, err := os.ReadFile("testdata/collection_rules.pdf")
	if err != nil {
		b.Fatal(err)
	}
	p := New(Options{})
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	pages := 0
	for b.Loop() {
		doc, err := p.Parse(context.Background(), "x.pdf", bytes.NewReader(data))
		if err != nil {
			b.Fatal(err)
		}
		pages += doc.Pages
	}
	b.ReportMetric(float64(pages)/b.Elapsed().Seconds(), "pages/s")
}

func FuzzParse(f *testing.F) {
	f.Add(onePage("BT /F1 11 Tf 72 700 Td ("+para+") Tj ET", ""))
	f.Add(onePage("q 1 0 0 1 72 700 cm /X1 Do Q", "/Font << /F1 5 0 R >> /XObject << /X1 6 0 R >>",
		form("", "BT /F1 11 Tf 0 0 Td (Fee) Tj ET")))
	f.Add([]byte("%PDF-1.4\n%%EOF\n"))
	f.Add(onePage("BT /F2 12 Tf 72 700 Td <00010002> Tj ET", "/Font << /F2 6 0 R >>",
		cjkFont("Identity-H", "1 beginbfchar <0001> <903E> endbfchar 1 beginbfrange <0002> <0003> [<671F> <7F5A>] endbfrange")...))
	f.Add(threePages("BT /F1 9 Tf 72 800 Td (Header) Tj ET", "BT /F1 11 Tf 72 700 Td ("+para+") Tj ET", "q Q"))
	if b, err := os.ReadFile("testdata/repayment_policy_en.pdf"); err == nil {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		doc, err := New(Options{MaxBytes: 1 << 20}).Parse(context.Background(), "fuzz.pdf", bytes.NewReader(b))
		if err == nil && (doc == nil || len(doc.Blocks) == 0) {
			t.Fatalf("no error and no blocks")
		}
	})
}
