package ui

import (
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/lorehq/lore/chat"
	"github.com/lorehq/lore/knowledge"
)

func getPage(t *testing.T, f *fixture, target string, wantStatus int) *goquery.Document {
	t.Helper()
	status, hdr, body := f.do(t, "GET", target, nil, "")
	if status != wantStatus {
		t.Fatalf("GET %.120s = %d, want %d; body %.300s", target, status, wantStatus, body)
	}
	if ct := hdr.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Fatalf("GET %s Content-Type = %q", target, ct)
	}
	if csp := hdr.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") {
		t.Errorf("CSP = %q, want scripts from self only", csp)
	}
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(body))
	if err != nil {
		t.Fatalf("parse %s: %v", target, err)
	}
	return doc
}

func text(s *goquery.Selection) string { return strings.Join(strings.Fields(s.Text()), " ") }

func TestAskPageEmpty(t *testing.T) {
	f := newFixture(t)
	doc := getPage(t, f, "/", 200)
	form := doc.Find("form#ask-form")
	if form.AttrOr("action", "") != "/" || form.AttrOr("method", "") != "get" {
		t.Errorf("form action/method = %q %q, want a GET of /", form.AttrOr("action", ""), form.AttrOr("method", ""))
	}
	if l := text(form.Find("label[for=q]")); !strings.Contains(l, "提问") || !strings.Contains(l, "Ask") {
		t.Errorf("label = %q, want 提问 and Ask", l)
	}
	if doc.Find("textarea#q[name=q]").Length() != 1 {
		t.Error("no question box named q")
	}
	if doc.Find(`script[src="/static/app.js"]`).Length() != 1 || doc.Find(`link[href="/static/style.css"]`).Length() != 1 {
		t.Error("page does not load the local script and stylesheet")
	}
	if doc.Find(`script[src^="http"], link[href^="http"]`).Length() != 0 {
		t.Error("page loads something remote")
	}
	if doc.Find("#result .answer").Length() != 0 || len(f.asker.requests()) != 0 {
		t.Error("page without q asked anyway")
	}
}

func TestAskPageRendersAnswer(t *testing.T) {
	f := newFixture(t)
	doc := getPage(t, f, "/?q="+url.QueryEscape("逾期三天罚息怎么算？"), 200)
	if got := doc.Find("textarea#q").Text(); got != "逾期三天罚息怎么算？" {
		t.Errorf("question box holds %q", got)
	}
	if got := doc.Find("title").Text(); !strings.HasPrefix(got, "逾期三天罚息怎么算？") {
		t.Errorf("title = %q", got)
	}

	stmts := doc.Find(".answer .statements .statement")
	if stmts.Length() != 2 {
		t.Fatalf("statements = %d, want 2", stmts.Length())
	}
	first := stmts.First()
	if !strings.Contains(first.Text(), "按逾期本金每日万分之五计收罚息") {
		t.Errorf("first statement = %q", first.Text())
	}
	var cites []string
	stmts.Eq(1).Find("a.cite").Each(func(_ int, a *goquery.Selection) {
		cites = append(cites, a.Text()+"→"+a.AttrOr("href", ""))
	})
	if strings.Join(cites, " ") != "[2]→#src-2 [1]→#src-1" {
		t.Errorf("second statement cites %q", cites)
	}
	// Every citation points at a source in the list.
	doc.Find("a.cite").Each(func(_ int, a *goquery.Selection) {
		id := strings.TrimPrefix(a.AttrOr("href", ""), "#")
		if doc.Find(".sources li#"+id).Length() != 1 {
			t.Errorf("citation %s points at no source", a.AttrOr("href", ""))
		}
	})

	if s := text(doc.Find(".script blockquote")); !strings.Contains(s, "理解您的着急") {
		t.Errorf("script = %q", s)
	}
	if r := text(doc.Find(".rules li")); !strings.Contains(r, "[1]") || !strings.Contains(r, "第十八条") {
		t.Errorf("rules = %q", r)
	}
	if n := doc.Find(".steps li").Length(); n != 5 {
		t.Errorf("steps = %d, want 5", n)
	}
	src := doc.Find(".sources li#src-1")
	for _, want := range []string{"规则 Rule", "个人消费贷款管理细则 第十八条", "规章/个人消费贷款管理细则.pdf", "p. 6 · 第三章 还款管理 > 第十八条", "不计复利"} {
		if !strings.Contains(text(src), want) {
			t.Errorf("source 1 %q lacks %q", text(src), want)
		}
	}
	if k := doc.Find(".sources li#src-3 .kind").AttrOr("class", ""); k != "kind kind-procedure" {
		t.Errorf("source 3 kind class = %q", k)
	}
	if doc.Find(".no-answer").Length() != 0 {
		t.Error("answered page shows the no-answer notice")
	}
	if got := f.asker.requests(); len(got) != 1 || got[0].Question != "逾期三天罚息怎么算？" {
		t.Errorf("asker saw %+v", got)
	}
}

func TestAskPageNoAnswer(t *testing.T) {
	f := newFixture(t)
	closest := sampleAnswer().Sources[:1]
	f.asker.answer = chat.Answer{NoAnswer: true, Notice: "知识库中没有找到能回答这个问题的内容。请换个说法，或联系知识库管理员补充。", Sources: closest, Mode: "extractive"}
	doc := getPage(t, f, "/?q="+url.QueryEscape("信用卡年费多少"), 200)
	notice := doc.Find(".notice.no-answer")
	if !strings.Contains(text(notice), "没有找到答案") || !strings.Contains(text(notice), "联系知识库管理员") {
		t.Errorf("notice = %q", text(notice))
	}
	if doc.Find(".statements").Length() != 0 {
		t.Error("no-answer page shows statements")
	}
	if h := text(doc.Find(".sources h2")); !strings.Contains(h, "最接近的资料") {
		t.Errorf("sources heading = %q, want closest sources", h)
	}
}

// TestAskPageEscapes: knowledge text is data; markup in it is shown, not run.
func TestAskPageEscapes(t *testing.T) {
	f := newFixture(t)
	a := sampleAnswer()
	a.Statements[0].Text = `<script>alert("催收")</script><img src=x onerror=alert(1)>`
	a.Sources[0].Title = `<b>粗体</b>`
	f.asker.answer = a
	doc := getPage(t, f, "/?q="+url.QueryEscape("<i>罚息</i>"), 200)
	if doc.Find("#result script, #result img, #result b, textarea i").Length() != 0 {
		t.Error("markup from the answer or question became elements")
	}
	if !strings.Contains(doc.Find(".statement").First().Text(), `<script>alert("催收")</script>`) {
		t.Errorf("statement text = %q", doc.Find(".statement").First().Text())
	}
}

func TestAskPageErrors(t *testing.T) {
	tests := []struct {
		name   string
		q      string
		err    error
		status int
		code   string
		want   string
	}{
		{"question too long", strings.Repeat("逾", maxQuestion+1), nil, 400, "invalid", "longer than 2000"},
		{"store down", "罚息", knowledge.Errorf(knowledge.Unavailable, "qdrant", "向量库不可用 / the vector store is down"), 503, "unavailable", "向量库不可用"},
		{"internal", "罚息", errors.New("sqlite: corrupt page 7 in /data/lore.db"), 500, "internal", "内部错误"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			f.asker.err = tt.err
			doc := getPage(t, f, "/?q="+url.QueryEscape(tt.q), tt.status)
			n := doc.Find("#result .notice.error")
			if n.AttrOr("data-code", "") != tt.code || !strings.Contains(n.Text(), tt.want) {
				t.Errorf("notice = %q (code %q), want %q containing %q", n.Text(), n.AttrOr("data-code", ""), tt.code, tt.want)
			}
			if strings.Contains(doc.Text(), "/data/lore.db") {
				t.Error("internal detail leaked into the page")
			}
		})
	}
}

func TestSourcesPage(t *testing.T) {
	f := newFixture(t)
	doc := getPage(t, f, "/sources", 200)
	rows := doc.Find("table tbody tr")
	if rows.Length() != 3 {
		t.Fatalf("rows = %d, want the 3 sources of space cs", rows.Length())
	}
	q := doc.Find("tr.status-quarantined")
	if q.Length() != 1 {
		t.Fatalf("quarantined rows = %d, want 1", q.Length())
	}
	for _, want := range []string{"规章/催收合规手册（扫描件）.pdf", "已隔离 Quarantined", "扫描件没有文字层"} {
		if !strings.Contains(text(q), want) {
			t.Errorf("quarantined row %q lacks %q", text(q), want)
		}
	}
	if got := text(doc.Find("tr.status-indexed td.num")); got != "57" {
		t.Errorf("indexed items = %q, want 57", got)
	}
	if c := text(doc.Find(".counts")); !strings.Contains(c, "共 3 个文件") || !strings.Contains(c, "quarantined 1") {
		t.Errorf("counts = %q", c)
	}
	if v := doc.Find("input#space").AttrOr("value", ""); v != "cs" {
		t.Errorf("space box = %q, want the default space", v)
	}
	if doc.Find(`nav a[aria-current="page"]`).AttrOr("href", "") != "/sources" {
		t.Error("nav does not mark the sources page")
	}
}

func TestSourcesPageEmptyAndError(t *testing.T) {
	f := newFixture(t)
	doc := getPage(t, f, "/sources?space=marketing", 200)
	if !strings.Contains(text(doc.Find(".empty")), "还没有摄入任何文件") {
		t.Errorf("empty space shows %q", text(doc.Find(".ledger")))
	}
	f.ledger.err = knowledge.Errorf(knowledge.Unavailable, "sqlite", "数据库正忙 / the database is busy")
	doc = getPage(t, f, "/sources", 503)
	if !strings.Contains(doc.Find(".notice.error").Text(), "the database is busy") {
		t.Errorf("error notice = %q", doc.Find(".notice.error").Text())
	}
}
