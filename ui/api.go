package ui

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"github.com/lorehq/lore/chat"
	"github.com/lorehq/lore/knowledge"
)

// Request bounds, checked here so a bad request is refused before any
// service runs.
const (
	maxQuestion  = 2000 // characters in a question or search text
	maxLimit     = 50   // sources or hits per request
	searchLimit  = 10   // hits when a search names no limit
	maxSpaces    = 20   // spaces per request
	maxSpaceName = 200  // characters in a space name
)

// chat answers a chat.Request as JSON, or as server-sent events when the
// client asks for text/event-stream or sets ?stream=1.
func (s *Server) chat(c *fiber.Ctx) error {
	stream, err := wantsStream(c)
	if err != nil {
		return err
	}
	if err := requireJSON(c.Get(fiber.HeaderContentType)); err != nil {
		return err
	}
	req, err := decodeChatRequest(c.Body())
	if err != nil {
		return err
	}
	ctx, cancel := s.work(c)
	defer cancel()
	ans, err := s.deps.Asker.Ask(ctx, req)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	if stream {
		return streamAnswer(c, ans)
	}
	return c.JSON(ans)
}

// wantsStream reports whether the client asked for SSE.
func wantsStream(c *fiber.Ctx) (bool, error) {
	if v := c.Query("stream"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return false, invalid("stream 只能是 1 或 0 / stream must be 1 or 0, not %q", v)
		}
		return b, nil
	}
	return strings.Contains(c.Get(fiber.HeaderAccept), "text/event-stream"), nil
}

// requireJSON refuses any body that is not declared as JSON.
func requireJSON(ct string) error {
	mt, _, err := mime.ParseMediaType(ct)
	if ct == "" || err != nil || (mt != fiber.MIMEApplicationJSON && !strings.HasSuffix(mt, "+json")) {
		if ct == "" {
			ct = "（无 none）"
		}
		return knowledge.Errorf(knowledge.Unsupported, "ui",
			"请求体须为 JSON，Content-Type 应为 application/json，收到的是 %s / the body must be JSON sent as Content-Type: application/json, not %s", ct, ct)
	}
	return nil
}

// decodeChatRequest parses and checks a chat request body. Every failure is
// a knowledge.Invalid error that says what to fix.
func decodeChatRequest(body []byte) (chat.Request, error) {
	var req chat.Request
	if len(bytes.TrimSpace(body)) == 0 {
		return req, invalid(`请求体为空，应为 {"question": "…"} / the request body is empty; send {"question": "…"}`)
	}
	if !utf8.Valid(body) {
		return req, invalid("请求体不是有效的 UTF-8 文本 / the request body is not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		return req, jsonProblem(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return req, invalid("请求体在 JSON 对象之后还有多余内容 / the request body has data after the JSON object")
	}
	return req, checkChatRequest(req)
}

// jsonProblem turns a decoding error into a message a person can act on.
func jsonProblem(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return invalid("请求体不是有效的 JSON（第 %d 字节附近）/ the request body is not valid JSON (near byte %d)", syn.Offset, syn.Offset)
	case errors.As(err, &typ):
		if typ.Field == "" {
			return invalid(`请求体应为 JSON 对象，例如 {"question": "…"} / the request body must be a JSON object such as {"question": "…"}`)
		}
		zh, en := jsonTypeName(typ.Type.String())
		return invalid("字段 %s 应为%s，收到的是 %s / field %q must be %s, not %s", typ.Field, zh, typ.Value, typ.Field, en, typ.Value)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return invalid("JSON 不完整 / the JSON ends too early")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.TrimPrefix(err.Error(), "json: unknown field ")
		return invalid("未知字段 %s，可用字段：question, spaces, kinds, limit / unknown field %s; use question, spaces, kinds, limit", field, field)
	}
	return invalid("无法解析请求体 / the request body cannot be read as a chat request")
}

// jsonTypeName names the JSON type a Go type decodes from, in Chinese and
// English.
func jsonTypeName(goType string) (zh, en string) {
	switch {
	case strings.HasPrefix(goType, "[]"):
		return "数组", "an array"
	case goType == "int":
		return "整数", "an integer"
	case goType == "string", goType == "knowledge.Kind":
		return "字符串", "a string"
	}
	return goType, goType
}

// checkChatRequest validates what decoding cannot.
func checkChatRequest(req chat.Request) error {
	q := strings.TrimSpace(req.Question)
	switch {
	case q == "":
		return invalid("问题不能为空 / the question is empty")
	case utf8.RuneCountInString(q) > maxQuestion:
		return invalid("问题超过 %d 个字符 / the question is longer than %d characters", maxQuestion, maxQuestion)
	case req.Limit < 0 || req.Limit > maxLimit:
		return invalid("limit 应在 1 到 %d 之间（0 表示默认），收到 %d / limit must be from 1 to %d (0 for the default), not %d", maxLimit, req.Limit, maxLimit, req.Limit)
	}
	if err := checkSpaces(req.Spaces); err != nil {
		return err
	}
	for _, k := range req.Kinds {
		if !k.Valid() {
			return unknownKind(string(k))
		}
	}
	return nil
}

func checkSpaces(spaces []string) error {
	if len(spaces) > maxSpaces {
		return invalid("最多可指定 %d 个知识空间 / name at most %d spaces", maxSpaces, maxSpaces)
	}
	for _, sp := range spaces {
		if strings.TrimSpace(sp) == "" || utf8.RuneCountInString(sp) > maxSpaceName {
			return invalid("知识空间名称为空或过长 / a space name is empty or too long")
		}
	}
	return nil
}

func unknownKind(k string) error {
	names := make([]string, len(knowledge.Kinds))
	for i, v := range knowledge.Kinds {
		names[i] = string(v)
	}
	list := strings.Join(names, ", ")
	return invalid("未知的知识类型 %q，可选：%s / unknown kind %q; use one of %s", k, list, k, list)
}

// searchResponse is the body of GET /api/v1/search.
type searchResponse struct {
	Hits []searchHit `json:"hits"`
}

// searchHit is one hit: the item, its fused score and its 1-based rank in
// the sparse and the dense ranking (0 when absent from that ranking).
type searchHit struct {
	Item       knowledge.Item `json:"item"`
	Score      float64        `json:"score"`
	SparseRank int            `json:"sparse_rank"`
	DenseRank  int            `json:"dense_rank"`
}

// search answers GET /api/v1/search?q=…&kind=…&space=…&limit=…. kind and
// space may repeat or hold comma-separated lists.
func (s *Server) search(c *fiber.Ctx) error {
	q := queryValue(c, "q")
	switch {
	case q == "":
		return invalid("缺少查询参数 q / the query parameter q is missing")
	case utf8.RuneCountInString(q) > maxQuestion:
		return invalid("查询文本超过 %d 个字符 / q is longer than %d characters", maxQuestion, maxQuestion)
	}
	var f knowledge.Filter
	for _, k := range queryList(c, "kind") {
		if !knowledge.Kind(k).Valid() {
			return unknownKind(k)
		}
		f.Kinds = append(f.Kinds, knowledge.Kind(k))
	}
	f.Spaces = queryList(c, "space")
	if err := checkSpaces(f.Spaces); err != nil {
		return err
	}
	if len(f.Spaces) == 0 {
		f.Spaces = []string{s.deps.DefaultSpace}
	}
	limit := searchLimit
	if v := c.Query("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxLimit {
			return invalid("limit 应为 1 到 %d 之间的整数，收到 %q / limit must be a whole number from 1 to %d, not %q", maxLimit, v, maxLimit, v)
		}
		limit = n
	}

	ctx, cancel := s.work(c)
	defer cancel()
	hits, err := s.deps.Searcher.Search(ctx, q, f, limit)
	if err != nil {
		return err
	}
	resp := searchResponse{Hits: make([]searchHit, len(hits))}
	for i, h := range hits {
		resp.Hits[i] = searchHit{Item: h.Item, Score: h.Score, SparseRank: h.SparseRank, DenseRank: h.DenseRank}
	}
	return c.JSON(resp)
}

// queryValue returns the trimmed value of a query parameter as a string of
// its own: fiber's strings point into a buffer reused after the handler
// returns, and these values travel on to services that may keep them.
func queryValue(c *fiber.Ctx, key string) string {
	return strings.Clone(strings.TrimSpace(c.Query(key)))
}

// queryList collects a repeated query parameter, splitting each value on
// commas and dropping empty parts.
func queryList(c *fiber.Ctx, key string) []string {
	var out []string
	for _, raw := range c.Context().QueryArgs().PeekMulti(key) {
		for _, part := range strings.Split(string(raw), ",") {
			if part = strings.TrimSpace(part); part != "" {
				out = append(out, part)
			}
		}
	}
	return out
}

// sourcesResponse is the body of GET /api/v1/sources.
type sourcesResponse struct {
	Space   string             `json:"space"`
	Sources []knowledge.Source `json:"sources"`
}

// sources answers GET /api/v1/sources?space=…: the ledger of the space
// (the default space when none is named), quarantined files with reasons.
func (s *Server) sources(c *fiber.Ctx) error {
	space, err := s.ledgerSpace(c)
	if err != nil {
		return err
	}
	ctx, cancel := s.work(c)
	defer cancel()
	srcs, err := s.deps.Ledger.Sources(ctx, space)
	if err != nil {
		return err
	}
	if srcs == nil {
		srcs = []knowledge.Source{}
	}
	return c.JSON(sourcesResponse{Space: space, Sources: srcs})
}

func (s *Server) ledgerSpace(c *fiber.Ctx) (string, error) {
	space := queryValue(c, "space")
	if space == "" {
		return s.deps.DefaultSpace, nil
	}
	return space, checkSpaces([]string{space})
}

type healthResponse struct {
	Status  string `json:"status"`
	Items   *int   `json:"items,omitempty"`
	Sources *int   `json:"sources,omitempty"`
}

// healthz answers 200 while the process serves at all.
func (s *Server) healthz(c *fiber.Ctx) error {
	return c.JSON(healthResponse{Status: "ok"})
}

// readyz answers 200 when the knowledge store answers, 503 otherwise.
func (s *Server) readyz(c *fiber.Ctx) error {
	ctx, cancel := s.work(c)
	defer cancel()
	st, err := s.deps.Ledger.Stats(ctx)
	if err != nil {
		s.log.Warn("not ready", "err", err)
		return c.Status(fiber.StatusServiceUnavailable).JSON(errorBody{Error: errorDetail{
			Code:    knowledge.Unavailable,
			Message: "知识库存储未就绪 / the knowledge store is not ready: " + knowledge.ErrorMessage(err),
		}})
	}
	return c.JSON(healthResponse{Status: "ok", Items: &st.Items, Sources: &st.Sources})
}
