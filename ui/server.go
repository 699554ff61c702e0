package ui

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"io"
	"log/slog"
	"net"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/recover"

	"github.com/lorehq/lore/chat"
	"github.com/lorehq/lore/configs"
	"github.com/lorehq/lore/knowledge"
)

// Asker answers a staff or bot question. Invalid requests should come back
// as knowledge.Invalid errors whose message says what to fix.
type Asker interface {
	Ask(ctx context.Context, req chat.Request) (chat.Answer, error)
}

// Searcher ranks the knowledge items that match text and pass f, best
// first, returning at most limit hits.
type Searcher interface {
	Search(ctx context.Context, text string, f knowledge.Filter, limit int) ([]knowledge.Hit, error)
}

// Ledger reports what ingestion has seen: the ledger entries of a space
// ("" for all spaces) ordered by path, and counts over the store.
type Ledger interface {
	Sources(ctx context.Context, space string) ([]knowledge.Source, error)
	Stats(ctx context.Context) (knowledge.Stats, error)
}

// Deps are the services the HTTP surface calls.
type Deps struct {
	Asker    Asker
	Searcher Searcher
	Ledger   Ledger
	// DefaultSpace is searched and listed when a request names no space.
	DefaultSpace string
	// Logger receives internal errors, whose details users never see;
	// nil discards them.
	Logger *slog.Logger
}

// Server is the HTTP surface. Listen serves it once.
type Server struct {
	cfg   configs.Server
	deps  Deps
	log   *slog.Logger
	pages map[string]*template.Template
	app   *fiber.App
}

// readBufferSize bounds the request line and headers. A question of
// maxQuestion Chinese characters, percent-encoded in /?q=…, takes about
// 18 KB; fasthttp's default of 4 KB would refuse shareable links to it.
const readBufferSize = 32 << 10

// shutdownGrace bounds how long Listen waits for requests in flight once
// its context is cancelled.
const shutdownGrace = 10 * time.Second

// New builds the server: it parses every template (a broken one is an
// error here, not on the first request) and registers the routes.
func New(cfg configs.Server, deps Deps) (*Server, error) {
	switch {
	case deps.Asker == nil:
		return nil, errors.New("ui: new: Deps.Asker is nil")
	case deps.Searcher == nil:
		return nil, errors.New("ui: new: Deps.Searcher is nil")
	case deps.Ledger == nil:
		return nil, errors.New("ui: new: Deps.Ledger is nil")
	case deps.DefaultSpace == "":
		return nil, errors.New("ui: new: Deps.DefaultSpace is empty")
	case cfg.BodyLimit < 0:
		return nil, fmt.Errorf("ui: new: body limit %d is negative", cfg.BodyLimit)
	}
	pages, err := parsePages()
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, deps: deps, log: deps.Logger, pages: pages}
	if s.log == nil {
		s.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	s.app = fiber.New(fiber.Config{
		AppName:               "lore",
		BodyLimit:             cfg.BodyLimit, // 0 means fiber's 4 MiB
		ReadTimeout:           cfg.ReadTimeout,
		WriteTimeout:          cfg.WriteTimeout,
		IdleTimeout:           2 * time.Minute,
		ReadBufferSize:        readBufferSize,
		ErrorHandler:          s.handleError,
		DisableStartupMessage: true,
	})
	s.routes()
	return s, nil
}

// App returns the fiber app, for tests that call App().Test.
func (s *Server) App() *fiber.App { return s.app }

func (s *Server) routes() {
	s.app.Use(recover.New())
	s.app.Use(securityHeaders)

	api := s.app.Group("/api/v1")
	api.Post("/chat", s.chat)
	api.Get("/search", s.search)
	api.Get("/sources", s.sources)

	s.app.Get("/healthz", s.healthz)
	s.app.Get("/readyz", s.readyz)

	s.app.Get("/", s.askPage)
	s.app.Get("/sources", s.sourcesPage)
	s.app.Get("/static/:name", s.static)
}

// Listen serves on addr until ctx is cancelled, then shuts down gracefully:
// it stops accepting, lets requests in flight finish (up to 10 s) and
// returns nil. ready, when not nil, is called with the URL of the bound
// address ("http://127.0.0.1:41234/"), so addr may use port 0. A Server
// serves once; after Listen returns, build a new one.
func (s *Server) Listen(ctx context.Context, addr string, ready func(url string)) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("ui: listen %s: %w", addr, err)
	}
	url := "http://" + dialAddr(ln.Addr()) + "/"
	served := make(chan error, 1)
	go func() { served <- s.app.Listener(ln) }()
	if ready != nil {
		ready(url)
	}

	select {
	case err := <-served:
		ln.Close()
		if err != nil {
			return fmt.Errorf("ui: serve %s: %w", url, err)
		}
		return nil
	case <-ctx.Done():
	}

	shutCtx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	shutErr := s.app.ShutdownWithContext(shutCtx)
	// Shutdown only closes listeners the server has registered; closing ln
	// too covers a cancel that raced the start of serving.
	ln.Close()
	if err := <-served; err != nil && !errors.Is(err, net.ErrClosed) {
		return fmt.Errorf("ui: serve %s: %w", url, err)
	}
	if shutErr != nil {
		return fmt.Errorf("ui: shut down %s: %w", url, shutErr)
	}
	return nil
}

// dialAddr is the host:port a client on this machine dials to reach a
// listener: an unspecified bind address (0.0.0.0, ::) becomes loopback.
func dialAddr(a net.Addr) string {
	tcp, ok := a.(*net.TCPAddr)
	if !ok {
		return a.String()
	}
	ip := tcp.IP
	switch {
	case ip == nil || ip.IsUnspecified() && ip.To4() != nil:
		ip = net.IPv4(127, 0, 0, 1)
	case ip.IsUnspecified():
		ip = net.IPv6loopback
	}
	return net.JoinHostPort(ip.String(), strconv.Itoa(tcp.Port))
}

// work returns the context for a request's work: the request's own, bounded
// by the configured write timeout so a slow store answers 503 rather than
// holding the connection past the point its response could still be sent.
func (s *Server) work(c *fiber.Ctx) (context.Context, context.CancelFunc) {
	if s.cfg.WriteTimeout > 0 {
		return context.WithTimeout(c.UserContext(), s.cfg.WriteTimeout)
	}
	return context.WithCancel(c.UserContext())
}

// securityHeaders keeps pages to their own origin: no inline or remote
// script, no framing, and no referrer carrying a question to elsewhere.
func securityHeaders(c *fiber.Ctx) error {
	c.Set("X-Content-Type-Options", "nosniff")
	c.Set("Referrer-Policy", "no-referrer")
	c.Set("X-Frame-Options", "DENY")
	c.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
	return c.Next()
}
