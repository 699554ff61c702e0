package ui

import (
	"context"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/lorehq/lore/knowledge"
)

// chromiumPath finds a Chromium to drive, or "" when none is installed.
func chromiumPath() string {
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium"
	}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// dumpDOM loads target in headless Chromium, lets its scripts run, and
// returns the resulting DOM.
func dumpDOM(t *testing.T, chromium, target string) *goquery.Document {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	profile := t.TempDir()
	cmd := exec.CommandContext(ctx, chromium,
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir="+profile, "--virtual-time-budget=8000", "--dump-dom", target)
	cmd.Env = append(os.Environ(), "HOME="+profile)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("chromium %s: %v\n%s", target, err, stderr.String())
	}
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(string(out)))
	if err != nil {
		t.Fatalf("parse DOM of %s: %v", target, err)
	}
	return doc
}

// TestBrowser renders the staff page in a real headless Chromium against
// the server on loopback: once answered on the server (/?q=…), once asked
// by static/app.js through the API (/#q=…).
func TestBrowser(t *testing.T) {
	chromium := chromiumPath()
	if chromium == "" {
		t.Skip("chromium is not installed (looked for /usr/bin/chromium, chromium, chromium-browser); CI installs it to run this test")
	}
	if testing.Short() {
		t.Skip("starts a browser; skipped with -short")
	}
	f := newFixture(t)
	base, stop := serve(t, f)
	defer stop()

	q := "逾期三天罚息怎么算？"
	tests := []struct {
		name     string
		target   string
		rendered string // data-rendered of the answer: who drew it
	}{
		{"server rendered", base + "?q=" + url.QueryEscape(q), "server"},
		{"asked by app.js", base + "#q=" + url.QueryEscape(q), "client"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(f.asker.requests())
			doc := dumpDOM(t, chromium, tt.target)
			if js := doc.Find("html").AttrOr("data-js", ""); js != "ready" {
				t.Errorf("html data-js = %q: app.js did not load or failed", js)
			}
			ans := doc.Find("#result .answer")
			if got := ans.AttrOr("data-rendered", ""); got != tt.rendered {
				t.Fatalf("answer rendered by %q, want %q; result: %q", got, tt.rendered, text(doc.Find("#result")))
			}
			first := ans.Find(".statement").First()
			if !strings.Contains(first.Text(), "按逾期本金每日万分之五计收罚息") {
				t.Errorf("first statement = %q", first.Text())
			}
			cite := first.Find("a.cite")
			if cite.Text() != "[1]" || cite.AttrOr("href", "") != "#src-1" {
				t.Errorf("citation = %q → %q, want [1] → #src-1", cite.Text(), cite.AttrOr("href", ""))
			}
			if src := text(ans.Find(".sources li#src-1")); !strings.Contains(src, "规章/个人消费贷款管理细则.pdf") || !strings.Contains(src, "规则 Rule") {
				t.Errorf("source 1 = %q", src)
			}
			if !strings.Contains(text(ans.Find(".script blockquote")), "理解您的着急") || ans.Find(".steps li").Length() != 5 {
				t.Errorf("script or steps missing: %q", text(ans))
			}
			if got := doc.Find("textarea#q").Text() + doc.Find("textarea#q").AttrOr("value", ""); !strings.Contains(got, q) && tt.rendered == "server" {
				t.Errorf("question box = %q", got)
			}
			if n := len(f.asker.requests()) - before; n != 1 {
				t.Errorf("the page asked %d times, want once", n)
			}
		})
	}

	t.Run("app.js shows API errors", func(t *testing.T) {
		f.asker.fail(knowledge.Errorf(knowledge.Unavailable, "qdrant", "向量库暂不可用 / the vector store is unavailable"))
		defer f.asker.fail(nil)
		doc := dumpDOM(t, chromium, base+"#q="+url.QueryEscape(q))
		n := doc.Find("#result .notice.error")
		if n.AttrOr("data-code", "") != "unavailable" || !strings.Contains(n.Text(), "向量库暂不可用") {
			t.Errorf("error notice = %q (code %q); result: %q", n.Text(), n.AttrOr("data-code", ""), text(doc.Find("#result")))
		}
	})
}
