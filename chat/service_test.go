package chat

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/lorehq/lore/knowledge"
	"github.com/lorehq/lore/retrieval"
	"github.com/lorehq/lore/retrieval/segment"
	"github.com/lorehq/lore/retrieval/understand"
)

var seg *segment.Segmenter

func TestMain(m *testing.M) {
	var err error
	if seg, err = segment.New(); err != nil {
		panic(err)
	}
	os.Exit(m.Run())
}

// fakeSearcher returns its fixed hits that pass the request's filter, in
// order, and records the request, standing in for retrieval.Searcher.
type fakeSearcher struct {
	hits []knowledge.Hit
	err  error
	got  retrieval.Request
}

func (f *fakeSearcher) Search(_ context.Context, req retrieval.Request) ([]knowledge.Hit, error) {
	f.got = req
	var out []knowledge.Hit
	for _, h := range f.hits {
		if req.Filter.Match(&h.Item) {
			out = append(out, h)
		}
	}
	return out, f.err
}

func hit(id string, kind knowledge.Kind, title, body, source string) knowledge.Hit {
	return knowledge.Hit{Item: knowledge.Item{
		ID: id, Kind: kind, Title: title, Body: body, Space: "default", Status: knowledge.StatusDraft,
		Provenance: []knowledge.Provenance{{Source: source, HeadingPath: []string{"第二章 催收行为规范"}, Article: "第九条"}},
	}}
}

var corpus = []knowledge.Hit{
	hit("a", knowledge.KindRule, "催收作业管理办法 第九条",
		"催收人员联系债务人的时间应当在每日8:00至21:00之间。不得在夜间拨打催收电话。本条自发布之日起施行。", "demo/rules/催收.md"),
	hit("b", knowledge.KindPassage, "提前还款细则",
		"提前还款需提前三个工作日申请。提前结清免收违约金。", "demo/rules/还款.pdf"),
	scriptHit("c", "安抚话术 · 夜间来电", []string{"晚上几点了还打催收电话？"},
		"先向客户致歉，再说明催收电话只在白天拨打的规定。"),
}

func scriptHit(id, title string, situation []string, reply string) knowledge.Hit {
	h := hit(id, knowledge.KindScript, title, "客户说 customer says："+strings.Join(situation, " / ")+"\n推荐话术 recommended reply："+reply, "demo/dialogues/d.jsonl")
	h.Item.Script = &knowledge.Script{Situation: situation, Reply: reply}
	return h
}

func TestAsk(t *testing.T) {
	f := &fakeSearcher{hits: corpus}
	s := New(f, seg, Options{DefaultSpace: "default"})
	ans, err := s.Ask(context.Background(), Request{Question: "催收电话晚上几点之后不能打？"})
	if err != nil {
		t.Fatal(err)
	}
	if ans.NoAnswer {
		t.Fatalf("NoAnswer for an answerable question: %+v", ans)
	}
	if got := f.got.Filter.Spaces; len(got) != 1 || got[0] != "default" {
		t.Errorf("searched spaces %v, want the default space", got)
	}
	if len(ans.Statements) == 0 || !strings.Contains(ans.Statements[0].Text, "催收") {
		t.Fatalf("first statement %+v, want the contact-time sentence", ans.Statements)
	}
	for _, st := range ans.Statements {
		if len(st.Cites) == 0 {
			t.Errorf("statement %q cites nothing", st.Text)
		}
		for _, n := range st.Cites {
			src := ans.Sources[n-1]
			if !strings.Contains(corpus[n-1].Item.Body, st.Text) {
				t.Errorf("statement %q is not verbatim from its cited source %d (%s)", st.Text, n, src.Title)
			}
		}
	}
	if len(ans.Rules) != 1 || ans.Rules[0] != 1 {
		t.Errorf("rules = %v, want [1]", ans.Rules)
	}
	if ans.Script == nil || ans.Script.ItemID != "c" {
		t.Errorf("script = %+v, want item c", ans.Script)
	}
	if src := ans.Sources[0]; src.File != "demo/rules/催收.md" || !strings.Contains(src.Location, "第九条") {
		t.Errorf("source 1 = %+v", src)
	}
}

func TestAskNoAnswer(t *testing.T) {
	s := New(&fakeSearcher{hits: corpus}, seg, Options{DefaultSpace: "default"})
	for _, q := range []string{"汽车保险理赔需要哪些材料？", "What is the mortgage rate for a second home?"} {
		ans, err := s.Ask(context.Background(), Request{Question: q})
		if err != nil {
			t.Fatal(err)
		}
		if !ans.NoAnswer || len(ans.Statements) != 0 || ans.Notice == "" {
			t.Errorf("%s: want a no-answer notice and no statements, got %+v", q, ans)
		}
	}
	ans, _ := s.Ask(context.Background(), Request{Question: "汽车保险理赔需要哪些材料？"})
	if !strings.Contains(ans.Notice, "知识库") {
		t.Errorf("Chinese question got notice %q", ans.Notice)
	}
	// The question's topic (a rare noun) is in no retrieved item, even
	// though its everyday words are.
	ans, _ = s.Ask(context.Background(), Request{Question: "按揭客户晚上几点之后不能打催收电话？"})
	if !ans.NoAnswer || !strings.Contains(ans.Notice, "按揭") {
		t.Errorf("question about mortgages: no answer %v, notice %q; want a notice naming 按揭", ans.NoAnswer, ans.Notice)
	}
}

func TestLackingTerms(t *testing.T) {
	text := "催收人员联系债务人的时间应当在每日8:00至21:00之间。 borrower data is kept five years"
	cases := []struct {
		specific []string
		want     string
	}{
		{nil, ""},
		{[]string{"债务人"}, ""},
		{[]string{"按揭", "债务人"}, "按揭"},
		{[]string{"borrower", "fix"}, "fix"}, // half the Latin terms missing
		{[]string{"borrower", "data", "fix"}, ""},
		{[]string{"travel", "insurance", "data"}, "travel insurance"},
	}
	for _, c := range cases {
		if got := strings.Join(lackingTerms(c.specific, text), " "); got != c.want {
			t.Errorf("lackingTerms(%v) = %q, want %q", c.specific, got, c.want)
		}
	}
}

func TestAskInvalid(t *testing.T) {
	s := New(&fakeSearcher{}, seg, Options{DefaultSpace: "default"})
	for name, req := range map[string]Request{
		"empty":     {Question: "  "},
		"too long":  {Question: strings.Repeat("长", maxQuestion+1)},
		"bad kind":  {Question: "逾期", Kinds: []knowledge.Kind{"memo"}},
		"bad limit": {Question: "逾期", Limit: 51},
	} {
		if _, err := s.Ask(context.Background(), req); knowledge.ErrorCode(err) != knowledge.Invalid {
			t.Errorf("%s: err = %v, want code invalid", name, err)
		}
	}
	failing := New(&fakeSearcher{err: errors.New("disk gone")}, seg, Options{})
	if _, err := failing.Ask(context.Background(), Request{Question: "逾期"}); err == nil || knowledge.ErrorCode(err) != knowledge.Internal {
		t.Errorf("search failure: err = %v, want an internal error", err)
	}
}

func TestDraftTermsNotCited(t *testing.T) {
	draft := hit("t1", knowledge.KindTerm, "催收时间", "术语 term：催收时间", "space/.lore/glossary")
	approved := hit("t2", knowledge.KindTerm, "停催", "术语 term：停催 定义 definition：停催是指暂停一切主动催收联系。", "space/.lore/glossary")
	approved.Item.Status = knowledge.StatusApproved
	s := New(&fakeSearcher{hits: []knowledge.Hit{draft, approved, corpus[0]}}, seg, Options{DefaultSpace: "default"})
	ans, err := s.Ask(context.Background(), Request{Question: "催收时间和停催是什么意思？"})
	if err != nil {
		t.Fatal(err)
	}
	for _, src := range ans.Sources {
		if src.ItemID == "t1" {
			t.Error("a draft glossary term was cited")
		}
	}
	if len(ans.Sources) != 2 || ans.Sources[0].ItemID != "t2" {
		t.Errorf("sources = %+v, want the approved term then the rule", ans.Sources)
	}
}

func TestStatementsComeFromAnswers(t *testing.T) {
	faq := hit("f", knowledge.KindFAQ, "晚上能打催收电话吗？", "问：晚上能打催收电话吗？\n答：催收电话只能在每日8:00至21:00之间拨打。", "faq.txt")
	faq.Item.FAQ = &knowledge.FAQ{Question: "晚上能打催收电话吗？", Answer: "催收电话只能在每日8:00至21:00之间拨打。"}
	script := hit("s", knowledge.KindScript, "催收时间投诉", "客户说 customer says：晚上十点还打催收电话！\n推荐话术 recommended reply：非常抱歉打扰您休息，我们的催收电话只会在白天拨打。", "d.jsonl")
	script.Item.Script = &knowledge.Script{Situation: []string{"晚上十点还打催收电话！"}, Reply: "非常抱歉打扰您休息，我们的催收电话只会在白天拨打。"}
	s := New(&fakeSearcher{hits: []knowledge.Hit{script, faq}}, seg, Options{DefaultSpace: "default"})
	ans, err := s.Ask(context.Background(), Request{Question: "晚上能打催收电话吗？"})
	if err != nil {
		t.Fatal(err)
	}
	if len(ans.Statements) == 0 {
		t.Fatal("no statements")
	}
	for _, st := range ans.Statements {
		if strings.Contains(st.Text, "晚上十点还打") || strings.HasSuffix(st.Text, "吗？") {
			t.Errorf("statement %q quotes a question or the customer, not an answer", st.Text)
		}
	}
}

func TestShortFAQAnswer(t *testing.T) {
	faq := hit("f", knowledge.KindFAQ, "提前结清要收手续费吗？", "问：提前结清要收手续费吗？\n答：不需要，随时可以办理。", "faq.txt")
	faq.Item.FAQ = &knowledge.FAQ{Question: "提前结清要收手续费吗？", Answer: "不需要，随时可以办理。"}
	s := New(&fakeSearcher{hits: []knowledge.Hit{faq}}, seg, Options{DefaultSpace: "default"})
	ans, err := s.Ask(context.Background(), Request{Question: "提前结清要收手续费吗？"})
	if err != nil {
		t.Fatal(err)
	}
	if ans.NoAnswer || len(ans.Statements) == 0 || !strings.Contains(ans.Statements[0].Text, "不需要") {
		t.Errorf("answer = %+v, want the FAQ's short answer", ans)
	}
}

func TestScriptSnippetIsTheReply(t *testing.T) {
	script := hit("s", knowledge.KindScript, "催收时间投诉", "客户说 customer says：晚上十点还打催收电话！\n推荐话术 recommended reply：非常抱歉打扰您休息，催收电话只会在每日8:00至21:00之间拨打。\n证据 evidence：12 个对话", "d.jsonl")
	script.Item.Script = &knowledge.Script{Reply: "非常抱歉打扰您休息，催收电话只会在每日8:00至21:00之间拨打。"}
	s := New(&fakeSearcher{hits: []knowledge.Hit{script, corpus[0]}}, seg, Options{DefaultSpace: "default"})
	ans, err := s.Ask(context.Background(), Request{Question: "客户投诉晚上打催收电话，怎么回复？"})
	if err != nil {
		t.Fatal(err)
	}
	if ans.Script == nil || ans.Script.Snippet != script.Item.Script.Reply {
		t.Errorf("script = %+v, want the reply as its snippet", ans.Script)
	}
}

// TestScriptOnlyForItsSituation: the best script hit is recommended only
// when it is about what the question asks; an unrelated one is a source,
// not the recommended reply.
func TestScriptOnlyForItsSituation(t *testing.T) {
	offTopic := scriptHit("s", "分期与展期 · 客户焦虑", []string{"我知道欠了钱，但是真还不起了"}, "谢谢您愿意跟我说实话，咱们一起看看怎么解决。")
	s := New(&fakeSearcher{hits: []knowledge.Hit{offTopic, corpus[0]}}, seg, Options{DefaultSpace: "default"})
	ans, err := s.Ask(context.Background(), Request{Question: "催收电话晚上几点之后不能打？"})
	if err != nil {
		t.Fatal(err)
	}
	if ans.NoAnswer || ans.Script != nil {
		t.Errorf("answer %+v: want an answer without a recommended reply", ans)
	}
}

// expander is an Understander with fixed expansions.
type expander []understand.Expansion

func (e expander) Understand(string) understand.Understanding {
	return understand.Understanding{Expansions: e}
}

// TestExpansionsChooseStatements: a sentence that answers in the formal
// words of the question's expansions is chosen over one that shares only
// an everyday word with it.
func TestExpansionsChooseStatements(t *testing.T) {
	rule := hit("r", knowledge.KindRule, "催收作业管理办法 第十条",
		"催收人员应当核实接听人身份。借款人的配偶不是联系人的，不得要求其代为还款。", "rules/催收.md")
	faq := hit("f", knowledge.KindFAQ, "钱什么时候到账？", "", "faq.txt")
	faq.Item.FAQ = &knowledge.FAQ{Question: "钱什么时候到账？", Answer: "钱一般当天到账。"}
	q := "老公欠的钱要我还吗？"
	for _, tc := range []struct {
		name string
		u    Understander
		want string
	}{
		{"without expansions", nil, "钱一般当天到账。"},
		{"with expansions", expander{{Text: "配偶", Weight: 0.6}, {Text: "代为还款", Weight: 0.6}}, "借款人的配偶不是联系人的，不得要求其代为还款。"},
	} {
		f := &fakeSearcher{hits: []knowledge.Hit{faq, rule}}
		s := New(f, seg, Options{DefaultSpace: "default", Understander: tc.u})
		ans, err := s.Ask(context.Background(), Request{Question: q})
		if err != nil {
			t.Fatal(err)
		}
		if got := f.got.Understanding; (got != nil) != (tc.u != nil) || got != nil && len(got.Expansions) != 2 {
			t.Errorf("%s: the search got understanding %+v; want the answerer's own", tc.name, got)
		}
		if len(ans.Statements) == 0 || ans.Statements[0].Text != tc.want {
			t.Errorf("%s: statements %+v, want %q first", tc.name, ans.Statements, tc.want)
		}
	}
}
