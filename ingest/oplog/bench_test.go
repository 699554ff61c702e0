package oplog

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"runtime"
	"runtime/metrics"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkMineBPIC mines the BPIC 2012 log (262,200 events) from memory.
func BenchmarkMineBPIC(b *testing.B) {
	data, err := io.ReadAll(openBPIC(b))
	if err != nil {
		b.Fatal(err)
	}
	benchMine(b, data, bpicConfig(), 262200)
}

// BenchmarkMineSynthetic mines generated collections logs of 250k and 1M
// events whose cases are interleaved in time, as exports usually are. The
// peak-B/event metric (peak live heap above the input, per event) staying
// flat from 250k to 1M events shows that memory grows only by the compact
// per-event record, not by strings or maps per event.
func BenchmarkMineSynthetic(b *testing.B) {
	for _, n := range []int{250_000, 1_000_000} {
		data := synthLog(n)
		b.Run(strconv.Itoa(n/1000)+"k", func(b *testing.B) {
			benchMine(b, data, Config{
				CaseType: CaseTypeRule{Column: "stage"},
				Outcome:  OutcomeRule{Activities: []string{"结案"}, Column: "result", Success: []string{"已还款"}},
			}, n)
		})
	}
}

func benchMine(b *testing.B, data []byte, cfg Config, events int) {
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	runtime.GC()
	base := liveHeap()
	var peak atomic.Uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // sample the live heap while mining
		defer wg.Done()
		for {
			if h := liveHeap(); h > peak.Load() {
				peak.Store(h)
			}
			select {
			case <-stop:
				return
			case <-time.After(time.Millisecond):
			}
		}
	}()
	var res *Result
	b.ResetTimer()
	start := time.Now()
	for b.Loop() {
		var err error
		res, err = Mine(context.Background(), bytes.NewReader(data), cfg)
		if err != nil {
			b.Fatal(err)
		}
	}
	elapsed := time.Since(start)
	b.StopTimer()
	close(stop)
	wg.Wait()
	if res.Rows != events {
		b.Fatalf("mined %d rows, want %d", res.Rows, events)
	}
	b.ReportMetric(float64(events)*float64(b.N)/elapsed.Seconds(), "events/s")
	if p := peak.Load(); p > base {
		b.ReportMetric(float64(p-base)/float64(events), "peak-B/event")
	}
	runtime.GC()
	b.ReportMetric(float64(max(liveHeap(), base)-base)/1e6, "result-MB")
	runtime.KeepAlive(res)
}

var heapSample = []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}

// liveHeap returns the bytes of heap objects, live or not yet swept.
func liveHeap() uint64 {
	s := slices.Clone(heapSample)
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// synthLog writes a collections log of about n events: cases of 8 to 12
// events, interleaved by time, 3 stages, 40 agents.
func synthLog(n int) []byte {
	rng := rand.New(rand.NewPCG(7, 11))
	type ev struct {
		t    int64
		line string
	}
	evs := make([]ev, 0, n+16)
	base := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC).Unix()
	stages := []string{"M1", "M2", "M3"}
	steps := []string{"分案", "首次外呼", "核实身份", "告知欠款", "协商还款", "承诺还款", "发送还款提醒", "还款到账", "回访", "复核"}
	for c := 0; len(evs) < n; c++ {
		id := fmt.Sprintf("CS-%07d", c)
		stage := stages[rng.IntN(len(stages))]
		agent := fmt.Sprintf("C%02d", rng.IntN(40))
		t := base + rng.Int64N(90*86400)
		k := 7 + rng.IntN(4)
		ok := rng.Float64() < 0.7
		for i := 0; i < k && len(evs) < n-1; i++ {
			act := steps[i]
			if i > 1 && rng.Float64() < 0.1 {
				act = steps[rng.IntN(len(steps))]
			}
			t += rng.Int64N(6 * 3600)
			evs = append(evs, ev{t, id + "," + act + "," + time.Unix(t, 0).UTC().Format("2006-01-02 15:04:05") + "," + agent + "," + stage + ",\n"})
		}
		result := "承诺未兑现"
		if ok {
			result = "已还款"
		}
		t += rng.Int64N(86400)
		evs = append(evs, ev{t, id + ",结案," + time.Unix(t, 0).UTC().Format("2006-01-02 15:04:05") + "," + agent + "," + stage + "," + result + "\n"})
	}
	slices.SortStableFunc(evs, func(a, b ev) int { return int(a.t - b.t) })
	var buf bytes.Buffer
	buf.WriteString("case_id,activity,timestamp,resource,stage,result\n")
	for _, e := range evs[:n] {
		buf.WriteString(e.line)
	}
	return buf.Bytes()
}
