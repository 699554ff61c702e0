package docx

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/lorehq/lore/internal/golden"

	"github.com/lorehq/lore/ingest"
	"github.com/lorehq/lore/ingest/text"
)

// zipParts builds a zip archive of the given parts, in name order.
func zipParts(t testing.TB, parts map[string]string) []byte {
	t.Helper()
	names := make([]string, 0, len(parts))
	for n := range parts {
		names = append(names, n)
	}
	sort.Strings(names)
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, n := range names {
		w, err := zw.Create(n)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(parts[n])); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// zipDir builds a DOCX from an unpacked fixture directory under testdata.
func zipDir(t testing.TB, dir string) []byte {
	t.Helper()
	parts := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		parts[filepath.ToSlash(rel)] = string(b)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return zipParts(t, parts)
}

const docHead = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` +
	`<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>`

// bodyDOCX builds a minimal DOCX whose body is the given WordprocessingML.
func bodyDOCX(t testing.TB, body string) []byte {
	return zipParts(t, map[string]string{"word/document.xml": docHead + body + `</w:body></w:document>`})
}

func p(style, txt string) string {
	ppr := ""
	if style != "" {
		ppr = `<w:pPr><w:pStyle w:val="` + style + `"/></w:pPr>`
	}
	return `<w:p>` + ppr + `<w:r><w:t>` + txt + `</w:t></w:r></w:p>`
}

func parse(t *testing.T, b []byte) *ingest.Document {
	t.Helper()
	doc, err := New(Options{}).Parse(context.Background(), "t.docx", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// short renders blocks compactly: kind, level, header mark and text.
func short(blocks []ingest.Block) []string {
	out := make([]string, len(blocks))
	for i, b := range blocks {
		s := string(b.Kind)
		if b.Level > 0 {
			s += strconv.Itoa(b.Level)
		}
		if b.Header {
			s += "H"
		}
		out[i] = s + ":" + b.Text
	}
	return out
}

func TestParseGolden(t *testing.T) {
	dirs, err := filepath.Glob("testdata/*/word")
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	for _, d := range dirs {
		dir := filepath.Dir(d)
		name := filepath.Base(dir)
		t.Run(name, func(t *testing.T) {
			golden.JSON(t, filepath.Join("testdata", name+".golden"), parse(t, zipDir(t, dir)))
		})
	}
}

func TestParseFixture(t *testing.T) {
	doc := parse(t, zipDir(t, "testdata/prepayment_guide"))
	if doc.Title != "个人消费贷款提前还款操作指引（2026年版）" {
		t.Errorf("title = %q", doc.Title)
	}
	var rows []ingest.Block
	for _, b := range doc.Blocks {
		if b.Kind == ingest.TableRow {
			rows = append(rows, b)
		}
		if strings.Contains(b.Text, "及其配偶") || strings.Contains(b.Text, "HYPERLINK") {
			t.Errorf("deleted or field text kept: %q", b.Text)
		}
	}
	if len(rows) != 4 || !rows[0].Header || rows[1].Header {
		t.Fatalf("rows = %q", short(rows))
	}
	if want := []string{"随借随还", "7期及以上", "提前还款本金的1%\n最低50元"}; !reflect.DeepEqual(rows[2].Cells, want) {
		t.Errorf("merged row cells = %q, want %q", rows[2].Cells, want)
	}
	if want := []string{"等额本息分期贷", "", "剩余本金的2%"}; !reflect.DeepEqual(rows[3].Cells, want) {
		t.Errorf("spanned row cells = %q, want %q", rows[3].Cells, want)
	}
	n := 0
	for _, b := range doc.Blocks {
		if strings.Contains(b.Text, "节假日顺延") {
			n++
		}
	}
	if n != 1 {
		t.Errorf("text box text seen %d times, want once (fallback copy dropped)", n)
	}
}

func TestParseBlocks(t *testing.T) {
	tests := []struct {
		name  string
		body  string
		title string
		want  []string
	}{
		{"heading style ids without styles.xml", p("Heading1", "催收管理办法") + p("heading2", "总则") + p("", "正文。"), "催收管理办法",
			[]string{"heading1:催收管理办法", "heading2:总则", "paragraph:正文。"}},
		{"deep heading clamped", p("Heading9", "附表") + p("", "内容"), "附表", []string{"heading6:附表", "paragraph:内容"}},
		{"title style", p("Title", "Collection Policy") + p("", "Body text."), "Collection Policy",
			[]string{"heading1:Collection Policy", "paragraph:Body text."}},
		{"unstyled chinese chapter", p("", "第三章 催收行为规范") + p("", "第十条 催收人员不得恐吓借款人。"), "第三章 催收行为规范",
			[]string{"heading2:第三章 催收行为规范", "paragraph:第十条 催收人员不得恐吓借款人。"}},
		{"outline level 9 is body", `<w:p><w:pPr><w:pStyle w:val="Heading1"/><w:outlineLvl w:val="9"/></w:pPr><w:r><w:t>并非标题</w:t></w:r></w:p>`, "",
			[]string{"paragraph:并非标题"}},
		{"numbered list", `<w:p><w:pPr><w:numPr><w:ilvl w:val="1"/><w:numId w:val="2"/></w:numPr></w:pPr><w:r><w:t>核实身份</w:t></w:r></w:p>`, "",
			[]string{"list_item:核实身份"}},
		{"empty paragraphs dropped", `<w:p/><w:p><w:r><w:t xml:space="preserve">   </w:t></w:r></w:p>` + p("", "有字"), "", []string{"paragraph:有字"}},
		{"tabs and breaks", `<w:p><w:r><w:t>姓名</w:t><w:tab/><w:t>张三</w:t><w:br/><w:t>电话</w:t><w:br w:type="page"/></w:r></w:p>`, "",
			[]string{"paragraph:姓名\t张三\n电话"}},
		{"table header and rows", `<w:tbl><w:tr><w:tc>` + p("", "问题") + `</w:tc><w:tc>` + p("", "答案") + `</w:tc></w:tr>` +
			`<w:tr><w:tc><w:p/></w:tc><w:tc><w:p/></w:tc></w:tr>` +
			`<w:tr><w:tc>` + p("", "可以提前还款吗？") + `</w:tc><w:tc>` + p("", "可以，放款满3个月后。") + `</w:tc></w:tr></w:tbl>`, "",
			[]string{"table_rowH:问题 | 答案", "table_row:可以提前还款吗？ | 可以，放款满3个月后。"}},
		{"nested table flattened into cell", `<w:tbl><w:tr><w:tc>` + p("", "费用") + `</w:tc><w:tc><w:tbl><w:tr><w:tc>` + p("", "利息") +
			`</w:tc><w:tc>` + p("", "按日计") + `</w:tc></w:tr></w:tbl></w:tc></w:tr></w:tbl>`, "",
			[]string{"table_rowH:费用 | 利息 | 按日计"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := parse(t, bodyDOCX(t, tt.body))
			if got := short(doc.Blocks); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("blocks\n got %q\nwant %q", got, tt.want)
			}
			if doc.Title != tt.title {
				t.Errorf("title = %q, want %q", doc.Title, tt.title)
			}
		})
	}
}

func TestParseStrictNamespace(t *testing.T) {
	b := zipParts(t, map[string]string{"word/document.xml": `<w:document xmlns:w="http://purl.oclc.org/ooxml/wordprocessingml/main"><w:body>` +
		p("Heading1", "Strict") + `</w:body></w:document>`})
	if got := short(parse(t, b).Blocks); !reflect.DeepEqual(got, []string{"heading1:Strict"}) {
		t.Errorf("blocks = %q", got)
	}
}

// zipBomb returns a DOCX whose document.xml is n bytes of one repeated
// byte: it compresses about a thousandfold.
func zipBomb(t testing.TB, n int) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.Create("word/document.xml")
	if err != nil {
		t.Fatal(err)
	}
	chunk := bytes.Repeat([]byte(" "), 1<<20)
	for n > 0 {
		k := min(n, len(chunk))
		if _, err := w.Write(chunk[:k]); err != nil {
			t.Fatal(err)
		}
		n -= k
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// lyingZip returns a zip whose entry declares a smaller uncompressed size
// than it inflates to, in the central directory and the local header.
func lyingZip(t testing.TB) []byte {
	body := docHead + strings.Repeat(p("", "逾期提醒"), 2000) + `</w:body></w:document>`
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	fw, err := zw.CreateRaw(&zip.FileHeader{Name: "word/document.xml", Method: zip.Deflate, UncompressedSize64: 100, CRC32: 0})
	if err != nil {
		t.Fatal(err)
	}
	var comp bytes.Buffer
	cw := zip.NewWriter(&comp)
	w, _ := cw.Create("x")
	w.Write([]byte(body))
	cw.Close()
	zr, err := zip.NewReader(bytes.NewReader(comp.Bytes()), int64(comp.Len()))
	if err != nil {
		t.Fatal(err)
	}
	rc, err := zr.File[0].OpenRaw()
	if err != nil {
		t.Fatal(err)
	}
	raw := new(bytes.Buffer)
	raw.ReadFrom(rc)
	fw.Write(raw.Bytes())
	zw.Close()
	return buf.Bytes()
}

func TestParseErrors(t *testing.T) {
	good := zipDir(t, "testdata/prepayment_guide")
	many := map[string]string{"word/document.xml": docHead + p("", "x") + `</w:body></w:document>`}
	for i := range 30 {
		many["word/media/image"+strconv.Itoa(i)+".png"] = "x"
	}
	tests := []struct {
		name string
		in   []byte
		opt  Options
		err  error
		msg  string
	}{
		{"empty", nil, Options{}, text.ErrEmpty, "文件为空"},
		{"random bytes", []byte("\x13\x88这不是文档 random bytes"), Options{}, ErrNotDOCX, "不是有效的 DOCX 文件"},
		{"pdf renamed", []byte("%PDF-1.7\n..."), Options{}, ErrNotDOCX, "not a DOCX (zip) file"},
		{"legacy doc", append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 512)...), Options{}, ErrLegacy, ".doc"},
		{"truncated zip", good[:len(good)/2], Options{}, ErrCorrupt, "已损坏或不完整"},
		{"empty zip", zipParts(t, map[string]string{}), Options{}, ErrNotDOCX, "word/document.xml"},
		{"xlsx renamed", zipParts(t, map[string]string{"xl/workbook.xml": "<workbook/>"}), Options{}, ErrNotDOCX, "缺少"},
		{"zip bomb", zipBomb(t, 64<<20), Options{MaxUnpackedBytes: 32 << 20}, ErrZipBomb, "压缩炸弹"},
		{"too many entries", zipParts(t, many), Options{MaxEntries: 20}, ErrZipBomb, "31 entries"},
		{"size lie", lyingZip(t), Options{}, ErrCorrupt, "DOCX"},
		{"malformed xml", bodyDOCX(t, `<w:p><w:r><w:t>未闭合`), Options{}, ErrMalformed, "XML"},
		{"no text", bodyDOCX(t, `<w:p/><w:tbl><w:tr><w:tc><w:p/></w:tc></w:tr></w:tbl>`), Options{}, ErrNoText, "没有文字内容"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.opt).Parse(context.Background(), "x.docx", bytes.NewReader(tt.in))
			if !errors.Is(err, tt.err) || !strings.Contains(err.Error(), tt.msg) {
				t.Fatalf("err = %v, want %v containing %q", err, tt.err, tt.msg)
			}
		})
	}
}

func TestParseCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := New(Options{}).Parse(ctx, "x.docx", bytes.NewReader(zipDir(t, "testdata/prepayment_guide")))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
}

// largeDOCX builds a DOCX of about size bytes of document.xml: headings,
// paragraphs, list items and tables.
func largeDOCX(t testing.TB, size int) []byte {
	r := rand.New(rand.NewPCG(1, 2))
	sentences := []string{"借款人应按合同约定按期足额还款。", "逾期后将按日计收罚息，并可能影响个人信用记录。",
		"催收人员不得使用威胁、恐吓等方式催收。", "客户可通过手机银行App申请提前还款。", "Repayments are due on the 10th of each month."}
	var b strings.Builder
	b.WriteString(docHead)
	for b.Len() < size {
		b.WriteString(p("Heading2", "第"+strconv.Itoa(r.IntN(50))+"节 还款管理"))
		for range 5 {
			b.WriteString(p("", sentences[r.IntN(len(sentences))]+sentences[r.IntN(len(sentences))]))
		}
		b.WriteString(`<w:p><w:pPr><w:numPr><w:numId w:val="1"/></w:numPr></w:pPr><w:r><w:t>` + sentences[r.IntN(len(sentences))] + `</w:t></w:r></w:p>`)
		b.WriteString(`<w:tbl><w:tr><w:tc>` + p("", "期数") + `</w:tc><w:tc>` + p("", "金额") + `</w:tc></w:tr><w:tr><w:tc>` + p("", "1") + `</w:tc><w:tc>` + p("", "1,000.00") + `</w:tc></w:tr></w:tbl>`)
	}
	b.WriteString(`</w:body></w:document>`)
	return zipParts(t, map[string]string{"word/document.xml": b.String()})
}

func BenchmarkParse(b *testing.B) {
	data := largeDOCX(b, 4<<20)
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		b.Fatal(err)
	}
	// MB/s is of uncompressed document XML, the work the parser does.
	b.SetBytes(int64(zr.File[0].UncompressedSize64))
	b.ReportAllocs()
	pr := New(Options{})
	for b.Loop() {
		if _, err := pr.Parse(context.Background(), "x.docx", bytes.NewReader(data)); err != nil {
			b.Fatal(err)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add(zipDir(f, "testdata/prepayment_guide"))
	f.Add(bodyDOCX(f, `<w:tbl><w:tr><w:tc><w:tcPr><w:gridSpan w:val="99999"/><w:vMerge/></w:tcPr>`+p("", "a")+`</w:tc></w:tr></w:tbl>`))
	f.Add(bodyDOCX(f, `<w:p><w:pPr><w:outlineLvl w:val="-3"/></w:pPr><w:r><w:t>x</w:t></w:r></w:p>`))
	f.Add([]byte("PK\x03\x04garbage"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		doc, err := New(Options{MaxUnpackedBytes: 8 << 20}).Parse(context.Background(), "fuzz.docx", bytes.NewReader(b))
		if err == nil && (doc == nil || len(doc.Blocks) == 0) {
			t.Fatalf("no error and no blocks")
		}
		if err != nil && err.Error() == "" {
			t.Fatal("empty error message")
		}
	})
}
