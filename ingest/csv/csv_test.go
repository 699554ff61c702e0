package csv

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/lorehq/lore/internal/golden"

	"golang.org/x/text/encoding/unicode"

	"github.com/lorehq/lore/ingest"
	"github.com/lorehq/lore/ingest/text"
)

func parse(t *testing.T, name, src string) *ingest.Document {
	t.Helper()
	doc, err := New().Parse(context.Background(), name, strings.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// short renders blocks compactly: kind, header mark, line and text.
func short(blocks []ingest.Block) []string {
	out := make([]string, len(blocks))
	for i, b := range blocks {
		s := string(b.Kind)
		if b.Header {
			s += "H"
		}
		out[i] = s + "@" + strconv.Itoa(b.Line) + ":" + b.Text
	}
	return out
}

func TestParseGolden(t *testing.T) {
	var files []string
	for _, pat := range []string{"testdata/*.csv", "testdata/*.tsv"} {
		m, err := filepath.Glob(pat)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	if len(files) == 0 {
		t.Fatal("no fixtures")
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), filepath.Ext(f))
		t.Run(name, func(t *testing.T) {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			doc, err := New().Parse(context.Background(), f, bytes.NewReader(b))
			if err != nil {
				t.Fatal(err)
			}
			golden.JSON(t, filepath.Join("testdata", name+".golden"), doc)
		})
	}
}

func TestParseGBKFixture(t *testing.T) {
	b, err := os.ReadFile("testdata/repayment_faq_gbk.csv")
	if err != nil {
		t.Fatal(err)
	}
	if _, enc, _ := text.Decode(b); enc != text.GB18030 {
		t.Fatalf("fixture is read as %s, want it GBK-encoded", enc)
	}
	doc, err := New().Parse(context.Background(), "faq.csv", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"table_rowH@1:问题 | 答案 | 适用产品 | 更新日期",
		`table_row@2:如何申请提前还款？ | 登录手机银行App，进入"我的贷款"，选择"提前还款"，确认金额后提交。 | 消费贷 | 2026-03-02`,
		"table_row@3:提前还款要收违约金吗？ | 放款满6个月且剩余期数在6期及以下的，免收违约金；\n其他情况按提前还款本金的1%收取，最低50元。 | 消费贷 | 2026-03-02",
		"table_row@5:逾期一天会上征信吗？ | 宽限期为3天，宽限期内还款不视为逾期，不上报征信。 | 消费贷,信用卡 | 2026-03-15",
		"table_row@7:还款日是节假日怎么办？ | 还款日遇法定节假日顺延至下一工作日，不计罚息。 | 信用卡 | 2026-03-15",
	}
	if got := short(doc.Blocks); !reflect.DeepEqual(got, want) {
		t.Errorf("blocks\n got %q\nwant %q", got, want)
	}
}

func TestParseBlocks(t *testing.T) {
	tests := []struct {
		name, file, in string
		want           []string
	}{
		{"comma", "a.csv", "期数,金额\n1,100\n2,200\n", []string{"table_rowH@1:期数 | 金额", "table_row@2:1 | 100", "table_row@3:2 | 200"}},
		{"tab", "a.csv", "期数\t金额\n1\t1,000\n2\t2,000\n", []string{"table_rowH@1:期数 | 金额", "table_row@2:1 | 1,000", "table_row@3:2 | 2,000"}},
		{"semicolon with decimal commas", "a.csv", "a;b;c\n1,5;2,3;4\n7;8,1;9\n", []string{"table_rowH@1:a | b | c", "table_row@2:1,5 | 2,3 | 4", "table_row@3:7 | 8,1 | 9"}},
		{"quoted delimiters do not count", "a.csv", "name;note\n\"x;y;z\";\"a,b\"\n", []string{"table_rowH@1:name | note", "table_row@2:x;y;z | a,b"}},
		{"tsv prefers tab on a tie", "a.tsv", "a,b\tc\nd,e\tf\n", []string{"table_rowH@1:a,b | c", "table_row@2:d,e | f"}},
		{"sep line", "a.csv", "sep=|\nx|y\n1|2\n", []string{"table_rowH@2:x | y", "table_row@3:1 | 2"}},
		{"caption row", "a.csv", "2026年3月逾期客户承诺还款明细,,\n客户,金额,日期\nC1,100,2026-03-05\n",
			[]string{"paragraph@1:2026年3月逾期客户承诺还款明细", "table_rowH@2:客户 | 金额 | 日期", "table_row@3:C1 | 100 | 2026-03-05"}},
		{"short rows padded, empty rows dropped", "a.csv", "a,b,c\n\n1\n,,\n 2 , 3 ,\n", []string{"table_rowH@1:a | b | c", "table_row@3:1 |  | ", "table_row@5:2 | 3 | "}},
		{"crlf and quoted newline", "a.csv", "q,a\r\n\"多行\r\n问题\",答\r\nx,y\r\n", []string{"table_rowH@1:q | a", "table_row@2:多行\n问题 | 答", "table_row@4:x | y"}},
		{"single column", "a.csv", "话术\n您好\n再见\n", []string{"table_rowH@1:话术", "table_row@2:您好", "table_row@3:再见"}},
		{"stray quote kept", "a.csv", "a,b\nsay \"hi\" now,2\n", []string{"table_rowH@1:a | b", `table_row@2:say "hi" now | 2`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := parse(t, tt.file, tt.in)
			if got := short(doc.Blocks); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("blocks\n got %q\nwant %q", got, tt.want)
			}
			for _, b := range doc.Blocks {
				if b.Kind == ingest.TableRow && len(b.Cells) < len(doc.Blocks[len(doc.Blocks)-1].Cells) {
					t.Errorf("row %d not padded: %q", b.Line, b.Cells)
				}
			}
		})
	}
}

func TestParseUTF16(t *testing.T) {
	src := "问题\t答案\n能分期吗？\t可以。\n"
	b, err := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().Bytes([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	doc, err := New().Parse(context.Background(), "u.csv", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if got := short(doc.Blocks); !reflect.DeepEqual(got, []string{"table_rowH@1:问题 | 答案", "table_row@2:能分期吗？ | 可以。"}) {
		t.Errorf("blocks = %q", got)
	}
}

func TestParseUnclosedQuoteWarns(t *testing.T) {
	src := "a,b\n\"open,1\n" + strings.Repeat("x,y\n", 60)
	doc := parse(t, "q.csv", src)
	if len(doc.Warnings) != 1 || !strings.Contains(doc.Warnings[0], "line 2") || !strings.Contains(doc.Warnings[0], "引号") {
		t.Errorf("warnings = %q", doc.Warnings)
	}
}

func TestSniff(t *testing.T) {
	tests := []struct {
		in   string
		tab  bool
		want rune
	}{
		{"a,b,c\n1,2,3", false, ','},
		{"a\tb\n1\t2", false, '\t'},
		{"a;b\n1;2", false, ';'},
		{"一段没有分隔符的文字", false, ','},
		{"a,b\tc\n1,2\t3", false, ','},
		{"a,b\tc\n1,2\t3", true, '\t'},
		{"a;b;c\n\"1;2\";3;4", false, ';'},
		{"title only\nx;y;z\n1;2;3\n4;5;6", false, ';'},
	}
	for _, tt := range tests {
		if got := Sniff(tt.in, tt.tab); got != tt.want {
			t.Errorf("Sniff(%q, %v) = %q, want %q", tt.in, tt.tab, got, tt.want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		err  error
	}{
		{"empty", "", text.ErrEmpty},
		{"blank", "\r\n \n", text.ErrEmpty},
		{"binary", "PK\x03\x04\x00\x00\x08", text.ErrBinary},
		{"only delimiters", ",,,\n, ,\n", ErrNoText},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New().Parse(context.Background(), "x.csv", strings.NewReader(tt.in))
			if !errors.Is(err, tt.err) {
				t.Fatalf("err = %v, want %v", err, tt.err)
			}
		})
	}
}

func BenchmarkParse(b *testing.B) {
	r := rand.New(rand.NewPCG(7, 8))
	var sb strings.Builder
	sb.WriteString("客户编号,催收阶段,承诺还款日,金额,备注\n")
	notes := []string{"客户承诺月底前还清", "\"已发送还款提醒短信，客户表示\"\"工资到账后还款\"\"\"", "失联，需补充联系人", "Promised to pay on Friday"}
	for sb.Len() < 8<<20 {
		sb.WriteString("C2026-" + strconv.Itoa(r.IntN(100000)) + ",M" + strconv.Itoa(1+r.IntN(3)) + ",2026-04-" + strconv.Itoa(10+r.IntN(20)) +
			"," + strconv.Itoa(r.IntN(50000)) + ".00," + notes[r.IntN(len(notes))] + "\n")
	}
	benchParse(b, "synthetic.csv", []byte(sb.String()))
}

// BenchmarkParseBPIC2012 parses the real bank event log of the shared bench
// data (about 262,000 rows) when it is present.
func BenchmarkParseBPIC2012(b *testing.B) {
	fh, err := os.Open("../../../shared/bench/bpic2012/bpic2012_events.csv.gz")
	if err != nil {
		b.Skipf("bench data absent: %v", err)
	}
	defer fh.Close()
	zr, err := gzip.NewReader(fh)
	if err != nil {
		b.Fatal(err)
	}
	data, err := io.ReadAll(zr)
	if err != nil {
		b.Fatal(err)
	}
	benchParse(b, "bpic2012_events.csv", data)
}

func benchParse(b *testing.B, name string, data []byte) {
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	rows := 0
	for b.Loop() {
		doc, err := New().Parse(context.Background(), name, bytes.NewReader(data))
		if err != nil {
			b.Fatal(err)
		}
		rows += len(doc.Blocks)
	}
	b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"问题,答案\n\"多行\n问题\",答\n",
		"sep=;\na;b\n1;2\n",
		"a\tb\n\"x\"\"y\"\tz\n",
		"\"unclosed,1\n2,3",
		",,,\n",
		"sep=\"\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		doc, err := New().Parse(context.Background(), "fuzz.csv", bytes.NewReader(b))
		if err == nil && (doc == nil || len(doc.Blocks) == 0) {
			t.Fatalf("no error and no blocks for %q", b)
		}
		if err == nil {
			for _, bl := range doc.Blocks {
				if bl.Line < 1 {
					t.Fatalf("block without a line: %+v", bl)
				}
			}
		}
	})
}
