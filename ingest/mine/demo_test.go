package mine

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/lorehq/lore/knowledge"
)

const demoPath = "../../demo/corpus/dialogues/dialogues.jsonl"

// demoAgents maps the demo corpus's dialogue ids to its "agent" field,
// which the dialogue package does not read.
func demoAgents(t *testing.T) map[string]string {
	t.Helper()
	f, err := os.Open(demoPath)
	if err != nil {
		t.Skipf("demo corpus absent: %v", err)
	}
	defer f.Close()
	agents := map[string]string{}
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var rec struct{ ID, Agent string }
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			t.Fatal(err)
		}
		agents[rec.ID] = rec.Agent
	}
	return agents
}

// good agents answer well and within the rules; A03 threatens and breaks
// the rules, A04 is vague.
var goodAgents = map[string]bool{"A01": true, "A02": true, "A05": true, "A06": true, "A07": true}

func TestDemoCorpus(t *testing.T) {
	agents := demoAgents(t)
	f, err := os.Open(demoPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	items, warnings, err := ExtractFile(context.Background(), "dialogues/dialogues.jsonl", f)
	if err != nil {
		t.Fatal(err)
	}

	res := mineFile(t, DefaultPolicy(), demoPath)
	byID := map[string]Analysis{}
	for _, a := range res.Dialogues {
		byID[a.ID] = a
	}

	t.Run("violations are A03's", func(t *testing.T) {
		flagged := map[string]bool{}
		for _, v := range res.Violations {
			for _, p := range v.Provenance {
				flagged[p.Dialogue] = true
				if agents[p.Dialogue] != "A03" {
					t.Errorf("violation by %s in %s: %q %v", agents[p.Dialogue], p.Location(), v.Reply, v.Terms)
				}
			}
		}
		a03 := 0
		for id, ag := range agents {
			if ag != "A03" {
				continue
			}
			a03++
			// Every A03 call labelled as abusive collection is caught.
			if !flagged[id] && hasLabel(t, id, "违规催收") {
				t.Errorf("%s (labelled 违规催收) has no violation", id)
			}
		}
		if len(flagged) < 5 {
			t.Errorf("%d of %d A03 dialogues flagged, want at least 5", len(flagged), a03)
		}
		if len(warnings) < len(res.Violations) {
			t.Errorf("ExtractFile warnings %d < violations %d", len(warnings), len(res.Violations))
		}
	})

	t.Run("scripts come from good agents", func(t *testing.T) {
		by := map[string]int{}
		for _, s := range res.Scripts {
			for _, p := range s.Provenance {
				ag := agents[p.Dialogue]
				if !goodAgents[ag] {
					t.Errorf("script from %s (%s): %q", ag, p.Location(), s.Reply)
				}
				by[ag]++
			}
			if s.Lift <= 1 || s.LiftLow > s.Lift || s.SuccessRate <= s.Baseline {
				t.Errorf("script evidence inconsistent: %+v", s.Script)
			}
		}
		for _, ag := range []string{"A01", "A02", "A05"} {
			if by[ag] == 0 {
				t.Errorf("no script from %s: %v", ag, by)
			}
		}
		// An angry fee dispute: A01 calms (resolved), A04 stonewalls
		// (complaint). The script is A01's empathy-first reply.
		found := false
		for _, s := range res.Scripts {
			if s.Intent == "fee_dispute" && s.CustomerState == Anger {
				found = true
				if agents[s.Provenance[0].Dialogue] != "A01" || s.Baseline >= 1 {
					t.Errorf("fee dispute × anger script %q from %s, baseline %.2f", s.Reply, agents[s.Provenance[0].Dialogue], s.Baseline)
				}
			}
		}
		if !found {
			t.Error("no script for fee_dispute × anger")
		}
	})

	t.Run("faqs", func(t *testing.T) {
		if len(res.FAQs) < 10 {
			t.Fatalf("%d FAQs, want at least 10", len(res.FAQs))
		}
		var certificate bool
		for _, f := range res.FAQs {
			for _, p := range f.Provenance {
				if ag := agents[p.Dialogue]; !goodAgents[ag] {
					t.Errorf("FAQ answered by %s: %q → %q", ag, f.Question, f.Answer)
				}
			}
			if strings.Contains(f.Question, "结清证明") {
				certificate = true
				if !strings.Contains(f.Answer, "结清证明") || f.Intent != "early_repayment" {
					t.Errorf("结清证明 FAQ = %+v", f.FAQ)
				}
			}
			if strings.Contains(f.Answer, "后四位") && !strings.Contains(f.Answer, "查") {
				t.Errorf("FAQ answer is an identity check, not an answer: %q", f.Answer)
			}
		}
		if !certificate {
			t.Error("no FAQ about 结清证明")
		}
	})

	t.Run("analysis", func(t *testing.T) {
		if a := byID["d-022"]; a.Outcome != Unresolved || !a.OutcomeInferred {
			t.Errorf("d-022 (no outcome label) = %s inferred=%v", a.Outcome, a.OutcomeInferred)
		}
		if a := byID["d-003"]; a.Facts.PromisedDate != "3月10日" || a.Intent != "overdue_penalty" {
			t.Errorf("d-003 = %+v", a)
		}
		if a := byID["d-011"]; a.Intent != "fraud_report" {
			t.Errorf("d-011 intent = %s, want fraud_report", a.Intent)
		}
		if a := byID["d-005"]; a.Emotions[0] != Anger || a.Emotions[len(a.Emotions)-1] != Satisfaction && a.Emotions[len(a.Emotions)-2] != Satisfaction {
			t.Errorf("d-005 emotions = %v, want anger first and satisfaction last", a.Emotions)
		}
		for _, a := range res.Dialogues {
			if a.Note == "" || a.Intent == "" {
				t.Errorf("%s: empty note or intent", a.ID)
			}
		}
	})

	t.Run("items", func(t *testing.T) {
		b, err := json.Marshal(items)
		if err != nil {
			t.Fatal(err)
		}
		out := string(b) + strings.Join(warnings, "\n")
		for _, pii := range []string{"13812345678", "110105198803152411", "6222021234567890128", "13987654321", "caowen1988@example.com"} {
			if strings.Contains(out, pii) {
				t.Errorf("PII %s in the items", pii)
			}
		}
		kinds := map[knowledge.Kind]int{}
		for i := range items {
			it := items[i]
			kinds[it.Kind]++
			it.ID = knowledge.NewID("test", it.Kind, it.Title, it.Body)
			it.Space, it.Status = "test", knowledge.StatusDraft
			if err := it.Validate(); err != nil {
				t.Error(err)
			}
			for _, p := range it.Provenance {
				if p.Dialogue == "" || p.Turn < 1 || p.Source != "" {
					t.Errorf("item %q: provenance %+v", it.Title, p)
				}
			}
			if (it.Kind == knowledge.KindFAQ) != (it.FAQ != nil) || (it.Kind == knowledge.KindScript) != (it.Script != nil) {
				t.Errorf("item %q: kind %s with fields FAQ=%v Script=%v", it.Title, it.Kind, it.FAQ != nil, it.Script != nil)
			}
		}
		if kinds[knowledge.KindFAQ] != len(res.FAQs) || kinds[knowledge.KindScript] != len(res.Scripts) {
			t.Errorf("ExtractFile items %v differ from Mine's %d FAQs, %d scripts", kinds, len(res.FAQs), len(res.Scripts))
		}
	})
}

func hasLabel(t *testing.T, id, label string) bool {
	t.Helper()
	f, err := os.Open(demoPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var rec struct {
			ID     string
			Labels []string
		}
		if json.Unmarshal(sc.Bytes(), &rec) == nil && rec.ID == id {
			return contains(rec.Labels, label)
		}
	}
	return false
}
