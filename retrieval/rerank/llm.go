package rerank

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tmc/langchaingo/llms"
	"github.com/tmc/langchaingo/llms/openai"

	"github.com/lorehq/lore/knowledge"
)

// Config configures the LLM reranker.
type Config struct {
	BaseURL string        // e.g. http://127.0.0.1:8000/v1
	Model   string        // chat model name
	APIKey  string        // bearer token; any non-empty value for a server without auth
	TopN    int           // candidates shown to the model; <= 0 means 20
	Timeout time.Duration // per call; <= 0 means 30 s
}

// LLM is a listwise reranker: it shows the model the question and the top
// candidates, numbered, and asks for the numbers of the relevant ones,
// best first.
type LLM struct {
	model llms.Model
	cfg   Config
}

// New returns an LLM reranker. It does not call the model.
func New(cfg Config) (*LLM, error) {
	if cfg.Model == "" || cfg.BaseURL == "" {
		return nil, knowledge.Errorf(knowledge.Invalid, "rerank.New", "a reranker needs a base URL and a model / 重排序需要配置地址和模型")
	}
	if cfg.TopN <= 0 {
		cfg.TopN = 20
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	key := cfg.APIKey
	if key == "" {
		key = "none"
	}
	m, err := openai.New(openai.WithBaseURL(cfg.BaseURL), openai.WithModel(cfg.Model), openai.WithToken(key),
		openai.WithHTTPClient(&http.Client{Timeout: cfg.Timeout}))
	if err != nil {
		return nil, knowledge.Errorf(knowledge.Invalid, "rerank.New", "cannot set up the reranker / 无法初始化重排序: %w", err)
	}
	return &LLM{model: m, cfg: cfg}, nil
}

// maxSnippet bounds each candidate's text in the prompt, in characters.
const maxSnippet = 300

// Prompt renders the question and the candidates for the model.
func Prompt(question string, hits []knowledge.Hit) string {
	var b strings.Builder
	b.WriteString("You rank knowledge-base entries for a customer-service staff question. / 请为客服人员的问题对知识条目排序。\n")
	b.WriteString("Question / 问题: " + question + "\n\nCandidates / 候选:\n")
	for i, h := range hits {
		text := strings.Join(strings.Fields(h.Item.Title+" "+h.Item.Body), " ")
		if utf8.RuneCountInString(text) > maxSnippet {
			text = string([]rune(text)[:maxSnippet]) + "…"
		}
		fmt.Fprintf(&b, "[%d] (%s) %s\n", i+1, h.Item.Kind, text)
	}
	b.WriteString("\nAnswer with the numbers of the candidates that help answer the question, most useful first, as a JSON array such as [3, 1, 7]. Leave out the irrelevant ones. Output only the array.\n")
	return b.String()
}

var arrayRe = regexp.MustCompile(`\[[\d\s,]*\]`)

// ParseOrder reads the model's answer: the first JSON-like array of
// candidate numbers (1..n). Numbers out of range and repeats are dropped.
func ParseOrder(answer string, n int) ([]int, error) {
	m := arrayRe.FindString(answer)
	if m == "" {
		return nil, errors.New("the model's answer holds no array of candidate numbers / 模型回答中没有候选编号数组")
	}
	var order []int
	seen := map[int]bool{}
	for _, f := range strings.FieldsFunc(strings.Trim(m, "[]"), func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\t' }) {
		k, err := strconv.Atoi(f)
		if err != nil || k < 1 || k > n || seen[k] {
			continue
		}
		seen[k] = true
		order = append(order, k-1)
	}
	return order, nil
}

// Rerank implements retrieval.Reranker: the candidates the model names
// come first, in its order, then the rest of the top N and the pool in
// their fused order. Scores are 1/(1+position), positive and falling.
func (l *LLM) Rerank(ctx context.Context, query string, hits []knowledge.Hit) ([]knowledge.Hit, error) {
	n := min(len(hits), l.cfg.TopN)
	if n < 2 {
		return hits, nil
	}
	answer, err := llms.GenerateFromSinglePrompt(ctx, l.model, Prompt(query, hits[:n]), llms.WithTemperature(0))
	if err != nil {
		return nil, knowledge.Errorf(knowledge.Unavailable, "rerank.Rerank", "the reranking model failed / 重排序模型调用失败: %w", err)
	}
	order, err := ParseOrder(answer, n)
	if err != nil {
		return nil, knowledge.Errorf(knowledge.Unavailable, "rerank.Rerank", "%w", err)
	}
	out := make([]knowledge.Hit, 0, len(hits))
	picked := make([]bool, len(hits))
	for _, i := range order {
		out = append(out, hits[i])
		picked[i] = true
	}
	for i, h := range hits {
		if !picked[i] {
			out = append(out, h)
		}
	}
	for i := range out {
		out[i].Score = 1 / float64(1+i)
	}
	return out, nil
}
