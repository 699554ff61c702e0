package glossary

import (
	"context"
	"strings"
	"testing"
)

func FuzzDiscover(f *testing.F) {
	f.Add("随心贷是本公司的贷款。\n随心贷可以展期。\n展期是指延长期限。\n展期，即延期", uint8(2), uint8(6))
	f.Add("安心分安心分安心分安心分\n\n\n宽限期宽限期", uint8(1), uint8(2))
	f.Add("\xff\xfe无效字节\u3000〇〇〇々々\n第十条第十条", uint8(0), uint8(9))
	f.Add(strings.Repeat("惠享贷，", 50), uint8(3), uint8(0))
	f.Fuzz(func(t *testing.T, corpus string, minFreq, maxLen uint8) {
		texts := strings.Split(corpus, "\n")
		opt := Options{MinFreq: int(minFreq % 4), MaxLen: int(maxLen % 10), MinPMI: -1, MinEntropy: -1, MinSimilarity: -1, MaxNgrams: 1}
		res, err := Discover(context.Background(), texts, KnownFunc(func(w string) bool { return w == "贷款" }), opt)
		if err != nil {
			t.Fatal(err)
		}
		for _, tm := range res.Terms {
			if !strings.Contains(corpus, tm.Term) || tm.Freq <= 0 {
				t.Errorf("term %+v not in the corpus", tm)
			}
		}
		validItems(t, res.Items())
	})
}
