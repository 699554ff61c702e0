package mine

import (
	"testing"
	"unicode/utf8"
)

func TestWithoutCourtesy(t *testing.T) {
	tests := []struct{ in, want string }{
		{"您好，我是客服赵磊。可以的，每笔借款每年可以修改一次还款日。", "可以的，每笔借款每年可以修改一次还款日。"},
		{"您好，我是安和消费金融在线客服王敏，很高兴为您服务。您的还款日是每月15日。", "您的还款日是每月15日。"},
		{"非常理解您的心情。您好，我是客服王敏。我马上帮您查清楚这笔费用。", "非常理解您的心情。我马上帮您查清楚这笔费用。"},
		{"感谢您的耐心等待！已经为您登记异议，三个工作日内回复。", "已经为您登记异议，三个工作日内回复。"},
		{"您好，我是客服赵磊。", "您好，我是客服赵磊。"},                         // nothing but courtesy: kept
		{"您好，提前结清不收手续费。", "您好，提前结清不收手续费。"},                   // a greeting that answers
		{"我是说您的额度会在审核后恢复。请耐心等一等。", "我是说您的额度会在审核后恢复。请耐心等一等。"}, // 我是 that introduces no one
		{"可以在App里申请，无需到网点办理", "可以在App里申请，无需到网点办理"},           // no sentence end
	}
	for _, tc := range tests {
		if got := withoutCourtesy(tc.in); got != tc.want {
			t.Errorf("withoutCourtesy(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func FuzzWithoutCourtesy(f *testing.F) {
	f.Add("您好，我是客服赵磊。可以的。")
	f.Add("\xff。您好！")
	f.Fuzz(func(t *testing.T, s string) {
		got := withoutCourtesy(s)
		if got != s && (len(got) > len(s) || got == "") {
			t.Fatalf("withoutCourtesy(%q) = %q", s, got)
		}
		if utf8.ValidString(s) && !utf8.ValidString(got) {
			t.Fatalf("invalid UTF-8 from %q", s)
		}
	})
}
