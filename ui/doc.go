// Package ui is Lore's HTTP surface: the JSON and SSE API that staff pages
// and customer-service bots share, and the server-rendered staff web pages,
// all served by one fiber app.
//
// Routes:
//
//	POST /api/v1/chat       chat.Request in, chat.Answer out; SSE with
//	                        "Accept: text/event-stream" or ?stream=1
//	GET  /api/v1/search     hybrid search: ?q=&kind=&space=&limit=
//	GET  /api/v1/sources    the ingestion ledger of a space: ?space=
//	GET  /healthz           the process is up
//	GET  /readyz            the knowledge store answers
//	GET  /                  the staff question page; /?q=… asks on load
//	GET  /sources           the ingestion ledger page, quarantines included
//	GET  /static/…          the page's CSS and JavaScript
//
// Every API error, and every error fiber raises itself (unknown route,
// method not allowed, body too large), is JSON of the form
// {"error":{"code":"invalid","message":"…"}}; the code is a knowledge.Code
// and statusOf maps it to the HTTP status in one table. The HTML pages show
// their errors inside the page, with the same status.
//
// Templates and static files are embedded with go:embed and parsed by New,
// so a broken template stops the server from starting rather than failing
// on the first request. The page works without JavaScript (the form is a
// plain GET of /?q=…, rendered on the server); static/app.js improves it
// by asking through the API without reloading, and asks on load for
// /#q=… links, which keep the question out of server and proxy logs.
//
// The package owns the small interfaces it consumes (Asker, Searcher,
// Ledger) so tests run against fakes and cmd/lore adapts the real services.
package ui
