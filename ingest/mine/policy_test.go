package mine

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/lorehq/lore/internal/golden"

	"gopkg.in/yaml.v3"
)

const policyFile = "../../configs/policy.yaml"

// policyHeader documents configs/policy.yaml; the body is DefaultPolicy.
const policyHeader = `# Lore dialogue-mining and compliance policy (ingest/mine.DefaultPolicy).
# Load it with mine.LoadPolicy; settings left out keep these defaults, and a
# list given here replaces the default list. Unknown keys are errors.
#
# intents            the intent taxonomy: id, display name, keywords (Chinese
#                    and English; English matched as whole words, any case).
#                    The intent whose keywords weigh most (label and first
#                    customer turn x3, other customer turns x1, agent x0.5,
#                    weight = keyword length) wins; dialogues no keyword
#                    matches are clustered into "other:<question>" intents.
# emotions           per-turn customer emotion lexicon: anger, anxiety,
#                    confusion, satisfaction (no hit = neutral). negated is
#                    what a negated term means instead (不满意 = anger).
# negators           words that negate a term when they stand within
#                    negation_window characters before it in the same clause;
#                    not_negations start with a negator but negate nothing.
# violations         forbidden expressions in agent replies, by category:
#                    threats, insults, disclosure of debt to third parties,
#                    false legal claims, pressure to borrow or pay twice. A
#                    reply with one is never recommended as a script, however
#                    well it worked; it is reported as a violation instead.
#                    violation_negators within violation_negation_window
#                    characters before a term cancel it (我们不会上门).
# success_outcomes   outcomes counted as success (a satisfaction score of 1-2
#                    overrides): resolved, promise_to_pay, paid, escalated,
#                    complaint, unresolved.
# mining             thresholds: character-bigram Jaccard similarity for reply
#                    templates, paraphrased questions and unknown intents;
#                    min_support (0 = dialogues/1000 clamped to 1..5);
#                    top_scripts per situation; min_reply_chars; z of the
#                    Wilson bound behind lift_low; max_examples per item.
`

func TestPolicyFile(t *testing.T) {
	if golden.Updating() {
		var body bytes.Buffer
		enc := yaml.NewEncoder(&body)
		enc.SetIndent(2)
		if err := enc.Encode(DefaultPolicy()); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(policyFile, append([]byte(policyHeader), body.Bytes()...), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	p, err := LoadPolicy(filepath.FromSlash(policyFile))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(p, DefaultPolicy()) {
		t.Error("configs/policy.yaml differs from DefaultPolicy (run go test -update)")
	}
}

func TestParsePolicy(t *testing.T) {
	p, err := ParsePolicy(strings.NewReader("mining:\n  top_scripts: 1\nsuccess_outcomes: [paid]\n"))
	if err != nil {
		t.Fatal(err)
	}
	if p.Mining.TopScripts != 1 || len(p.SuccessOutcomes) != 1 || p.Mining.Z != 1.96 || len(p.Intents) != len(DefaultPolicy().Intents) {
		t.Errorf("overlay = %+v", p.Mining)
	}
	for in, want := range map[string]string{
		"bogus: 1\n":                       "bogus",
		"mining:\n  reply_similarity: 2\n": "similarit",
		"emotions:\n- emotion: joy\n":      "unknown emotion",
		"intents: [{id: x, keywords: []}]": "no keywords",
		"success_outcomes: [great]\n":      "great",
	} {
		if _, err := ParsePolicy(strings.NewReader(in)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParsePolicy(%q) err = %v, want %q", in, err, want)
		}
	}
	if p, err := ParsePolicy(strings.NewReader("")); err != nil || !reflect.DeepEqual(p, DefaultPolicy()) {
		t.Errorf("empty policy: %v", err)
	}
	if _, err := LoadPolicy("testdata/none.yaml"); err == nil {
		t.Error("LoadPolicy of a missing file succeeded")
	}
}
