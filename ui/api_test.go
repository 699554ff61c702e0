package ui

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/lorehq/lore/chat"
	"github.com/lorehq/lore/knowledge"
)

// decodeError checks body is the JSON error envelope and returns its detail.
func decodeError(t *testing.T, hdr http.Header, body string) errorDetail {
	t.Helper()
	if ct := hdr.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("error Content-Type = %q, want application/json; body %s", ct, body)
	}
	var eb errorBody
	dec := json.NewDecoder(strings.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&eb); err != nil {
		t.Fatalf("error body %q is not the error envelope: %v", body, err)
	}
	if eb.Error.Code == "" || eb.Error.Message == "" {
		t.Fatalf("error body %q lacks code or message", body)
	}
	return eb.Error
}

func TestChatAPI(t *testing.T) {
	tests := []struct {
		name    string
		method  string
		target  string
		header  map[string]string
		body    string
		status  int
		code    knowledge.Code // "" when the request succeeds
		message string         // part of the error message
	}{
		{name: "ok", body: `{"question":"逾期三天罚息怎么算？"}`, status: 200},
		{name: "ok with charset", header: map[string]string{"Content-Type": "application/json; charset=utf-8"}, body: `{"question":"提前还款要违约金吗"}`, status: 200},
		{name: "ok with every field", body: `{"question":"What is the penalty rate?","spaces":["cs"],"kinds":["rule","faq"],"limit":50}`, status: 200},
		{name: "stream off", target: "/api/v1/chat?stream=0", body: `{"question":"罚息"}`, status: 200},
		{name: "truncated JSON", body: `{"question":"逾期`, status: 400, code: knowledge.Invalid, message: "JSON"},
		{name: "not JSON", body: `question=逾期`, status: 400, code: knowledge.Invalid, message: "not valid JSON"},
		{name: "unquoted key", body: `{question: "逾期"}`, status: 400, code: knowledge.Invalid, message: "near byte"},
		{name: "empty body", body: "", status: 400, code: knowledge.Invalid, message: "empty"},
		{name: "blank body", body: " \n\t ", status: 400, code: knowledge.Invalid, message: "empty"},
		{name: "null body", body: `null`, status: 400, code: knowledge.Invalid, message: "question is empty"},
		{name: "array body", body: `["逾期"]`, status: 400, code: knowledge.Invalid, message: "JSON object"},
		{name: "missing question", body: `{"limit":3}`, status: 400, code: knowledge.Invalid, message: "question is empty"},
		{name: "empty question", body: `{"question":""}`, status: 400, code: knowledge.Invalid, message: "问题不能为空"},
		{name: "blank question", body: `{"question":"  　 "}`, status: 400, code: knowledge.Invalid, message: "question is empty"},
		{name: "question not a string", body: `{"question":12}`, status: 400, code: knowledge.Invalid, message: `"question" must be a string`},
		{name: "question too long", body: `{"question":"` + strings.Repeat("逾", maxQuestion+1) + `"}`, status: 400, code: knowledge.Invalid, message: "longer than 2000"},
		{name: "unknown field", body: `{"qustion":"逾期"}`, status: 400, code: knowledge.Invalid, message: `unknown field "qustion"`},
		{name: "unknown kind", body: `{"question":"逾期","kinds":["rumour"]}`, status: 400, code: knowledge.Invalid, message: `unknown kind "rumour"`},
		{name: "kinds not a list", body: `{"question":"逾期","kinds":"rule"}`, status: 400, code: knowledge.Invalid, message: "array"},
		{name: "limit too big", body: `{"question":"逾期","limit":51}`, status: 400, code: knowledge.Invalid, message: "limit"},
		{name: "limit negative", body: `{"question":"逾期","limit":-1}`, status: 400, code: knowledge.Invalid, message: "limit"},
		{name: "limit fractional", body: `{"question":"逾期","limit":2.5}`, status: 400, code: knowledge.Invalid, message: `"limit" must be an integer`},
		{name: "empty space", body: `{"question":"逾期","spaces":[""]}`, status: 400, code: knowledge.Invalid, message: "space"},
		{name: "trailing data", body: `{"question":"逾期"} {"question":"征信"}`, status: 400, code: knowledge.Invalid, message: "after the JSON object"},
		{name: "invalid UTF-8", body: "{\"question\":\"\xff\xfe\"}", status: 400, code: knowledge.Invalid, message: "UTF-8"},
		{name: "wrong content type", header: map[string]string{"Content-Type": "text/plain"}, body: `{"question":"逾期"}`, status: 415, code: knowledge.Unsupported, message: "application/json"},
		{name: "form content type", header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, body: `question=x`, status: 415, code: knowledge.Unsupported},
		{name: "no content type", header: map[string]string{}, body: `{"question":"逾期"}`, status: 415, code: knowledge.Unsupported, message: "Content-Type"},
		{name: "bad stream flag", target: "/api/v1/chat?stream=maybe", body: `{"question":"逾期"}`, status: 400, code: knowledge.Invalid, message: "stream"},
		{name: "wrong method", method: "GET", status: 405, code: knowledge.Invalid, message: "not allowed"},
		{name: "unknown route", target: "/api/v1/chatter", status: 404, code: knowledge.NotFound, message: "/api/v1/chatter"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			method, target, header := tt.method, tt.target, tt.header
			if method == "" {
				method = "POST"
			}
			if target == "" {
				target = "/api/v1/chat"
			}
			if header == nil {
				header = jsonHeader
			}
			status, hdr, body := f.do(t, method, target, header, tt.body)
			if status != tt.status {
				t.Fatalf("status = %d, want %d; body %s", status, tt.status, body)
			}
			if tt.code == "" {
				var ans chat.Answer
				if err := json.Unmarshal([]byte(body), &ans); err != nil {
					t.Fatalf("answer body: %v\n%s", err, body)
				}
				if len(ans.Statements) != 2 || ans.Statements[0].Cites[0] != 1 {
					t.Errorf("answer statements = %+v, want the fake's two", ans.Statements)
				}
				return
			}
			e := decodeError(t, hdr, body)
			if e.Code != tt.code {
				t.Errorf("code = %q, want %q", e.Code, tt.code)
			}
			if !strings.Contains(e.Message, tt.message) {
				t.Errorf("message %q does not contain %q", e.Message, tt.message)
			}
			if got := f.asker.requests(); len(got) != 0 {
				t.Errorf("asker was called with %+v for a request that should be refused first", got)
			}
		})
	}
}

func TestChatPassesRequest(t *testing.T) {
	f := newFixture(t)
	status, _, body := f.do(t, "POST", "/api/v1/chat", jsonHeader, `{"question":" 分期怎么提前还款？ ","spaces":["cs","collections"],"kinds":["faq"],"limit":5}`)
	if status != 200 {
		t.Fatalf("status %d: %s", status, body)
	}
	got := f.asker.requests()
	want := []chat.Request{{Question: " 分期怎么提前还款？ ", Spaces: []string{"cs", "collections"}, Kinds: []knowledge.Kind{knowledge.KindFAQ}, Limit: 5}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("asker saw %+v, want %+v", got, want)
	}
}

// TestErrorMapping sends every error code through the chat endpoint and
// checks the status and that an internal error's text never reaches the
// client.
func TestErrorMapping(t *testing.T) {
	secret := errors.New(`open /var/lib/lore/store.db: permission denied`)
	tests := []struct {
		name    string
		err     error
		panic   any
		status  int
		code    knowledge.Code
		message string
	}{
		{"invalid", knowledge.Errorf(knowledge.Invalid, "chat.Ask", "limit 99 is out of range / limit 超出范围"), nil, 400, knowledge.Invalid, "limit 超出范围"},
		{"not found", knowledge.Errorf(knowledge.NotFound, "store.Get", "没有这个知识空间 / no such space"), nil, 404, knowledge.NotFound, "no such space"},
		{"conflict", knowledge.Errorf(knowledge.Conflict, "store.Update", "条目已被他人修改 / the item was changed by someone else"), nil, 409, knowledge.Conflict, "changed by someone else"},
		{"unsupported", knowledge.Errorf(knowledge.Unsupported, "chat.Ask", "不支持的语言 / language not supported"), nil, 415, knowledge.Unsupported, "not supported"},
		{"unavailable", knowledge.Errorf(knowledge.Unavailable, "qdrant.Search", "向量库不可用 / the vector store is down"), nil, 503, knowledge.Unavailable, "vector store is down"},
		{"internal code", knowledge.Errorf(knowledge.Internal, "sqlite.Search", "query failed: %w", secret), nil, 500, knowledge.Internal, "internal error"},
		{"wrapped", fmt.Errorf("chat: search: %w", knowledge.Errorf(knowledge.Unavailable, "qdrant", "向量库不可用 / the vector store is down")), nil, 503, knowledge.Unavailable, "vector store is down"},
		{"plain error", fmt.Errorf("chat: search: %w", secret), nil, 500, knowledge.Internal, "internal error"},
		{"unknown code", &knowledge.Error{Code: "weird", Message: "/var/lib/lore"}, nil, 500, knowledge.Internal, "internal error"},
		{"deadline", fmt.Errorf("chat: search: %w", context.DeadlineExceeded), nil, 503, knowledge.Unavailable, "timed out"},
		{"panic", nil, "index out of range in /var/lib/lore", 500, knowledge.Internal, "internal error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			f.asker.err, f.asker.panicWith = tt.err, tt.panic
			status, hdr, body := f.do(t, "POST", "/api/v1/chat", jsonHeader, `{"question":"征信报告上的逾期记录能消除吗？"}`)
			if status != tt.status {
				t.Fatalf("status = %d, want %d; body %s", status, tt.status, body)
			}
			e := decodeError(t, hdr, body)
			if e.Code != tt.code || !strings.Contains(e.Message, tt.message) {
				t.Errorf("error = %+v, want code %q and message containing %q", e, tt.code, tt.message)
			}
			if strings.Contains(body, "/var/lib/lore") {
				t.Errorf("internal detail leaked: %s", body)
			}
		})
	}
}

// The real answering service fits the interface the server consumes.
var _ Asker = (*chat.Service)(nil)

// TestRequestTimeout: work that outlasts the configured write timeout is
// cut off and answered 503, on the API and on the page.
func TestRequestTimeout(t *testing.T) {
	f := newFixture(t)
	f.srv.cfg.WriteTimeout = 20 * time.Millisecond
	f.asker.hang = true
	status, hdr, body := f.do(t, "POST", "/api/v1/chat", jsonHeader, `{"question":"催收电话一天能打几次？"}`)
	if status != 503 {
		t.Fatalf("status = %d, want 503; %s", status, body)
	}
	if e := decodeError(t, hdr, body); e.Code != knowledge.Unavailable || !strings.Contains(e.Message, "timed out") {
		t.Errorf("error = %+v", e)
	}
	status, _, body = f.do(t, "GET", "/?q="+url.QueryEscape("催收电话一天能打几次？"), nil, "")
	if status != 503 || !strings.Contains(body, "请求超时") {
		t.Errorf("page = %d, want 503 with a timeout notice", status)
	}
}

// TestStatusOfCoversEveryCode fails when a code is added to knowledge
// without a status here.
func TestStatusOfCoversEveryCode(t *testing.T) {
	for _, c := range []knowledge.Code{knowledge.Invalid, knowledge.NotFound, knowledge.Conflict, knowledge.Unsupported, knowledge.Unavailable, knowledge.Internal} {
		if _, ok := statusOf[c]; !ok {
			t.Errorf("statusOf has no status for %q", c)
		}
	}
}

func TestSearchAPI(t *testing.T) {
	tests := []struct {
		name    string
		query   string
		status  int
		want    searchCall // checked when status is 200
		hits    int
		code    knowledge.Code
		message string
	}{
		{name: "defaults", query: "q=罚息", status: 200, want: searchCall{"罚息", knowledge.Filter{Spaces: []string{"cs"}}, searchLimit}, hits: 2},
		{name: "kinds repeated and listed", query: "q=提前还款&kind=rule&kind=faq,script&space=collections&limit=1", status: 200,
			want: searchCall{"提前还款", knowledge.Filter{Kinds: []knowledge.Kind{"rule", "faq", "script"}, Spaces: []string{"collections"}}, 1}, hits: 1},
		{name: "limit max", query: "q=penalty+interest&limit=50", status: 200, want: searchCall{"penalty interest", knowledge.Filter{Spaces: []string{"cs"}}, 50}, hits: 2},
		{name: "missing q", query: "", status: 400, code: knowledge.Invalid, message: "q is missing"},
		{name: "blank q", query: "q=%20%20", status: 400, code: knowledge.Invalid, message: "q is missing"},
		{name: "q too long", query: "q=" + strings.Repeat("催", maxQuestion+1), status: 400, code: knowledge.Invalid, message: "longer than"},
		{name: "unknown kind", query: "q=罚息&kind=rules", status: 400, code: knowledge.Invalid, message: `unknown kind "rules"`},
		{name: "limit zero", query: "q=罚息&limit=0", status: 400, code: knowledge.Invalid, message: "from 1 to 50"},
		{name: "limit too big", query: "q=罚息&limit=51", status: 400, code: knowledge.Invalid, message: "from 1 to 50"},
		{name: "limit not a number", query: "q=罚息&limit=ten", status: 400, code: knowledge.Invalid, message: `"ten"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			target := "/api/v1/search?" + encodeQuery(tt.query)
			status, hdr, body := f.do(t, "GET", target, nil, "")
			if status != tt.status {
				t.Fatalf("status = %d, want %d; body %s", status, tt.status, body)
			}
			if tt.code != "" {
				e := decodeError(t, hdr, body)
				if e.Code != tt.code || !strings.Contains(e.Message, tt.message) {
					t.Errorf("error = %+v, want code %q and message containing %q", e, tt.code, tt.message)
				}
				if len(f.searcher.calls) != 0 {
					t.Errorf("searcher called for a refused request")
				}
				return
			}
			if len(f.searcher.calls) != 1 || !reflect.DeepEqual(f.searcher.calls[0], tt.want) {
				t.Errorf("searcher calls = %+v, want [%+v]", f.searcher.calls, tt.want)
			}
			// Decode loosely to check the wire names, not just the Go fields.
			var resp struct {
				Hits []map[string]json.RawMessage `json:"hits"`
			}
			if err := json.Unmarshal([]byte(body), &resp); err != nil {
				t.Fatalf("body: %v\n%s", err, body)
			}
			if len(resp.Hits) != tt.hits {
				t.Fatalf("hits = %d, want %d", len(resp.Hits), tt.hits)
			}
			for _, key := range []string{"item", "score", "sparse_rank", "dense_rank"} {
				if _, ok := resp.Hits[0][key]; !ok {
					t.Errorf("hit lacks %q: %s", key, body)
				}
			}
			var item knowledge.Item
			if err := json.Unmarshal(resp.Hits[0]["item"], &item); err != nil || item.ID != "r-penalty" || item.Provenance[0].Page != 6 {
				t.Errorf("first hit item = %+v (%v), want r-penalty from page 6", item, err)
			}
		})
	}
}

// encodeQuery percent-encodes the values of a raw query written for
// readability, keeping repeated keys in order.
func encodeQuery(raw string) string {
	if raw == "" {
		return ""
	}
	var parts []string
	for _, kv := range strings.Split(raw, "&") {
		k, v, _ := strings.Cut(kv, "=")
		if u, err := url.QueryUnescape(v); err == nil {
			v = u
		}
		parts = append(parts, url.QueryEscape(k)+"="+url.QueryEscape(v))
	}
	return strings.Join(parts, "&")
}

func TestSearchError(t *testing.T) {
	f := newFixture(t)
	f.searcher.err = knowledge.Errorf(knowledge.Unavailable, "qdrant.Query", "向量库连接超时 / the vector store timed out")
	status, hdr, body := f.do(t, "GET", "/api/v1/search?q="+url.QueryEscape("催收"), nil, "")
	if status != 503 {
		t.Fatalf("status = %d, want 503; %s", status, body)
	}
	if e := decodeError(t, hdr, body); e.Code != knowledge.Unavailable {
		t.Errorf("code = %q", e.Code)
	}
}

func TestSourcesAPI(t *testing.T) {
	tests := []struct {
		name      string
		query     string
		space     string
		wantPaths []string
	}{
		{"default space", "", "cs", []string{"规章/个人消费贷款管理细则.pdf", "规章/催收合规手册（扫描件）.pdf", "对话/2023-旧版话术.txt"}},
		{"named space", "?space=collections", "collections", []string{"催收/外呼记录.jsonl"}},
		{"empty space", "?space=marketing", "marketing", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			status, _, body := f.do(t, "GET", "/api/v1/sources"+tt.query, nil, "")
			if status != 200 {
				t.Fatalf("status %d: %s", status, body)
			}
			var resp sourcesResponse
			if err := json.Unmarshal([]byte(body), &resp); err != nil {
				t.Fatal(err)
			}
			if resp.Space != tt.space || resp.Sources == nil {
				t.Errorf("space = %q, sources nil = %v; want %q and a list", resp.Space, resp.Sources == nil, tt.space)
			}
			var paths []string
			for _, s := range resp.Sources {
				paths = append(paths, s.Path)
				if s.Status == knowledge.SourceQuarantined && !strings.Contains(s.Reason, "OCR") {
					t.Errorf("quarantined %s lost its reason", s.Path)
				}
			}
			if !reflect.DeepEqual(paths, tt.wantPaths) {
				t.Errorf("paths = %q, want %q", paths, tt.wantPaths)
			}
			if !strings.Contains(body, `"reason":`) && tt.space == "cs" {
				t.Errorf("body has no reason field: %s", body)
			}
		})
	}
}

func TestSourcesAPIError(t *testing.T) {
	f := newFixture(t)
	f.ledger.err = errors.New("sqlite: database is locked at /data/lore.db")
	status, hdr, body := f.do(t, "GET", "/api/v1/sources", nil, "")
	if status != 500 || strings.Contains(body, "/data/lore.db") {
		t.Fatalf("status %d body %s: want 500 without internals", status, body)
	}
	decodeError(t, hdr, body)
}

func TestHealth(t *testing.T) {
	tests := []struct {
		name     string
		path     string
		statsErr error
		status   int
		want     string
	}{
		{"healthz", "/healthz", nil, 200, `"status":"ok"`},
		{"healthz while store is down", "/healthz", errors.New("store closed"), 200, `"status":"ok"`},
		{"ready", "/readyz", nil, 200, `"items":42`},
		{"not ready", "/readyz", knowledge.Errorf(knowledge.Unavailable, "qdrant", "无法连接向量库 / cannot reach Qdrant"), 503, "cannot reach Qdrant"},
		{"not ready, internal", "/readyz", errors.New("disk I/O error at /srv/x"), 503, "not ready"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			f.ledger.statsErr = tt.statsErr
			status, hdr, body := f.do(t, "GET", tt.path, nil, "")
			if status != tt.status || !strings.Contains(body, tt.want) {
				t.Fatalf("GET %s = %d %s; want %d containing %s", tt.path, status, body, tt.status, tt.want)
			}
			if status != 200 {
				if e := decodeError(t, hdr, body); e.Code != knowledge.Unavailable {
					t.Errorf("code = %q, want unavailable", e.Code)
				}
				if strings.Contains(body, "/srv/x") {
					t.Errorf("internal detail leaked: %s", body)
				}
			}
		})
	}
}

func TestStaticAndNotFound(t *testing.T) {
	tests := []struct {
		path   string
		status int
		ctype  string
		want   string
	}{
		{"/static/app.js", 200, "javascript", "/api/v1/chat"},
		{"/static/style.css", 200, "text/css", ".cite"},
		{"/static/nope.js", 404, "application/json", `"code":"not_found"`},
		{"/static/..%2fdoc.go", 404, "application/json", `"code":"not_found"`},
		{"/nowhere", 404, "application/json", `"code":"not_found"`},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			f := newFixture(t)
			status, hdr, body := f.do(t, "GET", tt.path, nil, "")
			if status != tt.status || !strings.Contains(hdr.Get("Content-Type"), tt.ctype) || !strings.Contains(body, tt.want) {
				t.Errorf("GET %s = %d %q, body %.80q; want %d %q containing %q", tt.path, status, hdr.Get("Content-Type"), body, tt.status, tt.ctype, tt.want)
			}
		})
	}
}

func TestNewRefusesMissingDeps(t *testing.T) {
	ok := Deps{Asker: &fakeAsker{}, Searcher: &fakeSearcher{}, Ledger: &fakeLedger{}, DefaultSpace: "cs"}
	tests := []struct {
		name string
		edit func(*Deps)
	}{
		{"no asker", func(d *Deps) { d.Asker = nil }},
		{"no searcher", func(d *Deps) { d.Searcher = nil }},
		{"no ledger", func(d *Deps) { d.Ledger = nil }},
		{"no space", func(d *Deps) { d.DefaultSpace = "" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := ok
			tt.edit(&d)
			if _, err := New(newFixture(t).srv.cfg, d); err == nil {
				t.Error("New succeeded, want an error")
			}
		})
	}
}
