package glossary

import (
	"math/rand/v2"
	"strings"
)

// The synthetic corpus: consumer-finance customer-service sentences in
// which invented product names and jargon are planted among filler made of
// ordinary words. Every word of the templates and the filler is in
// synthKnown, the fake general dictionary, except the planted terms.

// planted are the terms the corpus plants, with the sentences using them;
// {P} is replaced by a product name, {G} by 宽限期 or 容还期 (two
// interchangeable names of the grace period, used in the same contexts).
var planted = []string{"随心贷", "安心分", "惠享贷", "展期", "结清证明", "宽限期", "容还期"}

var productTemplates = map[string][]string{
	"随心贷": {
		"您名下随心贷这一期的还款日是每月十日",
		"随心贷是本公司提供的个人现金消费贷款",
		"我想问一下随心贷的额度怎么提升",
		"随心贷放款后可以提前还款",
		"客户反映随心贷扣款失败",
		"您的随心贷已经结清",
	},
	"安心分": {
		"购物时选择安心分分期付款",
		"安心分每期收取分期手续费",
		"安心分是面向合作商户的分期服务",
		"我用安心分买了一台电脑",
		"请在商城订单页开通安心分",
	},
	"惠享贷": {
		"惠享贷面向老客户发放",
		"惠享贷的年化利率比较低",
		"系统邀请您申请惠享贷",
		"惠享贷审核需要一个工作日",
	},
}

var jargonTemplates = []string{
	"展期是指借款人在贷款到期前申请延长还款期限",
	"借款人可以申请展期",
	"展期后利率保持不变",
	"每笔借款只能办理一次展期",
	"{P}支持展期吗",
	"展期申请需要在到期前提交",
	"结清后可以申请开具结清证明",
	"结清证明指的是贷款全部还清后公司出具的证明文件",
	"结清证明会在三个工作日内发送到邮箱",
	"请问怎么下载结清证明",
	"宽限期，即还款日之后不计逾期的若干天",
	"还款日后有三天{G}",
	"{G}内还款不算逾期",
	"{G}过后将产生罚息",
	"请问{G}是几天",
	"超过{G}仍未还款会上报征信",
	"{P}的{G}是三天",
}

// fillerWords are ordinary words; synthKnown knows all of them.
var fillerWords = strings.Fields(`客户 还款 借款 利息 银行卡 申请 办理 手续费 逾期 合同 额度 本金 账单 短信
提醒 系统 审核 公司 服务 电话 时间 金额 记录 问题 处理 确认 信息 需要 可以 已经 我们 您好 请问 工作日
还款日 征信 罚息 扣款 到期 延长 期限 开具 证明 结清 发送 邮箱 下载 查询 提交 提前 分期 购物 利率 登记
客服 一次 三天 今天 明天 绑定 余额 充足 失败 成功 自动 核实 身份 手机号 验证码 密码 修改 升级 页面 点击
按钮 提示 收到 通知 催收 协商 减免 方案 投诉 反馈 满意 评价 感谢 理解 配合 支持 帮助 解决 尽快 马上
每月 每期 当天 之前 之后 不会 影响 记得 注意 安全 保护 隐私 授权 同意 拒绝 取消 退款 订单 商城 商户 电脑`)

// synthKnown is the fake general dictionary of the tests.
var synthKnown = func() KnownFunc {
	m := map[string]bool{}
	for _, w := range fillerWords {
		m[w] = true
	}
	for _, w := range strings.Fields(`个人 现金 消费 贷款 本公司 提供 名下 这一期 每月 十日 想问 一下 怎么 提升 放款 后 反映
您的 时 选择 付款 收取 面向 合作 买了 一台 在 开通 老客户 发放 年化 比较 低 邀请 您 一个 是指 借款人 全部 还清
出具 文件 保持 不变 每笔 只能 不算 过后 将 产生 仍未 会 上报 几天 内 支持 吗 指的是 是 后有 可以 的
之后 不计 若干 分期付款 商城订单 订单页 现金消费 消费贷款 手续费 贷款到期 还款期限 证明文件 工作日内 上报征信 产生罚息 年化利率`) {
		m[w] = true
	}
	return func(w string) bool { return m[w] }
}()

// synthCorpus returns n deterministic texts (one sentence each, about a
// third of them planted) from seed.
func synthCorpus(seed uint64, n int) []string {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	products := []string{"随心贷", "随心贷", "随心贷", "安心分", "安心分", "惠享贷"}
	grace := []string{"宽限期", "容还期"}
	punct := []string{"。", "，", "！", "？", "；"}
	out := make([]string, 0, n)
	for len(out) < n {
		var s string
		switch k := rng.IntN(12); {
		case k < 2:
			p := products[rng.IntN(len(products))]
			ts := productTemplates[p]
			s = ts[rng.IntN(len(ts))]
		case k < 4:
			s = jargonTemplates[rng.IntN(len(jargonTemplates))]
			s = strings.ReplaceAll(s, "{P}", products[rng.IntN(len(products))])
			s = strings.ReplaceAll(s, "{G}", grace[rng.IntN(len(grace))])
		default:
			var b strings.Builder
			for w := 3 + rng.IntN(6); w > 0; w-- {
				b.WriteString(fillerWords[rng.IntN(len(fillerWords))])
				if rng.IntN(5) == 0 {
					b.WriteString("的")
				}
				if rng.IntN(6) == 0 {
					b.WriteString(punct[rng.IntN(2)])
				}
			}
			s = b.String()
		}
		if rng.IntN(3) == 0 {
			s = "客服：" + s
		}
		out = append(out, s+punct[rng.IntN(len(punct))])
	}
	return out
}
