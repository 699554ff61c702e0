package ui

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/gofiber/fiber/v2"

	"github.com/lorehq/lore/knowledge"
)

// statusOf maps each error code to its HTTP status. It is the one place
// where that mapping lives; a code missing here answers 500.
var statusOf = map[knowledge.Code]int{
	knowledge.Invalid:     http.StatusBadRequest,
	knowledge.NotFound:    http.StatusNotFound,
	knowledge.Conflict:    http.StatusConflict,
	knowledge.Unsupported: http.StatusUnsupportedMediaType,
	knowledge.Unavailable: http.StatusServiceUnavailable,
	knowledge.Internal:    http.StatusInternalServerError,
}

// errorBody is the JSON of every error response.
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    knowledge.Code `json:"code"`
	Message string         `json:"message"`
}

// problem is what a user is told about err: the status, the code and a
// message that does not leak internals.
func (s *Server) problem(c *fiber.Ctx, err error) (int, errorDetail) {
	var fe *fiber.Error
	switch {
	case errors.As(err, &fe):
		return s.fiberProblem(c, fe)
	case errors.Is(err, context.DeadlineExceeded):
		return http.StatusServiceUnavailable, errorDetail{knowledge.Unavailable, "请求超时，请稍后重试 / the request timed out; try again later"}
	case errors.Is(err, context.Canceled):
		return http.StatusServiceUnavailable, errorDetail{knowledge.Unavailable, "请求已取消 / the request was cancelled"}
	}
	code := knowledge.ErrorCode(err)
	status, ok := statusOf[code]
	if !ok {
		code, status = knowledge.Internal, http.StatusInternalServerError
	}
	msg := knowledge.ErrorMessage(err)
	if code == knowledge.Internal {
		// An internal error's message may name files, queries or state a
		// user has no business seeing; the log gets it, the user does not.
		s.log.Error("internal error", "method", c.Method(), "path", c.Path(), "err", err)
		msg = "内部错误，请稍后重试或联系管理员 / internal error; try again later or contact an administrator"
	}
	return status, errorDetail{code, msg}
}

// fiberProblem explains the errors fiber and fasthttp raise themselves,
// keeping their status.
func (s *Server) fiberProblem(c *fiber.Ctx, fe *fiber.Error) (int, errorDetail) {
	status := fe.Code
	switch status {
	case http.StatusNotFound:
		return status, errorDetail{knowledge.NotFound, fmt.Sprintf("没有这个地址：%s %s / no such page or endpoint: %s %s", c.Method(), c.Path(), c.Method(), c.Path())}
	case http.StatusMethodNotAllowed:
		return status, errorDetail{knowledge.Invalid, fmt.Sprintf("这个地址不支持 %s 方法 / %s is not allowed here", c.Method(), c.Method())}
	case http.StatusRequestEntityTooLarge:
		return status, errorDetail{knowledge.Invalid, fmt.Sprintf("请求体超过上限 %d 字节 / the request body is larger than the limit of %d bytes", s.bodyLimit(), s.bodyLimit())}
	case http.StatusRequestHeaderFieldsTooLarge:
		return status, errorDetail{knowledge.Invalid, "请求头太大 / the request headers are too large"}
	case http.StatusRequestTimeout:
		return status, errorDetail{knowledge.Unavailable, "读取请求超时 / the request took too long to arrive"}
	case http.StatusServiceUnavailable:
		return status, errorDetail{knowledge.Unavailable, "服务暂不可用，请稍后重试 / the service is unavailable; try again later"}
	}
	if status >= 400 && status < 500 {
		return status, errorDetail{knowledge.Invalid, "请求无效 / bad request: " + fe.Message}
	}
	s.log.Error("server error", "method", c.Method(), "path", c.Path(), "status", status, "err", fe.Message)
	return http.StatusInternalServerError, errorDetail{knowledge.Internal, "内部错误，请稍后重试或联系管理员 / internal error; try again later or contact an administrator"}
}

// handleError is the fiber ErrorHandler: every error that reaches it is
// answered as JSON.
func (s *Server) handleError(c *fiber.Ctx, err error) error {
	status, detail := s.problem(c, err)
	// A handler may have set headers for a body it never sent.
	c.Response().Header.Del(fiber.HeaderCacheControl)
	return c.Status(status).JSON(errorBody{Error: detail})
}

func (s *Server) bodyLimit() int {
	if s.cfg.BodyLimit > 0 {
		return s.cfg.BodyLimit
	}
	return fiber.DefaultBodyLimit
}

// invalid is a knowledge.Invalid error from the HTTP layer.
func invalid(format string, args ...any) error {
	return knowledge.Errorf(knowledge.Invalid, "ui", format, args...)
}
