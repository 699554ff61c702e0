package ui

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/lorehq/lore/chat"
)

// serve starts f's server on a loopback port and returns its URL and a
// function that cancels it and returns Listen's result.
func serve(t *testing.T, f *fixture) (string, func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	urls := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- f.srv.Listen(ctx, "127.0.0.1:0", func(u string) { urls <- u }) }()
	var base string
	select {
	case base = <-urls:
	case err := <-done:
		cancel()
		t.Fatalf("Listen returned before ready: %v", err)
	}
	stop := func() error {
		cancel()
		select {
		case err := <-done:
			return err
		case <-time.After(30 * time.Second): // a hang guard, not a timing assertion
			t.Fatal("Listen did not return after its context was cancelled")
			return nil
		}
	}
	t.Cleanup(func() { cancel() })
	return base, stop
}

func TestListenLoopback(t *testing.T) {
	f := newFixture(t)
	base, stop := serve(t, f)
	if !strings.HasPrefix(base, "http://127.0.0.1:") || !strings.HasSuffix(base, "/") || strings.HasSuffix(base, ":0/") {
		t.Fatalf("ready URL = %q, want http://127.0.0.1:PORT/", base)
	}
	client := &http.Client{Timeout: 10 * time.Second}

	resp, err := client.Get(base + "healthz")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || strings.TrimSpace(string(b)) != `{"status":"ok"}` {
		t.Fatalf("healthz = %d %s", resp.StatusCode, b)
	}

	resp, err = client.Post(base+"api/v1/chat", "application/json", strings.NewReader(`{"question":"逾期三天罚息怎么算？"}`))
	if err != nil {
		t.Fatal(err)
	}
	var ans chat.Answer
	err = json.NewDecoder(resp.Body).Decode(&ans)
	resp.Body.Close()
	if err != nil || resp.StatusCode != 200 || len(ans.Statements) != 2 {
		t.Fatalf("chat = %d %+v (%v)", resp.StatusCode, ans, err)
	}

	// Errors fasthttp raises while reading a request only show on a real
	// connection (App().Test returns them as Go errors): they must be JSON.
	wire := []struct {
		name    string
		req     func() (*http.Request, error)
		status  int
		message string
	}{
		{"oversize body", func() (*http.Request, error) {
			body := `{"question":"` + strings.Repeat("罚息", testBodyLimit) + `"}`
			r, err := http.NewRequest("POST", base+"api/v1/chat", strings.NewReader(body))
			if err == nil {
				r.Header.Set("Content-Type", "application/json")
			}
			return r, err
		}, 413, fmt.Sprintf("limit of %d bytes", testBodyLimit)},
		{"headers too large", func() (*http.Request, error) {
			r, err := http.NewRequest("GET", base+"healthz", nil)
			if err == nil {
				r.Header.Set("X-Padding", strings.Repeat("催", readBufferSize))
			}
			return r, err
		}, 431, "headers are too large"},
	}
	for _, w := range wire {
		req, err := w.req()
		if err != nil {
			t.Fatal(err)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("%s: %v", w.name, err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var eb errorBody
		if resp.StatusCode != w.status || json.Unmarshal(b, &eb) != nil || !strings.Contains(eb.Error.Message, w.message) {
			t.Errorf("%s over the wire = %d %s, want %d JSON saying %q", w.name, resp.StatusCode, b, w.status, w.message)
		}
	}

	if err := stop(); err != nil {
		t.Fatalf("Listen after cancel = %v, want nil", err)
	}
	addr := strings.TrimSuffix(strings.TrimPrefix(base, "http://"), "/")
	if c, err := net.DialTimeout("tcp", addr, 2*time.Second); err == nil {
		c.Close()
		t.Errorf("%s still accepts connections after shutdown", addr)
	}
}

// TestListenCancelledAtOnce: a context cancelled as serving starts still
// shuts the server down.
func TestListenCancelledAtOnce(t *testing.T) {
	f := newFixture(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := f.srv.Listen(ctx, "127.0.0.1:0", nil); err != nil {
		t.Fatalf("Listen = %v, want nil", err)
	}
}

func TestListenAddressInUse(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	f := newFixture(t)
	err = f.srv.Listen(context.Background(), ln.Addr().String(), func(string) { t.Error("ready called for a failed listen") })
	if err == nil || !strings.Contains(err.Error(), "ui: listen") {
		t.Fatalf("Listen on a taken port = %v, want a listen error", err)
	}
}

func TestDialAddr(t *testing.T) {
	tests := []struct {
		addr net.Addr
		want string
	}{
		{&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8080}, "127.0.0.1:8080"},
		{&net.TCPAddr{IP: net.IPv4zero, Port: 9000}, "127.0.0.1:9000"},
		{&net.TCPAddr{IP: net.IPv6unspecified, Port: 9000}, "[::1]:9000"},
		{&net.TCPAddr{IP: net.ParseIP("10.1.2.3"), Port: 80}, "10.1.2.3:80"},
		{&net.TCPAddr{Port: 81}, "127.0.0.1:81"},
	}
	for _, tt := range tests {
		if got := dialAddr(tt.addr); got != tt.want {
			t.Errorf("dialAddr(%v) = %q, want %q", tt.addr, got, tt.want)
		}
	}
}
