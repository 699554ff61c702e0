package chunk

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/lorehq/lore/internal/golden"

	"github.com/lorehq/lore/ingest"
)

func h(level int, text string) ingest.Block {
	return ingest.Block{Kind: ingest.Heading, Level: level, Text: text}
}

func p(text string) ingest.Block { return ingest.Block{Kind: ingest.Paragraph, Text: text} }

func onPage(page int, b ingest.Block) ingest.Block {
	b.Page = page
	return b
}

func row(header bool, cells ...string) ingest.Block {
	return ingest.Block{Kind: ingest.TableRow, Cells: cells, Text: strings.Join(cells, " | "), Header: header}
}

func turn(dialogue, role, text string, no int) ingest.Block {
	return ingest.Block{Kind: ingest.Turn, Dialogue: dialogue, Role: role, Text: text, TurnNo: no}
}

func TestSplitGolden(t *testing.T) {
	tests := []struct {
		name string
		max  int
		doc  *ingest.Document
	}{
		{"rules", 80, &ingest.Document{Blocks: []ingest.Block{
			h(1, "安和消费金融有限公司逾期贷款催收管理办法"),
			h(2, "第一章 总则"),
			{Kind: ingest.Paragraph, Text: "第一条 为规范逾期贷款催收行为，制定本办法。", Line: 3},
			{Kind: ingest.Paragraph, Text: "第二条 本办法适用于个人消费贷款。", Line: 4},
			h(2, "第二章 催收方式"),
			{Kind: ingest.Paragraph, Line: 7, Text: "第三条 电话催收的时间为每日八时至二十一时。同一借款人每日拨打次数不得超过三次。" +
				"借款人明确表示正在筹款并约定还款日期的，催收人员应当在系统中记录承诺还款日期和金额，在承诺日期之前不得重复催促，也不得通过短信、应用内消息或者其他方式变相催收。第三条未尽事宜依照公司其他规定执行。"},
			{Kind: ingest.ListItem, Text: "（一）不得使用威胁性语言；", Line: 8},
			{Kind: ingest.ListItem, Text: "（二）不得向第三人透露债务信息。", Line: 9},
			h(3, "第一节 特别规定"),
			p(strings.Repeat("逾期罚息按日计收", 15) + "。"),
			h(2, "第三章 附则"),
			p("第四条 本办法自二〇二六年七月一日起施行。"),
		}}},
		{"latin", 60, &ingest.Document{Blocks: []ingest.Block{
			h(1, "Early repayment"),
			p("No fee applies after six months. Before that, the fee is one per cent of the principal repaid early, and agents quote the exact amount shown in the core system without rounding it up or down."),
			p("Interest runs to the day of repayment."),
		}}},
		{"pages", 60, &ingest.Document{Pages: 3, Blocks: []ingest.Block{
			onPage(1, h(2, "第四章 征信报送")),
			onPage(1, p("第十一条 本公司按照有关规定报送借款人的还款信息。")),
			onPage(1, p("借款人对逾期记录有异议的，")),
			onPage(2, p("客户服务中心应当在二十日内核查并答复。")),
			onPage(2, p("第十二条 投诉处理期间暂停电话催收。")),
			onPage(3, p("第十三条 本办法自发布之日起施行。")),
		}}},
		{"table", 50, &ingest.Document{Blocks: []ingest.Block{
			h(2, "逾期阶段"),
			p("各逾期阶段的处理部门如下表所示："),
			row(true, "逾期天数", "负责部门", "主要措施"),
			row(false, "1至30日", "客户服务中心", "短信提醒"),
			row(false, "31至90日", "贷后管理部", "电话催收"),
			row(false, "90日以上", "法律合规部", "委托催收、诉讼"),
			row(false, "特殊情形", "风险管理委员会", "借款人因重大疾病、失业等原因无法还款的，可以申请延期分期或者减免罚息，由委员会逐案审批。"),
			p("表外说明。"),
			row(false, "无表头", "的表格"),
			row(false, "按段落", "打包"),
		}}},
		{"huge table header", 20, &ingest.Document{Blocks: []ingest.Block{
			row(true, "逾期天数及阶段划分", "负责部门及联系人"),
			row(false, "1至30日", "客服中心"),
			row(false, "31至90日", "贷后管理部"),
		}}},
		{"dialogues", 40, &ingest.Document{Blocks: []ingest.Block{
			turn("d-001", "customer", "我想提前还款，需要手续费吗？", 1),
			turn("d-001", "agent", "您好，借款满六个月的提前还款不收取手续费。", 2),
			turn("d-001", "customer", "好的，谢谢。", 3),
			turn("d-002", "customer", "When is my repayment due?", 1),
			turn("d-002", "agent", "On the 15th of each month.", 2),
			p("对话之后的说明文字。"),
		}}},
		{"heading levels", 400, &ingest.Document{Blocks: []ingest.Block{
			h(1, "手册"), h(2, "甲"), h(3, "甲一"), p("甲一的内容。"),
			h(3, "甲二"), p("甲二的内容。"),
			h(2, "乙"), p("乙的内容。"),
			h(4, "乙下的四级标题"), p("四级内容。"),
			h(1, "附录"), p("附录内容。"),
			h(2, "空标题下没有内容"),
		}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			chunks := Split(tt.doc, Options{MaxChars: tt.max})
			checkInvariants(t, tt.doc, tt.max, chunks)
			golden.JSON(t, filepath.Join("testdata", strings.ReplaceAll(tt.name, " ", "_")+".golden"), chunks)
		})
	}
}

func TestSplitEmpty(t *testing.T) {
	if got := Split(nil, Options{}); got != nil {
		t.Errorf("nil doc: %v", got)
	}
	doc := &ingest.Document{Blocks: []ingest.Block{h(1, "只有标题"), p("  "), {Kind: ingest.TableRow}}}
	if got := Split(doc, Options{}); got != nil {
		t.Errorf("no text: %v", got)
	}
}

func TestCut(t *testing.T) {
	tests := []struct {
		name string
		in   string
		max  int
		want []string
	}{
		{"sentences packed", "甲乙丙。丁戊己。庚辛壬。", 8, []string{"甲乙丙。丁戊己。", "庚辛壬。"}},
		{"clauses", "借款人逾期的，按日计收罚息，并报送征信。", 8, []string{"借款人逾期的，", "按日计收罚息，", "并报送征信。"}},
		{"hard cut", "一二三四五六七八九十", 4, []string{"一二三四", "五六七八", "九十"}},
		{"latin words stay whole", "aaaa bbbb cccc dddd", 12, []string{"aaaa bbbb", "cccc dddd"}},
		{"latin sentences rejoined with a space", "One. Two. Three.", 9, []string{"One. Two.", "Three."}},
		{"decimal and thousands kept", "The rate is 3.5 per cent of 1,000 yuan.", 20, []string{"The rate is 3.5 per", "cent of 1,000 yuan."}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := cut(tt.in, tt.max)
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("cut(%q, %d) = %q, want %q", tt.in, tt.max, got, tt.want)
			}
		})
	}
}

// checkInvariants checks the two properties the package documents: text
// is kept (white space and repeated table headers aside) and sizes are
// bounded; and that a dialogue chunk holds one dialogue.
func checkInvariants(t *testing.T, doc *ingest.Document, max int, chunks []Chunk) {
	t.Helper()
	var want strings.Builder
	headers := map[string]int{} // normalised table header → its length in runes
	blocks := doc.Blocks
	for i := 0; i < len(blocks); i++ {
		b := blocks[i]
		if b.Kind == ingest.Heading {
			continue
		}
		want.WriteString(strip(blockText(b)))
		if b.Kind == ingest.TableRow && b.Header && (i == 0 || blocks[i-1].Kind != ingest.TableRow) {
			var hdr []string
			j := i
			for ; j < len(blocks) && blocks[j].Kind == ingest.TableRow && blocks[j].Header; j++ {
				if t := blockText(blocks[j]); t != "" {
					hdr = append(hdr, t)
				}
			}
			if j < len(blocks) && blocks[j].Kind == ingest.TableRow {
				joined := strings.Join(hdr, "\n")
				headers[strip(joined)] = utf8.RuneCountInString(joined)
			}
		}
	}
	var got strings.Builder
	prevHeader := ""
	for i, c := range chunks {
		s := strip(c.Text)
		if s == "" {
			t.Errorf("chunk %d is empty", i)
		}
		header := ""
		for hd := range headers {
			if strings.HasPrefix(s, hd) {
				header = hd
			}
		}
		n := utf8.RuneCountInString(c.Text)
		limit := max
		if header != "" {
			limit = maxInt(max, headers[header]+1+max/4)
		}
		if n > limit {
			t.Errorf("chunk %d has %d runes, limit %d: %q", i, n, limit, c.Text)
		}
		if header != "" && header == prevHeader {
			s = strings.TrimPrefix(s, header)
		}
		prevHeader = header
		got.WriteString(s)
	}
	if got.String() != want.String() {
		t.Errorf("text not kept:\n got %s\nwant %s", got.String(), want.String())
	}
}

// dialogueMark is put before each turn of a random document, so a chunk
// can be checked to hold turns of its own dialogue only.
var dialogueMark = regexp.MustCompile(`⟦(d\d+)⟧`)

// checkDialogues checks that every marked turn is in a chunk of its own
// dialogue.
func checkDialogues(t *testing.T, chunks []Chunk) {
	t.Helper()
	for i, c := range chunks {
		for _, m := range dialogueMark.FindAllStringSubmatch(c.Text, -1) {
			if m[1] != c.Dialogue {
				t.Errorf("chunk %d of dialogue %q holds a turn of %q: %q", i, c.Dialogue, m[1], c.Text)
			}
		}
	}
}

func maxInt(a, b int) int {
	if a > b {
		return a
	}
	return b
}

func strip(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}

// randomDoc builds a document of random structure and text: headings of
// random levels, Chinese and Latin paragraphs of random length (some with
// long runs without punctuation), list items, tables with headers,
// dialogues, and pages.
func randomDoc(r *rand.Rand) *ingest.Document {
	zh := []string{"借款人", "应当", "按期足额", "还款", "逾期的", "按日计收罚息", "催收人员", "不得", "向第三人透露", "债务信息", "提前还款", "手续费", "征信记录", "分期"}
	en := []string{"the", "borrower", "repays", "early", "late", "fee", "credit", "bureau", "instalment", "agent", "calls", "within", "days"}
	punct := []string{"，", "。", "；", "、", "！", "？", "：", "", "", ""}
	enPunct := []string{",", ".", ";", "", "", "", "!"}
	sentence := func() string {
		var b strings.Builder
		n := 1 + r.IntN(30)
		if r.IntN(3) == 0 {
			for range n {
				b.WriteString(en[r.IntN(len(en))])
				b.WriteString(enPunct[r.IntN(len(enPunct))])
				b.WriteString(" ")
			}
			return b.String()
		}
		for range n {
			b.WriteString(zh[r.IntN(len(zh))])
			b.WriteString(punct[r.IntN(len(punct))])
		}
		return b.String()
	}
	doc := &ingest.Document{}
	page := 1
	dialogue := 0
	for i := range 20 + r.IntN(60) {
		if r.IntN(15) == 0 {
			page++
		}
		var b ingest.Block
		switch k := r.IntN(12); {
		case k < 2:
			b = h(1+r.IntN(4), sentence())
		case k < 7:
			var s strings.Builder
			for range 1 + r.IntN(8) {
				s.WriteString(sentence())
			}
			b = p(s.String())
		case k < 8:
			b = ingest.Block{Kind: ingest.ListItem, Text: sentence()}
		case k < 10:
			b = row(true, fmt.Sprintf("表头%d", i), sentence())
			b.Page = page
			doc.Blocks = append(doc.Blocks, b)
			for range r.IntN(8) {
				if r.IntN(10) == 0 {
					page++
				}
				body := row(false, sentence(), sentence())
				body.Page = page
				doc.Blocks = append(doc.Blocks, body)
			}
			continue
		default:
			dialogue++
			for n := range 1 + r.IntN(6) {
				role := []string{"agent", "customer"}[n%2]
				id := fmt.Sprintf("d%d", dialogue)
				b := turn(id, role, "⟦"+id+"⟧"+sentence(), n+1)
				b.Page = page
				doc.Blocks = append(doc.Blocks, b)
			}
			continue
		}
		b.Page = page
		b.Line = i + 1
		doc.Blocks = append(doc.Blocks, b)
	}
	return doc
}

func TestSplitProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 60 {
		doc := randomDoc(r)
		for _, max := range []int{8, 30, 120, 400} {
			chunks := Split(doc, Options{MaxChars: max})
			checkInvariants(t, doc, max, chunks)
			checkDialogues(t, chunks)
			if t.Failed() {
				t.Fatalf("doc %d, max %d", i, max)
			}
		}
	}
}

func BenchmarkSplit(b *testing.B) {
	r := rand.New(rand.NewPCG(3, 4))
	doc := &ingest.Document{}
	size := 0
	for size < 2<<20 {
		d := randomDoc(r)
		for _, bl := range d.Blocks {
			size += len(bl.Text)
		}
		doc.Blocks = append(doc.Blocks, d.Blocks...)
	}
	b.SetBytes(int64(size))
	b.ReportAllocs()
	for b.Loop() {
		Split(doc, Options{})
	}
}
