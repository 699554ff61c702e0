package schedule

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	for spec, ok := range map[string]bool{
		"30 2 * * *": true, "@every 1h": true, "@daily": true,
		"": false, "every hour": false, "61 * * * *": false, "* * * * * *": false,
	} {
		if err := Parse(spec); (err == nil) != ok {
			t.Errorf("Parse(%q) = %v, want ok=%v", spec, err, ok)
		}
	}
}

func TestRunsSerialisedAndReports(t *testing.T) {
	var running, overlap, runs atomic.Int32
	job := func(ctx context.Context) error {
		if running.Add(1) > 1 {
			overlap.Add(1)
		}
		time.Sleep(20 * time.Millisecond)
		running.Add(-1)
		runs.Add(1)
		return errors.New("share unreadable")
	}
	var mu sync.Mutex
	reports := map[string]int{}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s, err := Start(ctx, []Job{{Name: "a", Spec: "@every 1s", Run: job}, {Name: "b", Spec: "@every 1s", Run: job}},
		func(name string, err error) {
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				reports[name]++
			}
		})
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for runs.Load() < 4 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	s.Stop()
	if runs.Load() < 4 {
		t.Fatalf("%d runs in 10 s, want at least 4", runs.Load())
	}
	if overlap.Load() != 0 {
		t.Errorf("%d runs overlapped", overlap.Load())
	}
	mu.Lock()
	defer mu.Unlock()
	if reports["a"] == 0 || reports["b"] == 0 {
		t.Errorf("errors reported per job: %v", reports)
	}
}

func TestStartRejectsBadSpec(t *testing.T) {
	if _, err := Start(context.Background(), []Job{{Name: "x", Spec: "sometimes"}}, func(string, error) {}); err == nil {
		t.Error("a bad schedule started")
	}
}

func TestRunSafely(t *testing.T) {
	err := runSafely(context.Background(), func(context.Context) error { panic("nil map") })
	if err == nil || !strings.Contains(err.Error(), "nil map") {
		t.Errorf("a panicking job gave %v, want an error naming the panic", err)
	}
}
