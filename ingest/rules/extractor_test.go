package rules_test

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/lorehq/lore/internal/golden"

	"github.com/lorehq/lore/ingest"
	"github.com/lorehq/lore/ingest/markdown"
	"github.com/lorehq/lore/ingest/rules"
	"github.com/lorehq/lore/ingest/text"
	"github.com/lorehq/lore/knowledge"
)

// TestGolden extracts the fixtures in testdata and compares the items with
// testdata/<fixture>.golden.
func TestGolden(t *testing.T) {
	for _, name := range []string{"loan_rules.txt", "collection_rules.md", "lending_regulation_en.md"} {
		t.Run(name, func(t *testing.T) {
			doc := parseFile(t, filepath.Join("testdata", name))
			items, err := rules.New(rules.Options{}).Extract(context.Background(), doc)
			if err != nil {
				t.Fatal(err)
			}
			if len(items) == 0 {
				t.Fatal("no rule items")
			}
			golden.JSON(t, filepath.Join("testdata", name+".golden"), items)
		})
	}
}

// TestFixtureFacts checks the facts the golden files hold that matter
// most, so a wrong golden file cannot hide them.
func TestFixtureFacts(t *testing.T) {
	doc := parseFile(t, filepath.Join("testdata", "loan_rules.txt"))
	items, err := rules.New(rules.Options{}).Extract(context.Background(), doc)
	if err != nil {
		t.Fatal(err)
	}
	byArticle := map[string]knowledge.Item{}
	var order []string
	for _, it := range items {
		byArticle[it.Rule.Article] = it
		order = append(order, it.Rule.Article)
	}
	want := "第一条 第二条 第三条 第四条 第四条之一 第五条 第六条 第七条 第八条 第九条 第十条 第十一条 第十二条 第十三条"
	if got := strings.Join(order, " "); got != want {
		t.Fatalf("articles %s, want %s", got, want)
	}
	r := byArticle["第一条"].Rule
	if r.DocTitle != "消费金融公司个人贷款管理办法" || r.Issuer != "中国银行保险监督管理委员会" ||
		r.DocNumber != "银保监发〔2026〕12号" || r.Effective != "2026-07-01" || r.Repealed != "" {
		t.Errorf("metadata %+v", *r)
	}
	third := byArticle["第三条"]
	if strings.Join(third.Rule.HeadingPath, "/") != "第二章　贷款的发放/第一节　贷前调查" ||
		third.Provenance[0].Line != 26 || strings.Count(third.Body, "\n") != 4 {
		t.Errorf("第三条: path %v, line %d, body %q", third.Rule.HeadingPath, third.Provenance[0].Line, third.Body)
	}
	checks := []struct {
		article  string
		modality knowledge.Modality
		refs     string
	}{
		{"第三条", knowledge.Obligation, ""},
		{"第四条", knowledge.Prohibition, ""},
		{"第四条之一", knowledge.Prohibition, "第四条之一第一款 第二十条"},
		{"第五条", knowledge.Obligation, "第五条第一款"},
		{"第六条", knowledge.Obligation, "第八条 第九条 第十条"},
		{"第七条", knowledge.Prohibition, ""},
		{"第八条", "", ""},
		{"第十条", knowledge.Obligation, "第八条 第九条第一款"},
		{"第十一条", knowledge.Prohibition, "第十一条第一款 《中华人民共和国银行业监督管理法》第四十六条"},
	}
	for _, c := range checks {
		r := byArticle[c.article].Rule
		if r == nil {
			t.Errorf("%s missing", c.article)
			continue
		}
		if r.Modality != c.modality || strings.Join(r.References, " ") != c.refs {
			t.Errorf("%s: modality %q refs %q, want %q %q", c.article, r.Modality, r.References, c.modality, c.refs)
		}
	}
}

// blocks builds a document from lines; a line "#2 text" is a heading of
// level 2, "@3" moves to page 3.
func blocks(title string, lines ...string) *ingest.Document {
	doc := &ingest.Document{Title: title}
	page := 0
	for i, l := range lines {
		switch {
		case strings.HasPrefix(l, "@"):
			page = int(l[1] - '0')
		case strings.HasPrefix(l, "#"):
			doc.Blocks = append(doc.Blocks, ingest.Block{Kind: ingest.Heading, Level: int(l[1] - '0'), Text: l[3:], Page: page, Line: i + 1})
		default:
			doc.Blocks = append(doc.Blocks, ingest.Block{Kind: ingest.Paragraph, Text: l, Page: page, Line: i + 1})
		}
	}
	return doc
}

func TestExtractStructure(t *testing.T) {
	type want struct {
		article, path, body string
		page                int
	}
	cases := []struct {
		name  string
		doc   *ingest.Document
		force bool
		want  []want // nil: not a rule document
	}{
		{
			name: "page break, page number and running header inside an article",
			doc: blocks("贷款催收办法", "@1", "#2 第一章 总则",
				"第一条 为规范催收行为，制定本办法。",
				"第二条 催收人员应当文明催收，",
				"- 1 -", "@2", "贷款催收办法",
				"不得辱骂借款人。",
				"第三条 本办法自发布之日起施行。"),
			want: []want{
				{"第一条", "第一章 总则", "第一条 为规范催收行为，制定本办法。", 1},
				{"第二条", "第一章 总则", "第二条 催收人员应当文明催收，\n不得辱骂借款人。", 1},
				{"第三条", "第一章 总则", "第三条 本办法自发布之日起施行。", 2},
			},
		},
		{
			name: "article numbers as headings, heading-like line continues",
			doc: blocks("还款规定", "#2 第一章 还款",
				"#3 第一条", "借款人可以提前还款。",
				"#3 第二条", "提前还款手续费如下：", "#4 一、满六个月的免收", "未满六个月的收取百分之一。",
				"#3 第三条", "本规定由风险管理部解释。"),
			want: []want{
				{"第一条", "第一章 还款", "第一条\n借款人可以提前还款。", 0},
				{"第二条", "第一章 还款", "第二条\n提前还款手续费如下：\n一、满六个月的免收\n未满六个月的收取百分之一。", 0},
				{"第三条", "第一章 还款", "第三条\n本规定由风险管理部解释。", 0},
			},
		},
		{
			name: "reference at the start of a paragraph is not an article",
			doc: blocks("规定", "第一条 借款人应当按期还款。", "第五条规定的情形除外。",
				"第二条 出借人不得预扣利息。", "第三条 本规定自2026年1月1日起施行。"),
			want: []want{
				{"第一条", "", "第一条 借款人应当按期还款。\n第五条规定的情形除外。", 0},
				{"第二条", "", "第二条 出借人不得预扣利息。", 0},
				{"第三条", "", "第三条 本规定自2026年1月1日起施行。", 0},
			},
		},
		{
			name: "unspaced article numbers in sequence",
			doc:  blocks("规定", "第一条本规定适用于全体员工。", "第二条员工应当遵守本规定。", "第三条本规定自印发之日起施行。"),
			want: []want{
				{"第一条", "", "第一条本规定适用于全体员工。", 0},
				{"第二条", "", "第二条员工应当遵守本规定。", 0},
				{"第三条", "", "第三条本规定自印发之日起施行。", 0},
			},
		},
		{
			name: "FAQ citing articles is not a rule document",
			doc: blocks("常见问题", "#2 提前还款要收费吗？", "根据合同第十条，满六个月免收。",
				"#2 逾期了怎么办？", "第十二条 约定的罚息会按日计收，请尽快还款。"),
		},
		{
			name:  "forced document without article numbers is cut at 一、",
			force: true,
			doc: blocks("关于加强催收管理的通知", "各部门：",
				"一、催收人员不得在夜间致电借款人。", "（一）夜间指二十一时至次日八时。",
				"二、各部门应当每月报送催收投诉情况。"),
			want: []want{
				{"一、", "", "一、催收人员不得在夜间致电借款人。\n（一）夜间指二十一时至次日八时。", 0},
				{"二、", "", "二、各部门应当每月报送催收投诉情况。", 0},
			},
		},
		{
			name: "English sections without articles",
			doc: blocks("Collections Policy", "#2 Part 1 Scope",
				"Section 1. This policy applies to all collection agents.",
				"Section 2. Agents must identify themselves.", "Agents shall not call before 8 a.m.",
				"Section 3. Agents may offer a repayment plan."),
			want: []want{
				{"Section 1", "Part 1 Scope", "Section 1. This policy applies to all collection agents.", 0},
				{"Section 2", "Part 1 Scope", "Section 2. Agents must identify themselves.\nAgents shall not call before 8 a.m.", 0},
				{"Section 3", "Part 1 Scope", "Section 3. Agents may offer a repayment plan.", 0},
			},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			items, err := rules.New(rules.Options{Force: c.force}).Extract(context.Background(), c.doc)
			if err != nil {
				t.Fatal(err)
			}
			if c.want == nil {
				if items != nil {
					t.Fatalf("got %d items from a document that is not a rule document", len(items))
				}
				return
			}
			if len(items) != len(c.want) {
				t.Fatalf("got %d items, want %d: %+v", len(items), len(c.want), items)
			}
			for i, w := range c.want {
				it := items[i]
				if it.Rule.Article != w.article || strings.Join(it.Rule.HeadingPath, "/") != w.path || it.Body != w.body || it.Provenance[0].Page != w.page {
					t.Errorf("item %d: article %q path %q page %d body %q\nwant %q %q %d %q", i,
						it.Rule.Article, strings.Join(it.Rule.HeadingPath, "/"), it.Provenance[0].Page, it.Body,
						w.article, w.path, w.page, w.body)
				}
				if it.Title != c.doc.Title+" "+w.article {
					t.Errorf("item %d: title %q", i, it.Title)
				}
			}
		})
	}
}

func TestExtractCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := rules.New(rules.Options{}).Extract(ctx, blocks("x", "第一条 a")); err == nil {
		t.Error("no error on a cancelled context")
	}
	if items, err := rules.New(rules.Options{}).Extract(context.Background(), nil); items != nil || err != nil {
		t.Errorf("nil document: %v %v", items, err)
	}
}

var isoDate = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)

// FuzzExtract feeds arbitrary text through the text and Markdown parsers
// and the extractor: it must not panic, and every item must be a complete
// rule item.
func FuzzExtract(f *testing.F) {
	for _, name := range []string{"loan_rules.txt", "collection_rules.md", "lending_regulation_en.md"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b))
	}
	f.Add("第一条\n第一条之\n第十条第款前款\n第二百五十三条之一　\n第条")
	f.Add("Article\nArticle 5(\nSection §\n一、\n（一）")
	f.Add("2026年2月30日 施行\n废止日期：二〇二六年十三月一日\n第一条 a\n第二条 b\n第三条 c")
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, s string) {
		var docs []*ingest.Document
		for _, p := range []ingest.Parser{text.New(), markdown.New()} {
			if doc, err := p.Parse(ctx, "fuzz", strings.NewReader(s)); err == nil {
				docs = append(docs, doc)
			}
		}
		raw := &ingest.Document{}
		for i, l := range strings.Split(s, "\n") {
			kind := ingest.Paragraph
			if i%3 == 1 {
				kind = ingest.Heading
			}
			raw.Blocks = append(raw.Blocks, ingest.Block{Kind: kind, Level: i % 7, Text: l, Page: i % 2, Line: i + 1})
		}
		docs = append(docs, raw)
		for _, doc := range docs {
			for _, force := range []bool{false, true} {
				items, err := rules.New(rules.Options{Force: force}).Extract(ctx, doc)
				if err != nil {
					t.Fatal(err)
				}
				for _, it := range items {
					if it.Kind != knowledge.KindRule || it.Rule == nil || it.Rule.Article == "" || it.Body == "" || len(it.Provenance) != 1 {
						t.Fatalf("incomplete item %+v", it)
					}
					if it.Provenance[0].Article != it.Rule.Article || !strings.HasPrefix(it.Body, it.Rule.Article) {
						t.Fatalf("article %q, provenance %q, body %q", it.Rule.Article, it.Provenance[0].Article, it.Body)
					}
					for _, d := range []string{it.Rule.Effective, it.Rule.Repealed} {
						if d != "" && !isoDate.MatchString(d) {
							t.Fatalf("date %q", d)
						}
					}
					if !utf8.ValidString(it.Title) && utf8.ValidString(s) {
						t.Fatalf("invalid title %q", it.Title)
					}
				}
			}
		}
	})
}
