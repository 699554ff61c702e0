package faqtable_test

import (
	"bytes"
	"context"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/lorehq/lore/internal/golden"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/lorehq/lore/ingest"
	"github.com/lorehq/lore/ingest/csv"
	"github.com/lorehq/lore/ingest/faqtable"
	"github.com/lorehq/lore/ingest/xlsx"
	"github.com/lorehq/lore/knowledge"
)

func TestFAQColumns(t *testing.T) {
	tests := []struct {
		header []string
		q, a   int
		ok     bool
	}{
		{[]string{"问题", "答案"}, 0, 1, true},
		{[]string{"序号", "业务分类", "客户问题", "标准答复"}, 2, 3, true},
		{[]string{"问", "答"}, 0, 1, true},
		{[]string{"Question", "Answer"}, 0, 1, true},
		{[]string{"Q", "A"}, 0, 1, true},
		{[]string{"Ｑ：", "Ａ："}, 0, 1, true},
		{[]string{" 问题（必填） ", "回答*"}, 0, 1, true},
		{[]string{"答复", "问题"}, 1, 0, true},
		{[]string{"相似问法", "问题", "答案"}, 1, 2, true},
		{[]string{"客户常见问题", "问题", "客服标准答复"}, 1, 2, true},
		{[]string{"Customer question", "Agent reply"}, 0, 1, true},
		{[]string{"问题分类", "处理结果"}, -1, -1, false},
		{[]string{"问题", "处理时限"}, -1, -1, false},
		{[]string{"期数", "金额"}, -1, -1, false},
		{[]string{"A", "B", "C"}, -1, -1, false},
		{nil, -1, -1, false},
	}
	for _, tt := range tests {
		q, a, ok := faqtable.FAQColumns(tt.header)
		if q != tt.q || a != tt.a || ok != tt.ok {
			t.Errorf("FAQColumns(%q) = %d, %d, %v; want %d, %d, %v", tt.header, q, a, ok, tt.q, tt.a, tt.ok)
		}
	}
}

func row(line int, header bool, cells ...string) ingest.Block {
	return ingest.Block{Kind: ingest.TableRow, Cells: cells, Header: header, Line: line, Text: strings.Join(cells, " | ")}
}

func TestExtract(t *testing.T) {
	doc := &ingest.Document{Blocks: []ingest.Block{
		{Kind: ingest.Heading, Level: 1, Text: "客服知识库"},
		{Kind: ingest.Heading, Level: 2, Text: "还款"},
		row(3, true, "问题", "相似问法", "答案"),
		row(4, false, "Q：怎么提前还款？", "提前还款怎么操作\n能不能提前还；怎么提前还款？", "答：在App“我的贷款”中申请。"),
		row(5, false, "没有答案的问题", "", ""),
		row(6, true, "问题", "相似问法", "答案"), // a header repeated down the table
		row(7, false, "问题", "相似问法", "答案"),
		row(8, false, "还款日能改吗？", "", "每笔贷款可修改一次还款日。"),
		{Kind: ingest.Paragraph, Text: "以下为费率表。"},
		row(10, false, "不在表中", "", "不应提取"),
		{Kind: ingest.Heading, Level: 2, Text: "费率"},
		row(12, true, "期数", "费率"),
		row(13, false, "12", "0.6%"),
		{Kind: ingest.Heading, Level: 2, Text: "逾期"},
		row(15, true, "Question", "Answer"),
		row(16, false, "What happens if I pay late?", "A daily penalty applies.", "extra cell"),
		row(17, false, "Short row"),
	}}
	items, err := faqtable.New().Extract(context.Background(), doc)
	if err != nil {
		t.Fatal(err)
	}
	type brief struct {
		Title, Body string
		Variants    []string
		Line        int
		Path        []string
	}
	var got []brief
	for _, it := range items {
		if it.Kind != knowledge.KindFAQ || it.FAQ == nil || it.FAQ.Support != 1 || it.FAQ.Question != it.Title || len(it.Provenance) != 1 {
			t.Fatalf("malformed item %+v", it)
		}
		got = append(got, brief{it.Title, it.Body, it.FAQ.Variants, it.Provenance[0].Line, it.Provenance[0].HeadingPath})
	}
	want := []brief{
		{"怎么提前还款？", "问：怎么提前还款？\n答：在App“我的贷款”中申请。", []string{"提前还款怎么操作", "能不能提前还"}, 4, []string{"客服知识库", "还款"}},
		{"还款日能改吗？", "问：还款日能改吗？\n答：每笔贷款可修改一次还款日。", nil, 8, []string{"客服知识库", "还款"}},
		{"What happens if I pay late?", "问：What happens if I pay late?\n答：A daily penalty applies.", nil, 16, []string{"客服知识库", "逾期"}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("items\n got %+v\nwant %+v", got, want)
	}
}

func TestExtractNoFAQ(t *testing.T) {
	doc := &ingest.Document{Blocks: []ingest.Block{
		{Kind: ingest.Heading, Level: 1, Text: "费率表"},
		row(1, true, "期数", "月费率"),
		row(2, false, "3", "0.75%"),
		{Kind: ingest.Paragraph, Text: "问题：能提前还款吗？答案：能。"},
	}}
	items, err := faqtable.New().Extract(context.Background(), doc)
	if err != nil || items != nil {
		t.Errorf("Extract = %v, %v; want nil, nil", items, err)
	}
}

// faqWorkbook builds the Chinese FAQ workbook: an FAQ sheet and a non-FAQ
// sheet of collection promises.
func faqWorkbook(t *testing.T) []byte {
	f := excelize.NewFile()
	defer f.Close()
	sheets := map[string][][]any{
		"消费贷FAQ": {
			{"序号", "业务分类", "客户问题", "标准答复"},
			{1, "还款", "扣款失败了怎么办？", "请确认还款卡余额充足后，在App中点击“立即还款”；当日22点前还款不算逾期。"},
			{2, "还款", "可以换一张还款卡吗？", "可以。在App“我的-银行卡”中添加新卡并设为默认还款卡，次日生效。"},
			{3, "征信", "结清后多久更新征信？", "结清后次月由系统报送，一般1至2个月内可查到更新。"},
			{4, "征信", "", "（待补充）"},
		},
		"承诺还款记录": {
			{"客户编号", "承诺日期", "金额"},
			{"C2026-0012", "2026-04-10", 3200},
		},
	}
	for i, name := range []string{"消费贷FAQ", "承诺还款记录"} {
		if i == 0 {
			f.SetSheetName("Sheet1", name)
		} else if _, err := f.NewSheet(name); err != nil {
			t.Fatal(err)
		}
		for r, cells := range sheets[name] {
			ref, _ := excelize.CoordinatesToCellName(1, r+1)
			if err := f.SetSheetRow(name, ref, &cells); err != nil {
				t.Fatal(err)
			}
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestExtractWorkbookGolden(t *testing.T) {
	doc, err := xlsx.New(xlsx.Options{}).Parse(context.Background(), "faq.xlsx", bytes.NewReader(faqWorkbook(t)))
	if err != nil {
		t.Fatal(err)
	}
	items, err := faqtable.New().Extract(context.Background(), doc)
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 3 {
		t.Errorf("got %d items, want 3 (one row has no question, the other sheet is no FAQ)", len(items))
	}
	for _, it := range items {
		if p := it.Provenance[0]; !reflect.DeepEqual(p.HeadingPath, []string{"消费贷FAQ"}) || p.Line < 2 {
			t.Errorf("provenance %+v, want sheet 消费贷FAQ and a data row", p)
		}
	}
	golden.JSON(t, filepath.Join("testdata", "workbook_items"+".golden"), items)
}

func TestExtractGBKCSV(t *testing.T) {
	src := "问题,答案\r\n逾期会影响征信吗？,逾期超过宽限期将上报征信。\r\n"
	b, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	doc, err := csv.New().Parse(context.Background(), "faq.csv", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	items, err := faqtable.New().Extract(context.Background(), doc)
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 1 || items[0].FAQ.Answer != "逾期超过宽限期将上报征信。" || items[0].Provenance[0].Line != 2 {
		t.Errorf("items = %+v", items)
	}
}

func BenchmarkExtract(b *testing.B) {
	doc := &ingest.Document{Blocks: []ingest.Block{{Kind: ingest.Heading, Level: 1, Text: "FAQ"}, row(1, true, "问题", "答案")}}
	size := 0
	for i := 0; size < 4<<20; i++ {
		r := row(i+2, false, "分期后能提前还款吗？第"+string(rune('0'+i%10))+"问", strings.Repeat("可以，提前还清后未摊销的手续费不再收取。", 3))
		size += len(r.Text)
		doc.Blocks = append(doc.Blocks, r)
	}
	b.SetBytes(int64(size))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := faqtable.New().Extract(context.Background(), doc); err != nil {
			b.Fatal(err)
		}
	}
}

func FuzzFAQColumns(f *testing.F) {
	f.Add("问题", "答案", "相似问法")
	f.Add("Ｑ（必填）", "[A]", "")
	f.Fuzz(func(t *testing.T, a, b, c string) {
		header := []string{a, b, c}
		q, ans, ok := faqtable.FAQColumns(header)
		if ok && (q == ans || q < 0 || ans < 0 || q > 2 || ans > 2) {
			t.Fatalf("FAQColumns(%q) = %d, %d, true", header, q, ans)
		}
		doc := &ingest.Document{Blocks: []ingest.Block{row(1, true, header...), row(2, false, c, b, a)}}
		if _, err := faqtable.New().Extract(context.Background(), doc); err != nil {
			t.Fatal(err)
		}
	})
}
