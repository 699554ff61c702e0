package eval

import (
	"strings"
	"testing"

	"github.com/lorehq/lore/knowledge"
)

func TestReadQuestions(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    []Question
		wantErr string
	}{
		{"stard format",
			`{"id": "s-1", "question": "借钱不还怎么办", "gold": [{"law": "借款管理办法", "article": "第五条"}, {"law": "借款管理办法", "article": "第六条"}]}`,
			[]Question{{ID: "s-1", Text: "借钱不还怎么办", Gold: []Gold{{Law: "借款管理办法", Article: "第五条"}, {Law: "借款管理办法", Article: "第六条"}}}}, ""},
		{"generic ids and sources, blank lines, no id",
			"\n{\"q\": \"提前还款\", \"gold_ids\": [\"a\", \"b\"]}\n\n{\"id\": \"x\", \"q\": \" 展期 \", \"gold_sources\": [\"rules/展期.md\"]}\n",
			[]Question{
				{ID: "line-2", Text: "提前还款", Gold: []Gold{{ID: "a"}, {ID: "b"}}},
				{ID: "x", Text: "展期", Gold: []Gold{{Source: "rules/展期.md"}}},
			}, ""},
		{"mixed gold", `{"q": "罚息", "gold": [{"id": "r1"}], "gold_ids": ["r2"]}`,
			[]Question{{ID: "line-1", Text: "罚息", Gold: []Gold{{ID: "r1"}, {ID: "r2"}}}}, ""},
		{"empty input", "", nil, ""},
		{"not json", "{\"q\": \"a\", \"gold_ids\": [\"a\"]}\n{oops", nil, "line 2"},
		{"no text", `{"id": "1", "gold_ids": ["a"]}`, nil, "no question text"},
		{"no gold", `{"q": "罚息"}`, nil, "no gold"},
		{"law without article", `{"q": "罚息", "gold": [{"law": "办法"}]}`, nil, "names no item"},
		{"empty gold entry", `{"q": "罚息", "gold": [{}]}`, nil, "names no item"},
		{"wrong type", `{"q": "罚息", "gold_ids": "a"}`, nil, "line 1"},
		{"too long", `{"q": "` + strings.Repeat("罚", maxLine) + `"}`, nil, "longer than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ReadQuestions(strings.NewReader(tt.in))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ReadQuestions: %v", err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %d questions %+v, want %d", len(got), got, len(tt.want))
			}
			for i := range got {
				if got[i].ID != tt.want[i].ID || got[i].Text != tt.want[i].Text || len(got[i].Gold) != len(tt.want[i].Gold) {
					t.Fatalf("question %d = %+v, want %+v", i, got[i], tt.want[i])
				}
				for j := range got[i].Gold {
					if got[i].Gold[j] != tt.want[i].Gold[j] {
						t.Errorf("question %d gold %d = %+v, want %+v", i, j, got[i].Gold[j], tt.want[i].Gold[j])
					}
				}
			}
		})
	}
}

func TestGoldMatch(t *testing.T) {
	it := knowledge.Item{
		ID:         "r1",
		Rule:       &knowledge.Rule{DocTitle: "催收作业管理办法", Article: "第十条"},
		Provenance: []knowledge.Provenance{{Source: "share/rules/催收作业管理办法.md"}},
	}
	faq := knowledge.Item{ID: "f1", Provenance: []knowledge.Provenance{{Source: "faq.md"}}}
	tests := []struct {
		g    Gold
		it   *knowledge.Item
		want bool
	}{
		{Gold{ID: "r1"}, &it, true},
		{Gold{ID: "r2"}, &it, false},
		{Gold{Law: "催收作业管理办法", Article: "第十条"}, &it, true},
		{Gold{Law: "催收作业管理办法", Article: "第十一条"}, &it, false},
		{Gold{Law: "催收作业", Article: "第十条"}, &it, false}, // titles match exactly
		{Gold{Law: "催收作业管理办法", Article: "第十条"}, &faq, false},
		{Gold{Source: "share/rules/催收作业管理办法.md"}, &it, true},
		{Gold{Source: "rules/催收作业管理办法.md"}, &it, true},
		{Gold{Source: "管理办法.md"}, &it, false}, // a suffix must start a path element
		{Gold{Source: "faq.md"}, &faq, true},
		{Gold{}, &it, false},
	}
	for _, tt := range tests {
		if got := tt.g.Match(tt.it); got != tt.want {
			t.Errorf("%v.Match(%s) = %v, want %v", tt.g, tt.it.ID, got, tt.want)
		}
	}
}

// FuzzReadQuestions checks that any input either fails or yields
// questions that all have text and gold.
func FuzzReadQuestions(f *testing.F) {
	f.Add(`{"id": "s-1", "question": "借钱不还怎么办", "gold": [{"law": "办法", "article": "第五条"}]}`)
	f.Add("{\"q\": \"a\", \"gold_ids\": [\"x\"]}\n{\"q\": \"b\", \"gold_sources\": [\"y\"]}")
	f.Add("\n\n")
	f.Fuzz(func(t *testing.T, in string) {
		qs, err := ReadQuestions(strings.NewReader(in))
		if err != nil {
			return
		}
		for _, q := range qs {
			if q.Text == "" || q.ID == "" || len(q.Gold) == 0 {
				t.Fatalf("question %+v lacks text, id or gold", q)
			}
		}
	})
}
