package qdrant

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/lorehq/lore/knowledge"
	qc "github.com/qdrant/go-client/qdrant"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// call runs one Qdrant request: each attempt under s.cfg.Timeout, retried
// with exponential backoff while the failure is transient (Unavailable,
// DeadlineExceeded, ResourceExhausted). Every request the store sends is
// idempotent or conditional, so repeating one that did reach the server is
// safe. The error is a *knowledge.Error naming the verb and collection.
func call[T any](ctx context.Context, s *Store, verb, coll string, fn func(context.Context) (T, error)) (T, error) {
	wait := s.cfg.Backoff
	for attempt := 0; ; attempt++ {
		actx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
		res, err := fn(actx)
		cancel()
		if err == nil {
			return res, nil
		}
		if ctx.Err() != nil || attempt >= s.cfg.Retries || !transient(err) {
			var zero T
			return zero, s.wrap(verb, coll, err)
		}
		d := wait
		var re *qc.QdrantResourceExhaustedError
		if errors.As(err, &re) && time.Duration(re.RetryAfterS)*time.Second > d {
			d = time.Duration(re.RetryAfterS) * time.Second
		}
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			var zero T
			return zero, s.wrap(verb, coll, err)
		case <-t.C:
		}
		wait *= 2
	}
}

// transient reports whether a failed request is worth repeating.
func transient(err error) bool {
	var re *qc.QdrantResourceExhaustedError
	if errors.As(err, &re) {
		return true
	}
	switch status.Code(err) {
	case codes.Unavailable, codes.DeadlineExceeded, codes.ResourceExhausted:
		return true
	}
	return false
}

// wrap turns a gRPC failure into a knowledge.Error with the matching code.
func (s *Store) wrap(verb, coll string, err error) error {
	code := knowledge.Internal
	var re *qc.QdrantResourceExhaustedError
	switch {
	case errors.As(err, &re):
		code = knowledge.Unavailable
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		code = knowledge.Unavailable
	default:
		switch status.Code(err) {
		case codes.Unavailable, codes.DeadlineExceeded, codes.ResourceExhausted, codes.Canceled, codes.Unauthenticated, codes.PermissionDenied:
			code = knowledge.Unavailable
		case codes.NotFound:
			code = knowledge.NotFound
		case codes.InvalidArgument, codes.OutOfRange, codes.FailedPrecondition:
			code = knowledge.Invalid
		case codes.AlreadyExists, codes.Aborted:
			code = knowledge.Conflict
		case codes.Unimplemented:
			code = knowledge.Unsupported
		}
	}
	what := verb
	if coll != "" {
		what = fmt.Sprintf("%s %q", verb, coll)
	}
	if code == knowledge.Unavailable {
		return knowledge.Errorf(code, "qdrant", "%s at %s: %w (Qdrant unavailable / Qdrant 不可用，请检查服务与网络)", what, s.addr, err)
	}
	return knowledge.Errorf(code, "qdrant", "%s: %w", what, err)
}

// internalf reports a response the store cannot make sense of.
func internalf(format string, args ...any) error {
	return knowledge.Errorf(knowledge.Internal, "qdrant", format, args...)
}
