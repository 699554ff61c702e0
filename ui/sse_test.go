package ui

import (
	"bufio"
	"encoding/json"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/lorehq/lore/internal/golden"

	"github.com/lorehq/lore/chat"
)

// parsedEvent is one parsed server-sent event.
type parsedEvent struct {
	Name string
	Data string
}

// parseSSE splits a text/event-stream body into events, failing on any
// line that is not "event:", "data:" or the blank line ending an event.
func parseSSE(t *testing.T, body string) []parsedEvent {
	t.Helper()
	if !strings.HasSuffix(body, "\n\n") {
		t.Fatalf("stream does not end with a blank line: %q", body)
	}
	var out []parsedEvent
	var cur parsedEvent
	sc := bufio.NewScanner(strings.NewReader(body))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "":
			if cur.Name == "" || cur.Data == "" {
				t.Fatalf("event without name or data in %q", body)
			}
			out = append(out, cur)
			cur = parsedEvent{}
		case strings.HasPrefix(line, "event: "):
			cur.Name = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: "):
			if cur.Data != "" {
				t.Fatalf("event %q has more than one data line", cur.Name)
			}
			cur.Data = strings.TrimPrefix(line, "data: ")
		default:
			t.Fatalf("unexpected SSE line %q", line)
		}
	}
	return out
}

func TestChatStream(t *testing.T) {
	tests := []struct {
		name   string
		target string
		header map[string]string
	}{
		{"accept header", "/api/v1/chat", map[string]string{"Content-Type": "application/json", "Accept": "text/event-stream"}},
		{"query flag", "/api/v1/chat?stream=1", jsonHeader},
		{"query true", "/api/v1/chat?stream=true", jsonHeader},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			status, hdr, body := f.do(t, "POST", tt.target, tt.header, `{"question":"逾期三天罚息怎么算？"}`)
			if status != 200 {
				t.Fatalf("status %d: %s", status, body)
			}
			if ct := hdr.Get("Content-Type"); !strings.HasPrefix(ct, "text/event-stream") {
				t.Fatalf("Content-Type = %q", ct)
			}
			if cc := hdr.Get("Cache-Control"); cc != "no-store" {
				t.Errorf("Cache-Control = %q, want no-store", cc)
			}
			golden.Bytes(t, filepath.Join("testdata", "chat_stream.golden"), []byte(body))

			events := parseSSE(t, body)
			want := sampleAnswer()
			want.Question = "逾期三天罚息怎么算？"
			var names []string
			for _, ev := range events {
				names = append(names, ev.Name)
			}
			if !reflect.DeepEqual(names, []string{"statement", "statement", "sources", "done"}) {
				t.Fatalf("events = %q", names)
			}
			var st chat.Statement
			if err := json.Unmarshal([]byte(events[1].Data), &st); err != nil || !reflect.DeepEqual(st, want.Statements[1]) {
				t.Errorf("second statement = %+v (%v), want %+v", st, err, want.Statements[1])
			}
			var srcs []chat.Source
			if err := json.Unmarshal([]byte(events[2].Data), &srcs); err != nil || len(srcs) != 3 {
				t.Errorf("sources = %+v (%v)", srcs, err)
			}
			var done chat.Answer
			if err := json.Unmarshal([]byte(events[3].Data), &done); err != nil || !reflect.DeepEqual(done, want) {
				t.Errorf("done = %+v (%v), want %+v", done, err, want)
			}
		})
	}
}

// TestChatStreamNoAnswer: a no-answer still frames sources (an empty list)
// and done, so a client always sees the end of the stream.
func TestChatStreamNoAnswer(t *testing.T) {
	f := newFixture(t)
	f.asker.answer = chat.Answer{NoAnswer: true, Notice: "知识库中没有找到能回答这个问题的内容。", Mode: "extractive"}
	status, _, body := f.do(t, "POST", "/api/v1/chat?stream=1", jsonHeader, `{"question":"公司年会在哪里开？"}`)
	if status != 200 {
		t.Fatalf("status %d: %s", status, body)
	}
	events := parseSSE(t, body)
	if len(events) != 2 || events[0].Name != "sources" || events[0].Data != "[]" || events[1].Name != "done" {
		t.Fatalf("events = %+v", events)
	}
	if !strings.Contains(events[1].Data, `"no_answer":true`) {
		t.Errorf("done lacks no_answer: %s", events[1].Data)
	}
}

// TestChatStreamError: errors before the answer are JSON, not events.
func TestChatStreamError(t *testing.T) {
	f := newFixture(t)
	status, hdr, body := f.do(t, "POST", "/api/v1/chat", map[string]string{"Content-Type": "application/json", "Accept": "text/event-stream"}, `{"question":""}`)
	if status != 400 {
		t.Fatalf("status %d: %s", status, body)
	}
	decodeError(t, hdr, body)
}
