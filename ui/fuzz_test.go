package ui

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"testing"
)

// FuzzChatRequest: no body, however malformed, makes the chat endpoint
// answer 5xx or anything but the answer or the JSON error envelope.
func FuzzChatRequest(f *testing.F) {
	for _, seed := range []string{
		`{"question":"逾期三天罚息怎么算？"}`,
		`{"question":"提前还款有违约金吗","spaces":["cs"],"kinds":["faq","rule"],"limit":8}`,
		`{"question":"催收电话可以打给我家人吗","limit":51}`,
		`{"question":"征信","kinds":["rumour"]}`,
		`{"question":12}`,
		`{"question":"分期"}{"question":"x"}`,
		`{"question":"\ud800"}`,
		"{\"question\":\"\xff\"}",
		`null`, `[]`, `"逾期"`, `{`, ``, `{"spaces":null,"kinds":[null]}`,
		`{"question":"罚息","limit":1e400}`,
	} {
		f.Add([]byte(seed))
	}
	fx := newFixture(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		req, err := http.NewRequest("POST", "/api/v1/chat", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		resp, err := fx.srv.App().Test(req, 10_000)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode >= 500 {
			t.Fatalf("body %q: status %d %s", body, resp.StatusCode, b)
		}
		if resp.StatusCode != 200 {
			var eb errorBody
			if err := json.Unmarshal(b, &eb); err != nil || eb.Error.Code == "" || eb.Error.Message == "" {
				t.Fatalf("body %q: status %d with a body that is not the error envelope: %s", body, resp.StatusCode, b)
			}
		}
	})
}
