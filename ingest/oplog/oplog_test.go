package oplog

import (
	"bytes"
	"context"
	"encoding/json"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/lorehq/lore/internal/golden"

	"github.com/lorehq/lore/knowledge"
)

var cst = time.FixedZone("CST", 8*3600)

// fixtureConfigs are the configurations of the testdata logs.
var fixtureConfigs = map[string]Config{
	// 催收作业日志: Chinese column names given explicitly; the case type is the
	// overdue stage of the first event; success is closing as 已还款.
	"collections.csv": {
		CaseColumn: "案件编号", ActivityColumn: "环节", TimeColumn: "操作时间", ResourceColumn: "处理人",
		Location: cst,
		CaseType: CaseTypeRule{Column: "逾期阶段"},
		Outcome:  OutcomeRule{Activities: []string{"结案"}, Column: "结果", Success: []string{"已还款"}},
	},
	// 贷款申请日志: columns found by their usual names (case, event, time,
	// org:resource, lifecycle); only completed events; success is 放款.
	"loan.jsonl": {
		LifecycleKeep: "complete",
		CaseType:      CaseTypeRule{Column: "product"},
		Outcome:       OutcomeRule{Activities: []string{"放款", "审批拒绝", "客户取消"}, Success: []string{"放款"}},
	},
	// 客服工单: key=value lines; the case type is the first activity; no
	// outcome rule.
	"service.kv": {
		Location: cst,
		CaseType: CaseTypeRule{FirstActivity: true},
	},
}

type goldenResult struct {
	Result *Result
	Items  []knowledge.Item
}

func TestGolden(t *testing.T) {
	for name, cfg := range fixtureConfigs {
		t.Run(name, func(t *testing.T) {
			f, err := os.Open(filepath.Join("testdata", name))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			res, err := Mine(context.Background(), f, cfg)
			if err != nil {
				t.Fatal(err)
			}
			golden.JSON(t, filepath.Join("testdata", name+".golden.json"), goldenResult{res, res.Procedures(name)})
		})
	}
}

// TestFixtureFacts checks what the fixtures were written to show, so the
// golden files cannot silently drift into nonsense.
func TestFixtureFacts(t *testing.T) {
	res := mineFile(t, "collections.csv")
	if res.Skipped != 3 || len(res.Warnings) != 3 {
		t.Fatalf("skipped %d, warnings %q; want the 3 malformed lines", res.Skipped, res.Warnings)
	}
	for i, w := range []string{"line 13: cannot read time", "line 31: missing case", "line 48: malformed CSV"} {
		if !strings.HasPrefix(res.Warnings[i], w) {
			t.Errorf("warning %d = %q, want prefix %q", i, res.Warnings[i], w)
		}
	}
	if res.Cases != 48 || len(res.Types) != 2 {
		t.Fatalf("cases %d types %d, want 48 and 2 (M1, M2)", res.Cases, len(res.Types))
	}
	items := res.Procedures("collections.csv")
	for _, it := range items {
		p := it.Procedure
		if p.Steps[0].Activity != "分案" || p.Steps[0].Resource != "系统" || p.Steps[len(p.Steps)-1].Activity != "结案" {
			t.Errorf("%s: steps %+v, want 分案 by 系统 … 结案", p.CaseType, p.Steps)
		}
		if p.SuccessRate != 1 {
			t.Errorf("%s: recommended path success %v, want 1", p.CaseType, p.SuccessRate)
		}
		var skipsID bool
		for _, d := range p.Deviations {
			if strings.Contains(d.Description, "核实身份") && d.SuccessWith < d.SuccessWithout {
				skipsID = true
			}
		}
		if !skipsID {
			t.Errorf("%s: deviations %+v lack the skipped 核实身份", p.CaseType, p.Deviations)
		}
		if len(it.Provenance) != 1 || len(it.Provenance[0].Cases) != 3 || it.Provenance[0].Line < 2 {
			t.Errorf("%s: provenance %+v", p.CaseType, it.Provenance)
		}
		if err := validate(it); err != nil {
			t.Error(err)
		}
	}

	loan := mineFile(t, "loan.jsonl")
	if loan.Skipped != 2 {
		t.Errorf("loan: skipped %d (%q), want 2", loan.Skipped, loan.Warnings)
	}
	for _, v := range loan.Variants {
		if strings.Count(v.Path(), "征信查询") != 1 {
			t.Errorf("loan: lifecycle start events kept in %s", v.Path())
		}
	}

	svc := mineFile(t, "service.kv")
	if svc.Outcome || len(svc.Types) != 2 {
		t.Fatalf("service: outcome %v, types %+v", svc.Outcome, svc.Types)
	}
	for _, it := range svc.Procedures("") {
		if strings.Contains(it.Body, "成功率") {
			t.Errorf("service: success rate shown without an outcome rule:\n%s", it.Body)
		}
		if it.Procedure.CaseType != it.Procedure.Steps[0].Activity {
			t.Errorf("service: case type %q is not the first activity %q", it.Procedure.CaseType, it.Procedure.Steps[0].Activity)
		}
	}
}

// validate checks an item the way the pipeline will store it.
func validate(it knowledge.Item) error {
	it.ID, it.Space, it.Status = "x", "s", knowledge.StatusDraft
	return it.Validate()
}

func mineFile(t *testing.T, name string) *Result {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	res, err := Mine(context.Background(), bytes.NewReader(b), fixtureConfigs[name])
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// TestShuffledLog mines a log whose lines are shuffled: everything but line
// numbers must come out the same.
func TestShuffledLog(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "collections.csv"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	cfg := fixtureConfigs["collections.csv"]
	want, err := Mine(context.Background(), strings.NewReader(strings.Join(lines, "\n")), cfg)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for round := 0; round < 3; round++ {
		body := lines[1:]
		rng.Shuffle(len(body), func(i, j int) { body[i], body[j] = body[j], body[i] })
		got, err := Mine(context.Background(), strings.NewReader(strings.Join(lines, "\n")), cfg)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range []*Result{want, got} {
			r.Warnings = nil
			for i := range r.Types {
				r.Types[i].Line = 0
			}
		}
		if !reflect.DeepEqual(got, want) {
			gj, _ := json.Marshal(got)
			wj, _ := json.Marshal(want)
			t.Fatalf("round %d: shuffled log mines differently:\n got %s\nwant %s", round, gj, wj)
		}
	}
}

// log is a small process in several formats.
const (
	smallCSV = `case,activity,time,resource,lifecycle,channel
c1,受理,2026-03-01 09:00:00,A01,complete,电话
c1,审核,2026-03-01 10:00:00,R01,complete,电话
c1,办结,2026-03-01 12:00:00,A01,complete,电话
c2,受理,2026-03-02 09:00:00,A02,complete,APP
c2,办结,2026-03-02 09:30:00,A02,complete,APP
c3,受理,2026-03-03 09:00:00,A01,complete,电话
c3,审核,2026-03-03 11:00:00,R01,start,电话
c3,审核,2026-03-03 11:00:00,R01,complete,电话
c3,办结,2026-03-03 11:30:00,A01,complete,电话
`
	smallKV = `# comment
case=c1 activity=受理 time="2026-03-01 09:00:00" resource=A01 lifecycle=complete channel=电话
case=c1 activity=审核 time="2026-03-01 10:00:00" resource=R01 lifecycle=complete channel=电话
case=c1 activity=办结 time="2026-03-01 12:00:00" resource=A01 lifecycle=complete channel=电话
case=c2 activity=受理 time="2026-03-02 09:00:00" resource=A02 lifecycle=complete channel=APP
case=c2 activity=办结 time="2026-03-02 09:30:00" resource=A02 lifecycle=complete channel=APP
case=c3 activity=受理 time="2026-03-03 09:00:00" resource=A01 lifecycle=complete channel=电话
case=c3 activity=审核 time="2026-03-03 11:00:00" resource=R01 lifecycle=start channel=电话
case=c3 activity=审核 time="2026-03-03 11:00:00" resource=R01 lifecycle=complete channel=电话
case=c3 activity=办结 time="2026-03-03 11:30:00" resource=A01 lifecycle=complete channel=电话
`
)

func toJSONL(t *testing.T, csvText string) string {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(csvText), "\n")
	head := strings.Split(lines[0], ",")
	var b strings.Builder
	for _, l := range lines[1:] {
		m := map[string]string{}
		for i, v := range strings.Split(l, ",") {
			m[head[i]] = v
		}
		j, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		b.Write(j)
		b.WriteByte('\n')
	}
	return b.String()
}

func TestFormats(t *testing.T) {
	cfg := Config{LifecycleKeep: "complete", CaseType: CaseTypeRule{Column: "channel"}, Outcome: OutcomeRule{Success: []string{"审核"}}}
	inputs := map[string]string{
		"csv":          smallCSV,
		"tsv":          strings.ReplaceAll(smallCSV, ",", "\t"),
		"jsonl":        toJSONL(t, smallCSV),
		"kv":           smallKV,
		"csv with BOM": "\uFEFF" + strings.ReplaceAll(smallCSV, "\n", "\r\n"),
	}
	var first *Result
	for name, in := range inputs {
		for _, format := range []string{"", strings.Fields(name)[0]} {
			c := cfg
			c.Format = format
			res, err := Mine(context.Background(), strings.NewReader(in), c)
			if err != nil {
				t.Fatalf("%s (format %q): %v", name, format, err)
			}
			if res.Cases != 3 || res.Events != 8 || res.Skipped != 0 {
				t.Errorf("%s: cases %d events %d skipped %d, want 3 8 0", name, res.Cases, res.Events, res.Skipped)
			}
			res.Rows = 0 // header and comment lines differ
			for i := range res.Types {
				res.Types[i].Line = 0
			}
			if first == nil {
				first = res
			} else if !reflect.DeepEqual(res, first) {
				t.Errorf("%s (format %q) mines differently from the others", name, format)
			}
		}
	}
	tel := first.Types[0]
	if tel.CaseType != "电话" || tel.Cases != 2 || tel.SuccessRate != 1 || len(tel.Steps) != 3 {
		t.Fatalf("types = %+v", first.Types)
	}
	if st := tel.Steps[1]; st.Activity != "审核" || st.Resource != "R01" || st.MedianWait != 90*time.Minute {
		t.Errorf("step 2 = %+v, want 审核 by R01 after a median 1h30m", st)
	}
	if e := first.DFG[0]; e.From != "受理" || e.To != "办结" && e.To != "审核" {
		t.Errorf("DFG = %+v", first.DFG)
	}
}

func TestWarnings(t *testing.T) {
	tests := []struct {
		name, in string
		cfg      Config
		cases    int
		warnings []string // prefixes, in order
	}{
		{
			name:     "csv: bad time, missing fields, bare quote",
			in:       "case,activity,time\nc1,受理,2026-03-01 09:00\nc1,审核,明天上午\nc2,,2026-03-01 09:00\nc3,受\"理,2026-03-01 09:00\nc1,办结,2026-03-01 10:00\n",
			cases:    1,
			warnings: []string{"line 3: cannot read time", "line 4: missing activity", "line 5: malformed CSV"},
		},
		{
			name:     "kv: bare token, unterminated quote",
			in:       "case=c1 activity=受理 time=2026-03-01\ncase=c1 受理\ncase=c2 activity=\"受理 time=2026-03-01\n\ncase=c2 activity=受理 time=2026-03-02\n",
			cfg:      Config{Format: FormatKV},
			cases:    2,
			warnings: []string{"line 2: token", "line 3: unterminated quote"},
		},
		{
			name:     "jsonl: broken object, nested value",
			in:       "{\"case\":\"c1\",\"activity\":\"受理\",\"time\":\"2026-03-01T09:00:00Z\"}\n{\"case\":\n{\"case\":\"c2\",\"activity\":{\"x\":1},\"time\":\"2026-03-01T09:00:00Z\"}\n",
			cases:    1,
			warnings: []string{"line 2: not a JSON object", "line 3: missing activity"},
		},
		{
			name:     "warnings are capped",
			in:       "case,activity,time\n" + strings.Repeat("c1,受理,never\n", 5) + "c1,受理,2026-03-01\n",
			cfg:      Config{MaxWarnings: 2},
			cases:    1,
			warnings: []string{"line 2:", "line 3:", "3 more warnings"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := Mine(context.Background(), strings.NewReader(tt.in), tt.cfg)
			if err != nil {
				t.Fatal(err)
			}
			if res.Cases != tt.cases {
				t.Errorf("cases = %d, want %d", res.Cases, tt.cases)
			}
			if len(res.Warnings) != len(tt.warnings) {
				t.Fatalf("warnings = %q, want %d", res.Warnings, len(tt.warnings))
			}
			for i, w := range tt.warnings {
				if !strings.HasPrefix(res.Warnings[i], w) {
					t.Errorf("warning %d = %q, want prefix %q", i, res.Warnings[i], w)
				}
			}
		})
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name, in string
		cfg      Config
		err      string
	}{
		{"empty", "", Config{}, "empty log"},
		{"no case column", "id,activity,time\n1,a,2026-03-01\n", Config{}, "no case / 案件编号 column"},
		{"configured column missing", smallCSV, Config{ResourceColumn: "经办人"}, "no resource / 处理人 column"},
		{"nothing valid", "case,activity,time\nc1,a,never\n", Config{}, "no valid event"},
		{"unknown format", smallCSV, Config{Format: "xes"}, "unknown log format"},
		{"empty pattern", smallCSV, Config{Activities: []string{" "}}, "empty activity pattern"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Mine(context.Background(), strings.NewReader(tt.in), tt.cfg)
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Fatalf("err = %v, want containing %q", err, tt.err)
			}
			if knowledge.ErrorCode(err) != knowledge.Invalid {
				t.Errorf("code = %s, want invalid", knowledge.ErrorCode(err))
			}
		})
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Mine(ctx, strings.NewReader(smallCSV), Config{}); err == nil {
		t.Error("Mine with a cancelled context succeeded")
	}
}

func TestOutcomeAndCaseTypeRules(t *testing.T) {
	log := `case,activity,time,result
c1,受理,2026-03-01 09:00,展期
c1,结案,2026-03-01 10:00,已解决
c1,结案,2026-03-02 10:00,重开后解决
c2,受理,2026-03-01 09:00,展期
c2,结案,2026-03-01 11:00,已解决
c3,结案,2026-03-01 08:00,已解决
c3,受理,2026-03-01 07:00,结清
`
	tests := []struct {
		name  string
		rule  OutcomeRule
		ctype CaseTypeRule
		types map[string]int // case type → successes
	}{
		{"last outcome label wins", OutcomeRule{Activities: []string{"结案"}, Column: "result", Success: []string{"已解决"}}, CaseTypeRule{Column: "result"},
			map[string]int{"展期": 1, "结清": 1}},
		{"reaching an activity", OutcomeRule{Success: []string{"结案"}}, CaseTypeRule{FirstActivity: true},
			map[string]int{"受理": 3}},
		{"no rule", OutcomeRule{}, CaseTypeRule{Default: "工单"}, map[string]int{"工单": 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := Mine(context.Background(), strings.NewReader(log), Config{Outcome: tt.rule, CaseType: tt.ctype, MinSupport: 1})
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]int{}
			for _, ts := range res.Types {
				got[ts.CaseType] = ts.Successes
			}
			if !reflect.DeepEqual(got, tt.types) {
				t.Errorf("types = %v, want %v", got, tt.types)
			}
		})
	}
}

func TestDeviationsArePositional(t *testing.T) {
	// Cases that verify identity only after the complaint skipped the step.
	var b strings.Builder
	b.WriteString("case,activity,time,result\n")
	add := func(id string, acts ...string) {
		for i, a := range acts {
			res := ""
			if a == "结案" {
				res = "已解决"
				if strings.HasPrefix(id, "bad") {
					res = "投诉后解决"
				}
			}
			b.WriteString(id + "," + a + ",2026-03-01 09:" + string(rune('0'+i/10)) + string(rune('0'+i%10)) + "," + res + "\n")
		}
	}
	for _, id := range []string{"ok1", "ok2", "ok3"} {
		add(id, "受理", "核实身份", "办理", "结案")
	}
	for _, id := range []string{"bad1", "bad2"} {
		add(id, "受理", "办理", "客户投诉", "核实身份", "结案")
	}
	res, err := Mine(context.Background(), strings.NewReader(b.String()), Config{Outcome: OutcomeRule{Activities: []string{"结案"}, Column: "result", Success: []string{"已解决"}}})
	if err != nil {
		t.Fatal(err)
	}
	devs := res.Types[0].Deviations
	want := []knowledge.Deviation{{Description: "跳过「核实身份」 / skips 核实身份", Cases: 2, SuccessWith: 0, SuccessWithout: 1}}
	if !reflect.DeepEqual(devs, want) {
		t.Errorf("deviations = %+v, want %+v", devs, want)
	}
	if body := res.Procedures("")[0].Body; !strings.Contains(body, "跳过「核实身份」时，成功率从 100% 降至 0%（2 个案件跳过）") {
		t.Errorf("body lacks the deviation sentence:\n%s", body)
	}
}

func TestMatch(t *testing.T) {
	tests := []struct {
		pattern, s string
		want       bool
	}{
		{"A_*", "A_SUBMITTED", true},
		{"A_*", "O_SENT", false},
		{"*审核*", "人工审核通过", true},
		{"*审核", "审核通过", false},
		{"W_*aanvraag", "W_Completeren aanvraag", true},
		{"受理", "受理", true},
		{"a*b*a", "aba", true},
		{"a*a", "a", false},
	}
	for _, tt := range tests {
		if got := match(tt.pattern, tt.s); got != tt.want {
			t.Errorf("match(%q, %q) = %v, want %v", tt.pattern, tt.s, got, tt.want)
		}
	}
}

func TestParseTime(t *testing.T) {
	want := time.Date(2026, 3, 2, 9, 25, 0, 0, cst).UnixNano()
	for _, s := range []string{"2026-03-02T09:25:00+08:00", "2026-03-02 09:25:00", "2026/03/02 09:25", "2026/3/2 9:25", "2026年3月2日 09:25", "1772414700", "1772414700000"} {
		m := &miner{s: &settings{Config: Config{Location: cst}}}
		got, err := m.parseTime(s)
		if err != nil || got != want {
			t.Errorf("parseTime(%q) = %v, %v; want %v", s, time.Unix(0, got).In(cst), err, time.Unix(0, want).In(cst))
		}
	}
}

func TestSpanAndPct(t *testing.T) {
	for d, want := range map[time.Duration]string{
		40 * time.Second: "40秒", 15 * time.Minute: "15分钟", 65 * time.Minute: "1小时5分钟",
		2 * time.Hour: "2小时", 51 * time.Hour: "2天3小时", 48 * time.Hour: "2天",
	} {
		if got := span(d); got != want {
			t.Errorf("span(%v) = %q, want %q", d, got, want)
		}
	}
	for x, want := range map[float64]string{1: "100%", 0.6: "60%", 0.7333: "73.3%", 0: "0%"} {
		if got := pct(x); got != want {
			t.Errorf("pct(%v) = %q, want %q", x, got, want)
		}
	}
}

func TestExtractorFormatByName(t *testing.T) {
	ex := NewExtractor(Config{})
	items, warnings, err := ex.ExtractFile(context.Background(), "logs/工单.kv", strings.NewReader(smallKV))
	if err != nil || len(warnings) != 0 || len(items) != 1 {
		t.Fatalf("items %d warnings %q err %v", len(items), warnings, err)
	}
	if src := items[0].Provenance[0].Source; src != "logs/工单.kv" {
		t.Errorf("source = %q", src)
	}
	_, _, err = ex.ExtractFile(context.Background(), "x.jsonl", strings.NewReader(smallCSV))
	if err == nil || !strings.Contains(knowledge.ErrorMessage(err), "no valid event") {
		t.Errorf("CSV read as JSONL: err = %v", err)
	}
}
