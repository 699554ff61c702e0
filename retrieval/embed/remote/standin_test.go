package remote

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/lorehq/lore/knowledge"
	"github.com/lorehq/lore/retrieval/embed"
	"github.com/lorehq/lore/retrieval/segment"
)

// The stand-ins below mimic the two embedding APIs on loopback: OpenAI's
// POST /v1/embeddings and Ollama's POST /api/embed, with their request and
// response JSON and their error bodies. Their vectors are a deterministic,
// deliberately unnormalised function of the text (rawVector), so a test can
// tell which text a vector belongs to and whether it was normalised.

const (
	testKey   = "sk-test-lore"
	testModel = "bge-m3"
)

// rawVector is the stand-ins' vector of text: components in [-3, 3) drawn
// from SHA-256 of the text and the position.
func rawVector(text string, dim int) []float32 {
	v := make([]float32, dim)
	for i := range v {
		h := sha256.Sum256(fmt.Appendf(nil, "%d\x00%s", i, text))
		u := float64(binary.LittleEndian.Uint32(h[:4])) / (1 << 32)
		v[i] = float32(6*u - 3)
	}
	return v
}

// unitVector is rawVector normalised, the Dense the embedder must return.
func unitVector(text string, dim int) []float32 {
	v := rawVector(text, dim)
	normalize(v)
	return v
}

// standIn is the state common to both stand-ins.
type standIn struct {
	dim int // length of the vectors it returns
	// override, when set, may answer request n (0-based) itself and
	// returns whether it did.
	override func(n int, w http.ResponseWriter, r *http.Request) bool

	mu      sync.Mutex
	batches [][]string // inputs of each well-formed request, in order
	n       int        // requests received
}

func (s *standIn) next(w http.ResponseWriter, r *http.Request) (handled bool) {
	s.mu.Lock()
	n := s.n
	s.n++
	s.mu.Unlock()
	return s.override != nil && s.override(n, w, r)
}

func (s *standIn) record(inputs []string) {
	s.mu.Lock()
	s.batches = append(s.batches, inputs)
	s.mu.Unlock()
}

// requests returns how many requests arrived.
func (s *standIn) requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.n
}

// sizes returns the number of inputs of each well-formed request.
func (s *standIn) sizes() []int {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []int
	for _, b := range s.batches {
		out = append(out, len(b))
	}
	return out
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// openAIError is the error body of the OpenAI API.
func openAIError(w http.ResponseWriter, status int, msg, typ, code string) {
	writeJSON(w, status, map[string]any{"error": map[string]any{
		"message": msg, "type": typ, "param": nil, "code": code}})
}

// newOpenAIStandIn serves the OpenAI embeddings API: bearer key testKey,
// model testModel, input a string or a list of strings.
func newOpenAIStandIn(t testing.TB, dim int) (*standIn, *httptest.Server) {
	s := &standIn{dim: dim}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.next(w, r) {
			return
		}
		if r.Method != http.MethodPost || r.URL.Path != "/v1/embeddings" {
			openAIError(w, http.StatusNotFound, "Invalid URL ("+r.Method+" "+r.URL.Path+")", "invalid_request_error", "")
			return
		}
		if r.Header.Get("Authorization") != "Bearer "+testKey {
			openAIError(w, http.StatusUnauthorized, "Incorrect API key provided.", "invalid_request_error", "invalid_api_key")
			return
		}
		var req struct {
			Model          string          `json:"model"`
			Input          json.RawMessage `json:"input"`
			EncodingFormat string          `json:"encoding_format"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			openAIError(w, http.StatusBadRequest, "We could not parse the JSON body of your request.", "invalid_request_error", "")
			return
		}
		inputs, ok := decodeInput(req.Input)
		if !ok || len(inputs) == 0 {
			openAIError(w, http.StatusBadRequest, "'input' is a required property", "invalid_request_error", "")
			return
		}
		for _, in := range inputs {
			if in == "" {
				openAIError(w, http.StatusBadRequest, "'$.input' is invalid.", "invalid_request_error", "")
				return
			}
		}
		if req.Model != testModel {
			openAIError(w, http.StatusNotFound, "The model `"+req.Model+"` does not exist or you do not have access to it.", "invalid_request_error", "model_not_found")
			return
		}
		s.record(inputs)
		data := make([]map[string]any, len(inputs))
		for i, in := range inputs {
			data[i] = map[string]any{"object": "embedding", "index": i, "embedding": rawVector(in, s.dim)}
		}
		writeJSON(w, http.StatusOK, map[string]any{
			"object": "list", "data": data, "model": req.Model,
			"usage": map[string]int{"prompt_tokens": 8 * len(inputs), "total_tokens": 8 * len(inputs)}})
	}))
	t.Cleanup(srv.Close)
	return s, srv
}

// newOllamaStandIn serves Ollama's /api/embed: model testModel, input a
// string or a list of strings, errors as {"error": "..."}.
func newOllamaStandIn(t testing.TB, dim int) (*standIn, *httptest.Server) {
	s := &standIn{dim: dim}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.next(w, r) {
			return
		}
		if r.URL.Path != "/api/embed" {
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, "404 page not found")
			return
		}
		if r.Method != http.MethodPost {
			writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"error": "method not allowed"})
			return
		}
		var req struct {
			Model     string          `json:"model"`
			Input     json.RawMessage `json:"input"`
			Truncate  *bool           `json:"truncate"`
			KeepAlive any             `json:"keep_alive"`
			Options   map[string]any  `json:"options"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
			return
		}
		if req.Model != testModel {
			writeJSON(w, http.StatusNotFound, map[string]string{"error": fmt.Sprintf("model %q not found, try pulling it first", req.Model)})
			return
		}
		inputs, ok := decodeInput(req.Input)
		if !ok {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid input type"})
			return
		}
		s.record(inputs)
		embs := make([][]float32, len(inputs))
		for i, in := range inputs {
			embs[i] = rawVector(in, s.dim)
		}
		writeJSON(w, http.StatusOK, map[string]any{
			"model": req.Model, "embeddings": embs,
			"total_duration": 14143917, "load_duration": 1019500, "prompt_eval_count": 8})
	}))
	t.Cleanup(srv.Close)
	return s, srv
}

// decodeInput reads an "input" that is a string or a list of strings.
func decodeInput(raw json.RawMessage) ([]string, bool) {
	var one string
	if err := json.Unmarshal(raw, &one); err == nil {
		return []string{one}, true
	}
	var many []string
	if err := json.Unmarshal(raw, &many); err == nil {
		return many, true
	}
	return nil, false
}

var (
	segOnce sync.Once
	seg     *segment.Segmenter
	segErr  error
)

// testOffline returns an offline embedder on the Segmenter shared by the
// tests of this binary: the sparse side under test.
func testOffline(tb testing.TB) *embed.Offline {
	tb.Helper()
	segOnce.Do(func() { seg, segErr = segment.New() })
	if segErr != nil {
		tb.Fatalf("segment.New: %v", segErr)
	}
	return embed.NewOffline(seg, 0)
}

// corpus is a small consumer-finance knowledge base of several kinds.
var corpus = []knowledge.Item{
	{ID: "penalty", Kind: knowledge.KindRule, Title: "第十二条 逾期罚息",
		Body: "借款人未按期足额归还贷款本息的，自逾期之日起按日计收罚息，罚息利率为合同约定利率上浮百分之五十，罚息不再计收复利。",
		Rule: &knowledge.Rule{DocTitle: "个人消费贷款业务管理办法", HeadingPath: []string{"第三章 贷后管理"}, Article: "第十二条"}},
	{ID: "prepay", Kind: knowledge.KindFAQ, Title: "提前还款是否收取违约金",
		Body: "借款满六个月后申请提前结清的，免收违约金；未满六个月的，按提前归还本金的百分之二收取违约金。",
		FAQ:  &knowledge.FAQ{Question: "提前还款要收违约金吗？", Variants: []string{"提前结清有没有手续费"}}},
	{ID: "collect", Kind: knowledge.KindRule, Title: "第二十条 催收行为规范",
		Body: "催收人员不得使用暴力、恐吓、侮辱等手段，不得在每日二十一时至次日八时之间拨打催收电话，不得向无关第三方透露债务信息。",
		Rule: &knowledge.Rule{DocTitle: "委外催收管理规定", Article: "第二十条"}},
	{ID: "credit", Kind: knowledge.KindPassage, Title: "征信报送说明",
		Body: "逾期记录将报送金融信用信息基础数据库，不良信息自不良行为终止之日起保存五年，可能影响信用卡和住房贷款审批。"},
	{ID: "install", Kind: knowledge.KindTerm, Title: "分期手续费",
		Body: "分期手续费按每期分摊，十二期的月手续费率为百分之零点六，折算年化利率约为百分之十三点一。",
		Term: &knowledge.Term{Term: "分期手续费", Synonyms: []string{"分期费", "分期服务费"}}},
	{ID: "hardship", Kind: knowledge.KindScript, Title: "客户因失业无法按时还款",
		Body:   "先确认客户目前的收入情况，表达理解，再说明可申请延期还款或调整还款计划，并告知需提交的失业证明材料。",
		Script: &knowledge.Script{Intent: "困难还款协商", CustomerState: "anxiety"}},
	{ID: "english", Kind: knowledge.KindPassage, Title: "Cooling-off period",
		Body: "A borrower may withdraw from the loan agreement within seven days of signing by repaying the principal; no interest or fee is charged for those days."},
	{ID: "kyc", Kind: knowledge.KindProcedure, Title: "身份核验流程",
		Body:      "坐席办理业务前须核对客户姓名、身份证号后四位和预留手机号，核验不通过的不得透露任何账户信息。",
		Procedure: &knowledge.Procedure{CaseType: "身份核验"}},
}

// newTest builds an Embedder for the stand-in srv with retries that wait
// a millisecond instead of half a second.
func newTest(t *testing.T, cfg Config) *Embedder {
	t.Helper()
	e, err := New(context.Background(), cfg, testOffline(t))
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	e.backoffBase = 1e6 // 1 ms
	t.Cleanup(func() { e.Close() })
	return e
}

// l2 returns the Euclidean norm of v.
func l2(v []float32) float64 {
	var s float64
	for _, x := range v {
		s += float64(x) * float64(x)
	}
	return math.Sqrt(s)
}
