package qdrant

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/lorehq/lore/knowledge"
	qc "github.com/qdrant/go-client/qdrant"
)

func TestPointUUID(t *testing.T) {
	tests := []struct {
		id, want string
	}{
		{"0123456789abcdef0123456789abcdef", "01234567-89ab-cdef-0123-456789abcdef"},
		{"ffffffffffffffffffffffffffffffff", "ffffffff-ffff-ffff-ffff-ffffffffffff"},
		// Not a NewID id: hashed, still a valid UUID, stable.
		{"FAQ-17", hashUUID("lore item", "FAQ-17")},
		{"0123456789ABCDEF0123456789ABCDEF", hashUUID("lore item", "0123456789ABCDEF0123456789ABCDEF")},
	}
	for _, tc := range tests {
		if got := pointUUID(tc.id); got != tc.want {
			t.Errorf("pointUUID(%q) = %s, want %s", tc.id, got, tc.want)
		}
	}
	// Order of NewID ids is the order of their point ids.
	a, b := knowledge.NewID("s", knowledge.KindFAQ, "逾期"), knowledge.NewID("s", knowledge.KindFAQ, "罚息")
	if (a < b) != (pointUUID(a) < pointUUID(b)) {
		t.Errorf("point ids %s, %s do not keep the order of %s, %s", pointUUID(a), pointUUID(b), a, b)
	}
	if ledgerUUID("a", "b/c") == ledgerUUID("a/b", "c") {
		t.Error("ledger ids of different (space, path) collide")
	}
}

// TestItemPayloadRoundTrip stores every kind of item and reads it back.
func TestItemPayloadRoundTrip(t *testing.T) {
	at := time.Date(2024, 6, 30, 23, 59, 58, 123456000, time.UTC)
	base := knowledge.Item{
		ID: knowledge.NewID("客服", knowledge.KindProcedure, "提前还款"), Space: "客服", Title: "提前还款办理流程",
		Body:       "核实身份 → 试算结清金额 → 客户确认 → 扣款 → 回访确认",
		Provenance: []knowledge.Provenance{{Source: "logs/提前还款.csv", Cases: []string{"C-1", "C-2"}, Line: 12}, {Source: "faq/还款.md", HeadingPath: []string{"还款", "提前还款"}}},
		Confidence: 0.75, Status: knowledge.StatusApproved, Version: 3, Edited: true, Created: at, Updated: at.Add(time.Hour),
	}
	procedure := base
	procedure.Kind = knowledge.KindProcedure
	procedure.Procedure = &knowledge.Procedure{
		CaseType: "提前还款", Cases: 120, SuccessRate: 0.9125, MedianDuration: 72*time.Hour + 13*time.Nanosecond,
		Steps:      []knowledge.Step{{Activity: "核实身份", Resource: "坐席"}, {Activity: "试算结清金额", MedianWait: 90 * time.Second}},
		Deviations: []knowledge.Deviation{{Description: "skips 回访确认", Cases: 14, SuccessWith: 0.5, SuccessWithout: 0.95}},
	}
	script := base
	script.Kind = knowledge.KindScript
	script.Script = &knowledge.Script{Intent: "协商还款", CustomerState: "anger", Reply: "非常理解您的心情，我们可以为您申请分期还款方案。", Dialogues: 40, SuccessRate: 0.6, Baseline: 0.3, Lift: 2, LiftLow: 1.4, Examples: []string{"d-1"}}
	term := base
	term.Kind = knowledge.KindTerm
	term.Term = &knowledge.Term{Term: "罚息", Synonyms: []string{"逾期利息"}, Frequency: 1 << 40}
	for _, it := range []knowledge.Item{procedure, script, term} {
		p, err := itemPayload(&it, "vh", []string{"r2", "r1"})
		if err != nil {
			t.Fatalf("%s: %v", it.Kind, err)
		}
		if got := p[fieldSources].GetListValue().GetValues(); len(got) != 2 || got[0].GetStringValue() != "logs/提前还款.csv" {
			t.Errorf("%s: sources %v", it.Kind, got)
		}
		if p["version"].GetIntegerValue() != 3 {
			t.Errorf("%s: version stored as %v, want the integer 3", it.Kind, p["version"])
		}
		st, err := decodeItem(p)
		if err != nil {
			t.Fatalf("%s: decode: %v", it.Kind, err)
		}
		if st.rev != "r2" || len(st.revs) != 2 || st.vectors != "vh" {
			t.Errorf("%s: bookkeeping %q %v %q", it.Kind, st.rev, st.revs, st.vectors)
		}
		want, _ := json.Marshal(it)
		got, _ := json.Marshal(st.item)
		if string(got) != string(want) {
			t.Errorf("%s round trip:\n got %s\nwant %s", it.Kind, got, want)
		}
	}
}

// FuzzDecodeItem feeds payloads as a Qdrant server could return them:
// decoding must not panic, and what decodes must encode again.
func FuzzDecodeItem(f *testing.F) {
	f.Add("逾期一天会上征信吗", "规则", int64(2), 0.5, "faq/还款.md", true)
	f.Add("", "\xff", int64(-1), math.Inf(1), "", false)
	f.Fuzz(func(t *testing.T, title, body string, version int64, conf float64, src string, asList bool) {
		p := map[string]*qc.Value{
			"id":         qc.NewValueString("0123456789abcdef0123456789abcdef"),
			"kind":       qc.NewValueString("faq"),
			"title":      qc.NewValueString(title),
			"body":       qc.NewValueString(body),
			"version":    qc.NewValueInt(version),
			"confidence": qc.NewValueDouble(conf),
			"created":    qc.NewValueString(body), // often not a time
		}
		if asList {
			p["provenance"] = qc.NewValueList(&qc.ListValue{Values: []*qc.Value{qc.NewValueFromFields(map[string]*qc.Value{"source": qc.NewValueString(src)})}})
		} else {
			p["provenance"] = qc.NewValueString(src)
		}
		st, err := decodeItem(p)
		if err != nil {
			return
		}
		if _, err := itemPayload(&st.item, "", []string{"r"}); err != nil {
			t.Fatalf("decoded item does not encode: %v", err)
		}
	})
}

func TestNextRevs(t *testing.T) {
	// tokens returns one token each of the writers w<from>…w<to-1>.
	tokens := func(from, to int) []string {
		var out []string
		for i := from; i < to; i++ {
			out = append(out, fmt.Sprintf("w%d.t%d", i, i))
		}
		return out
	}
	tests := []struct {
		name string
		rev  string
		prev []string
		want []string
	}{
		{"new point", "w1.x", nil, []string{"w1.x"}},
		{"own older token replaced", "w1.y", []string{"w2.b", "w1.x", "w3.c"}, []string{"w1.y", "w2.b", "w3.c"}},
		{"tokens from before writers are kept", "w1.y", []string{"aaaa", "bbbb"}, []string{"w1.y", "aaaa", "bbbb"}},
		{"cut at revWriters", "w0.z", tokens(1, revWriters+1), append([]string{"w0.z"}, tokens(1, revWriters)...)},
		{"own token replaced before the cut", "w3.z", tokens(1, revWriters+1), append([]string{"w3.z"}, slices.Delete(tokens(1, revWriters+1), 2, 3)...)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := nextRevs(tc.rev, tc.prev); !slices.Equal(got, tc.want) {
				t.Errorf("nextRevs(%q, %q)\n got %q\nwant %q", tc.rev, tc.prev, got, tc.want)
			}
		})
	}
	// Another writer's writes, however many, never push a token out.
	revs := nextRevs(newRev(newWriter()), nil)
	mine, other := revs[0], newWriter()
	for i := 0; i < 10*revWriters; i++ {
		revs = nextRevs(newRev(other), revs)
	}
	if !slices.Contains(revs, mine) || len(revs) != 2 {
		t.Errorf("after another writer's writes the history is %q; want it to hold %q", revs, mine)
	}
}
