package mine

import (
	"context"
	"testing"
)

// BenchmarkMine mines 20,000 synthetic dialogues per iteration and reports
// the throughput in dialogues per second.
func BenchmarkMine(b *testing.B) {
	ds := synthesize(20000, 7)
	p := DefaultPolicy()
	b.ResetTimer()
	for b.Loop() {
		m, err := New(p)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := m.Mine(context.Background(), ds); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(ds)*b.N)/b.Elapsed().Seconds(), "dialogues/s")
}

// BenchmarkMaskPII measures masking one turn with a phone number and an
// amount.
func BenchmarkMaskPII(b *testing.B) {
	s := "您好，我手机号是13812345678，这期应还1,520.00元，卡号6222 0212 3456 7890 128。"
	for b.Loop() {
		MaskPII(s)
	}
}
