package markdown

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/lorehq/lore/internal/golden"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/lorehq/lore/ingest"
	"github.com/lorehq/lore/ingest/text"
)

func parse(t *testing.T, src string) *ingest.Document {
	t.Helper()
	doc, err := New().Parse(context.Background(), "t.md", strings.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// short renders blocks compactly: kind, level, line and text.
func short(blocks []ingest.Block) []string {
	out := make([]string, len(blocks))
	for i, b := range blocks {
		s := string(b.Kind)
		if b.Level > 0 {
			s += string(rune('0' + b.Level))
		}
		if b.Header {
			s += "H"
		}
		out[i] = s + "@" + itoa(b.Line) + ":" + b.Text
	}
	return out
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

func TestParseBlocks(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		title string
		want  []string
	}{
		{"atx headings and closing hashes", "# 总则 #\n\n## 范围\n####### 不是标题", "总则",
			[]string{"heading1@1:总则", "heading2@3:范围", "paragraph@4:####### 不是标题"}},
		{"hash without space is text", "#逾期", "", []string{"paragraph@1:#逾期"}},
		{"setext headings", "催收规范\n====\n\n电话催收\n---\n正文。", "催收规范",
			[]string{"heading1@1:催收规范", "heading2@4:电话催收", "paragraph@6:正文。"}},
		{"chinese lines join without space", "借款人应当\n按期还款。", "",
			[]string{"paragraph@1:借款人应当按期还款。"}},
		{"latin lines join with space", "Pay on\ntime.", "", []string{"paragraph@1:Pay on time."}},
		{"lists", "- 第一项\n* 第二项\n  续行\n+ third\n1. 一\n2) 二\n\n   缩进段落", "",
			[]string{"list_item@1:第一项", "list_item@2:第二项续行", "list_item@4:third", "list_item@5:一", "list_item@6:二", "paragraph@8:缩进段落"}},
		{"list interrupts paragraph", "下列情形：\n- 失业\n- 疾病", "",
			[]string{"paragraph@1:下列情形：", "list_item@2:失业", "list_item@3:疾病"}},
		{"thematic breaks dropped", "甲\n\n***\n- - -\n___\n乙", "",
			[]string{"paragraph@1:甲", "paragraph@6:乙"}},
		{"table", "| 期数 | 金额 |\n|---|--:|\n| 1 | 100 |\n| 2 |\n\n后文", "",
			[]string{"table_rowH@1:期数 | 金额", "table_row@3:1 | 100", "table_row@4:2 | ", "paragraph@6:后文"}},
		{"table without outer pipes", "期数 | 金额\n--- | ---\n1 | **100**", "",
			[]string{"table_rowH@1:期数 | 金额", "table_row@3:1 | 100"}},
		{"pipe without delimiter is text", "a | b\nc | d", "", []string{"paragraph@1:a | b c | d"}},
		{"code fence kept verbatim", "```go\nx := 1\n\ny := **2**\n```\n后文", "",
			[]string{"paragraph@1:x := 1\n\ny := **2**", "paragraph@6:后文"}},
		{"tilde fence unclosed", "~~~\n代码", "", []string{"paragraph@1:代码"}},
		{"comments dropped", "前<!-- 隐藏 -->文\n<!--\n多行\n-->\n后", "",
			[]string{"paragraph@1:前文", "paragraph@5:后"}},
		{"front matter title wins", "---\ntitle: 催收指引\n---\n# 其他标题\n", "催收指引",
			[]string{"heading1@4:其他标题"}},
		{"non-yaml between rules is text", "---\n这不是: [YAML\n---\n正文", "",
			[]string{"heading2@2:这不是: [YAML", "paragraph@4:正文"}},
		{"block quote", "> 客户：我想\n> 提前还款\n\n后文", "", []string{"paragraph@1:客户：我想提前还款", "paragraph@4:后文"}},
		{"inline markup", "**加粗** _斜体_ ~~删除~~ `a*b*c` [链接](http://x) ![图](a.png) <b>标签</b> \\*星号\\* snake_case_name 2 * 3", "",
			[]string{"paragraph@1:加粗 斜体 删除 a*b*c 链接 图 标签 *星号* snake_case_name 2 * 3"}},
		{"link reference definition dropped", "文本\n\n[id]: http://x\n", "", []string{"paragraph@1:文本"}},
		{"task list", "- [ ] 核实身份\n- [x] 告知费用", "", []string{"list_item@1:核实身份", "list_item@2:告知费用"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := parse(t, tt.in)
			if got := short(doc.Blocks); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("blocks\n got %q\nwant %q", got, tt.want)
			}
			if doc.Title != tt.title {
				t.Errorf("title = %q, want %q", doc.Title, tt.title)
			}
		})
	}
}

func TestParseWarnings(t *testing.T) {
	doc := parse(t, "正文\n```\n未闭合\n")
	if len(doc.Warnings) != 1 || !strings.Contains(doc.Warnings[0], "line 2: code block not closed") {
		t.Errorf("warnings = %q", doc.Warnings)
	}
	doc = parse(t, "正文\n\n<!-- 未闭合\n隐藏")
	if len(doc.Warnings) != 1 || !strings.Contains(doc.Warnings[0], "line 3: HTML comment not closed") {
		t.Errorf("warnings = %q", doc.Warnings)
	}
}

func TestParseGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/*.md")
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".md")
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

func TestParseGBK(t *testing.T) {
	src := "# 罚息说明\n\n逾期的按日计收罚息。\n"
	b, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	doc, err := New().Parse(context.Background(), "gbk.md", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if doc.Title != "罚息说明" || len(doc.Blocks) != 2 || doc.Blocks[1].Text != "逾期的按日计收罚息。" {
		t.Errorf("doc = %+v", doc)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		err  error
	}{
		{"empty", "", text.ErrEmpty},
		{"blank", " \n\t\n", text.ErrEmpty},
		{"only comment", "<!-- 草稿 -->\n", ErrNoText},
		{"only front matter", "---\ntitle: 空\n---\n", ErrNoText},
		{"binary", "\x00\x01\x02", text.ErrBinary},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New().Parse(context.Background(), "x.md", strings.NewReader(tt.in))
			if !errors.Is(err, tt.err) {
				t.Fatalf("err = %v, want %v", err, tt.err)
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"---\ntitle: x\n---\n# a\n",
		"| a | b |\n|---|---|\n| `|` | \\| |\n",
		"```\ncode\n",
		"<!-- a\n- b\n-->\n**c** _d_ [e](f)\n",
		"a\n===\n- [ ] b\n> c\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		doc, err := New().Parse(context.Background(), "fuzz.md", bytes.NewReader(b))
		if err == nil && (doc == nil || len(doc.Blocks) == 0) {
			t.Fatalf("no error and no blocks for %q", b)
		}
	})
}
