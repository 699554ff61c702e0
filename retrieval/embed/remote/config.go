package remote

import (
	"net/url"
	"strings"
	"time"

	"github.com/lorehq/lore/knowledge"
)

// Providers Config.Provider names.
const (
	ProviderOpenAI = "openai" // an OpenAI-compatible /v1/embeddings endpoint
	ProviderOllama = "ollama" // an Ollama server, POST /api/embed
)

// Defaults applied by New to zero Config fields.
const (
	DefaultOpenAIURL = "https://api.openai.com/v1"
	DefaultOllamaURL = "http://127.0.0.1:11434"
	DefaultBatchSize = 32
	DefaultTimeout   = 60 * time.Second
	DefaultRetries   = 3
)

// Config configures a remote Embedder. Zero fields take the documented
// defaults.
type Config struct {
	// Provider is ProviderOpenAI or ProviderOllama (case-insensitive).
	Provider string
	// BaseURL is the endpoint's root. For OpenAI-compatible servers it
	// includes the version path, e.g. https://api.openai.com/v1 or
	// http://localhost:8000/v1; requests go to BaseURL + "/embeddings".
	// For Ollama it is the server, e.g. http://127.0.0.1:11434. Defaults:
	// DefaultOpenAIURL, DefaultOllamaURL.
	BaseURL string
	// Model is the embedding model's name, e.g. text-embedding-3-small or
	// bge-m3. Required.
	Model string
	// APIKey is sent as a Bearer token. Required for ProviderOpenAI (any
	// non-empty value for a server without authentication); not used by
	// Ollama.
	APIKey string
	// Dim is the length of the model's vectors, which the store's must
	// equal. A model answering with another length is an error (Conflict).
	// 0 asks New to probe the model once and take its length.
	Dim int
	// BatchSize is the most texts sent in one call. Default DefaultBatchSize.
	BatchSize int
	// Timeout bounds each HTTP request, reading the answer included.
	// Default DefaultTimeout.
	Timeout time.Duration
	// Retries is how many times a call that failed transiently is tried
	// again. 0 means DefaultRetries; a negative value means never.
	Retries int
	// CacheDir is the directory of the vector cache (file CacheFile),
	// created if missing. Empty means no cache.
	CacheDir string
}

// withDefaults returns cfg with defaults applied and checks it.
func (cfg Config) withDefaults() (Config, error) {
	const op = "remote.New"
	cfg.Provider = strings.ToLower(strings.TrimSpace(cfg.Provider))
	cfg.Model = strings.TrimSpace(cfg.Model)
	cfg.BaseURL = strings.TrimRight(strings.TrimSpace(cfg.BaseURL), "/")
	switch cfg.Provider {
	case ProviderOpenAI:
		if cfg.BaseURL == "" {
			cfg.BaseURL = DefaultOpenAIURL
		}
		if cfg.APIKey == "" {
			return cfg, knowledge.Errorf(knowledge.Invalid, op,
				"the openai embedding provider needs an API key (any non-empty value for a server without authentication) / openai 嵌入服务需要配置 API key")
		}
	case ProviderOllama:
		if cfg.BaseURL == "" {
			cfg.BaseURL = DefaultOllamaURL
		}
	case "":
		return cfg, knowledge.Errorf(knowledge.Invalid, op,
			"no embedding provider configured; use %q or %q / 未配置嵌入服务类型", ProviderOpenAI, ProviderOllama)
	default:
		return cfg, knowledge.Errorf(knowledge.Invalid, op,
			"unknown embedding provider %q; use %q or %q / 未知的嵌入服务类型 %q", cfg.Provider, ProviderOpenAI, ProviderOllama, cfg.Provider)
	}
	if cfg.Model == "" {
		return cfg, knowledge.Errorf(knowledge.Invalid, op, "no embedding model configured / 未配置嵌入模型")
	}
	u, err := url.Parse(cfg.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return cfg, knowledge.Errorf(knowledge.Invalid, op,
			"embedding base URL %q is not an http(s) URL / 嵌入服务地址无效", cfg.BaseURL)
	}
	if cfg.Dim < 0 {
		return cfg, knowledge.Errorf(knowledge.Invalid, op, "embedding dimension %d is negative / 向量维度不能为负", cfg.Dim)
	}
	if cfg.BatchSize < 0 {
		return cfg, knowledge.Errorf(knowledge.Invalid, op, "embedding batch size %d is negative / 批大小不能为负", cfg.BatchSize)
	}
	if cfg.BatchSize == 0 {
		cfg.BatchSize = DefaultBatchSize
	}
	if cfg.Timeout < 0 {
		return cfg, knowledge.Errorf(knowledge.Invalid, op, "embedding timeout %s is negative / 超时不能为负", cfg.Timeout)
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultTimeout
	}
	switch {
	case cfg.Retries == 0:
		cfg.Retries = DefaultRetries
	case cfg.Retries < 0:
		cfg.Retries = 0
	}
	return cfg, nil
}
