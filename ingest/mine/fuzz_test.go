package mine

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/lorehq/lore/knowledge"
)

var leftoverPhone = regexp.MustCompile(`(?:^|[^0-9A-Za-z_+])1[3-9][0-9]{9}(?:[^0-9A-Za-z_]|$)`)

// FuzzMine feeds arbitrary JSONL, CSV and transcript input through
// ExtractFile: it must not panic, and every item it returns must be
// well-formed and free of mobile numbers.
func FuzzMine(f *testing.F) {
	f.Add("a.jsonl", `{"id":"d1","outcome":"resolved","turns":[{"role":"customer","text":"提前还款要手续费吗？我手机13812345678"},{"role":"agent","text":"满3个月免手续费。"}]}`)
	f.Add("a.jsonl", `{"id":"d2","turns":[{"role":"agent","text":"再不还就通知你家人"},{"role":"客户","text":"我要投诉"}]}`+"\n{bad")
	f.Add("a.csv", "id,role,text\nc1,客户,额度怎么提？\nc1,客服,按时还款六个月后申请。\n")
	f.Add("a.txt", "=== t1 ===\n客户：还款日是几号？\n客服：每月10日。\n")
	f.Add("a.jsonl", "")
	f.Add("a.txt", "\xff\xfe\x00")
	m, err := New(DefaultPolicy())
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, name, in string) {
		items, _, err := m.ExtractFile(context.Background(), name, strings.NewReader(in))
		if err != nil {
			return
		}
		for _, it := range items {
			if (it.Kind != knowledge.KindFAQ || it.FAQ == nil) && (it.Kind != knowledge.KindScript || it.Script == nil) {
				t.Fatalf("malformed item %+v", it)
			}
			if len(it.Provenance) == 0 || it.Provenance[0].Dialogue == "" {
				t.Fatalf("item without dialogue provenance %+v", it)
			}
			if leftoverPhone.MatchString(it.Body) {
				t.Fatalf("mobile number left in %q", it.Body)
			}
		}
	})
}

// FuzzMaskPII checks that masking never panics, keeps valid UTF-8 valid,
// is idempotent and leaves no mobile number standing alone.
func FuzzMaskPII(f *testing.F) {
	for _, s := range []string{"手机13812345678", "+86 138 1234 5678", "a@b.cn", "6222 0212 3456 7890 128", "11010519880315241X", "@@@.", "1-3-8"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := MaskPII(s)
		if MaskPII(got) != got {
			t.Fatalf("not idempotent: %q → %q → %q", s, got, MaskPII(got))
		}
		if leftoverPhone.MatchString(got) {
			t.Fatalf("mobile number left in %q (from %q)", got, s)
		}
		if strings.ToValidUTF8(s, "") == s && strings.ToValidUTF8(got, "") != got {
			t.Fatalf("invalid UTF-8 from valid input %q", s)
		}
	})
}
