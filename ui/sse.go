package ui

import (
	"bufio"
	"encoding/json"
	"fmt"

	"github.com/gofiber/fiber/v2"

	"github.com/lorehq/lore/chat"
)

// streamAnswer sends ans as server-sent events:
//
//	event: statement   one per statement, data = chat.Statement
//	event: sources     data = []chat.Source
//	event: done        data = the whole chat.Answer
//
// The extractive answerer computes the whole answer before the first event,
// so these events arrive together; the framing is the one an LLM answerer
// will use to stream statements as they are generated (true token
// streaming comes with it), and clients written against it now keep
// working then. Errors found before the answer exists are ordinary JSON
// error responses, never events.
func streamAnswer(c *fiber.Ctx, ans chat.Answer) error {
	events := make([][]byte, 0, len(ans.Statements)+2)
	for _, st := range ans.Statements {
		ev, err := sseEvent("statement", st)
		if err != nil {
			return err
		}
		events = append(events, ev)
	}
	sources := ans.Sources
	if sources == nil {
		sources = []chat.Source{}
	}
	ev, err := sseEvent("sources", sources)
	if err != nil {
		return err
	}
	events = append(events, ev)
	if ev, err = sseEvent("done", ans); err != nil {
		return err
	}
	events = append(events, ev)

	c.Set(fiber.HeaderContentType, "text/event-stream; charset=utf-8")
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set("X-Accel-Buffering", "no") // tell proxies not to hold events back
	c.Context().SetBodyStreamWriter(func(w *bufio.Writer) {
		// Flush after each event so a client sees it as soon as it is
		// complete. A write error means the client is gone; there is no
		// one left to tell.
		for _, ev := range events {
			if _, err := w.Write(ev); err != nil {
				return
			}
			if err := w.Flush(); err != nil {
				return
			}
		}
	})
	return nil
}

// sseEvent frames one event. JSON never holds a raw line break, so the
// data fits on one "data:" line.
func sseEvent(name string, v any) ([]byte, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("ui: encode %s event: %w", name, err)
	}
	ev := make([]byte, 0, len(name)+len(data)+16)
	ev = append(ev, "event: "...)
	ev = append(ev, name...)
	ev = append(ev, "\ndata: "...)
	ev = append(ev, data...)
	return append(ev, "\n\n"...), nil
}
