package dialogue

import (
	"context"
	"strings"
	"testing"
)

func TestRead(t *testing.T) {
	tests := []struct {
		name      string
		in        string
		dialogues int
		warnings  []string // substrings, in order
		err       string
	}{
		{
			name: "two dialogues with role aliases",
			in: `{"id":"d1","turns":[{"role":"客户","text":"我想提前还款"},{"role":"坐席","text":"可以的，提前还款不收手续费。"}],"outcome":"resolved"}
{"id":"d2","turns":[{"role":"Customer","text":"When is my due date?"},{"role":"Agent","text":"The 15th of each month."}]}`,
			dialogues: 2,
		},
		{
			name: "malformed lines are skipped with line numbers",
			in: `{"id":"d1","turns":[{"role":"customer","text":"逾期了怎么办"}]}
{"id":"d2","turns":[{"role":"robot","text":"?"}]}
not json
{"id":"","turns":[{"role":"agent","text":"x"}]}
{"id":"d1","turns":[{"role":"agent","text":"重复"}]}

{"id":"d3","turns":[]}`,
			dialogues: 1,
			warnings:  []string{"line 2: dialogue d2 turn 1: unknown role", "line 3: not a JSON", "line 4: missing", "line 5: dialogue id \"d1\" already used on line 1", "line 7: dialogue d3 has no turns"},
		},
		{name: "empty", in: "\n\n", err: "empty file"},
		{name: "nothing valid", in: "[1,2]\n", err: "no valid dialogue"},
		{name: "two objects on a line", in: `{"id":"a","turns":[{"role":"agent","text":"x"}]} {"id":"b"}`, err: "no valid dialogue"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ds, warnings, err := Read(strings.NewReader(tt.in))
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want containing %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(ds) != tt.dialogues {
				t.Errorf("got %d dialogues, want %d", len(ds), tt.dialogues)
			}
			if len(warnings) != len(tt.warnings) {
				t.Fatalf("warnings = %q, want %d", warnings, len(tt.warnings))
			}
			for i, w := range tt.warnings {
				if !strings.Contains(warnings[i], w) {
					t.Errorf("warning %d = %q, want containing %q", i, warnings[i], w)
				}
			}
			for _, d := range ds {
				for _, turn := range d.Turns {
					if turn.Role != Agent && turn.Role != Customer {
						t.Errorf("dialogue %s: role %q not normalised", d.ID, turn.Role)
					}
				}
			}
		})
	}
}

func TestParseBlocks(t *testing.T) {
	in := `{"id":"d9","turns":[{"role":"用户","text":"额度怎么提高？"},{"role":"客服","text":""},{"role":"客服","text":"按时还款六个月后系统会自动评估。"}]}`
	doc, err := NewParser().Parse(context.Background(), "x.jsonl", strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(doc.Blocks) != 2 {
		t.Fatalf("blocks = %+v, want 2 (empty turn dropped)", doc.Blocks)
	}
	b := doc.Blocks[1]
	if b.Dialogue != "d9" || b.Role != Agent || b.TurnNo != 3 || b.Line != 1 {
		t.Errorf("block = %+v", b)
	}
}

func FuzzParse(f *testing.F) {
	f.Add(`{"id":"d1","turns":[{"role":"customer","text":"逾期了怎么办"}],"outcome":"resolved"}`)
	f.Add("{\"id\":\"d\xff\",\"turns\":[{}]}\n{}")
	f.Add("")
	f.Fuzz(func(t *testing.T, in string) {
		doc, err := NewParser().Parse(context.Background(), "f.jsonl", strings.NewReader(in))
		if err != nil {
			return
		}
		for _, b := range doc.Blocks {
			if b.Dialogue == "" || (b.Role != Agent && b.Role != Customer) || b.Text == "" || b.TurnNo < 1 {
				t.Fatalf("invalid block %+v from %q", b, in)
			}
		}
	})
}
