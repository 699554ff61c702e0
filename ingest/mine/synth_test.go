package mine

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"

	"github.com/lorehq/lore/ingest/dialogue"
)

// plantedReply is one agent reply of a planted situation: its wordings
// (paraphrases with {c} customer, {n} days and {a} amount slots), its share
// of the situation's dialogues and its true success rate.
type plantedReply struct {
	name     string
	wordings []string
	share    float64
	success  float64
}

// plantedSituation is a situation with known replies.
type plantedSituation struct {
	intent, state string
	share         float64 // of all dialogues
	openers       []string
	replies       []plantedReply
}

// baseline is the situation's expected success rate.
func (s plantedSituation) baseline() float64 {
	b := 0.0
	for _, r := range s.replies {
		b += r.share * r.success
	}
	return b
}

func (s plantedSituation) reply(name string) plantedReply {
	for _, r := range s.replies {
		if r.name == name {
			return r
		}
	}
	panic("no planted reply " + name)
}

// withBaseline sets the success of the filler replies so the baseline is b.
func (s plantedSituation) withBaseline(b float64, filler ...string) plantedSituation {
	fixed, rest := 0.0, 0.0
	for _, r := range s.replies {
		if contains(filler, r.name) {
			rest += r.share
		} else {
			fixed += r.share * r.success
		}
	}
	for i := range s.replies {
		if contains(filler, s.replies[i].name) {
			s.replies[i].success = (b - fixed) / rest
		}
	}
	return s
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// The planted situations. In overdue × anxiety the "empathy + agreed date"
// reply succeeds 75% of the time against a baseline of 45%, and a reply
// threatening to tell the family succeeds 80%: it must be reported as a
// violation and never recommended. Fee dispute × anger plants a second
// pair (70% vs 40%, and an insult at 60%).
var (
	plantOverdue = plantedSituation{
		intent: "overdue_penalty", state: Anxiety, share: 0.40,
		openers: []string{
			"我最近手头有点紧，逾期了会不会上征信？",
			"工作丢了实在没钱，逾期这几天罚息会不会很多？我好担心。",
			"家里出了点事拿不出钱，逾期了怎么办？",
		},
		replies: []plantedReply{
			{name: "good", share: 0.20, success: 0.75, wordings: []string{
				"{c}，理解您现在的压力。您这期逾期{n}天，罚息目前大约{a}元，不计复利。我们可以约定一个您方便的还款日，我帮您备注，期间不再打扰您，您看哪天合适？",
				"{c}，理解您现在的压力。您这期已经逾期{n}天，罚息现在大约{a}元，不算复利。我们可以约定一个您方便的还款日，我给您备注好，这期间不再打扰您，您看哪天合适？",
				"理解您的压力，{c}。您这期逾期{n}天，目前罚息大约{a}元，不计复利。我们可以约定一个您方便的还款日，我帮您备注，期间不会再打扰您，您看哪天方便？",
			}},
			{name: "threat", share: 0.10, success: 0.80, wordings: []string{
				"{c}，再不还我们就通知你家人和单位，让他们都知道你欠钱不还。",
				"{c}，今天不还的话，我们会告诉你家人和同事，让大家都知道你欠钱不还。",
			}},
			{name: "push", share: 0.35, wordings: []string{
				"您好，您的账单已经逾期{n}天了，请您尽快还款。",
				"您的账单已经逾期{n}天，请尽快还款，谢谢。",
			}},
			{name: "warn", share: 0.35, wordings: []string{
				"逾期会产生罚息并影响征信记录，建议您今天处理一下。",
				"逾期会产生罚息，也会影响您的征信记录，建议今天就处理。",
			}},
		},
	}.withBaseline(0.45, "push", "warn")

	plantFee = plantedSituation{
		intent: "fee_dispute", state: Anger, share: 0.30,
		openers: []string{
			"凭什么扣我{a}块手续费？你们这是乱收费！",
			"你们乱收费吧，还款还要扣{a}元手续费，太过分了！",
			"这{a}块服务费是怎么回事？我要投诉！",
		},
		replies: []plantedReply{
			{name: "good", share: 0.25, success: 0.70, wordings: []string{
				"非常理解您的心情，换成我也会着急。我马上帮您查这笔{a}元费用的明细，逐项跟您核对，如果收错了会原路退回。",
				"非常理解您的心情，换成是我也会着急。我现在就帮您查这笔{a}元费用的明细，逐项和您核对，收错了一定原路退回。",
			}},
			{name: "insult", share: 0.10, success: 0.60, wordings: []string{
				"合同里写得清清楚楚，自己不看还有理了？",
				"合同写得明明白白，你自己不看现在还有理了？",
			}},
			{name: "rule", share: 0.65, wordings: []string{
				"费用是系统按规则收取的，具体您可以查看借款合同。",
				"这个费用是系统按规则收的，具体请您自己查看合同。",
			}},
		},
	}.withBaseline(0.40, "rule")

	plantDate = plantedSituation{
		intent: "repayment_date", state: Neutral, share: 0.20,
		openers: []string{
			"请问我这个月的还款日是哪天？",
			"我这个月的还款日是哪天啊？",
			"请问这个月的还款日是几号？",
		},
		replies: []plantedReply{
			{name: "answer", share: 1, success: 0.9, wordings: []string{
				"您这期的还款日是{n}日，应还{a}元，当天会从您绑定的银行卡自动扣款。",
				"您这期还款日是每月{n}日，应还{a}元，到时会从绑定的银行卡自动扣款。",
			}},
		},
	}

	// unknownOpeners fit no intent of the taxonomy; the share left after
	// the planted situations goes to them.
	unknownOpeners = []string{
		"你们的App登录不上去了，一直显示网络错误",
		"App登录不上去，一直提示网络错误",
		"我想开一张发票用来报销，在哪里申请",
	}
)

var synthSituations = []plantedSituation{plantOverdue, plantFee, plantDate}

// synthesize makes n dialogues deterministically from seed. 10% carry no
// outcome label; their last customer turn says how they ended, so the
// inferred outcome is the planted one. Some openers carry a mobile number
// or an e-mail address, which must never reach the output.
func synthesize(n int, seed uint64) []dialogue.Dialogue {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	surnames := []string{"王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴"}
	titles := []string{"先生", "女士"}
	agents := []string{"王敏", "李强", "刘洋", "赵磊", "孙悦"}
	pick := func(ss []string) string { return ss[rng.IntN(len(ss))] }
	fill := func(s, c string) string {
		return strings.NewReplacer("{c}", c, "{n}", fmt.Sprint(1+rng.IntN(28)),
			"{a}", fmt.Sprintf("%d.%02d", 10+rng.IntN(2000), rng.IntN(100))).Replace(s)
	}
	out := make([]dialogue.Dialogue, 0, n)
	for i := range n {
		d := dialogue.Dialogue{ID: fmt.Sprintf("syn-%06d", i+1), Channel: pick([]string{"call", "chat"})}
		c := pick(surnames) + pick(titles)
		d.Turns = append(d.Turns, dialogue.Turn{Role: "坐席", Text: fmt.Sprintf("您好，我是安和消费金融客服%s，工号%d。", pick(agents), 2000+rng.IntN(100))})
		x := rng.Float64()
		var sit *plantedSituation
		for k := range synthSituations {
			if x < synthSituations[k].share {
				sit = &synthSituations[k]
				break
			}
			x -= synthSituations[k].share
		}
		var success bool
		if sit == nil {
			d.Turns = append(d.Turns,
				dialogue.Turn{Role: "客户", Text: pick(unknownOpeners)},
				dialogue.Turn{Role: "客服", Text: "请您先把App更新到最新版本，清除缓存后重新登录试试。"})
			success = rng.Float64() < 0.6
		} else {
			opener := fill(pick(sit.openers), c)
			switch rng.IntN(20) {
			case 0:
				opener += fmt.Sprintf("我手机号是1%d%09d。", 3+rng.IntN(7), rng.IntN(1e9))
			case 1:
				opener += fmt.Sprintf("有问题发我邮箱user%d@example.com。", rng.IntN(1000))
			}
			y := rng.Float64()
			r := sit.replies[len(sit.replies)-1]
			for _, cand := range sit.replies {
				if y < cand.share {
					r = cand
					break
				}
				y -= cand.share
			}
			d.Turns = append(d.Turns,
				dialogue.Turn{Role: "customer", Text: opener},
				dialogue.Turn{Role: "agent", Text: fill(pick(r.wordings), c)})
			success = rng.Float64() < r.success
		}
		var outcome, closing string
		switch {
		case success && rng.IntN(10) < 7:
			outcome, closing = "promise_to_pay", fmt.Sprintf("好的，我%d号一定还。", 1+rng.IntN(28))
		case success:
			outcome, closing = "paid", "我已经还了，显示成功了。"
		case rng.IntN(10) < 6:
			outcome, closing = "unresolved", "再说吧。"
		default:
			outcome, closing = "complaint", "你们这样我要投诉。"
		}
		d.Turns = append(d.Turns,
			dialogue.Turn{Role: "用户", Text: closing},
			dialogue.Turn{Role: "客服", Text: "好的，感谢您的配合，祝您生活愉快。"})
		if rng.IntN(10) > 0 {
			d.Outcome = outcome
		} else {
			d.Labels = []string{"unlabelled:" + outcome} // read back by the test only
		}
		out = append(out, d)
	}
	return out
}

// liftTolerance is four standard deviations of the lift estimate by the
// delta method: Var(p/b) ≈ Var(p)/b² + p²Var(b)/b⁴, with the planted rates
// and the observed counts; the covariance of p and b (positive, since the
// reply's dialogues are part of the baseline) only makes it smaller.
func liftTolerance(p, b float64, nReply, nSituation int) float64 {
	v := p*(1-p)/float64(nReply)/(b*b) + p*p*b*(1-b)/float64(nSituation)/(b*b*b*b)
	return 4 * math.Sqrt(v)
}

var synthSeed = flag.Uint64("seed", 2026, "seed of the synthetic dialogues")

func TestSyntheticPlantedBestPractice(t *testing.T) {
	if testing.Short() {
		t.Skip("20,000 dialogues")
	}
	ds := synthesize(20000, *synthSeed)
	m, err := New(DefaultPolicy())
	if err != nil {
		t.Fatal(err)
	}
	res, err := m.Mine(context.Background(), ds)
	if err != nil {
		t.Fatal(err)
	}
	if res.MinSupport != 5 {
		t.Errorf("automatic min support = %d, want 5 for 20,000 dialogues", res.MinSupport)
	}

	// Outcomes of unlabelled dialogues are inferred, marked, and right.
	inferred := 0
	for i, d := range ds {
		a := res.Dialogues[i]
		if len(d.Labels) == 0 {
			if a.OutcomeInferred {
				t.Fatalf("%s: labelled outcome marked inferred", d.ID)
			}
			continue
		}
		inferred++
		want := strings.TrimPrefix(d.Labels[0], "unlabelled:")
		if !a.OutcomeInferred || a.Outcome != want {
			t.Errorf("%s: outcome %q inferred=%v, want %q inferred", d.ID, a.Outcome, a.OutcomeInferred, want)
		}
	}
	if inferred < 1500 {
		t.Errorf("only %d unlabelled dialogues", inferred)
	}

	type check struct {
		sit          plantedSituation
		good, bad    string
		goodMarker   string // a phrase of every good wording
		badCategory  string
		otherMarkers []string
	}
	for _, c := range []check{
		{sit: plantOverdue, good: "good", bad: "threat", goodMarker: "约定一个您方便的还款日", badCategory: "third_party_disclosure",
			otherMarkers: []string{"请您尽快还款", "尽快还款，谢谢", "建议您今天处理", "建议今天就处理"}},
		{sit: plantFee, good: "good", bad: "insult", goodMarker: "费用的明细", badCategory: "insult",
			otherMarkers: []string{"按规则"}},
	} {
		t.Run(c.sit.intent, func(t *testing.T) {
			var sit *Situation
			for i := range res.Situations {
				s := &res.Situations[i]
				if s.Intent == c.sit.intent && s.CustomerState == c.sit.state {
					sit = s
				}
			}
			if sit == nil {
				t.Fatalf("situation %s × %s not found in %+v", c.sit.intent, c.sit.state, res.Situations)
			}
			wantDialogues := c.sit.share * 20000
			if math.Abs(float64(sit.Dialogues)-wantDialogues) > 4*math.Sqrt(wantDialogues) {
				t.Errorf("situation has %d dialogues, want about %.0f: intent or emotion misclassified", sit.Dialogues, wantDialogues)
			}
			b := c.sit.baseline()
			if se := math.Sqrt(b * (1 - b) / float64(sit.Dialogues)); math.Abs(sit.Baseline-b) > 4*se {
				t.Errorf("baseline %.3f, planted %.3f (±%.3f)", sit.Baseline, b, 4*se)
			}
			var scripts []Script
			for _, s := range res.Scripts {
				if s.Intent == c.sit.intent && s.CustomerState == c.sit.state {
					scripts = append(scripts, s)
				}
			}
			if len(scripts) == 0 {
				t.Fatal("no script for the planted situation")
			}
			top := scripts[0]
			if !strings.Contains(top.Reply, c.goodMarker) {
				t.Fatalf("top script %q, want the planted good reply (%s)", top.Reply, c.goodMarker)
			}
			good := c.sit.reply(c.good)
			wantN := good.share * float64(sit.Dialogues)
			if math.Abs(float64(top.Dialogues)-wantN) > 4*math.Sqrt(wantN) {
				t.Errorf("top script seen in %d dialogues, want about %.0f: paraphrases not merged", top.Dialogues, wantN)
			}
			planted := good.success / b
			tol := liftTolerance(good.success, b, top.Dialogues, sit.Dialogues)
			t.Logf("%s: lift %.3f (low %.3f), planted %.3f ± %.3f; success %.3f vs baseline %.3f over %d/%d dialogues",
				c.sit.intent, top.Lift, top.LiftLow, planted, tol, top.SuccessRate, top.Baseline, top.Dialogues, sit.Dialogues)
			if math.Abs(top.Lift-planted) > tol {
				t.Errorf("lift %.3f, planted %.3f, tolerance %.3f", top.Lift, planted, tol)
			}
			if !(top.LiftLow > 1 && top.LiftLow < top.Lift) {
				t.Errorf("lift lower bound %.3f, want in (1, %.3f)", top.LiftLow, top.Lift)
			}
			if len(top.Examples) == 0 || len(top.Provenance) == 0 {
				t.Error("top script has no examples or provenance")
			}
			for _, s := range scripts {
				for _, mk := range c.otherMarkers {
					if strings.Contains(s.Reply, mk) {
						t.Errorf("below-baseline reply recommended: %q (success %.2f vs %.2f)", s.Reply, s.SuccessRate, s.Baseline)
					}
				}
				if len(m.CheckReply(s.Reply)) > 0 {
					t.Errorf("policy-breaking reply recommended: %q", s.Reply)
				}
			}
			// The violating reply worked better than the good one and is
			// reported, not recommended.
			bad := c.sit.reply(c.bad)
			// Its wordings differ too much to be one template, so add up
			// the violation templates of its category.
			var vn int
			var vsucc float64
			for _, x := range res.Violations {
				if x.Intent == c.sit.intent && x.CustomerState == c.sit.state && contains(x.Categories, c.badCategory) {
					vn += x.Dialogues
					vsucc += x.SuccessRate * float64(x.Dialogues)
				}
			}
			if vn == 0 {
				t.Fatalf("violation %s not reported", c.badCategory)
			}
			wantBad := bad.share * float64(sit.Dialogues)
			if math.Abs(float64(vn)-wantBad) > 4*math.Sqrt(wantBad) {
				t.Errorf("violation seen in %d dialogues, want about %.0f", vn, wantBad)
			}
			vrate := vsucc / float64(vn)
			if se := math.Sqrt(bad.success * (1 - bad.success) / float64(vn)); math.Abs(vrate-bad.success) > 4*se {
				t.Errorf("violation success %.3f, planted %.3f", vrate, bad.success)
			}
			if c.bad == "threat" && vrate <= top.SuccessRate {
				t.Errorf("planted threat success %.3f not above the good reply's %.3f: the test would not show it is ranked out", vrate, top.SuccessRate)
			}
		})
	}

	// Paraphrased questions form one FAQ whose answer is the planted one.
	var faq *FAQ
	for i := range res.FAQs {
		if strings.Contains(res.FAQs[i].Question, "还款日是") {
			faq = &res.FAQs[i]
			break
		}
	}
	if faq == nil {
		t.Fatal("no FAQ for the repayment date question")
	}
	if len(faq.Variants) < 2 || !strings.Contains(faq.Answer, "自动扣款") || faq.Intent != "repayment_date" {
		t.Errorf("FAQ = %+v", faq.FAQ)
	}
	dateSuccess := 0.2 * 20000 * 0.9
	if math.Abs(float64(faq.Support)-dateSuccess) > 4*math.Sqrt(dateSuccess) {
		t.Errorf("FAQ support %d, want about %.0f (successful repayment-date dialogues)", faq.Support, dateSuccess)
	}

	// Unknown intents are clustered, not dropped: two clusters (App login,
	// invoice), each with its dialogues.
	others := map[string]int{}
	for _, a := range res.Dialogues {
		if strings.HasPrefix(a.Intent, otherPrefix) {
			others[a.Intent]++
		}
	}
	if len(others) != 2 {
		t.Errorf("unknown intents = %v, want 2 clusters", others)
	}

	// No PII reaches the output.
	b, err := json.Marshal(struct {
		I any
		V any
		D any
	}{res.Items(), res.Violations, res.Dialogues})
	if err != nil {
		t.Fatal(err)
	}
	if pii := regexp.MustCompile(`(?:^|[^\d.])1[3-9]\d{9}(?:\D|$)|user\d+@example\.com`).FindString(string(b)); pii != "" {
		t.Errorf("PII %q in the output", pii)
	}
}
