package remote

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// langchaingo's clients turn HTTP failures into strings (and hide timeouts
// behind generic messages), so the embedder cannot tell a 429 from a 400 by
// the error it gets. recorder, the transport under those clients, notes
// the status and any transport or body error of the last request of a call
// in the call's attempt, found through the request's context.

// attempt is what the transport saw of the last HTTP request of one call.
type attempt struct {
	mu         sync.Mutex
	requests   int
	status     int           // last status, 0 when no answer came
	retryAfter time.Duration // from a Retry-After header in seconds
	err        error         // transport or body-read error of the last request
}

type attemptKey struct{}

func withAttempt(ctx context.Context, a *attempt) context.Context {
	return context.WithValue(ctx, attemptKey{}, a)
}

// snapshot returns the recorded status, Retry-After and error.
func (a *attempt) snapshot() (status int, retryAfter time.Duration, err error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.status, a.retryAfter, a.err
}

// recorder is an http.RoundTripper that records into the request's
// attempt, when it has one.
type recorder struct{ base http.RoundTripper }

func (t recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	a, _ := req.Context().Value(attemptKey{}).(*attempt)
	resp, err := t.base.RoundTrip(req)
	if a == nil {
		return resp, err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.requests++
	a.status, a.retryAfter, a.err = 0, 0, withCause(req.Context(), err)
	if err != nil {
		return resp, err
	}
	a.status = resp.StatusCode
	if s, convErr := strconv.Atoi(resp.Header.Get("Retry-After")); convErr == nil && s >= 0 {
		a.retryAfter = time.Duration(s) * time.Second
	}
	resp.Body = &recordingBody{ReadCloser: resp.Body, a: a, ctx: req.Context()}
	return resp, nil
}

// recordingBody notes a failed read of a response body, such as the
// client's timeout striking while the answer streams in.
type recordingBody struct {
	io.ReadCloser
	a   *attempt
	ctx context.Context
}

func (b *recordingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil && !errors.Is(err, io.EOF) {
		b.a.mu.Lock()
		b.a.err = withCause(b.ctx, err)
		b.a.mu.Unlock()
	}
	return n, err
}

// withCause adds the request context's error to err. http.Client enforces
// its Timeout on a transport it does not know by cancelling the request
// ("net/http: request canceled") and by a deadline on the request's
// context; the deadline tells that this was a timeout. The cancellation
// may come before the context's own timer marks it expired, hence the
// clock check.
func withCause(ctx context.Context, err error) error {
	if err == nil {
		return nil
	}
	cause := ctx.Err()
	if dl, ok := ctx.Deadline(); cause == nil && ok && !time.Now().Before(dl) {
		cause = context.DeadlineExceeded
	}
	if cause == nil || errors.Is(err, cause) {
		return err
	}
	return errors.Join(err, cause)
}

// isTimeout reports whether err is a deadline or network timeout.
func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout())
}
