package mine

import (
	"context"
	"strings"
	"testing"

	"github.com/lorehq/lore/ingest/dialogue"
)

func TestReadCSV(t *testing.T) {
	tests := []struct {
		name      string
		in        string
		dialogues int
		turns     []int
		warnings  []string
		err       string
	}{
		{
			name: "chinese header, turns out of order, GBK-free UTF-8 with BOM",
			in: "\uFEFF对话编号,轮次,角色,内容,时间,结果\n" +
				"c1,2,客服,您好，提前还款满3个月免手续费。,2026-03-02 10:00:05,resolved\n" +
				"c1,1,客户,提前还款要手续费吗？,2026-03-02 10:00:00,\n" +
				"c2,1,用户,\"额度怎么提高，能说下吗\",,\n" +
				"c2,2,机器人,x,,\n" +
				"c2,3,坐席,按时还款六个月后可以申请提额。,,\n",
			dialogues: 2, turns: []int{2, 2},
			warnings: []string{"line 5: unknown role"},
		},
		{
			name:      "english header",
			in:        "dialogue_id,role,text,satisfaction\nd1,Customer,When is my due date?,5\nd1,Agent,The 15th of each month.,\n",
			dialogues: 1, turns: []int{2},
		},
		{name: "missing text column", in: "id,role\n1,agent\n", err: "no text column"},
		{name: "empty", in: " \n", err: "empty file"},
		{name: "header only", in: "id,role,text\n", err: "no dialogue rows"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ds, warnings, err := ReadCSV(strings.NewReader(tt.in))
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(ds) != tt.dialogues {
				t.Fatalf("dialogues = %d, want %d", len(ds), tt.dialogues)
			}
			for i, n := range tt.turns {
				if len(ds[i].Turns) != n {
					t.Errorf("dialogue %s: %d turns, want %d", ds[i].ID, len(ds[i].Turns), n)
				}
			}
			if len(warnings) != len(tt.warnings) {
				t.Fatalf("warnings = %q", warnings)
			}
			for i, w := range tt.warnings {
				if !strings.Contains(warnings[i], w) {
					t.Errorf("warning %q, want %q", warnings[i], w)
				}
			}
			for _, d := range ds {
				for _, turn := range d.Turns {
					if turn.Role != dialogue.Agent && turn.Role != dialogue.Customer {
						t.Errorf("role %q", turn.Role)
					}
				}
			}
		})
	}
	ds, _, _ := ReadCSV(strings.NewReader(tests[0].in))
	if ds[0].Turns[0].Role != dialogue.Customer || ds[0].Outcome != "resolved" || ds[0].Turns[0].Time.IsZero() {
		t.Errorf("c1 = %+v", ds[0])
	}
}

func TestReadTranscript(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		ids   []string
		turns []int
		err   string
	}{
		{
			name: "headers, metadata, continuation lines",
			in: "=== t-1 ===\n[09:12:00] 客户：我想问下还款日\n是几号？\n客服王敏：每月10日。\n结果：resolved\n\n" +
				"### t-2\nCustomer: When is my due date?\nAgent: The 15th.\nSatisfaction: 4\n",
			ids: []string{"t-1", "t-2"}, turns: []int{2, 2},
		},
		{
			name:  "blank lines separate dialogues without headers",
			in:    "用户：额度能提吗\n坐席：可以申请。\n\n\n客户：怎么换卡\n客服：在App里换绑。\n",
			ids:   []string{"calls#1", "calls#2"},
			turns: []int{2, 2},
		},
		{name: "no roles", in: "hello\nworld\n", err: "no dialogue"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ds, _, err := ReadTranscript(strings.NewReader(tt.in), "calls")
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(ds) != len(tt.ids) {
				t.Fatalf("dialogues = %+v", ds)
			}
			for i, d := range ds {
				if d.ID != tt.ids[i] || len(d.Turns) != tt.turns[i] {
					t.Errorf("dialogue %d = %+v", i, d)
				}
			}
		})
	}
	ds, _, _ := ReadTranscript(strings.NewReader(tests[0].in), "x")
	if ds[0].Turns[0].Text != "我想问下还款日是几号？" || ds[0].Outcome != "resolved" || ds[1].Satisfaction != 4 || ds[0].Turns[1].Role != dialogue.Agent {
		t.Errorf("t-1 = %+v, t-2 = %+v", ds[0], ds[1])
	}
}

func TestExtractFileFormats(t *testing.T) {
	csv := "id,role,text,outcome\nc1,客户,提前还款要手续费吗？,resolved\nc1,客服,放款满3个月提前还款不收手续费。,\n"
	txt := "客户：提前还款要手续费吗？\n客服：放款满3个月提前还款不收手续费。\n结果：resolved\n"
	jsonl := `{"id":"j1","outcome":"resolved","turns":[{"role":"customer","text":"提前还款要手续费吗？"},{"role":"agent","text":"放款满3个月提前还款不收手续费。"}]}`
	for name, in := range map[string]string{"a.csv": csv, "a.TXT": txt, "a.jsonl": jsonl} {
		items, _, err := ExtractFile(context.Background(), name, strings.NewReader(in))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(items) != 1 || items[0].FAQ == nil || items[0].FAQ.Question != "提前还款要手续费吗？" {
			t.Errorf("%s: items = %+v", name, items)
		}
	}
	if _, _, err := ExtractFile(context.Background(), "bad.jsonl", strings.NewReader("not json")); err == nil || !strings.Contains(err.Error(), "bad.jsonl") {
		t.Errorf("bad file: err = %v", err)
	}
}
