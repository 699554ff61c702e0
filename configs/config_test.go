package configs

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// The example file must document exactly the defaults.
func TestExampleIsDefault(t *testing.T) {
	cfg, err := Load("lore.example.yaml", nil)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(cfg, Default()) {
		t.Errorf("example config differs from Default():\n got %+v\nwant %+v", cfg, Default())
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := []struct {
		name  string
		file  string
		env   []string
		check func(Config) bool
		err   string
	}{
		{name: "defaults without file", check: func(c Config) bool { return reflect.DeepEqual(c, Default()) }},
		{name: "file overrides", file: write("a.yaml", "space: collections\nserver:\n  addr: 127.0.0.1:9000\n"),
			check: func(c Config) bool { return c.Space == "collections" && c.Server.Addr == "127.0.0.1:9000" }},
		{name: "env overrides file", file: write("b.yaml", "space: a\n"),
			env: []string{"LORE_SPACE=b", "LORE_SERVER_READ_TIMEOUT=5s", "LORE_RETRIEVAL_DENSE_DIM=64", "LORE_CHAT_MIN_SCORE=0.3", "OTHER=x"},
			check: func(c Config) bool {
				return c.Space == "b" && c.Server.ReadTimeout == 5*time.Second && c.Retrieval.DenseDim == 64 && c.Chat.MinScore == 0.3
			}},
		{name: "empty file is defaults", file: write("e.yaml", ""), check: func(c Config) bool { return reflect.DeepEqual(c, Default()) }},
		{name: "unknown key is an error", file: write("c.yaml", "spase: x\n"), err: "field spase not found"},
		{name: "bad env value", env: []string{"LORE_INGEST_WORKERS=many"}, err: "LORE_INGEST_WORKERS"},
		{name: "out of range", env: []string{"LORE_INGEST_CHUNK_CHARS=10"}, err: "chunk_chars"},
		{name: "missing file", file: filepath.Join(dir, "nope.yaml"), err: "nope.yaml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := Load(tt.file, tt.env)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want containing %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !tt.check(cfg) {
				t.Errorf("unexpected config %+v", cfg)
			}
		})
	}
}

// FuzzLoad feeds arbitrary YAML to Load: it returns a config or an error,
// never panics, and what it returns validates.
func FuzzLoad(f *testing.F) {
	example, err := os.ReadFile("lore.example.yaml")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(string(example))
	f.Add("shares:\n  - path: /srv\n    kind: rule\n    schedule: \"@every 1h\"\n")
	f.Add("server: [1, 2]\n")
	f.Fuzz(func(t *testing.T, yml string) {
		path := filepath.Join(t.TempDir(), "lore.yaml")
		if err := os.WriteFile(path, []byte(yml), 0o644); err != nil {
			t.Fatal(err)
		}
		cfg, err := Load(path, nil)
		if err == nil {
			if verr := cfg.Validate(); verr != nil {
				t.Fatalf("Load accepted a config that does not validate: %v", verr)
			}
		}
	})
}
