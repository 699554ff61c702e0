package segment

import (
	"strings"
	"testing"
)

func TestSpecific(t *testing.T) {
	s := testSegmenter(t)
	cases := []struct{ text, want string }{
		{"住房按揭贷款现在的利率是多少？", "按揭"},
		{"客户的车险出险了怎么办？", "车险"},
		{"催收方面的投诉最晚多少天处理？", ""},
		{"能跟他说客户欠了多少钱吗？", ""},
		{"Do you sell travel insurance?", "sell travel insurance"},
		{"How long do you keep the data?", "data"},
	}
	for _, c := range cases {
		if got := strings.Join(s.Specific(c.text), " "); got != c.want {
			t.Errorf("Specific(%q) = %q, want %q", c.text, got, c.want)
		}
	}
}
