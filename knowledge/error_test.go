package knowledge

import (
	"errors"
	"fmt"
	"testing"
)

func TestErrorTexts(t *testing.T) {
	cause := errors.New("disk I/O error at /data/lore.db")
	cases := []struct {
		name      string
		err       error
		text, msg string
		code      Code
	}{
		{"Errorf wraps its cause into the message", Errorf(Invalid, "op", "bad file: %w", cause),
			"op: bad file: disk I/O error at /data/lore.db", "bad file: disk I/O error at /data/lore.db", Invalid},
		{"a plain message keeps its cause for logs only", &Error{Code: Unavailable, Op: "sqlite.Get", Message: "the database failed", Err: cause},
			"sqlite.Get: the database failed: disk I/O error at /data/lore.db", "the database failed", Unavailable},
		{"wrapped again", fmt.Errorf("ingest: %w", &Error{Code: NotFound, Message: "no item"}),
			"ingest: no item", "no item", NotFound},
		{"not ours", cause, "disk I/O error at /data/lore.db", "internal error / 内部错误", Internal},
	}
	for _, c := range cases {
		if got := c.err.Error(); got != c.text {
			t.Errorf("%s: Error() = %q, want %q", c.name, got, c.text)
		}
		if got := ErrorMessage(c.err); got != c.msg {
			t.Errorf("%s: ErrorMessage = %q, want %q", c.name, got, c.msg)
		}
		if got := ErrorCode(c.err); got != c.code {
			t.Errorf("%s: ErrorCode = %q, want %q", c.name, got, c.code)
		}
	}
	if ErrorCode(nil) != "" {
		t.Error("ErrorCode(nil) is not empty")
	}
}
