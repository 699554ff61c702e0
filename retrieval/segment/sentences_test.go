package segment

import (
	"reflect"
	"testing"
)

func TestSentences(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"chinese ends", "借款人应当按期还款。逾期的，按日计收罚息！是否可以展期？",
			[]string{"借款人应当按期还款。", "逾期的，按日计收罚息！", "是否可以展期？"}},
		{"closing quote stays", "客服说：“请您放心。”然后挂断了。",
			[]string{"客服说：“请您放心。”", "然后挂断了。"}},
		{"semicolon and ellipsis", "一是核实身份；二是告知费用……三是记录。",
			[]string{"一是核实身份；", "二是告知费用……", "三是记录。"}},
		{"decimal is not an end", "The rate is 3.5 percent. It applies daily.",
			[]string{"The rate is 3.5 percent.", "It applies daily."}},
		{"line breaks end sentences", "第一行\n第二行没有句号", []string{"第一行", "第二行没有句号"}},
		{"empty", "  \n ", nil},
		{"no end mark", "没有标点的一句话", []string{"没有标点的一句话"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Sentences(tt.in); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Sentences(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
