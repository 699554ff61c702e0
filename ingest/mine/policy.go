package mine

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"gopkg.in/yaml.v3"
)

// Emotions of a customer turn.
const (
	Anger        = "anger"
	Anxiety      = "anxiety"
	Confusion    = "confusion"
	Satisfaction = "satisfaction"
	Neutral      = "neutral"
)

// emotionOrder orders emotions for ties (earlier wins) and for "improved":
// a move to a later index is an improvement.
var emotionOrder = []string{Anger, Anxiety, Confusion, Neutral, Satisfaction}

// Outcomes of a dialogue, after normalisation.
const (
	Resolved     = "resolved"
	PromiseToPay = "promise_to_pay"
	Paid         = "paid"
	Complaint    = "complaint"
	Escalated    = "escalated"
	Unresolved   = "unresolved"
)

// Policy configures the miner: the intent taxonomy, the emotion lexicon,
// the compliance lexicon, what counts as success and the mining thresholds.
// DefaultPolicy is seeded for Chinese consumer finance with English terms;
// configs/policy.yaml documents it and LoadPolicy reads such a file.
type Policy struct {
	// Intents is the taxonomy. A dialogue's intent is the one whose
	// keywords weigh most in it; with no keyword at all it is clustered
	// with similar unknown dialogues into an "other:…" intent.
	Intents []Intent `yaml:"intents"`
	// Emotions is the per-turn emotion lexicon.
	Emotions []EmotionTerms `yaml:"emotions"`
	// Negators are the words that negate a lexicon term when they stand
	// at most NegationWindow characters before it in the same clause
	// (不满意, not happy).
	Negators       []string `yaml:"negators"`
	NegationWindow int      `yaml:"negation_window"`
	// NotNegations are words that start with a negator but negate nothing
	// (不然, 不过); they are ignored when looking for a negator.
	NotNegations []string `yaml:"not_negations"`
	// Violations is the compliance lexicon: an agent reply containing a
	// term breaks the policy and is never recommended, unless one of
	// ViolationNegators ends at most ViolationNegationWindow characters
	// before the term (我们不会上门, 逾期不会坐牢). The list is narrower than
	// Negators so that 自己不看还有理了 still counts.
	Violations              []ViolationRule `yaml:"violations"`
	ViolationNegators       []string        `yaml:"violation_negators"`
	ViolationNegationWindow int             `yaml:"violation_negation_window"`
	// SuccessOutcomes are the outcomes that count as success.
	SuccessOutcomes []string `yaml:"success_outcomes"`
	// Mining holds the thresholds.
	Mining Mining `yaml:"mining"`
}

// Intent is one entry of the taxonomy.
type Intent struct {
	ID       string   `yaml:"id"`       // stable name, e.g. overdue_penalty
	Name     string   `yaml:"name"`     // display name, e.g. 逾期与罚息
	Keywords []string `yaml:"keywords"` // Chinese and English; English matched as whole words, case-insensitively
}

// EmotionTerms lists the terms that signal one emotion.
type EmotionTerms struct {
	Emotion string   `yaml:"emotion"` // anger, anxiety, confusion or satisfaction
	Terms   []string `yaml:"terms"`
	// Negated is the emotion a negated term signals instead ("" for none):
	// 不满意 is anger, 不担心 is nothing.
	Negated string `yaml:"negated,omitempty"`
}

// ViolationRule is one category of forbidden expression.
type ViolationRule struct {
	Category string   `yaml:"category"` // e.g. threat, third_party_disclosure
	Name     string   `yaml:"name"`     // display name, bilingual
	Terms    []string `yaml:"terms"`
}

// Mining holds the thresholds of the miner.
type Mining struct {
	// ReplySimilarity is the least character-bigram Jaccard similarity of
	// two normalised agent replies in one template.
	ReplySimilarity float64 `yaml:"reply_similarity"`
	// QuestionSimilarity is the same for paraphrased customer questions.
	QuestionSimilarity float64 `yaml:"question_similarity"`
	// UnknownSimilarity clusters the opening questions of dialogues with
	// no known intent.
	UnknownSimilarity float64 `yaml:"unknown_similarity"`
	// MinSupport is the least number of dialogues behind a FAQ or a
	// script; 0 means automatic: dialogues/1000 clamped to 1..5, so a
	// small corpus shows what it has (with honest, wide bounds) and a
	// large one drops noise.
	MinSupport int `yaml:"min_support"`
	// TopScripts is the most scripts kept per situation.
	TopScripts int `yaml:"top_scripts"`
	// MinReplyChars is the least length in characters of a normalised
	// reply or question worth mining; shorter ones are acknowledgements.
	MinReplyChars int `yaml:"min_reply_chars"`
	// Z is the normal quantile of the confidence bounds (1.96 for 95%).
	Z float64 `yaml:"z"`
	// MaxExamples is the most example dialogues kept per item.
	MaxExamples int `yaml:"max_examples"`
}

// DefaultPolicy returns the policy seeded for Chinese consumer finance.
func DefaultPolicy() Policy {
	return Policy{
		Intents: []Intent{
			{ID: "repayment_date", Name: "还款日 / repayment date", Keywords: []string{
				"还款日", "什么时候还", "哪天还", "几号还", "还款时间", "扣款日", "自动扣", "改还款日", "还款提醒",
				"due date", "repayment date", "when do i pay", "when is my payment"}},
			{ID: "overdue_penalty", Name: "逾期与罚息 / overdue and penalty", Keywords: []string{
				"逾期", "罚息", "违约金", "滞纳金", "宽限期", "上征信", "征信", "晚几天", "忘了还", "忘还",
				"overdue", "late fee", "late payment", "penalty", "grace period", "credit report"}},
			{ID: "instalment_extension", Name: "分期与展期 / instalments and extensions", Keywords: []string{
				"展期", "延期还款", "分期变更", "协商还款", "重新分期", "还不起", "失业", "裁员", "困难", "缓一缓",
				"extension", "instalment plan", "installment plan", "defer", "hardship", "lost my job"}},
			{ID: "fee_dispute", Name: "费用争议 / fee disputes", Keywords: []string{
				"手续费", "乱收费", "多扣", "扣了", "凭什么扣", "费用争议", "费用", "服务费", "高利贷", "退费", "收费", "利息怎么", "利息比",
				"fee", "fees", "overcharged", "refund", "hidden charge"}},
			{ID: "early_repayment", Name: "提前还款 / early repayment", Keywords: []string{
				"提前还款", "提前还", "一次性还清", "提前结清", "全部还了", "结清证明",
				"early repayment", "repay early", "pay off", "settle the loan"}},
			{ID: "credit_limit", Name: "额度 / credit limit", Keywords: []string{
				"额度", "提额", "降额", "调额", "credit limit", "limit increase", "raise my limit"}},
			{ID: "account_change", Name: "账户与银行卡变更 / account and card change", Keywords: []string{
				"换卡", "更换银行卡", "换绑", "还款卡", "换了银行卡", "改手机号", "手机号变更", "扣款失败", "支付限额",
				"change card", "change my card", "update phone", "new card", "bank card"}},
			{ID: "collection_complaint", Name: "催收投诉 / collection complaints", Keywords: []string{
				"催收", "骚扰", "威胁", "爆通讯录", "打电话", "12378", "联系人", "打给我家人",
				"harass", "harassment", "collection call", "collector", "threatened"}},
			{ID: "fraud_report", Name: "欺诈举报 / fraud report", Keywords: []string{
				"冒用", "冒充", "诈骗", "盗用", "没借过", "不是我借的", "解冻费", "反诈", "身份被",
				"欺诈", "从来没在", "没在你们那借", "不是我办的", "从来没借",
				"fraud", "scam", "identity theft", "never borrowed", "not my loan"}},
		},
		Emotions: []EmotionTerms{
			{Emotion: Anger, Terms: []string{
				"生气", "气死", "投诉", "凭什么", "乱收费", "乱报", "高利贷", "太过分", "过分", "烦不烦", "骚扰", "威胁我",
				"报警", "什么态度", "踢皮球", "不满", "坑人", "骗子", "还让不让人活", "岂有此理", "吓唬", "怎么回事", "！！", "!!",
				"angry", "ridiculous", "unacceptable", "complain", "complaint", "outrageous", "rip-off", "furious"}},
			{Emotion: Anxiety, Terms: []string{
				"着急", "担心", "怎么办", "会不会", "害怕", "压力", "还不起", "没钱", "拿不出", "失业", "裁员", "急用",
				"手头紧", "手头有点紧", "睡不着", "影响征信", "上征信", "不知道怎么",
				"worried", "anxious", "afraid", "can't pay", "cannot pay", "urgent", "lost my job"}},
			{Emotion: Confusion, Terms: []string{
				"不明白", "不懂", "为什么", "什么意思", "搞不清", "看不懂", "没看懂", "怎么算", "不清楚", "啥意思",
				"confused", "don't understand", "do not understand", "what does", "why"}},
			{Emotion: Satisfaction, Negated: Anger, Terms: []string{
				"谢谢", "感谢", "满意", "太好了", "明白了", "清楚了", "好的", "没问题", "辛苦了", "放心了", "太感谢",
				"thanks", "thank you", "great", "helpful", "perfect", "got it"}},
		},
		Negators:       []string{"不", "没", "未", "别", "非", "not", "no", "never", "n't"},
		NegationWindow: 2,
		NotNegations:   []string{"不然", "不管", "不过", "不少", "不停", "不断", "没准", "别的", "要不", "是不是", "是否", "会不会", "能不能", "可不可以", "要不要", "有没有", "no matter"},
		Violations: []ViolationRule{
			{Category: "threat", Name: "威胁恐吓 / threat", Terms: []string{
				"上门", "找你领导", "到你单位", "去你单位", "找你单位", "每天都会有人打", "明天继续给你打", "让你好看", "后果自负",
				"走着瞧", "别想好过", "你等着", "天天打", "打爆",
				"we will come to your home", "you will regret", "or else"}},
			{Category: "insult", Name: "侮辱谩骂 / insult", Terms: []string{
				"老赖", "不要脸", "废物", "垃圾", "无赖", "还有理了", "装不知道", "欠钱不还你", "丢人",
				"deadbeat", "shameless", "loser", "idiot"}},
			{Category: "third_party_disclosure", Name: "向第三方透露债务 / disclosure of debt to third parties", Terms: []string{
				"告诉你家人", "通知你家人", "告诉你家里", "通知你家里", "联系你家人", "找你家人", "找你父母", "告诉你父母",
				"告诉你单位", "通知你单位", "告诉你同事", "通知你同事", "通讯录", "父债子还", "子债父还", "帮他还", "替他还一部分",
				"你儿子在我们这借", "你女儿在我们这借", "你老公在我们这借", "你老婆在我们这借",
				"tell your family", "call your employer", "tell your boss", "contact your relatives"}},
			{Category: "false_legal_claim", Name: "虚假法律后果 / false legal claims", Terms: []string{
				"坐牢", "抓你", "起诉你全家", "全家都会受影响", "涉嫌诈骗", "就是诈骗", "报到公安", "警察直接上门", "法院传票马上",
				"坐不了高铁", "高铁都坐不了", "别想坐飞机", "拘留你", "刑事责任", "判刑",
				"go to jail", "arrest you", "sue your whole family", "criminal charges"}},
			{Category: "improper_pressure", Name: "诱导借贷或重复还款 / pressure to borrow or pay twice", Terms: []string{
				"信用卡套出来", "找别的平台借", "以贷还贷", "借一笔周转", "先再还一遍", "再还一遍",
				"borrow from another", "take another loan"}},
		},
		ViolationNegators: []string{"不会", "不能", "不得", "绝不", "并不", "没有", "不要", "不用", "不是", "别",
			"will not", "won't", "never", "not", "don't"},
		ViolationNegationWindow: 4,
		SuccessOutcomes:         []string{Resolved, PromiseToPay, Paid, Escalated},
		Mining: Mining{
			ReplySimilarity:    0.5,
			QuestionSimilarity: 0.4,
			UnknownSimilarity:  0.3,
			MinSupport:         0,
			TopScripts:         3,
			MinReplyChars:      6,
			Z:                  1.96,
			MaxExamples:        5,
		},
	}
}

// Validate reports the first problem that makes the policy unusable.
func (p *Policy) Validate() error {
	if len(p.Intents) == 0 {
		return errors.New("policy has no intents / 意图分类为空")
	}
	seen := map[string]bool{}
	for i, in := range p.Intents {
		switch {
		case strings.TrimSpace(in.ID) == "":
			return fmt.Errorf("intent %d has no id / 意图缺少 id", i+1)
		case strings.HasPrefix(in.ID, otherPrefix):
			return fmt.Errorf("intent id %q: the prefix %q is reserved / 前缀保留", in.ID, otherPrefix)
		case seen[in.ID]:
			return fmt.Errorf("intent id %q is used twice / 意图 id 重复", in.ID)
		case len(nonEmpty(in.Keywords)) == 0:
			return fmt.Errorf("intent %q has no keywords / 意图没有关键词", in.ID)
		}
		seen[in.ID] = true
	}
	for _, e := range p.Emotions {
		if !validEmotion(e.Emotion) || e.Emotion == Neutral {
			return fmt.Errorf("unknown emotion %q (want anger, anxiety, confusion or satisfaction) / 未知情绪", e.Emotion)
		}
		if e.Negated != "" && !validEmotion(e.Negated) {
			return fmt.Errorf("emotion %s: unknown negated emotion %q / 未知情绪", e.Emotion, e.Negated)
		}
	}
	for _, v := range p.Violations {
		if strings.TrimSpace(v.Category) == "" || len(nonEmpty(v.Terms)) == 0 {
			return fmt.Errorf("violation rule %q needs a category and terms / 违规规则缺少类别或词条", v.Category)
		}
	}
	for _, o := range p.SuccessOutcomes {
		if NormalizeOutcome(o) == "" {
			return fmt.Errorf("unknown success outcome %q / 未知结果", o)
		}
	}
	m := p.Mining
	switch {
	case m.ReplySimilarity <= 0 || m.ReplySimilarity > 1, m.QuestionSimilarity <= 0 || m.QuestionSimilarity > 1,
		m.UnknownSimilarity <= 0 || m.UnknownSimilarity > 1:
		return errors.New("mining similarities must be in (0, 1] / 相似度阈值须在 (0,1] 之间")
	case m.MinSupport < 0, m.TopScripts < 1, m.MinReplyChars < 0, m.MaxExamples < 1:
		return errors.New("mining: min_support >= 0, top_scripts >= 1, min_reply_chars >= 0, max_examples >= 1 / 挖掘参数无效")
	case m.Z <= 0:
		return errors.New("mining: z must be positive / z 须为正数")
	case p.NegationWindow < 0, p.ViolationNegationWindow < 0:
		return errors.New("negation_window must be >= 0 / 否定窗口不能为负")
	}
	return nil
}

// LoadPolicy reads a policy YAML file (see configs/policy.yaml). Settings
// the file leaves out keep their DefaultPolicy values; a list given in the
// file replaces the default list. Unknown keys are errors.
func LoadPolicy(path string) (Policy, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Policy{}, fmt.Errorf("mine: read policy / 读取策略文件失败: %w", err)
	}
	p, err := ParsePolicy(bytes.NewReader(b))
	if err != nil {
		return Policy{}, fmt.Errorf("mine: policy %s: %w", path, err)
	}
	return p, nil
}

// ParsePolicy reads a policy in YAML from r, as LoadPolicy does.
func ParsePolicy(r io.Reader) (Policy, error) {
	p := DefaultPolicy()
	dec := yaml.NewDecoder(r)
	dec.KnownFields(true)
	if err := dec.Decode(&p); err != nil && !errors.Is(err, io.EOF) {
		return Policy{}, fmt.Errorf("invalid policy YAML / 策略文件格式错误: %w", err)
	}
	if err := p.Validate(); err != nil {
		return Policy{}, err
	}
	return p, nil
}

func validEmotion(e string) bool {
	for _, v := range emotionOrder {
		if e == v {
			return true
		}
	}
	return false
}

func nonEmpty(ss []string) []string {
	var out []string
	for _, s := range ss {
		if strings.TrimSpace(s) != "" {
			out = append(out, s)
		}
	}
	return out
}
