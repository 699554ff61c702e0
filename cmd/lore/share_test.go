package main

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/lorehq/lore/demo"
	"github.com/lorehq/lore/ingest"
	"github.com/lorehq/lore/knowledge"
	"github.com/lorehq/lore/knowledge/sqlite"
)

// shareRules is a small rule document of the project's own.
const shareRules = `# 安和消费金融有限公司还款提醒管理规定

- 文号：安和消金发〔2026〕30号

## 第一章　总则

第一条　为规范还款提醒工作，制定本规定。

第二条　还款提醒应当在还款日前三日内进行，每日不得超过两次。

## 第二章　提醒方式

第三条　提醒可以通过短信、App消息或者电话进行。

第四条　提醒内容不得包含威胁、恐吓或者侮辱性语言。
`

// docxFile builds a minimal Word document: a heading, a paragraph and a
// table of fees.
func docxFile(t testing.TB) []byte {
	t.Helper()
	const body = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>
<w:p><w:pPr><w:pStyle w:val="Heading1"/></w:pPr><w:r><w:t>随心贷收费标准说明</w:t></w:r></w:p>
<w:p><w:r><w:t>本说明列明随心贷在正常还款、提前还款和逾期情况下的全部收费项目，客服解答费用问题时以本表为准。</w:t></w:r></w:p>
<w:tbl>
<w:tr><w:tc><w:p><w:r><w:t>收费项目</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>收费标准</w:t></w:r></w:p></w:tc></w:tr>
<w:tr><w:tc><w:p><w:r><w:t>提前还款手续费</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>放款不满3个月的，按提前偿还本金的1%收取</w:t></w:r></w:p></w:tc></w:tr>
<w:tr><w:tc><w:p><w:r><w:t>逾期罚息</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>合同日利率的1.5倍，按逾期天数计算</w:t></w:r></w:p></w:tc></w:tr>
</w:tbl>
</w:body></w:document>`
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, content := range map[string]string{
		"[Content_Types].xml": `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`,
		"word/document.xml":   body,
	} {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(content)); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// xlsxFAQ builds a workbook with a FAQ sheet.
func xlsxFAQ(t testing.TB) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", "常见问题"); err != nil {
		t.Fatal(err)
	}
	rows := [][]string{
		{"问题", "答案"},
		{"怎么修改绑定的还款银行卡？", "在App“我的—银行卡—更换还款卡”添加本人名下借记卡，验证预留手机号后生效。"},
		{"还款后多久能恢复额度？", "按时还款后额度一般在1个工作日内恢复，提前结清的在结清当日恢复。"},
	}
	for i, r := range rows {
		if err := f.SetSheetRow("常见问题", fmt.Sprintf("A%d", i+1), &r); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func gbk(t *testing.T, s string) []byte {
	t.Helper()
	b, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func write(t testing.TB, dir, name string, data []byte) {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// ingestJSON runs `lore ingest -json` and decodes its summary.
func ingestJSON(t *testing.T, args ...string) (ingest.Summary, int) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(context.Background(), append([]string{"ingest", "-json"}, args...), nil, &out, &errOut)
	var sum ingest.Summary
	if err := json.Unmarshal(out.Bytes(), &sum); err != nil {
		t.Fatalf("ingest exit %d: %v\nstdout: %s\nstderr: %s", code, err, out.String(), errOut.String())
	}
	return sum, code
}

// storeItems lists every item of the store in dir, by source.
func storeItems(t *testing.T, dir string) map[string][]knowledge.Item {
	t.Helper()
	st, err := sqlite.Open(dir, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	all := []knowledge.Status{knowledge.StatusDraft, knowledge.StatusApproved, knowledge.StatusRejected, knowledge.StatusRetired}
	out := map[string][]knowledge.Item{}
	items, err := st.List(context.Background(), knowledge.Filter{Statuses: all}, "", 10000)
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		for _, s := range it.Sources() {
			out[s] = append(out[s], it)
		}
	}
	return out
}

func kinds(items []knowledge.Item) string {
	var ks []string
	for _, it := range items {
		ks = append(ks, string(it.Kind))
	}
	return strings.Join(ks, ",")
}

// TestShareLifecycle ingests a share with a file of every format plus
// broken ones, then edits, changes, deletes and adds files and checks what
// the store holds after each run.
func TestShareLifecycle(t *testing.T) {
	if testing.Short() {
		t.Skip("ingests a share of every format three times")
	}
	share := filepath.Join(t.TempDir(), "制度库")
	data := t.TempDir()
	pdf, err := fs.ReadFile(demo.Corpus(), "rules/个人贷款提前还款与展期操作细则.pdf")
	if err != nil {
		t.Fatal(err)
	}
	dialogues, err := fs.ReadFile(demo.Corpus(), "dialogues/dialogues.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	oplog, err := fs.ReadFile(demo.Corpus(), "oplog/cases.csv")
	if err != nil {
		t.Fatal(err)
	}
	write(t, share, "rules/还款提醒管理规定.md", []byte(shareRules))
	write(t, share, "rules/展期细则.pdf", pdf)
	write(t, share, "notices/热线调整通知.txt", gbk(t, "关于调整客服热线服务时间的通知\n\n自2026年4月1日起，客服热线人工服务时间调整为每日8:00至22:00。夜间来电转入语音留言，次日中午前回电。\n"))
	write(t, share, "fees/收费标准.docx", docxFile(t))
	write(t, share, "faq/常见问题.xlsx", xlsxFAQ(t))
	write(t, share, "logs/dialogues.jsonl", dialogues)
	write(t, share, "logs/cases.csv", oplog)
	write(t, share, "broken/损坏.pdf", pdf[:len(pdf)/3])
	write(t, share, "broken/假文档.docx", []byte("这不是一个压缩包，只是改了扩展名的文本。"))
	write(t, share, "broken/空白.txt", nil)
	write(t, share, "broken/setup.exe", []byte{0x4d, 0x5a, 0x90, 0x00})
	write(t, share, "drafts/草稿.md", []byte("# 草稿\n\n不应导入。\n"))
	cfg := filepath.Join(t.TempDir(), "lore.yaml")
	write(t, filepath.Dir(cfg), filepath.Base(cfg), []byte(fmt.Sprintf(
		"data_dir: %q\nspace: ops\nshares:\n  - path: %q\n    exclude: [\"drafts/**\"]\n", data, share)))

	// Run 1: everything new; four broken files quarantined with reasons.
	sum, code := ingestJSON(t, "-config", cfg)
	if code != exitPartial {
		t.Errorf("exit code %d, want %d (partial)", code, exitPartial)
	}
	if sum.Seen != 11 || sum.New != 7 || sum.Quarantined != 4 {
		t.Fatalf("run 1 = seen %d new %d quarantined %d, want 11/7/4\n%+v", sum.Seen, sum.New, sum.Quarantined, sum.Problems)
	}
	reasons := map[string]string{}
	for _, p := range sum.Problems {
		reasons[p.Path] = p.Reason
	}
	for path, want := range map[string]string{
		"制度库/broken/损坏.pdf":    "PDF",
		"制度库/broken/假文档.docx":  "DOCX",
		"制度库/broken/空白.txt":    "空",
		"制度库/broken/setup.exe": "不支持",
	} {
		if !strings.Contains(reasons[path], want) {
			t.Errorf("quarantine reason of %s = %q, want it to mention %q", path, reasons[path], want)
		}
	}
	items := storeItems(t, data)
	check := func(src, wantKinds string, test func(it knowledge.Item) bool, what string) {
		t.Helper()
		got := items["制度库/"+src]
		if len(got) == 0 {
			t.Errorf("%s: no items", src)
			return
		}
		if wantKinds != "" && !strings.Contains(kinds(got), wantKinds) {
			t.Errorf("%s: kinds %s, want %s", src, kinds(got), wantKinds)
		}
		for _, it := range got {
			if test(it) {
				return
			}
		}
		t.Errorf("%s: no item %s", src, what)
	}
	check("rules/还款提醒管理规定.md", "rule", func(it knowledge.Item) bool {
		return it.Rule != nil && it.Rule.Article == "第四条" && it.Rule.Modality == knowledge.Prohibition &&
			strings.Join(it.Provenance[0].HeadingPath, ">") == "第二章　提醒方式"
	}, "for 第四条 (prohibition, under 第二章)")
	check("rules/展期细则.pdf", "rule", func(it knowledge.Item) bool { return it.Provenance[0].Page > 1 }, "with a page past the first")
	check("notices/热线调整通知.txt", "passage", func(it knowledge.Item) bool { return strings.Contains(it.Body, "语音留言") }, "decoded from GBK")
	check("fees/收费标准.docx", "passage", func(it knowledge.Item) bool { return strings.Contains(it.Body, "合同日利率的1.5倍") }, "holding the table")
	check("faq/常见问题.xlsx", "faq", func(it knowledge.Item) bool {
		return it.FAQ != nil && it.FAQ.Question == "还款后多久能恢复额度？" && strings.Contains(it.FAQ.Answer, "1个工作日")
	}, "for the credit-limit question")
	check("logs/dialogues.jsonl", "script", func(it knowledge.Item) bool { return it.Script != nil && it.Script.Dialogues > 0 }, "script with evidence")
	check("logs/cases.csv", "procedure", func(it knowledge.Item) bool { return it.Procedure != nil && len(it.Procedure.Steps) > 0 }, "procedure with steps")
	if len(items["制度库/drafts/草稿.md"]) > 0 {
		t.Error("an excluded file was ingested")
	}

	// A reviewer approves article 2 and rewrites article 4.
	art := map[string]string{}
	for _, it := range items["制度库/rules/还款提醒管理规定.md"] {
		art[it.Rule.Article] = it.ID
	}
	st, err := sqlite.Open(data, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := st.Update(ctx, art["第二条"], func(it *knowledge.Item) error { it.Status = knowledge.StatusApproved; return nil }); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Update(ctx, art["第四条"], func(it *knowledge.Item) error {
		it.Body += "\n（审核备注：含暴力催收话术的一律按严重违规处理。）"
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	st.Close()

	// Run 2: article 4 changes in the source, the GBK notice is deleted, a
	// new notice appears, the broken PDF is replaced by a good one.
	time.Sleep(10 * time.Millisecond) // a distinct mtime for rewritten files
	write(t, share, "rules/还款提醒管理规定.md", []byte(strings.Replace(shareRules, "威胁、恐吓或者侮辱性语言", "威胁、恐吓、侮辱或者误导性语言", 1)))
	if err := os.Remove(filepath.Join(share, "notices/热线调整通知.txt")); err != nil {
		t.Fatal(err)
	}
	write(t, share, "notices/新增通知.md", []byte("# 关于上线电子结清证明的通知\n\n自2026年5月起，客户可在App申请电子结清证明，1个工作日内发送至注册邮箱。\n"))
	write(t, share, "broken/损坏.pdf", pdf)
	sum, _ = ingestJSON(t, "-config", cfg)
	if sum.New != 1 || sum.Changed != 2 || sum.Retired != 1 || sum.Quarantined != 3 || sum.Unchanged != 5 {
		t.Errorf("run 2 = new %d changed %d retired %d quarantined %d unchanged %d, want 1/2/1/3/5",
			sum.New, sum.Changed, sum.Retired, sum.Quarantined, sum.Unchanged)
	}
	items = storeItems(t, data)
	byID := map[string]knowledge.Item{}
	for _, its := range items {
		for _, it := range its {
			byID[it.ID] = it
		}
	}
	if it := byID[art["第二条"]]; it.Status != knowledge.StatusApproved || it.NeedsReview {
		t.Errorf("approved, unchanged article: status %s, needs review %v", it.Status, it.NeedsReview)
	}
	if it := byID[art["第四条"]]; !it.NeedsReview || !strings.Contains(it.Body, "审核备注") {
		t.Errorf("edited article whose source changed: needs review %v, body %q", it.NeedsReview, it.Body)
	}
	newArt4 := false
	for _, it := range items["制度库/rules/还款提醒管理规定.md"] {
		newArt4 = newArt4 || strings.Contains(it.Body, "误导性语言") && it.Status == knowledge.StatusDraft
	}
	if !newArt4 {
		t.Error("the changed article 4 was not added as a new draft")
	}
	for _, it := range items["制度库/notices/热线调整通知.txt"] {
		if it.Status != knowledge.StatusRetired {
			t.Errorf("item of a deleted file has status %s, want retired", it.Status)
		}
	}
	if len(items["制度库/broken/损坏.pdf"]) == 0 || len(items["制度库/notices/新增通知.md"]) == 0 {
		t.Error("the repaired PDF or the new notice has no items")
	}

	// Run 3: nothing changed, nothing moves.
	before := len(byID)
	sum, _ = ingestJSON(t, "-config", cfg)
	if sum.New+sum.Changed+sum.Retired+sum.ItemsAdded != 0 || sum.Unchanged != 8 {
		t.Errorf("run 3 over an unchanged share = %+v, want 8 unchanged and nothing else", sum)
	}
	ids := map[string]bool{}
	for _, its := range storeItems(t, data) {
		for _, it := range its {
			ids[it.ID] = true
		}
	}
	if len(ids) != before {
		t.Errorf("items went from %d to %d on an unchanged re-run", before, len(ids))
	}
}
