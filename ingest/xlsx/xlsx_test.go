package xlsx

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/lorehq/lore/internal/golden"

	"github.com/xuri/excelize/v2"

	"github.com/lorehq/lore/ingest"
	"github.com/lorehq/lore/ingest/text"
)

// sheet is the content of one worksheet of a test workbook: rows of cell
// values starting at A1 (nil leaves a row empty).
type sheet struct {
	name   string
	rows   [][]any
	hidden bool
	merge  string // a range to merge, e.g. "A1:C1"
}

// workbook builds an XLSX with excelize.
func workbook(t testing.TB, title string, sheets ...sheet) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	if title != "" {
		if err := f.SetDocProps(&excelize.DocProperties{Title: title, Creator: "零售信贷部"}); err != nil {
			t.Fatal(err)
		}
	}
	pct, err := f.NewStyle(&excelize.Style{NumFmt: 10}) // 0.00%
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range sheets {
		if i == 0 {
			if err := f.SetSheetName("Sheet1", s.name); err != nil {
				t.Fatal(err)
			}
		} else if _, err := f.NewSheet(s.name); err != nil {
			t.Fatal(err)
		}
		for r, row := range s.rows {
			if row == nil {
				continue
			}
			cell, _ := excelize.CoordinatesToCellName(1, r+1)
			if err := f.SetSheetRow(s.name, cell, &row); err != nil {
				t.Fatal(err)
			}
			for c, v := range row {
				if fv, ok := v.(float64); ok && fv < 1 {
					ref, _ := excelize.CoordinatesToCellName(c+1, r+1)
					if err := f.SetCellStyle(s.name, ref, ref, pct); err != nil {
						t.Fatal(err)
					}
				}
			}
		}
		if s.merge != "" {
			from, to, _ := strings.Cut(s.merge, ":")
			if err := f.MergeCell(s.name, from, to); err != nil {
				t.Fatal(err)
			}
		}
		if s.hidden {
			if err := f.SetSheetVisible(s.name, false); err != nil {
				t.Fatal(err)
			}
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// faqWorkbook is the fixture: a Chinese FAQ sheet under a merged caption, a
// non-FAQ rate table and a hidden sheet of drop-down values.
func faqWorkbook(t testing.TB) []byte {
	return workbook(t, "信用卡分期业务知识库",
		sheet{name: "常见问题", merge: "A1:C1", rows: [][]any{
			{"信用卡账单分期常见问题（2026年3月更新）"},
			{"问题", "答案", "业务分类"},
			{"账单分期后可以提前还款吗？", "可以。提前还清剩余本金后，未摊销的手续费不再收取，已收取的手续费不退还。", "提前还款"},
			{"分期手续费怎么计算？", "按分期本金乘以对应期数的月手续费率，每期随账单收取。\n例如3000元分12期，月费率0.60%，每期手续费18元。", "费用"},
			nil,
			{"  分期后还能用卡吗？  ", "可以，分期本金会占用信用额度，每期还款后相应恢复。"},
			{"逾期了会怎样？", "逾期将按日计收违约金并上报征信，请在到期还款日前足额还款。", "逾期"},
			{"", "", "（以下为空行）"},
		}},
		sheet{name: "费率表", rows: [][]any{
			{"期数", "月手续费率", "年化利率(单利)"},
			{3, 0.0075, 0.1608},
			{6, 0.0070, 0.1487},
			{12, 0.0060, 0.1294},
			{24},
		}},
		sheet{name: "下拉选项", hidden: true, rows: [][]any{{"提前还款"}, {"费用"}, {"逾期"}}},
	)
}

func parse(t *testing.T, b []byte) *ingest.Document {
	t.Helper()
	doc, err := New(Options{}).Parse(context.Background(), "t.xlsx", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// short renders blocks compactly: kind, level, header mark, line and text.
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
		out[i] = s + "@" + strconv.Itoa(b.Line) + ":" + b.Text
	}
	return out
}

func TestParseGolden(t *testing.T) {
	golden.JSON(t, filepath.Join("testdata", "faq_workbook"+".golden"), parse(t, faqWorkbook(t)))
}

func TestParseFAQWorkbook(t *testing.T) {
	doc := parse(t, faqWorkbook(t))
	if doc.Title != "信用卡分期业务知识库" {
		t.Errorf("title = %q", doc.Title)
	}
	want := []string{
		"heading1@0:常见问题",
		"paragraph@1:信用卡账单分期常见问题（2026年3月更新）",
		"table_rowH@2:问题 | 答案 | 业务分类",
		"table_row@3:账单分期后可以提前还款吗？ | 可以。提前还清剩余本金后，未摊销的手续费不再收取，已收取的手续费不退还。 | 提前还款",
		"table_row@4:分期手续费怎么计算？ | 按分期本金乘以对应期数的月手续费率，每期随账单收取。\n例如3000元分12期，月费率0.60%，每期手续费18元。 | 费用",
		"table_row@6:分期后还能用卡吗？ | 可以，分期本金会占用信用额度，每期还款后相应恢复。 | ",
		"table_row@7:逾期了会怎样？ | 逾期将按日计收违约金并上报征信，请在到期还款日前足额还款。 | 逾期",
		"table_row@8: |  | （以下为空行）",
		"heading1@0:费率表",
		"table_rowH@1:期数 | 月手续费率 | 年化利率(单利)",
		"table_row@2:3 | 0.75% | 16.08%",
		"table_row@3:6 | 0.70% | 14.87%",
		"table_row@4:12 | 0.60% | 12.94%",
		"table_row@5:24 |  | ",
	}
	if got := short(doc.Blocks); !reflect.DeepEqual(got, want) {
		t.Errorf("blocks\n got %q\nwant %q", got, want)
	}
	for _, b := range doc.Blocks {
		if b.Kind == ingest.TableRow && len(b.Cells) != 3 {
			t.Errorf("row %d has %d cells, want 3 (padded to the header)", b.Line, len(b.Cells))
		}
	}
	if len(doc.Warnings) != 1 || !strings.Contains(doc.Warnings[0], "下拉选项") {
		t.Errorf("warnings = %q, want the hidden sheet", doc.Warnings)
	}
}

func TestParseTables(t *testing.T) {
	tests := []struct {
		name string
		rows [][]any
		want []string
	}{
		{"header not in first row", [][]any{nil, nil, {"Question", "Answer"}, {"Can I repay early?", "Yes."}},
			[]string{"heading1@0:S", "table_rowH@3:Question | Answer", "table_row@4:Can I repay early? | Yes."}},
		{"single column stays a table", [][]any{{"催收话术"}, {"您好，这里是客服中心。"}},
			[]string{"heading1@0:S", "table_rowH@1:催收话术", "table_row@2:您好，这里是客服中心。"}},
		{"longer row keeps its cells", [][]any{{"a", "b"}, {"1", "2", "3"}},
			[]string{"heading1@0:S", "table_rowH@1:a | b", "table_row@2:1 | 2 | 3"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := parse(t, workbook(t, "", sheet{name: "S", rows: tt.rows}))
			if got := short(doc.Blocks); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("blocks\n got %q\nwant %q", got, tt.want)
			}
			if doc.Title != "" {
				t.Errorf("title = %q, want none", doc.Title)
			}
		})
	}
}

// zipParts builds a zip archive of the given parts.
func zipParts(t testing.TB, parts map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for n, s := range parts {
		w, err := zw.Create(n)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(s))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// zipBomb returns a workbook-shaped zip with an entry of n spaces, which
// compresses about a thousandfold.
func zipBomb(t testing.TB, n int) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create("xl/workbook.xml")
	w.Write([]byte("<workbook/>"))
	w, _ = zw.Create("xl/worksheets/sheet1.xml")
	chunk := bytes.Repeat([]byte(" "), 1<<20)
	for n > 0 {
		k := min(n, len(chunk))
		w.Write(chunk[:k])
		n -= k
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestParseErrors(t *testing.T) {
	good := faqWorkbook(t)
	many := map[string]string{"xl/workbook.xml": "<workbook/>"}
	for i := range 30 {
		many[fmt.Sprintf("xl/media/image%d.png", i)] = "x"
	}
	tests := []struct {
		name string
		in   []byte
		opt  Options
		err  error
		msg  string
	}{
		{"empty", nil, Options{}, text.ErrEmpty, "文件为空"},
		{"random bytes", []byte("逾期\x00\x01\x02 random"), Options{}, ErrNotXLSX, "不是有效的 XLSX 文件"},
		{"csv renamed", []byte("问题,答案\n能提前还款吗,能\n"), Options{}, ErrNotXLSX, "not an XLSX (zip) file"},
		{"legacy xls", append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 512)...), Options{}, ErrLegacy, ".xls"},
		{"truncated zip", good[:len(good)*2/3], Options{}, ErrCorrupt, "已损坏或不完整"},
		{"docx renamed", zipParts(t, map[string]string{"word/document.xml": "<document/>"}), Options{}, ErrNotXLSX, "xl/workbook.xml"},
		{"zip bomb", zipBomb(t, 64<<20), Options{MaxUnpackedBytes: 32 << 20}, ErrZipBomb, "压缩炸弹"},
		{"too many entries", zipParts(t, many), Options{MaxEntries: 20}, ErrZipBomb, "31 entries"},
		{"broken workbook xml", zipParts(t, map[string]string{"[Content_Types].xml": "<Types", "xl/workbook.xml": "<workbook><sheets><sheet"}), Options{}, ErrCorrupt, "XLSX"},
		{"no data", workbook(t, "", sheet{name: "空表"}), Options{}, ErrNoText, "无数据"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := New(tt.opt).Parse(context.Background(), "x.xlsx", bytes.NewReader(tt.in))
			if !errors.Is(err, tt.err) || !strings.Contains(err.Error(), tt.msg) {
				t.Fatalf("err = %v, want %v containing %q (doc %+v)", err, tt.err, tt.msg, doc)
			}
		})
	}
}

func TestParseCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := New(Options{}).Parse(ctx, "x.xlsx", bytes.NewReader(faqWorkbook(t)))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
}

func BenchmarkParse(b *testing.B) {
	r := rand.New(rand.NewPCG(5, 6))
	rows := [][]any{{"问题", "答案", "分类", "更新日期"}}
	for i := range 20000 {
		rows = append(rows, []any{
			fmt.Sprintf("第%d号问题：分期后提前还款手续费怎么收？", i),
			strings.Repeat("提前还清剩余本金后，未摊销的手续费不再收取。", 1+r.IntN(4)),
			[]string{"费用", "逾期", "提前还款"}[r.IntN(3)],
			"2026-03-02",
		})
	}
	data := workbook(b, "", sheet{name: "FAQ", rows: rows})
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	pr := New(Options{})
	n := 0
	for b.Loop() {
		doc, err := pr.Parse(context.Background(), "x.xlsx", bytes.NewReader(data))
		if err != nil {
			b.Fatal(err)
		}
		n += len(doc.Blocks)
	}
	// MB/s is of the compressed file; rows/s says more about a workbook.
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "rows/s")
}

func FuzzParse(f *testing.F) {
	f.Add(faqWorkbook(f))
	f.Add(workbook(f, "", sheet{name: "S", rows: [][]any{{"问", "答"}, {"x", "y"}}}))
	f.Add(zipParts(f, map[string]string{"xl/workbook.xml": `<workbook><sheets><sheet name="a" sheetId="1" r:id="rId1"/></sheets></workbook>`,
		"xl/worksheets/sheet1.xml": `<worksheet><sheetData><row r="99999999"><c r="A1"><v>1</v></c></row></sheetData></worksheet>`}))
	f.Add([]byte("PK\x03\x04"))
	f.Fuzz(func(t *testing.T, b []byte) {
		doc, err := New(Options{MaxUnpackedBytes: 8 << 20}).Parse(context.Background(), "fuzz.xlsx", bytes.NewReader(b))
		if err == nil && (doc == nil || len(doc.Blocks) == 0) {
			t.Fatalf("no error and no blocks")
		}
	})
}
