package mine

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

// courtesyRe matches a sentence that only greets or introduces the agent:
// 您好，我是客服王敏。/ 您好，我是安和消费金融在线客服王敏，很高兴为您服务。/
// 感谢您的耐心等待。 Such a sentence answers nothing.
var courtesyRe = regexp.MustCompile(`^(?:(?:您好|你好)[，,、\s]*(?:我是[^。！!？?，,；;]{1,24}[，,\s]*)?(?:很高兴为您服务[，,\s]*)?|很高兴为您服务|感谢您的耐心等待|感谢您的等待|请稍等)[。！!]?$`)

// withoutCourtesy drops the greeting and self-introduction sentences of an
// agent's reply, so a mined answer starts with what it says. A reply that
// is nothing but courtesy is returned as it is.
func withoutCourtesy(reply string) string {
	var kept strings.Builder
	dropped := false
	rest := reply
	for rest != "" {
		i := strings.IndexAny(rest, "。！!")
		sent := rest
		if i >= 0 {
			_, n := utf8.DecodeRuneInString(rest[i:])
			sent = rest[:i+n]
		}
		rest = rest[len(sent):]
		if t := strings.TrimSpace(sent); t != "" && courtesyRe.MatchString(t) {
			dropped = true
			continue
		}
		kept.WriteString(sent)
	}
	out := strings.TrimSpace(kept.String())
	if !dropped || out == "" {
		return reply
	}
	return out
}
