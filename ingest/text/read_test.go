package text

import (
	"context"
	"errors"
	"strings"
	"testing"
	"testing/iotest"
)

func TestRead(t *testing.T) {
	done, cancel := context.WithCancel(context.Background())
	cancel()
	for _, tc := range []struct {
		name string
		ctx  context.Context
		in   string
		fail bool
		want string
	}{
		{"text", context.Background(), "\ufeff还款须知", false, "还款须知"},
		{"cancelled", done, "还款须知", true, "csv: parse a.csv: context canceled"},
		{"empty", context.Background(), "", true, "文件为空"},
	} {
		got, err := Read(tc.ctx, "csv", "a.csv", strings.NewReader(tc.in))
		if tc.fail {
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%s: err = %v, want %q", tc.name, err, tc.want)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("%s: Read = %q, %v; want %q", tc.name, got, err, tc.want)
		}
	}
	boom := errors.New("disk gone")
	if _, err := ReadAll(context.Background(), "csv", "a.csv", iotest.ErrReader(boom)); !errors.Is(err, boom) || !strings.Contains(err.Error(), "无法读取文件") {
		t.Errorf("reader failure: %v", err)
	}
}
