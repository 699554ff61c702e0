package oplog

import (
	"compress/gzip"
	"context"
	"os"
	"path/filepath"
	"testing"
)

// bpicPath is the BPI Challenge 2012 log of ../shared/bench (see its
// README); tests and benchmarks skip when it is absent.
var bpicPath = filepath.Join("..", "..", "..", "shared", "bench", "bpic2012", "bpic2012_events.csv.gz")

// bpicConfig maps the BPIC 2012 columns and judges applications by their
// A_ states: success is reaching A_APPROVED; paths are the A_ activities.
func bpicConfig() Config {
	return Config{
		CaseColumn: "case_id", ActivityColumn: "activity", TimeColumn: "timestamp",
		ResourceColumn: "resource", LifecycleColumn: "lifecycle",
		Activities: []string{"A_*"},
		Outcome: OutcomeRule{
			Activities: []string{"A_APPROVED", "A_DECLINED", "A_CANCELLED"},
			Success:    []string{"A_APPROVED"},
		},
	}
}

func openBPIC(tb testing.TB) *gzip.Reader {
	tb.Helper()
	f, err := os.Open(bpicPath)
	if err != nil {
		tb.Skipf("BPIC 2012 bench log not present: %v", err)
	}
	tb.Cleanup(func() { f.Close() })
	zr, err := gzip.NewReader(f)
	if err != nil {
		tb.Fatal(err)
	}
	return zr
}

// TestBPIC2012 reproduces the facts the bench README states.
func TestBPIC2012(t *testing.T) {
	res, err := Mine(context.Background(), openBPIC(t), bpicConfig())
	if err != nil {
		t.Fatal(err)
	}
	if res.Rows != 262200 || res.Skipped != 0 {
		t.Errorf("rows %d skipped %d, want 262200 and 0 (warnings %q)", res.Rows, res.Skipped, res.Warnings)
	}
	if res.Cases != 13087 {
		t.Errorf("cases = %d, want 13087", res.Cases)
	}
	want := map[string]int{"A_APPROVED": 2246, "A_DECLINED": 7635, "A_CANCELLED": 2807, "": 399}
	got := map[string]int{}
	for _, o := range res.Outcomes {
		got[o.Label] = o.Cases
	}
	for l, n := range want {
		if got[l] != n {
			t.Errorf("outcome %q: %d cases, want %d", l, got[l], n)
		}
	}
	if len(got) != len(want) {
		t.Errorf("outcomes = %v, want %v", got, want)
	}
	top := res.Variants[0]
	if top.Path() != "A_SUBMITTED > A_PARTLYSUBMITTED > A_DECLINED" || top.Cases != 5719 || top.Successes != 0 {
		t.Errorf("top variant = %s (%d cases, %d successes), want A_SUBMITTED > A_PARTLYSUBMITTED > A_DECLINED (5719, 0)", top.Path(), top.Cases, top.Successes)
	}
	if len(res.Types) != 1 || res.Types[0].Successes != 2246 {
		t.Fatalf("types = %+v, want one with 2246 successes", res.Types)
	}
	items := res.Procedures("bpic2012_events.csv.gz")
	if len(items) != 1 {
		t.Fatalf("%d procedures, want 1", len(items))
	}
	p := items[0].Procedure
	if p.SuccessRate != 1 || p.Steps[len(p.Steps)-1].Activity == "A_DECLINED" {
		t.Errorf("recommended path should end approved: %+v", p)
	}
	t.Logf("variants %d, DFG edges %d\n%s", len(res.Variants), len(res.DFG), items[0].Body)
}
