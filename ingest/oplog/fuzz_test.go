package oplog

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
)

// FuzzMine feeds arbitrary bytes to every reader: Mine must not panic, and
// what it returns must add up.
func FuzzMine(f *testing.F) {
	for _, name := range []string{"collections.csv", "loan.jsonl", "service.kv"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b[:min(len(b), 600)], uint8(0))
	}
	f.Add([]byte(smallCSV), uint8(1))
	f.Add([]byte(smallKV), uint8(4))
	f.Add([]byte("case,activity,time\n\"c1,a,2026-03-01\nc2,b,2026-03-01\n"), uint8(1))
	f.Add([]byte("{\"case\":\"c\",\"activity\":\"a\",\"time\":\"1772414700\"}\n{\"case\":1}"), uint8(3))
	f.Add([]byte("case=\"c\\\"1\" activity=a time=2026-03-01\ncase==x"), uint8(4))
	formats := []string{"", FormatCSV, FormatTSV, FormatJSONL, FormatKV}
	f.Fuzz(func(t *testing.T, data []byte, sel uint8) {
		cfg := Config{
			Format:        formats[int(sel)%len(formats)],
			LifecycleKeep: "complete",
			CaseType:      CaseTypeRule{Column: "result", FirstActivity: sel&8 != 0},
			Outcome:       OutcomeRule{Activities: []string{"结案", "b"}, Column: "result", Success: []string{"已解决", "ok"}},
			MinSupport:    1,
			MaxWarnings:   5,
		}
		if sel&16 != 0 {
			cfg.Outcome = OutcomeRule{Success: []string{"a"}}
			cfg.Activities = []string{"*a*"}
		}
		res, err := Mine(context.Background(), bytes.NewReader(data), cfg)
		if err != nil {
			return
		}
		outcomes, inTypes, inVariants := 0, 0, 0
		for _, o := range res.Outcomes {
			outcomes += o.Cases
		}
		for _, ts := range res.Types {
			inTypes += ts.Cases
			if ts.Successes > ts.Cases || ts.Recommended >= len(res.Variants) {
				t.Fatalf("type %+v inconsistent", ts)
			}
		}
		for _, v := range res.Variants {
			inVariants += v.Cases
			if len(v.Activities) == 0 || v.Successes > v.Cases || len(v.Examples) == 0 {
				t.Fatalf("variant %+v inconsistent", v)
			}
		}
		if outcomes != res.Cases || inTypes != res.Cases || inVariants > res.Cases {
			t.Fatalf("cases %d, outcomes %d, types %d, variants %d", res.Cases, outcomes, inTypes, inVariants)
		}
		if len(res.Warnings) > cfg.MaxWarnings+1 {
			t.Fatalf("%d warnings, cap %d", len(res.Warnings), cfg.MaxWarnings)
		}
		for _, it := range res.Procedures("fuzz") {
			if err := validate(it); err != nil {
				t.Fatal(err)
			}
		}
	})
}
