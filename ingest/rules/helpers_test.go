package rules

import (
	"strings"
	"testing"

	"github.com/lorehq/lore/knowledge"
)

func TestNumberValue(t *testing.T) {
	cases := map[string]int{
		"一": 1, "十": 10, "十二": 12, "二十": 20, "一百零五": 105, "二百五十三": 253,
		"一千二百六十": 1260, "两千": 2000, "253": 253, "２５": 25, "XIV": 14, "iv": 4,
		"": -1, "甲": -1, "十甲": -1,
	}
	for in, want := range cases {
		if got := numberValue(in); got != want {
			t.Errorf("numberValue(%q) = %d, want %d", in, got, want)
		}
	}
	for _, n := range []int{1, 10, 12, 20, 101, 110, 253, 1000, 1005, 1260, 10001} {
		if got := chineseValue(chineseNumber(n)); got != n {
			t.Errorf("chineseNumber(%d) = %q reads back as %d", n, chineseNumber(n), got)
		}
	}
	if got := chineseNumber(105); got != "一百零五" {
		t.Errorf("chineseNumber(105) = %q", got)
	}
}

func TestMatchArticle(t *testing.T) {
	cases := []struct {
		line   string
		sch    scheme
		text   string // "" means no match
		strong bool
	}{
		{"第十条　借款人应当按期还款。", schemeChinese, "第十条", true},
		{"第二百五十三条之一 违反国家规定…", schemeChinese, "第二百五十三条之一", true},
		{"第5条 适用范围", schemeChinese, "第5条", true},
		{"第十条", schemeChinese, "第十条", true},
		{"第十条借款人应当按期还款。", schemeChinese, "第十条", false},
		{"第十条规定的情形除外。", schemeChinese, "", false},
		{"第十条、第十一条不适用。", schemeChinese, "", false},
		{"Article 5 Scope", schemeArticle, "Article 5", true},
		{"Article 12. The lender…", schemeArticle, "Article 12", true},
		{"Article 5 of this Regulation applies", schemeArticle, "", false},
		{"ARTICLE IV", schemeArticle, "ARTICLE IV", true},
		{"Section 2.1 Fees", schemeSection, "Section 2.1", true},
		{"§ 3 Records", schemeSection, "§ 3", true},
		{"一、总体要求", schemeEnumerate, "一、", true},
		{"（一）夜间", schemeEnumerate, "", false},
	}
	for _, c := range cases {
		a, ok := matchArticle(c.line, c.sch)
		if ok != (c.text != "") || a.text != c.text || (ok && a.strong != c.strong) {
			t.Errorf("matchArticle(%q) = %+v %v, want %q strong=%v", c.line, a, ok, c.text, c.strong)
		}
	}
}

func TestDivisionRank(t *testing.T) {
	cases := map[string]int{
		"第一编 总则": 10, "第二分编 典型合同": 15, "第三章　费用": 20, "第一节 贷前调查": 30,
		"附则": 20, "附件一": 20, "合同编": 10, "Chapter II Obligations": 20, "PART 1": 10,
		"Section 1 Scope": 30, "第一章规定的费用，按月收取。": 0, "借款人的义务": 0,
	}
	for in, want := range cases {
		if got := divisionRank(in, schemeArticle); got != want {
			t.Errorf("divisionRank(%q) = %d, want %d", in, got, want)
		}
	}
	if got := divisionRank("Section 1 Scope", schemeSection); got != 0 {
		t.Errorf("Section is a division under Section numbering: %d", got)
	}
}

func TestModality(t *testing.T) {
	cases := map[string]knowledge.Modality{
		"借款人应当按期还款。":                        knowledge.Obligation,
		"催收人员必须表明身份。":                       knowledge.Obligation,
		"出借人不得预扣利息，借款人应当按期还款。":              knowledge.Prohibition,
		"严禁暴力催收。":                           knowledge.Prohibition,
		"禁止向未成年人放贷。":                        knowledge.Prohibition,
		"借款人可以提前还款。":                        knowledge.Permission,
		"借款人可以提前还款，但应当提前三日申请。":              knowledge.Obligation,
		"公司不得不调整利率时，应当公告。":                  knowledge.Obligation,
		"本办法所称借款人，是指自然人。":                   "",
		"The lender shall not charge fees.": knowledge.Prohibition,
		"The lender must keep records.":     knowledge.Obligation,
		"The borrower may repay early.":     knowledge.Permission,
		"This Regulation lays down rules.":  "",
	}
	for in, want := range cases {
		if got := modality(in); got != want {
			t.Errorf("modality(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestReferences(t *testing.T) {
	aliases := lawAliases([]string{"根据《中华人民共和国民法典》（以下简称民法典）和《征信业管理条例》，制定本办法。"})
	cases := []struct {
		text string
		para int
		want string
	}{
		{"依照本法第二十条的规定处理。", 1, "第二十条"},
		{"违反第二十条第一款规定的", 1, "第二十条第一款"},
		{"有前款规定情形的", 2, "第十条第一款"},
		{"前两款规定的期限", 3, "第十条第一款 第十条第二款"},
		{"按照本条第二款执行", 1, "第十条第二款"},
		{"依照第二款处理", 1, "第十条第二款"},
		{"适用前条规定", 1, "第九条"},
		{"第五条至第八条", 1, "第五条 第六条 第七条 第八条"},
		{"第二十条、第二十一条和第二十二条之一", 1, "第二十条 第二十一条 第二十二条之一"},
		{"第三条第一款第（一）项、第（二）项", 1, "第三条第一款第（一）项 第三条第一款第（二）项"},
		{"依照民法典第五百八十五条", 1, "《中华人民共和国民法典》第五百八十五条"},
		{"依照《征信业管理条例》第四十条第二款处罚", 1, "《征信业管理条例》第四十条第二款"},
		{"依照刑事诉讼法第十五条", 1, "《刑事诉讼法》第十五条"},
		{"不适用本规定。", 1, ""},
	}
	for _, c := range cases {
		refs := zhReferences(c.text, refContext{article: "第十条", previous: "第九条", para: c.para, aliases: aliases}, nil)
		if got := strings.Join(dedupe(refs, "第十条"), " "); got != c.want {
			t.Errorf("zhReferences(%q) = %q, want %q", c.text, got, c.want)
		}
	}
	en := enReferences("as required by Article 3(2) and Articles 5 and 6, and Section 4", nil)
	if got := strings.Join(en, "|"); got != "Article 3(2)|Article 5|Article 6|Section 4" {
		t.Errorf("enReferences = %q", got)
	}
}

func TestReadMeta(t *testing.T) {
	cases := []struct {
		name   string
		title  string
		lines  []string
		bodies []string
		want   meta
	}{
		{
			name:   "notice issuing rules",
			title:  "中国人民银行关于印发《个人征信异议处理规程》的通知",
			lines:  []string{"银发〔2026〕37号", "各分支机构："},
			bodies: []string{"第一条 …", "第三十条 本规程自2026年9月1日起施行。"},
			want:   meta{title: "个人征信异议处理规程", issuer: "中国人民银行", number: "银发〔2026〕37号", effective: "2026-09-01"},
		},
		{
			name:   "order with publication date",
			title:  "消费金融公司监督管理办法",
			lines:  []string{"国家金融监督管理总局令2026年第3号", "2026年4月2日 公布"},
			bodies: []string{"第一条 …", "第九十条 本办法自公布之日起施行。"},
			want:   meta{title: "消费金融公司监督管理办法", issuer: "国家金融监督管理总局", number: "国家金融监督管理总局令2026年第3号", effective: "2026-04-02"},
		},
		{
			name:  "labelled, Chinese numerals, repealed",
			title: "安和消费金融有限公司客户投诉处理细则",
			lines: []string{"发布机关：安和消费金融有限公司合规部", "施行日期：二〇二五年一月一日", "废止日期：2026-06-30"},
			want:  meta{title: "安和消费金融有限公司客户投诉处理细则", issuer: "安和消费金融有限公司合规部", effective: "2025-01-01", repealed: "2026-06-30"},
		},
		{
			name:  "English",
			title: "Collections Code",
			lines: []string{"Issuer: Harbour Lending Ltd", "Document No.: HL-COL-3", "Effective from March 1, 2026", "Repealed on 2027-01-31"},
			want:  meta{title: "Collections Code", issuer: "Harbour Lending Ltd", number: "HL-COL-3", effective: "2026-03-01", repealed: "2027-01-31"},
		},
		{
			name:   "impossible date and repeal of another document",
			title:  "还款规定",
			lines:  []string{"2026年2月30日 施行"},
			bodies: []string{"第九条 《旧规定》（2020年1月1日发布）同时废止。"},
			want:   meta{title: "还款规定"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := readMeta(c.title, c.lines, c.bodies); got != c.want {
				t.Errorf("readMeta = %+v\nwant %+v", got, c.want)
			}
		})
	}
}
