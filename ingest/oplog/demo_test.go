package oplog

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// demoConfig is the configuration that mines the demo corpus's operation
// log (demo/corpus/oplog/cases.csv): the case type is the result of each
// case's first event (展期申请, 提前结清, …) and a case succeeds when it
// closes (结案) with result 已解决.
func demoConfig() Config {
	return Config{
		CaseType: CaseTypeRule{Column: "result"},
		Outcome:  OutcomeRule{Activities: []string{"结案"}, Column: "result", Success: []string{"已解决"}},
	}
}

func TestDemoCorpus(t *testing.T) {
	f, err := os.Open(filepath.Join("..", "..", "demo", "corpus", "oplog", "cases.csv"))
	if err != nil {
		t.Skipf("demo corpus not present: %v", err)
	}
	defer f.Close()
	items, warnings, err := NewExtractor(demoConfig()).ExtractFile(context.Background(), "oplog/cases.csv", f)
	if err != nil {
		t.Fatal(err)
	}
	if len(warnings) != 0 {
		t.Errorf("warnings: %q", warnings)
	}
	if len(items) != 4 {
		t.Fatalf("%d procedures, want 4 (one per case type)", len(items))
	}
	// The demo README: the case type is named by the first event's result;
	// skipping 回访确认 leads to reopened cases, skipping 核实身份 to complaints.
	types := map[string]bool{}
	verify := 0
	for _, it := range items {
		p := it.Procedure
		types[p.CaseType] = true
		if !strings.HasPrefix(p.Steps[0].Activity, "受理") || p.Steps[len(p.Steps)-1].Activity != "结案" || p.SuccessRate != 1 {
			t.Errorf("%s: steps %v, success %v; want 受理… to 结案 at 100%%", p.CaseType, p.Steps, p.SuccessRate)
		}
		followUp := false
		for _, d := range p.Deviations {
			followUp = followUp || strings.Contains(d.Description, "回访确认")
			if strings.Contains(d.Description, "核实身份") {
				verify++
			}
		}
		if !followUp {
			t.Errorf("%s: no 回访确认 deviation in %+v", p.CaseType, p.Deviations)
		}
		if err := validate(it); err != nil {
			t.Error(err)
		}
		t.Logf("%s\n%s\n", it.Title, it.Body)
	}
	for _, ct := range []string{"展期申请", "提前结清", "费用争议投诉", "协商分期"} {
		if !types[ct] {
			t.Errorf("no procedure for %s; got %v", ct, types)
		}
	}
	if verify == 0 {
		t.Error("no procedure reports skipping 核实身份")
	}
}
