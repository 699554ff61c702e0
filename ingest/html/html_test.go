package html

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

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/lorehq/lore/ingest"
	"github.com/lorehq/lore/ingest/text"
)

func parse(t *testing.T, src []byte) *ingest.Document {
	t.Helper()
	doc, err := New().Parse(context.Background(), "t.html", bytes.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// short renders blocks compactly: kind, level and text.
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
		out[i] = s + ":" + b.Text
	}
	return out
}

func TestParseBlocks(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		title string
		want  []string
	}{
		{"title from title element", "<title> 催收 规范 </title><h1>标题</h1><p>正文</p>", "催收 规范",
			[]string{"heading1:标题", "paragraph:正文"}},
		{"title from first h1", "<h2>小节</h2><h1>总则</h1>", "总则", []string{"heading2:小节", "heading1:总则"}},
		{"nested blocks not duplicated", "<div>外<div>内</div>后</div>", "",
			[]string{"paragraph:外", "paragraph:内", "paragraph:后"}},
		{"inline elements join", "<p>逾期<b>三十日</b>以上的，<a href=x>报送征信</a>。</p>", "",
			[]string{"paragraph:逾期三十日以上的，报送征信。"}},
		{"chinese line break dropped, latin kept", "<p>借款人\n应当还款 and\nrepay</p>", "",
			[]string{"paragraph:借款人应当还款 and repay"}},
		{"br splits", "<p>第一行<br>第二行<br/><br>第三行</p>", "",
			[]string{"paragraph:第一行", "paragraph:第二行", "paragraph:第三行"}},
		{"nested lists", "<ul><li>甲<ol><li>甲一</li></ol></li><li><p>乙</p></li></ul>", "",
			[]string{"list_item:甲", "list_item:甲一", "list_item:乙"}},
		{"table header by th", "<table><tr><th>期数</th><th>金额</th></tr><tr><td>1</td><td>100</td></tr><tr><td></td><td></td></tr></table>", "",
			[]string{"table_rowH:期数 | 金额", "table_row:1 | 100"}},
		{"table without th has no header", "<table><tr><td>期数</td><td>金额</td></tr><tr><td>1</td><td>100</td></tr></table>", "",
			[]string{"table_row:期数 | 金额", "table_row:1 | 100"}},
		{"layout table read as blocks", "<table><tr><td><h2>标题</h2><p>正文</p></td><td>侧栏</td></tr></table>", "",
			[]string{"heading2:标题", "paragraph:正文", "paragraph:侧栏"}},
		{"furniture dropped", `<nav>导航</nav><div class="menu">菜单</div><div id="footer">页脚</div><div role="navigation">角色</div>` +
			`<aside>旁注</aside><div class="cookie-notice">cookie</div><div class="ads">广告</div><script>x</script><p hidden>藏</p><p>正文</p>`, "",
			[]string{"paragraph:正文"}},
		{"similar class names kept", `<div class="header-title download shadow">保留</div>`, "", []string{"paragraph:保留"}},
		{"header inside article kept", `<header>站点</header><article><header><h1>标题</h1></header><p>正文</p></article>`, "标题",
			[]string{"heading1:标题", "paragraph:正文"}},
		{"search form dropped", `<form><input name=q>搜索</form><p>正文</p>`, "", []string{"paragraph:正文"}},
		{"pre keeps lines", "<pre>第一行\n  第二行\n</pre>", "", []string{"paragraph:第一行\n  第二行"}},
		{"entities", "<p>&lt;6 个月&gt; &amp; 1%&nbsp;手续费</p>", "", []string{"paragraph:<6 个月> & 1% 手续费"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := parse(t, []byte(tt.in))
			if got := short(doc.Blocks); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("blocks\n got %q\nwant %q", got, tt.want)
			}
			if doc.Title != tt.title {
				t.Errorf("title = %q, want %q", doc.Title, tt.title)
			}
		})
	}
}

func TestParseGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/*.html")
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".html")
		t.Run(name, func(t *testing.T) {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			golden.JSON(t, filepath.Join("testdata", name+".golden"), parse(t, b))
		})
	}
}

func TestCharsets(t *testing.T) {
	notice, err := os.ReadFile("testdata/collections_notice.html")
	if err != nil {
		t.Fatal(err)
	}
	gbk, err := simplifiedchinese.GBK.NewEncoder().Bytes(notice)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := json.Marshal(parse(t, notice).Blocks)
	if got, _ := json.Marshal(parse(t, gbk).Blocks); !bytes.Equal(got, want) {
		t.Errorf("GBK page differs from UTF-8 page:\n%s\n%s", got, want)
	}

	zh := "<p>提前还款不收手续费。</p>"
	gbZH, _ := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(zh))
	latin, _ := charmap.Windows1252.NewEncoder().Bytes([]byte("<p>Café fee: 5 €</p>"))
	tests := []struct {
		name    string
		in      []byte
		text    string
		warning string
	}{
		{"meta charset gbk", append([]byte(`<meta charset="GBK">`), gbZH...), "提前还款不收手续费。", ""},
		{"http-equiv gb18030", append([]byte(`<meta http-equiv="content-type" content="text/html;charset=GB18030">`), gbZH...), "提前还款不收手续费。", ""},
		{"no declaration, gbk bytes", gbZH, "提前还款不收手续费。", ""},
		{"declared utf-8, gbk bytes", append([]byte(`<meta charset="utf-8">`), gbZH...), "提前还款不收手续费。", "declared UTF-8 but is not"},
		{"windows-1252", append([]byte(`<meta charset="windows-1252">`), latin...), "Café fee: 5 €", ""},
		{"unknown label", append([]byte(`<meta charset="x-klingon">`), zh...), "提前还款不收手续费。", "unknown charset"},
		{"utf-8 bom", append([]byte{0xEF, 0xBB, 0xBF}, zh...), "提前还款不收手续费。", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := parse(t, tt.in)
			if len(doc.Blocks) != 1 || doc.Blocks[0].Text != tt.text {
				t.Errorf("blocks = %q, want %q", short(doc.Blocks), tt.text)
			}
			if tt.warning == "" && len(doc.Warnings) > 0 || tt.warning != "" && (len(doc.Warnings) != 1 || !strings.Contains(doc.Warnings[0], tt.warning)) {
				t.Errorf("warnings = %q, want %q", doc.Warnings, tt.warning)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		err  error
	}{
		{"empty", "", text.ErrEmpty},
		{"blank", "\n \t", text.ErrEmpty},
		{"only furniture", "<html><head><title>空</title></head><body><nav>导航</nav><script>x()</script></body></html>", ErrNoText},
		{"binary", "\x00\x01<p>x</p>", text.ErrBinary},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New().Parse(context.Background(), "x.html", strings.NewReader(tt.in))
			if !errors.Is(err, tt.err) {
				t.Fatalf("err = %v, want %v", err, tt.err)
			}
		})
	}
}

func TestDeepNesting(t *testing.T) {
	src := strings.Repeat("<div>", 2000) + "深处" + strings.Repeat("</div>", 2000)
	_, err := New().Parse(context.Background(), "deep.html", strings.NewReader(src))
	if err == nil || !strings.Contains(err.Error(), "HTML 文件无法解析") {
		t.Errorf("err = %v, want a malformed HTML error", err)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"<title>t</title><h1>a</h1><p>b<br>c</p>",
		"<table><thead><tr><th>a<th>b</thead><tr><td>1<td>2</table>",
		`<meta charset="gbk"><div class="nav">x</div><ul><li>a<ul><li>b</ul></ul>`,
		"<pre>a\n b</pre><form><h1>x</h1></form>",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		doc, err := New().Parse(context.Background(), "fuzz.html", bytes.NewReader(b))
		if err == nil && (doc == nil || len(doc.Blocks) == 0) {
			t.Fatalf("no error and no blocks for %q", b)
		}
	})
}
