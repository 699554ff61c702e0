package mine

import (
	"cmp"
	"fmt"
	"regexp"
	"strings"

	"github.com/lorehq/lore/ingest/dialogue"
)

// Analysis is what the miner makes of one dialogue. All text in it is
// PII-masked.
type Analysis struct {
	ID      string `json:"id"`
	Channel string `json:"channel,omitempty"`
	// Intent is a taxonomy id, or "other:<representative question>" for a
	// cluster of dialogues no keyword matched.
	Intent     string `json:"intent"`
	IntentName string `json:"intent_name"`
	// Emotions holds the customer's emotion per turn, index-aligned with
	// the dialogue's turns; agent turns hold "".
	Emotions []string `json:"emotions"`
	// Outcome is the labelled outcome, normalised, or the inferred one
	// when OutcomeInferred is set.
	Outcome         string  `json:"outcome"`
	OutcomeInferred bool    `json:"outcome_inferred,omitempty"`
	Satisfaction    float64 `json:"satisfaction,omitempty"`
	Success         bool    `json:"success"`
	Facts           Facts   `json:"facts"`
	// Violations lists the agent turns that break the policy.
	Violations []TurnViolation `json:"violations,omitempty"`
	// Note is a one-line bilingual case note.
	Note string `json:"note"`
}

// Facts are the key facts stated in a dialogue, as written.
type Facts struct {
	Amounts      []string `json:"amounts,omitempty"`       // e.g. 1,520元
	Dates        []string `json:"dates,omitempty"`         // e.g. 3月10日, 2026-03-10
	PromisedDate string   `json:"promised_date,omitempty"` // the repayment date the customer agreed to
}

// TurnViolation is one policy breach in an agent turn.
type TurnViolation struct {
	Turn     int    `json:"turn"` // 1-based
	Category string `json:"category"`
	Term     string `json:"term"` // the lexicon term found
}

// NormalizeOutcome maps outcome labels seen in exports (promise-to-pay,
// PTP, 承诺还款, 已还款, 投诉, …) to the package's outcome names; it returns
// "" for anything else.
func NormalizeOutcome(label string) string {
	l := strings.ToLower(strings.TrimSpace(label))
	l = strings.NewReplacer("-", "_", " ", "_").Replace(l)
	switch l {
	case "resolved", "solved", "done", "success", "已解决", "解决", "办结":
		return Resolved
	case "promise_to_pay", "promise", "ptp", "promised", "承诺还款", "约定还款", "承诺":
		return PromiseToPay
	case "paid", "repaid", "payment", "已还款", "还款成功", "已还清", "结清":
		return Paid
	case "complaint", "complained", "complain", "投诉", "客诉":
		return Complaint
	case "escalated", "escalation", "transferred", "升级", "转交", "移交", "转人工":
		return Escalated
	case "unresolved", "failed", "open", "未解决", "失败", "未还款":
		return Unresolved
	}
	return ""
}

var (
	amountRe = regexp.MustCompile(`(?:[¥￥]\s?\d[\d,]*(?:\.\d+)?|\d[\d,]*(?:\.\d+)?\s?(?:万元|元|块钱|块|yuan|RMB|rmb))`)
	dateRe   = regexp.MustCompile(`\d{4}年\d{1,2}月\d{1,2}[日号]|\d{4}-\d{1,2}-\d{1,2}|\d{1,2}月\d{1,2}[日号]|(?:^|[^\d月])\d{1,2}号|\d{1,2} (?:January|February|March|April|May|June|July|August|September|October|November|December)`)
)

// promiseTerms mark a customer commitment to repay; with a date nearby they
// give the promised date. They also infer the promise_to_pay outcome.
var promiseTerms = []string{"一定还", "我会还", "再还", "号还", "明天还", "今天还", "后天", "周末弄", "明天弄", "发工资", "i will pay", "i'll pay", "i promise", "will repay"}

// agreeTerms mark an agent confirming an agreed date (约定3月10日).
var agreeTerms = []string{"约定", "跟您确认", "记下了", "we agree", "confirm"}

var (
	complaintTerms = []string{"投诉", "12378", "报警", "complain", "complaint"}
	paidTerms      = []string{"已经还了", "还好了", "已还清", "显示成功", "还清了", "已经还清", "全部还清", "paid it", "i paid", "payment done", "done, i paid"}
	escalateTerms  = []string{"工单号", "工单", "移交", "转交", "反欺诈部门", "ticket", "escalat"}
)

// extractFacts finds amounts and dates in the dialogue and, when promised
// is set, the promised repayment date: the first date after the last agent
// confirmation of an agreement (约定, 跟您确认), else the first date of the
// last customer turn promising to pay.
func extractFacts(turns []dialogue.Turn, promised bool) Facts {
	var agreed, said string
	var f Facts
	seenA, seenD := map[string]bool{}, map[string]bool{}
	for _, t := range turns {
		for _, a := range amountRe.FindAllString(t.Text, -1) {
			a = strings.TrimSpace(a)
			if !seenA[a] && len(f.Amounts) < 10 {
				seenA[a] = true
				f.Amounts = append(f.Amounts, a)
			}
		}
		dates := dateRe.FindAllString(t.Text, -1)
		for i, d := range dates {
			d = trimNonDigitPrefix(d)
			dates[i] = d
			if !seenD[d] && len(f.Dates) < 10 {
				seenD[d] = true
				f.Dates = append(f.Dates, d)
			}
		}
		if len(dates) == 0 {
			continue
		}
		if !promised {
			continue
		}
		lt := fold(t.Text)
		switch {
		case t.Role == dialogue.Agent:
			if k := indexAny(t.Text, agreeTerms); k >= 0 {
				if d := trimNonDigitPrefix(dateRe.FindString(t.Text[k:])); d != "" {
					agreed = d
				}
			}
		case t.Role == dialogue.Customer && containsAny(lt, promiseTerms):
			said = dates[0]
		}
	}
	f.PromisedDate = cmp.Or(agreed, said)
	return f
}

// indexAny returns the position of the first of terms found in s, or -1.
func indexAny(s string, terms []string) int {
	best := -1
	for _, t := range terms {
		if k := strings.Index(s, t); k >= 0 && (best < 0 || k < best) {
			best = k
		}
	}
	return best
}

// trimNonDigitPrefix drops the one character the "N号" pattern consumes
// before the number.
func trimNonDigitPrefix(d string) string {
	for i, r := range d {
		if r >= '0' && r <= '9' {
			return d[i:]
		}
	}
	return d
}

func containsAny(s string, terms []string) bool {
	for _, t := range terms {
		if strings.Contains(s, t) {
			return true
		}
	}
	return false
}

// inferOutcome guesses the outcome of an unlabelled dialogue from its
// turns: a complaint in the customer's last turn (one threatened earlier
// and then settled does not count); else payment or a promise in the
// customer's last turns; else an escalation by the agent
// (a ticket, a hand-over); else resolved when the customer ends satisfied;
// else unresolved.
func inferOutcome(turns []dialogue.Turn, emotions []string) string {
	var cust []int
	for i, t := range turns {
		if t.Role == dialogue.Customer {
			cust = append(cust, i)
		}
	}
	lastN := func(n int, terms []string) bool {
		for k := len(cust) - 1; k >= 0 && k >= len(cust)-n; k-- {
			if containsAny(fold(turns[cust[k]].Text), terms) {
				return true
			}
		}
		return false
	}
	switch {
	case lastN(1, complaintTerms):
		return Complaint
	case lastN(2, paidTerms):
		return Paid
	case lastN(3, promiseTerms):
		return PromiseToPay
	}
	for _, t := range turns {
		if t.Role == dialogue.Agent && containsAny(fold(t.Text), escalateTerms) {
			return Escalated
		}
	}
	if len(cust) > 0 && emotions[cust[len(cust)-1]] == Satisfaction {
		return Resolved
	}
	return Unresolved
}

// emotionNames are the Chinese display names of the emotions.
var emotionNames = map[string]string{
	Anger: "愤怒", Anxiety: "焦虑", Confusion: "困惑", Satisfaction: "满意", Neutral: "平静",
}

// outcomeNames are the Chinese display names of the outcomes.
var outcomeNames = map[string]string{
	Resolved: "已解决", PromiseToPay: "承诺还款", Paid: "已还款", Complaint: "投诉",
	Escalated: "已升级", Unresolved: "未解决",
}

// caseNote renders the one-line note of an analysis.
func caseNote(a *Analysis) string {
	var b strings.Builder
	fmt.Fprintf(&b, "意图 intent: %s", a.IntentName)
	var path []string
	for _, e := range a.Emotions {
		if e != "" && (len(path) == 0 || path[len(path)-1] != e) {
			path = append(path, e)
		}
	}
	if len(path) > 0 {
		zh := make([]string, len(path))
		for i, e := range path {
			zh[i] = emotionNames[e]
		}
		fmt.Fprintf(&b, "；情绪 emotion: %s (%s)", strings.Join(zh, "→"), strings.Join(path, "→"))
	}
	fmt.Fprintf(&b, "；结果 outcome: %s %s", outcomeNames[a.Outcome], a.Outcome)
	if a.OutcomeInferred {
		b.WriteString("（推断 inferred）")
	}
	if len(a.Facts.Amounts) > 0 {
		fmt.Fprintf(&b, "；金额 amounts: %s", strings.Join(a.Facts.Amounts, ", "))
	}
	if a.Facts.PromisedDate != "" {
		fmt.Fprintf(&b, "；约定还款 promised: %s", a.Facts.PromisedDate)
	}
	if len(a.Violations) > 0 {
		fmt.Fprintf(&b, "；违规 violations: %d", len(a.Violations))
	}
	return b.String()
}
