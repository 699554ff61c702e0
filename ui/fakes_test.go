package ui

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lorehq/lore/chat"
	"github.com/lorehq/lore/configs"
	"github.com/lorehq/lore/knowledge"
)

// fakeAsker is a test fake for Asker: it answers every valid question with
// answer, or fails with err, or panics with panicWith, and records the
// requests it saw.
type fakeAsker struct {
	mu        sync.Mutex
	answer    chat.Answer
	err       error
	panicWith any
	// hang makes Ask wait for its context to end, like a stalled store.
	hang bool
	seen []chat.Request
}

func (f *fakeAsker) Ask(ctx context.Context, req chat.Request) (chat.Answer, error) {
	f.mu.Lock()
	f.seen = append(f.seen, req)
	a, err, p, hang := f.answer, f.err, f.panicWith, f.hang
	f.mu.Unlock()
	if hang {
		<-ctx.Done()
		return chat.Answer{}, fmt.Errorf("fake store: %w", ctx.Err())
	}
	if p != nil {
		panic(p)
	}
	if err != nil {
		return chat.Answer{}, err
	}
	a.Question = req.Question
	return a, nil
}

// fail makes later asks fail with err (nil to answer again); safe while
// the server runs.
func (f *fakeAsker) fail(err error) {
	f.mu.Lock()
	f.err = err
	f.mu.Unlock()
}

func (f *fakeAsker) requests() []chat.Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]chat.Request(nil), f.seen...)
}

// searchCall is one call a fakeSearcher saw.
type searchCall struct {
	Text   string
	Filter knowledge.Filter
	Limit  int
}

// fakeSearcher is a test fake for Searcher returning fixed hits.
type fakeSearcher struct {
	mu    sync.Mutex
	hits  []knowledge.Hit
	err   error
	calls []searchCall
}

func (f *fakeSearcher) Search(ctx context.Context, text string, flt knowledge.Filter, limit int) ([]knowledge.Hit, error) {
	f.mu.Lock()
	f.calls = append(f.calls, searchCall{text, flt, limit})
	f.mu.Unlock()
	if f.err != nil {
		return nil, f.err
	}
	if len(f.hits) > limit {
		return f.hits[:limit], nil
	}
	return f.hits, nil
}

// fakeLedger is a test fake for Ledger over a fixed list of sources.
type fakeLedger struct {
	mu       sync.Mutex
	sources  []knowledge.Source
	err      error
	spaces   []string
	statsErr error
}

func (f *fakeLedger) Sources(ctx context.Context, space string) ([]knowledge.Source, error) {
	f.mu.Lock()
	f.spaces = append(f.spaces, space)
	f.mu.Unlock()
	if f.err != nil {
		return nil, f.err
	}
	var out []knowledge.Source
	for _, s := range f.sources {
		if space == "" || s.Space == space {
			out = append(out, s)
		}
	}
	return out, nil
}

func (f *fakeLedger) Stats(ctx context.Context) (knowledge.Stats, error) {
	if f.statsErr != nil {
		return knowledge.Stats{}, f.statsErr
	}
	return knowledge.Stats{Items: 42, Sources: len(f.sources)}, nil
}

// fixture is a server over fakes holding realistic consumer-finance data.
type fixture struct {
	srv      *Server
	asker    *fakeAsker
	searcher *fakeSearcher
	ledger   *fakeLedger
}

// testBodyLimit is small so the oversize case needs no large body.
const testBodyLimit = 8 << 10

func newFixture(t testing.TB) *fixture {
	t.Helper()
	f := &fixture{
		asker:    &fakeAsker{answer: sampleAnswer()},
		searcher: &fakeSearcher{hits: sampleHits()},
		ledger:   &fakeLedger{sources: sampleSources()},
	}
	cfg := configs.Server{
		Addr:         "127.0.0.1:0",
		ReadTimeout:  5 * time.Second,
		WriteTimeout: 5 * time.Second,
		BodyLimit:    testBodyLimit,
	}
	srv, err := New(cfg, Deps{Asker: f.asker, Searcher: f.searcher, Ledger: f.ledger, DefaultSpace: "cs"})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	f.srv = srv
	return f
}

// do sends one request through the app and returns status, header and body.
func (f *fixture) do(t testing.TB, method, target string, header map[string]string, body string) (int, http.Header, string) {
	t.Helper()
	short := target
	if len(short) > 120 {
		short = short[:120] + "…"
	}
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, target, rd)
	if err != nil {
		t.Fatalf("NewRequest %s %s: %v", method, short, err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := f.srv.App().Test(req, 10_000)
	if err != nil {
		t.Fatalf("%s %s: %v", method, short, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", method, short, err)
	}
	return resp.StatusCode, resp.Header, string(b)
}

var jsonHeader = map[string]string{"Content-Type": "application/json"}

// sampleAnswer is an extractive answer about penalty interest on an overdue
// loan, citing a rule, a reply script and a procedure.
func sampleAnswer() chat.Answer {
	sources := []chat.Source{
		{
			N: 1, ItemID: "r-penalty", Kind: knowledge.KindRule, Title: "个人消费贷款管理细则 第十八条",
			File: "规章/个人消费贷款管理细则.pdf", Location: "p. 6 · 第三章 还款管理 > 第十八条",
			Snippet: "借款人未按期足额还款的，自逾期之日起按逾期本金每日万分之五计收罚息，不计复利。", Score: 0.032,
		},
		{
			N: 2, ItemID: "s-overdue-calm", Kind: knowledge.KindScript, Title: "逾期客户情绪安抚话术",
			File: "对话/2024-05-催收回访.jsonl", Location: "dialogue d-1047 turn 3",
			Snippet: "先生您好，理解您的着急。您这笔分期目前逾期三天，结清逾期本金和罚息后，征信上不会新增逾期记录，我帮您算一下具体金额好吗？", Score: 0.029,
		},
		{
			N: 3, ItemID: "p-overdue", Kind: knowledge.KindProcedure, Title: "短期逾期处理流程",
			File: "日志/催收作业日志.csv", Location: "cases C-2031,C-2077",
			Snippet: "核实身份 → 告知逾期金额与罚息 → 协商还款日期 → 登记承诺还款 → 到期回访", Score: 0.021,
		},
	}
	return chat.Answer{
		Question: "逾期三天罚息怎么算？",
		Statements: []chat.Statement{
			{Text: "借款人未按期足额还款的，自逾期之日起按逾期本金每日万分之五计收罚息，不计复利。", Cites: []int{1}},
			{Text: "结清逾期本金和罚息后，征信上不会新增逾期记录。", Cites: []int{2, 1}},
		},
		Script:  &sources[1],
		Rules:   []int{1},
		Steps:   []string{"核实身份 (坐席)", "告知逾期金额与罚息 (坐席)", "协商还款日期", "登记承诺还款 (系统)", "到期回访"},
		Sources: sources,
		Mode:    "extractive",
	}
}

func sampleHits() []knowledge.Hit {
	now := time.Date(2025, 3, 1, 9, 30, 0, 0, time.UTC)
	return []knowledge.Hit{
		{
			Item: knowledge.Item{
				ID: "r-penalty", Kind: knowledge.KindRule, Space: "cs", Title: "个人消费贷款管理细则 第十八条",
				Body:       "借款人未按期足额还款的，自逾期之日起按逾期本金每日万分之五计收罚息，不计复利。",
				Provenance: []knowledge.Provenance{{Source: "规章/个人消费贷款管理细则.pdf", Page: 6, Article: "第十八条"}},
				Confidence: 0.95, Status: knowledge.StatusApproved, Version: 1, Created: now, Updated: now,
				Rule: &knowledge.Rule{DocTitle: "个人消费贷款管理细则", Article: "第十八条", Modality: knowledge.Obligation},
			},
			Score: 1.0/61 + 1.0/62, SparseRank: 1, DenseRank: 2,
		},
		{
			Item: knowledge.Item{
				ID: "f-prepay", Kind: knowledge.KindFAQ, Space: "cs", Title: "提前还款是否收取违约金？",
				Body:       "问：提前还款是否收取违约金？答：借款满六个月后提前还款不收取违约金，未满六个月按剩余本金的1%收取。",
				Provenance: []knowledge.Provenance{{Source: "问答/还款常见问题.md", Line: 12}},
				Confidence: 0.9, Status: knowledge.StatusDraft, Version: 1, Created: now, Updated: now,
				FAQ: &knowledge.FAQ{Question: "提前还款是否收取违约金？", Answer: "借款满六个月后提前还款不收取违约金。"},
			},
			Score: 1.0 / 61, SparseRank: 0, DenseRank: 1,
		},
	}
}

func sampleSources() []knowledge.Source {
	seen := time.Date(2025, 3, 2, 8, 0, 0, 0, time.UTC)
	return []knowledge.Source{
		{Space: "cs", Path: "规章/个人消费贷款管理细则.pdf", Size: 482113, Hash: "9f1c", Format: "pdf", Status: knowledge.SourceIndexed, Items: 57, Seen: seen},
		{Space: "cs", Path: "规章/催收合规手册（扫描件）.pdf", Size: 9120331, Hash: "77ab", Format: "pdf", Status: knowledge.SourceQuarantined,
			Reason: "扫描件没有文字层，需先做 OCR / scanned PDF without a text layer; run OCR first", Seen: seen},
		{Space: "cs", Path: "对话/2023-旧版话术.txt", Format: "txt", Status: knowledge.SourceRetired, Seen: seen},
		{Space: "collections", Path: "催收/外呼记录.jsonl", Format: "jsonl", Status: knowledge.SourceIndexed, Items: 310, Seen: seen},
	}
}
