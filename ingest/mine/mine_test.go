package mine

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/lorehq/lore/ingest"
	"github.com/lorehq/lore/ingest/dialogue"
)

func newMiner(t testing.TB) *Miner {
	t.Helper()
	m, err := New(DefaultPolicy())
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestMaskPII(t *testing.T) {
	tests := []struct{ in, want string }{
		{"身份证号110105198803152411", "身份证号[身份证号]"},
		{"身份证 11010519880315241X 号", "身份证 [身份证号] 号"},
		{"手机13812345678，", "手机[手机号]，"},
		{"打+86 138 1234 5678或者86-139-8765-4321", "打[手机号]或者[手机号]"},
		{"卡号6222021234567890128", "卡号[银行卡号]"},
		{"卡号 6222 0212 3456 7890", "卡号 [银行卡号]"},
		{"发到caowen1988@example.com。谢谢", "发到[邮箱]。谢谢"},
		{"Mail a.b-c@mail.anhe-cf.com.cn.", "Mail [邮箱]."},
		// Not personal: amounts, dates, tails, hotlines, order numbers.
		{"应还1,086.40元，尾号3321", "应还1,086.40元，尾号3321"},
		{"2026-03-10 还款，热线400-600-1234", "2026-03-10 还款，热线400-600-1234"},
		{"工单号TS20260307-0412", "工单号TS20260307-0412"},
		{"编号A13812345678", "编号A13812345678"},
		{"12345678901", "12345678901"}, // 11 digits not starting 13-19
		{"123456789012345678901", "123456789012345678901"},
		{"a@b", "a@b"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := MaskPII(tt.in); got != tt.want {
			t.Errorf("MaskPII(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if got := MaskPII(MaskPII(tt.in)); got != MaskPII(tt.in) {
			t.Errorf("MaskPII not idempotent on %q", tt.in)
		}
	}
}

func TestEmotion(t *testing.T) {
	m := newMiner(t)
	tests := []struct{ in, want string }{
		{"我对这个处理很满意，谢谢", Satisfaction},
		{"我很不满意你们的处理", Anger},
		{"不太满意", Anger},
		{"凭什么扣我手续费？！！", Anger},
		{"我失业了，真的没钱，怎么办", Anxiety},
		{"我不担心这个", Neutral},
		{"这个罚息是怎么算的，我不明白", Confusion},
		{"是不是高利贷？", Anger},
		{"好的明白了", Satisfaction},
		{"I'm not happy, this is ridiculous", Anger},
		{"Thanks, that was helpful", Satisfaction},
		{"I am not worried", Neutral},
		{"5678", Neutral},
	}
	for _, tt := range tests {
		if got := m.Emotion(tt.in); got != tt.want {
			t.Errorf("Emotion(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestIntent(t *testing.T) {
	m := newMiner(t)
	tests := []struct{ in, want string }{
		{"我这个月什么时候还款？还款日是几号", "repayment_date"},
		{"逾期三天罚息怎么算", "overdue_penalty"},
		{"我失业了，能不能申请展期", "instalment_extension"},
		{"凭什么扣我50块手续费", "fee_dispute"},
		{"我想提前还款，一次性还清", "early_repayment"},
		{"额度能提高吗", "credit_limit"},
		{"我换了银行卡，怎么换绑还款卡", "account_change"},
		{"你们催收天天骚扰我", "collection_complaint"},
		{"有人冒用我的身份借款", "fraud_report"},
		{"Is there a fee for early repayment?", "early_repayment"},
		{"What is my credit limit", "credit_limit"},
		{"coffee", ""}, // "fee" only as a whole word
		{"你们App登录不上去", ""},
	}
	for _, tt := range tests {
		if got := m.Intent(tt.in); got != tt.want {
			t.Errorf("Intent(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestCheckReply(t *testing.T) {
	m := newMiner(t)
	tests := []struct {
		in   string
		want []string // categories
	}{
		{"再不还我们就通知你家人和单位", []string{"third_party_disclosure"}},
		{"你不还的话，他就要被起诉坐牢了", []string{"false_legal_claim"}},
		{"明天我们就安排人上门，到你单位找你领导谈", []string{"threat"}},
		{"欠钱不还你还有理了？", []string{"insult"}},
		{"自己不看还有理了？", []string{"insult"}},
		{"信用卡套出来先还上", []string{"improper_pressure"}},
		{"We will tell your family if you do not pay.", []string{"third_party_disclosure"}},
		// Negated or harmless.
		{"逾期不会坐牢，请您放心", nil},
		{"我们不会上门，也不会联系您的家人", nil},
		{"涉及孙先生个人的业务，我们只能和他本人沟通，没办法向您透露具体情况", nil},
		{"理解您的情况，我们可以约定一个还款日", nil},
	}
	for _, tt := range tests {
		var got []string
		for _, v := range m.CheckReply(tt.in) {
			got = append(got, v.Category)
		}
		if strings.Join(got, ",") != strings.Join(tt.want, ",") {
			t.Errorf("CheckReply(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestNormalizeOutcome(t *testing.T) {
	tests := map[string]string{
		"resolved": Resolved, "Promise-To-Pay": PromiseToPay, "PTP": PromiseToPay, "承诺还款": PromiseToPay,
		"paid": Paid, "已还款": Paid, "complaint": Complaint, "投诉": Complaint, "escalated": Escalated,
		"转人工": Escalated, "unresolved": Unresolved, "": "", "maybe": "",
	}
	for in, want := range tests {
		if got := NormalizeOutcome(in); got != want {
			t.Errorf("NormalizeOutcome(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestAnalyzeOutcomeAndFacts(t *testing.T) {
	m := newMiner(t)
	tests := []struct {
		name     string
		turns    []string // alternating, customer first unless prefixed "A:"
		outcome  string
		sat      float64
		want     string
		inferred bool
		success  bool
		promised string
	}{
		{name: "labelled", turns: []string{"逾期了怎么办", "A:您可以今天还款"}, outcome: "PTP", want: PromiseToPay, success: true},
		{name: "low satisfaction is no success", turns: []string{"额度怎么降了", "A:系统评估的"}, outcome: "resolved", sat: 1, want: Resolved},
		{name: "promise inferred", turns: []string{"逾期了", "A:我们约定3月10日还清这一期，约1,533元，可以吗？", "可以，10号我一定还"}, want: PromiseToPay, inferred: true, success: true, promised: "3月10日"},
		{name: "customer promise only", turns: []string{"逾期了", "A:您看哪天能还？", "4月1日我一定还"}, want: PromiseToPay, inferred: true, success: true, promised: "4月1日"},
		{name: "paid inferred", turns: []string{"怎么还", "A:在App立即还款", "还好了，显示成功"}, want: Paid, inferred: true, success: true},
		{name: "complaint inferred", turns: []string{"凭什么收费", "A:系统收的", "我要投诉"}, want: Complaint, inferred: true},
		{name: "complaint settled", turns: []string{"我要投诉你们乱收费", "A:非常抱歉，我马上帮您查，多收的原路退回", "好的，谢谢"}, want: Resolved, inferred: true, success: true},
		{name: "escalated inferred", turns: []string{"有人冒用我身份", "A:已为您登记，工单号FQ-1，移交反欺诈部门"}, want: Escalated, inferred: true, success: true},
		{name: "unresolved", turns: []string{"什么时候还", "A:尽快吧", "知道了知道了"}, want: Unresolved, inferred: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := dialogue.Dialogue{ID: "x", Outcome: tt.outcome, Satisfaction: tt.sat}
			for _, s := range tt.turns {
				if rest, ok := strings.CutPrefix(s, "A:"); ok {
					d.Turns = append(d.Turns, dialogue.Turn{Role: "agent", Text: rest})
				} else {
					d.Turns = append(d.Turns, dialogue.Turn{Role: "customer", Text: s})
				}
			}
			a := m.Analyze(d)
			if a.Outcome != tt.want || a.OutcomeInferred != tt.inferred || a.Success != tt.success {
				t.Errorf("outcome %s inferred=%v success=%v, want %s %v %v", a.Outcome, a.OutcomeInferred, a.Success, tt.want, tt.inferred, tt.success)
			}
			if a.Facts.PromisedDate != tt.promised {
				t.Errorf("promised date %q, want %q", a.Facts.PromisedDate, tt.promised)
			}
			if !strings.Contains(a.Note, tt.want) || strings.Contains(a.Note, "推断") != tt.inferred {
				t.Errorf("note %q", a.Note)
			}
		})
	}
}

func TestFacts(t *testing.T) {
	f := extractFacts([]dialogue.Turn{
		{Role: "agent", Text: "您这期应还1,086.40元，还款日是2026年3月10日，宽限期到3月13号。"},
		{Role: "customer", Text: "好的，提前还5000块可以吗？¥200 手续费呢？"},
	}, false)
	if strings.Join(f.Amounts, "|") != "1,086.40元|5000块|¥200" {
		t.Errorf("amounts = %q", f.Amounts)
	}
	if strings.Join(f.Dates, "|") != "2026年3月10日|3月13号" {
		t.Errorf("dates = %q", f.Dates)
	}
	if f.PromisedDate != "" {
		t.Errorf("promised date %q without a promise", f.PromisedDate)
	}
}

func TestWilsonLow(t *testing.T) {
	tests := []struct {
		succ, n int
		want    float64
	}{
		{0, 0, 0}, {0, 10, 0}, {10, 10, 0.7225}, {75, 100, 0.6570}, {750, 1000, 0.7222},
	}
	for _, tt := range tests {
		if got := wilsonLow(tt.succ, tt.n, 1.96); math.Abs(got-tt.want) > 5e-4 {
			t.Errorf("wilsonLow(%d, %d) = %.4f, want %.4f", tt.succ, tt.n, got, tt.want)
		}
	}
}

func TestSimilarity(t *testing.T) {
	a := bigrams(template("请问我这个月的还款日是哪天？"))
	b := bigrams(template("我这个月的还款日是哪天啊？"))
	c := bigrams(template("额度能不能提高一点"))
	if j := jaccard(a, b); j < 0.6 {
		t.Errorf("paraphrases jaccard %.2f", j)
	}
	if j := jaccard(a, c); j > 0.1 {
		t.Errorf("unrelated jaccard %.2f", j)
	}
	if string(template("应还 1,086.40元！Call 13:00")) != "应还#元call#" {
		t.Errorf("template = %q", string(template("应还 1,086.40元！Call 13:00")))
	}
	c2 := newClusterer(0.5)
	ids := []int{c2.assign(a), c2.assign(c), c2.assign(b)}
	if ids[0] != 0 || ids[1] != 1 || ids[2] != 0 {
		t.Errorf("clusters = %v, want [0 1 0]", ids)
	}
}

func TestMineSmall(t *testing.T) {
	// Three angry fee disputes: two calmed by the same empathetic reply
	// (resolved), one stonewalled (complaint); one threatened (promise).
	mk := func(id, reply, end, outcome string) dialogue.Dialogue {
		return dialogue.Dialogue{ID: id, Outcome: outcome, Turns: []dialogue.Turn{
			{Role: "客户", Text: "凭什么扣我80块手续费？乱收费！"},
			{Role: "客服", Text: reply},
			{Role: "客户", Text: end},
		}}
	}
	good := "非常理解您的心情，我马上帮您查这笔费用的明细，逐项跟您核对。"
	ds := []dialogue.Dialogue{
		mk("s1", good, "好的，谢谢", "resolved"),
		mk("s2", strings.Replace(good, "马上", "现在", 1), "明白了，谢谢", "resolved"),
		mk("s3", "这个是系统收取的，我们这边没办法改。", "我要投诉", "complaint"),
		mk("s4", "不还就通知你家人，让他们替你还。", "我明天还", "promise_to_pay"),
	}
	m := newMiner(t)
	res, err := m.Mine(context.Background(), ds)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Scripts) != 1 {
		t.Fatalf("scripts = %+v, want one", res.Scripts)
	}
	s := res.Scripts[0]
	if s.Intent != "fee_dispute" || s.CustomerState != Anger || s.Dialogues != 2 || s.SuccessRate != 1 ||
		s.Baseline != 0.75 || math.Abs(s.Lift-4.0/3) > 1e-9 || s.LiftLow >= s.Lift || s.Improved != 1 {
		t.Errorf("script = %+v improved %.2f", s.Script, s.Improved)
	}
	if len(res.Violations) != 1 || res.Violations[0].Provenance[0].Dialogue != "s4" || res.Violations[0].Provenance[0].Turn != 2 {
		t.Errorf("violations = %+v", res.Violations)
	}
	// Adding more later and mining again sees both.
	m.Add(mk("s5", good, "好的", "resolved"))
	res2, err := m.Result(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if res2.Scripts[0].Dialogues != 3 || len(res2.Dialogues) != 5 {
		t.Errorf("after Add: %+v", res2.Scripts[0].Script)
	}
}

func TestMineCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := newMiner(t).Mine(ctx, synthesize(10, 1)); err == nil {
		t.Error("Mine with a canceled context succeeded")
	}
}

func TestExtractor(t *testing.T) {
	in := `{"id":"e1","turns":[{"role":"客户","text":"我想提前还款，要手续费吗？"},{"role":"客服","text":""},{"role":"客服","text":"放款满3个月提前还款不收手续费，在App借款页面操作即可。"},{"role":"客户","text":"好的，谢谢"}]}`
	doc, err := dialogue.NewParser().Parse(context.Background(), "e.jsonl", strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	ex, err := NewExtractor(DefaultPolicy())
	if err != nil {
		t.Fatal(err)
	}
	items, err := ex.Extract(context.Background(), doc)
	if err != nil {
		t.Fatal(err)
	}
	if len(items) == 0 || items[0].FAQ == nil || items[0].Provenance[0].Turn != 1 || !strings.Contains(items[0].FAQ.Answer, "不收手续费") {
		t.Fatalf("items = %+v", items)
	}
	none, err := ex.Extract(context.Background(), &ingest.Document{Blocks: []ingest.Block{{Kind: ingest.Paragraph, Text: "x"}}})
	if err != nil || none != nil {
		t.Errorf("non-dialogue document: %v, %v", none, err)
	}
}

func TestNewRejectsInvalidPolicy(t *testing.T) {
	for name, edit := range map[string]func(*Policy){
		"no intents":       func(p *Policy) { p.Intents = nil },
		"duplicate intent": func(p *Policy) { p.Intents = append(p.Intents, p.Intents[0]) },
		"reserved prefix":  func(p *Policy) { p.Intents[0].ID = "other:x" },
		"bad emotion":      func(p *Policy) { p.Emotions[0].Emotion = "joy" },
		"bad outcome":      func(p *Policy) { p.SuccessOutcomes = []string{"great"} },
		"similarity":       func(p *Policy) { p.Mining.ReplySimilarity = 0 },
		"empty violation":  func(p *Policy) { p.Violations[0].Terms = []string{" "} },
		"top scripts":      func(p *Policy) { p.Mining.TopScripts = 0 },
		"negative window":  func(p *Policy) { p.NegationWindow = -1 },
	} {
		p := DefaultPolicy()
		edit(&p)
		if _, err := New(p); err == nil {
			t.Errorf("%s: New accepted the policy", name)
		}
	}
}
