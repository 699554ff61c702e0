package text

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lorehq/lore/internal/golden"

	"golang.org/x/text/encoding/simplifiedchinese"
	unicodeenc "golang.org/x/text/encoding/unicode"
)

func gbk(t *testing.T, s string) []byte {
	t.Helper()
	b, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func utf16(t *testing.T, s string, order unicodeenc.Endianness) []byte {
	t.Helper()
	b, err := unicodeenc.UTF16(order, unicodeenc.UseBOM).NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestDecode(t *testing.T) {
	const zh = "借款人逾期三十日以上的，将报送征信。"
	tests := []struct {
		name     string
		in       []byte
		want     string
		encoding string
		err      error
	}{
		{"utf-8", []byte(zh), zh, UTF8, nil},
		{"utf-8 with bom", append([]byte{0xEF, 0xBB, 0xBF}, zh...), zh, UTF8, nil},
		{"utf-16le with bom", utf16(t, zh, unicodeenc.LittleEndian), zh, UTF16LE, nil},
		{"utf-16be with bom", utf16(t, zh, unicodeenc.BigEndian), zh, UTF16BE, nil},
		{"gbk", gbk(t, zh), zh, GB18030, nil},
		{"gb18030 four-byte", mustGB18030(t, "罚息㐀"), "罚息㐀", GB18030, nil},
		{"ascii", []byte("Repay on the 15th."), "Repay on the 15th.", UTF8, nil},
		{"empty", nil, "", "", ErrEmpty},
		{"white space only", []byte(" \r\n\t\u3000\n"), "", UTF8, ErrEmpty},
		{"bom only", []byte{0xEF, 0xBB, 0xBF}, "", UTF8, ErrEmpty},
		{"nul bytes", []byte("PK\x03\x04\x00\x00\x08\x00"), "", "", ErrBinary},
		{"control characters", []byte("\x01\x02\x03\x04\x05\x06\x07\x08abc"), "", UTF8, ErrBinary},
		{"undecodable bytes", bytes.Repeat([]byte{0xFF, 0x80}, 20), "", GB18030, ErrBinary},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, enc, err := Decode(tt.in)
			if !errors.Is(err, tt.err) {
				t.Fatalf("err = %v, want %v", err, tt.err)
			}
			if got != tt.want || (tt.err == nil && enc != tt.encoding) {
				t.Errorf("Decode = %q, %q; want %q, %q", got, enc, tt.want, tt.encoding)
			}
		})
	}
}

func mustGB18030(t *testing.T, s string) []byte {
	t.Helper()
	b, err := simplifiedchinese.GB18030.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestJoinLines(t *testing.T) {
	tests := []struct {
		name string
		in   []string
		want string
	}{
		{"chinese", []string{"借款人应当按期", "足额还款。"}, "借款人应当按期足额还款。"},
		{"latin", []string{"Repay the loan", "  on time."}, "Repay the loan on time."},
		{"chinese then latin", []string{"年化利率以", "APR 表示"}, "年化利率以APR 表示"},
		{"digits then chinese", []string{"还款金额为 1000", "元"}, "还款金额为 1000元"},
		{"latin digits", []string{"due on", "15 March"}, "due on 15 March"},
		{"hyphen", []string{"self-", "service"}, "self-service"},
		{"full-width punctuation", []string{"Hello，", "world"}, "Hello，world"},
		{"blank lines skipped", []string{"", "逾期", "\u3000", "罚息"}, "逾期罚息"},
		{"nothing", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := JoinLines(tt.in); got != tt.want {
				t.Errorf("JoinLines(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestParagraphBreak(t *testing.T) {
	tests := []struct {
		prev, next string
		want       bool
	}{
		{"借款人应当按期还款。", "逾期的按日计收罚息", true},
		{"催收人员不得有下列行为：", "（一）使用暴力", true},
		{"使用暴力、威胁或者侮辱性语言；", "（二）泄露债务信息", true},
		{"借款人应当按期", "足额还款", false},
		{"委托合同应当依照本办法", "第六条的规定约定禁止性行为", false},
		{"委托合同应当依照本办法", "第六条 催收人员不得", true},
		{"制定本办法。", "第六条催收人员不得", true},
		{"第一章 总则", "第一条为规范催收行为", true},
		{"依照本办法第六条第", "（一）项的规定处理", false},
		{"客服人员应当告知以下事项", "1. 提前还款金额", true},
		{"年利率为合同利率的", "1.5倍", false},
		{"The rate is", "3.5 percent.", false},
		{"第三章 罚息", "第八条 借款人逾期的", true},
		{"详见", "第二章 办理流程", true},
		{"说明。”", "客户表示", true},
	}
	for _, tt := range tests {
		if got := ParagraphBreak(tt.prev, tt.next); got != tt.want {
			t.Errorf("ParagraphBreak(%q, %q) = %v, want %v", tt.prev, tt.next, got, tt.want)
		}
	}
}

func TestHeadingLevel(t *testing.T) {
	tests := []struct {
		line string
		want int
	}{
		{"第一编 总则", 1},
		{"第二部分 产品说明", 1},
		{"第一章 总则", 2},
		{"第十二章　附则", 2},
		{"第3章 催收", 2},
		{"第二节 电话催收", 3},
		{"一、手续费标准", 3},
		{"三、罚息、减免与分期", 3},
		{"（一）还款方式", 4},
		{"(二) 减免审批", 4},
		{"第一条 为规范催收行为，制定本办法。", 0},
		{"第五条", 0},
		{"第二章规定的情形适用本条。", 0},
		{"一、借款人应当按期还款，逾期的收取罚息", 0},
		{"（一）使用暴力、威胁；", 0},
		{"总则", 0},
		{"", 0},
		{"第一章 " + strings.Repeat("很长的标题", 9), 0},
	}
	for _, tt := range tests {
		if got := HeadingLevel(tt.line); got != tt.want {
			t.Errorf("HeadingLevel(%q) = %d, want %d", tt.line, got, tt.want)
		}
	}
}

func TestParseGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".txt")
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

// TestParseEncodings parses the rules fixture re-encoded as GBK, UTF-16LE,
// UTF-16BE and with CRLF line ends, and expects the same document as from
// the UTF-8 file.
func TestParseEncodings(t *testing.T) {
	b, err := os.ReadFile("testdata/rules.txt")
	if err != nil {
		t.Fatal(err)
	}
	want, err := New().Parse(context.Background(), "rules.txt", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	tests := []struct {
		name string
		in   []byte
	}{
		{"gbk", gbk(t, s)},
		{"utf-16le", utf16(t, s, unicodeenc.LittleEndian)},
		{"utf-16be", utf16(t, s, unicodeenc.BigEndian)},
		{"crlf", []byte(strings.ReplaceAll(s, "\n", "\r\n"))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := New().Parse(context.Background(), "rules.txt", bytes.NewReader(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			g, _ := json.Marshal(got)
			w, _ := json.Marshal(want)
			if !bytes.Equal(g, w) {
				t.Errorf("got\n%s\nwant\n%s", g, w)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		in   []byte
		err  error
		msg  string
	}{
		{"empty", nil, ErrEmpty, "文件为空"},
		{"blank", []byte("\n \n\u3000\n"), ErrEmpty, "empty file"},
		{"binary", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), ErrBinary, "二进制文件"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := New().Parse(context.Background(), "x.txt", bytes.NewReader(tt.in))
			if !errors.Is(err, tt.err) || !strings.Contains(err.Error(), tt.msg) {
				t.Fatalf("err = %v, want %v containing %q", err, tt.err, tt.msg)
			}
			if doc != nil {
				t.Errorf("doc = %+v, want nil", doc)
			}
		})
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := New().Parse(ctx, "x.txt", strings.NewReader("逾期")); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: err = %v", err)
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte("第一章 总则\n第一条 借款人应当\n按期还款。\n"))
	f.Add([]byte("Title\n\nSome text\nwrapped.\n"))
	f.Add([]byte{0xFF, 0xFE, 'a', 0, 0xD8, 0})
	f.Add([]byte{0xB9, 0xFD, 0xC6, 0xDA})
	f.Fuzz(func(t *testing.T, b []byte) {
		doc, err := New().Parse(context.Background(), "fuzz.txt", bytes.NewReader(b))
		if err == nil && (doc == nil || len(doc.Blocks) == 0) {
			t.Fatalf("no error and no blocks for %q", b)
		}
	})
}
