package configs

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Config is the whole configuration.
type Config struct {
	DataDir   string    `yaml:"data_dir"` // where the embedded store keeps its files
	Space     string    `yaml:"space"`    // default knowledge space
	Server    Server    `yaml:"server"`
	Ingest    Ingest    `yaml:"ingest"`
	Retrieval Retrieval `yaml:"retrieval"`
	Chat      Chat      `yaml:"chat"`
	Mining    Mining    `yaml:"mining"`
	Store     Store     `yaml:"store"`
	Embedding Embedding `yaml:"embedding"`
	Shares    []Share   `yaml:"shares"`
}

// Embedding configures an optional model-backed dense embedder. With no
// provider Lore embeds offline (hashed n-grams); with one, the dense part
// comes from the model and the sparse part stays offline.
type Embedding struct {
	Provider  string        `yaml:"provider"` // "", "openai" (any OpenAI-compatible server) or "ollama"
	BaseURL   string        `yaml:"base_url"` // e.g. http://127.0.0.1:11434 or https://host/v1
	Model     string        `yaml:"model"`
	APIKey    string        `yaml:"api_key"`
	Dim       int           `yaml:"dim"` // 0 asks the model once
	BatchSize int           `yaml:"batch_size"`
	Timeout   time.Duration `yaml:"timeout"` // per request
}

// Store selects where items and vectors live.
type Store struct {
	// Backend is "embedded" (SQLite in data_dir, the default) or "qdrant".
	Backend string `yaml:"backend"`
	Qdrant  Qdrant `yaml:"qdrant"`
}

// Qdrant configures the Qdrant backend.
type Qdrant struct {
	URL        string        `yaml:"url"`     // gRPC endpoint, http://host:6334 (https turns on TLS)
	APIKey     string        `yaml:"api_key"` // sent as the api-key header when set
	Collection string        `yaml:"collection"`
	Timeout    time.Duration `yaml:"timeout"` // per request attempt
}

// Share is a document folder ingested on a schedule.
type Share struct {
	Name     string   `yaml:"name"`     // prefix of its source names; default: the folder's base name
	Path     string   `yaml:"path"`     // the folder (or one file)
	Include  []string `yaml:"include"`  // globs of files to take; empty takes all
	Exclude  []string `yaml:"exclude"`  // globs of files to skip
	Space    string   `yaml:"space"`    // knowledge space; default: space
	Kind     string   `yaml:"kind"`     // hint: rule, faq or passage; empty detects
	Schedule string   `yaml:"schedule"` // cron expression or @every 1h; empty: only on lore ingest
}

// Mining configures experience mining from dialogues and operation logs.
type Mining struct {
	Oplog Oplog `yaml:"oplog"`
}

// Oplog says how to read and judge operation (event) logs. Empty column
// names are found by the usual names (case_id, 案件编号, activity, 环节,
// timestamp, 操作时间, resource, 处理人, …).
type Oplog struct {
	CaseColumn     string `yaml:"case_column"`
	ActivityColumn string `yaml:"activity_column"`
	TimeColumn     string `yaml:"time_column"`
	ResourceColumn string `yaml:"resource_column"`
	// CaseTypeColumn names the column whose value at a case's first event
	// is the case type; empty puts all cases in one type.
	CaseTypeColumn string `yaml:"case_type_column"`
	// A case succeeds when its last outcome event's label is in Success.
	// The label is OutcomeColumn's value, or the activity when that is
	// empty; OutcomeActivities limits which events carry an outcome.
	OutcomeColumn     string   `yaml:"outcome_column"`
	OutcomeActivities []string `yaml:"outcome_activities"`
	Success           []string `yaml:"success"`
}

// Server configures the HTTP surface.
type Server struct {
	Addr         string        `yaml:"addr"`          // listen address, loopback by default
	ReadTimeout  time.Duration `yaml:"read_timeout"`  // per request
	WriteTimeout time.Duration `yaml:"write_timeout"` // per response
	BodyLimit    int           `yaml:"body_limit"`    // bytes per request body
}

// Ingest configures ingestion.
type Ingest struct {
	MaxFileBytes int64 `yaml:"max_file_bytes"` // larger files are quarantined
	ChunkChars   int   `yaml:"chunk_chars"`    // target passage length in characters
	Workers      int   `yaml:"workers"`        // files parsed in parallel
}

// Retrieval configures search.
type Retrieval struct {
	DenseDim    int     `yaml:"dense_dim"`    // dimension of the offline hashed dense vector
	DenseWeight float64 `yaml:"dense_weight"` // weight of the dense ranking in fusion; negative leaves it out
	Candidates  int     `yaml:"candidates"`   // hits per ranking before fusion
	Limit       int     `yaml:"limit"`        // hits returned by default
	// Synonyms is a query-expansion list in the format of
	// configs/synonyms.yaml; empty uses the built-in list.
	Synonyms string `yaml:"synonyms"`
	// UserDict is a word list (one word a line) the segmenter keeps whole,
	// beside the expansion list's terms and the approved glossary terms.
	UserDict string `yaml:"user_dict"`
	Rerank   Rerank `yaml:"rerank"`
}

// Rerank configures the optional LLM reranker (off when Model is empty).
type Rerank struct {
	BaseURL string        `yaml:"base_url"` // OpenAI-compatible endpoint, e.g. http://127.0.0.1:8000/v1
	Model   string        `yaml:"model"`
	APIKey  string        `yaml:"api_key"`
	TopN    int           `yaml:"top_n"`   // candidates the model sees
	Timeout time.Duration `yaml:"timeout"` // per call; on failure the fused order stays
}

// Chat configures answering.
type Chat struct {
	MaxSentences int     `yaml:"max_sentences"` // sentences in an extractive answer
	MinScore     float64 `yaml:"min_score"`     // below this relevance Lore says it does not know
}

// Default returns the configuration used when nothing is set.
func Default() Config {
	return Config{
		DataDir: "data",
		Space:   "default",
		Server: Server{
			Addr:         "127.0.0.1:8080",
			ReadTimeout:  30 * time.Second,
			WriteTimeout: 60 * time.Second,
			BodyLimit:    4 << 20,
		},
		Ingest: Ingest{
			MaxFileBytes: 200 << 20,
			ChunkChars:   400,
			Workers:      2,
		},
		Retrieval: Retrieval{DenseDim: 256, DenseWeight: 0.02, Candidates: 100, Limit: 8,
			Rerank: Rerank{TopN: 20, Timeout: 30 * time.Second}},
		Chat:   Chat{MaxSentences: 4, MinScore: 0.5},
		Mining: Mining{Oplog: Oplog{OutcomeActivities: []string{}, Success: []string{}}},
		Store: Store{Backend: "embedded", Qdrant: Qdrant{
			URL: "http://127.0.0.1:6334", Collection: "lore_items", Timeout: 10 * time.Second,
		}},
		Embedding: Embedding{BatchSize: 32, Timeout: time.Minute},
		Shares:    []Share{},
	}
}

// Load returns Default overlaid with the YAML file at path (skipped when
// path is "") and then with the environment. Unknown YAML keys are errors,
// so a misspelt setting is not silently ignored.
func Load(path string, environ []string) (Config, error) {
	cfg := Default()
	if path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			return cfg, fmt.Errorf("config: read %s: %w", path, err)
		}
		dec := yaml.NewDecoder(bytes.NewReader(b))
		dec.KnownFields(true)
		if err := dec.Decode(&cfg); err != nil && !errors.Is(err, io.EOF) {
			return cfg, fmt.Errorf("config: %s: %w", path, err)
		}
	}
	if err := applyEnv(&cfg, environ); err != nil {
		return cfg, err
	}
	if err := cfg.Validate(); err != nil {
		return cfg, err
	}
	return cfg, nil
}

// Validate reports the first setting out of range.
func (c Config) Validate() error {
	switch {
	case c.DataDir == "":
		return fmt.Errorf("config: data_dir is empty")
	case c.Space == "":
		return fmt.Errorf("config: space is empty")
	case c.Server.Addr == "":
		return fmt.Errorf("config: server.addr is empty")
	case c.Ingest.ChunkChars < 50:
		return fmt.Errorf("config: ingest.chunk_chars is %d, want at least 50", c.Ingest.ChunkChars)
	case c.Ingest.Workers < 1:
		return fmt.Errorf("config: ingest.workers is %d, want at least 1", c.Ingest.Workers)
	case c.Retrieval.DenseDim < 8:
		return fmt.Errorf("config: retrieval.dense_dim is %d, want at least 8", c.Retrieval.DenseDim)
	case c.Retrieval.Limit < 1:
		return fmt.Errorf("config: retrieval.limit is %d, want at least 1", c.Retrieval.Limit)
	case c.Store.Backend != "embedded" && c.Store.Backend != "qdrant":
		return fmt.Errorf("config: store.backend is %q, want embedded or qdrant", c.Store.Backend)
	case c.Embedding.Provider != "" && c.Embedding.Provider != "openai" && c.Embedding.Provider != "ollama":
		return fmt.Errorf("config: embedding.provider is %q, want empty (offline), openai or ollama", c.Embedding.Provider)
	case c.Embedding.Provider != "" && c.Embedding.Model == "":
		return fmt.Errorf("config: embedding.model is empty")
	case c.Retrieval.Rerank.Model != "" && c.Retrieval.Rerank.BaseURL == "":
		return fmt.Errorf("config: retrieval.rerank.base_url is empty")
	}
	names := map[string]bool{}
	for i, sh := range c.Shares {
		switch {
		case sh.Path == "":
			return fmt.Errorf("config: shares[%d] has no path", i)
		case sh.Kind != "" && sh.Kind != "rule" && sh.Kind != "faq" && sh.Kind != "passage":
			return fmt.Errorf("config: shares[%d].kind is %q, want rule, faq, passage or empty", i, sh.Kind)
		}
		key := sh.Space + "\x00" + sh.Name + "\x00" + sh.Path
		if names[key] {
			return fmt.Errorf("config: shares[%d] repeats share %s", i, sh.Path)
		}
		names[key] = true
	}
	return nil
}

// applyEnv overrides settings from LORE_* variables named after the YAML
// path in upper case with "_" between levels: LORE_DATA_DIR,
// LORE_SERVER_ADDR, LORE_RETRIEVAL_DENSE_DIM.
func applyEnv(cfg *Config, environ []string) error {
	env := map[string]string{}
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok && strings.HasPrefix(k, "LORE_") {
			env[k] = v
		}
	}
	return walkEnv(reflect.ValueOf(cfg).Elem(), "LORE", env)
}

func walkEnv(v reflect.Value, prefix string, env map[string]string) error {
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if tag == "" || tag == "-" {
			continue
		}
		name := prefix + "_" + strings.ToUpper(tag)
		fv := v.Field(i)
		if fv.Kind() == reflect.Struct && fv.Type() != reflect.TypeOf(time.Time{}) {
			if err := walkEnv(fv, name, env); err != nil {
				return err
			}
			continue
		}
		s, ok := env[name]
		if !ok {
			continue
		}
		if err := setFromString(fv, s); err != nil {
			return fmt.Errorf("config: %s=%q: %w", name, s, err)
		}
	}
	return nil
}

func setFromString(v reflect.Value, s string) error {
	if v.Type() == reflect.TypeOf(time.Duration(0)) {
		d, err := time.ParseDuration(s)
		if err != nil {
			return err
		}
		v.SetInt(int64(d))
		return nil
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(s)
	case reflect.Int, reflect.Int64, reflect.Int32:
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return err
		}
		v.SetInt(n)
	case reflect.Float64, reflect.Float32:
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return err
		}
		v.SetFloat(f)
	case reflect.Bool:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return err
		}
		v.SetBool(b)
	case reflect.Slice:
		if v.Type().Elem().Kind() != reflect.String {
			return fmt.Errorf("unsupported list type %s", v.Type())
		}
		var parts []string
		for _, p := range strings.Split(s, ",") {
			if p = strings.TrimSpace(p); p != "" {
				parts = append(parts, p)
			}
		}
		v.Set(reflect.ValueOf(parts))
	default:
		return fmt.Errorf("unsupported setting type %s", v.Type())
	}
	return nil
}
