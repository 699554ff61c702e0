package knowledge

import (
	"errors"
	"fmt"
	"strings"
)

// Code classifies an Error. The HTTP surface maps each code to one status.
type Code string

// Error codes.
const (
	Invalid     Code = "invalid"     // the request or input is malformed
	NotFound    Code = "not_found"   // the thing asked for does not exist
	Conflict    Code = "conflict"    // another operation holds what is needed
	Unsupported Code = "unsupported" // a format or feature Lore does not handle
	Unavailable Code = "unavailable" // a dependency is down or timed out
	Internal    Code = "internal"    // a bug or an unexpected failure
)

// Error is Lore's error: a code, the operation that failed, a message a
// person understands, and the cause.
type Error struct {
	Code    Code
	Op      string // e.g. "sqlite.SyncSource"
	Message string // what was wrong and, where useful, what to do
	Err     error  // cause, may be nil
}

// Error renders "Op: Message", followed by the cause's text when Message
// does not hold it already (Errorf puts a wrapped cause's text into
// Message; an Error built with a plain Message keeps its cause for logs).
func (e *Error) Error() string {
	msg := e.Message
	if e.Err != nil && !strings.Contains(msg, e.Err.Error()) {
		if msg != "" {
			msg += ": "
		}
		msg += e.Err.Error()
	}
	if e.Op != "" {
		return e.Op + ": " + msg
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf builds an Error with a formatted message. A %w verb in format
// wraps its operand as the cause.
func Errorf(code Code, op, format string, args ...any) error {
	err := fmt.Errorf(format, args...)
	return &Error{Code: code, Op: op, Message: err.Error(), Err: errors.Unwrap(err)}
}

// ErrorCode returns the code of the first Error in err's chain, Internal for
// any other non-nil error, and "" for nil.
func ErrorCode(err error) Code {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// ErrorMessage returns the message of the first Error in err's chain, or a
// generic message for other errors, so internals do not leak to users.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) && e.Message != "" {
		return e.Message
	}
	return "internal error / 内部错误"
}
