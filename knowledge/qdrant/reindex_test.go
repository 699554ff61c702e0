package qdrant_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strings"
	"testing"
	"unicode"

	"github.com/lorehq/lore/knowledge"
	"github.com/lorehq/lore/knowledge/qdrant"
	"google.golang.org/protobuf/proto"
)

// newDim is the dimension the tests reindex to.
const newDim = 12

// wideEmbedder is a second toy embedder, of newDim dimensions, that
// fails on its failAt-th call when failAt > 0.
type wideEmbedder struct {
	failAt, calls int
}

func (e *wideEmbedder) EmbedItems(_ context.Context, items []knowledge.Item) ([]knowledge.Vectors, error) {
	e.calls++
	if e.failAt > 0 && e.calls == e.failAt {
		return nil, knowledge.Errorf(knowledge.Unavailable, "toy", "embedding service went away / 向量服务不可用")
	}
	out := make([]knowledge.Vectors, len(items))
	for i := range items {
		out[i] = embedWide(items[i].Title + items[i].Body)
	}
	return out, nil
}

// embedWide is embed's sparse part with a newDim-dimensional dense part
// of its own.
func embedWide(text string) knowledge.Vectors {
	v := embed(text)
	dense := make([]float32, newDim)
	for _, r := range text {
		if !unicode.IsSpace(r) && !unicode.IsPunct(r) {
			dense[(int(r)*7)%newDim] += 1 + float32(int(r)%3)/3
		}
	}
	var n float64
	for _, x := range dense {
		n += float64(x) * float64(x)
	}
	for i := range dense {
		dense[i] = float32(float64(dense[i]) / math.Sqrt(n))
	}
	v.Dense = dense
	return v
}

// targetConfig names the collections a reindex writes.
func targetConfig(si *standIn, name string) qdrant.Config {
	cfg := standInConfig(si)
	cfg.Collection, cfg.LedgerCollection, cfg.Dim = name, name+"_sources", newDim
	return cfg
}

// reviewedBase stores five items from two sources and gives them every
// review state; it returns all items, by id.
func reviewedBase(t *testing.T, s *qdrant.Store) []knowledge.Item {
	t.Helper()
	ctx := context.Background()
	sync1(t, s, source("faq/还款.md", "h1"), faqOverdue, faqEarly, faqInstal)
	sync1(t, s, source("rules/催收管理办法.pdf", "h2"), ruleThreat, ruleHours)
	for id, edit := range map[string]func(*knowledge.Item) error{
		ruleThreat.ID: func(it *knowledge.Item) error { it.Status = knowledge.StatusApproved; return nil },
		faqEarly.ID:   func(it *knowledge.Item) error { it.Body += "具体以合同约定为准。"; return nil },
		faqInstal.ID:  func(it *knowledge.Item) error { it.Status = knowledge.StatusRejected; return nil },
	} {
		if _, err := s.Update(ctx, id, edit); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.RetireSource(ctx, space, "rules/催收管理办法.pdf"); err != nil {
		t.Fatal(err)
	}
	return everything(t, s)
}

var every = knowledge.Filter{Statuses: []knowledge.Status{knowledge.StatusDraft, knowledge.StatusApproved, knowledge.StatusRejected, knowledge.StatusRetired}}

func everything(t *testing.T, s *qdrant.Store) []knowledge.Item {
	t.Helper()
	items, err := s.List(context.Background(), every, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	return items
}

func asJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// payloads returns the stand-in's payloads of a collection by point key,
// without the fields named.
func (s *standIn) payloads(coll string, without ...string) map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]string{}
	c, ok := s.colls[coll]
	if !ok {
		return out
	}
	for key, pt := range c.points {
		p := clonePayload(pt.payload)
		for _, f := range without {
			delete(p, f)
		}
		var b strings.Builder
		for _, k := range sortedKeys(p) {
			raw, _ := proto.MarshalOptions{Deterministic: true}.Marshal(p[k])
			fmt.Fprintf(&b, "%s=%x;", k, raw)
		}
		out[key] = b.String()
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// checkFindsWide searches each item's text with newDim-dimensional dense
// vectors alone and wants the item first.
func checkFindsWide(t *testing.T, s *qdrant.Store, items []knowledge.Item) {
	t.Helper()
	for _, it := range items {
		q := knowledge.Query{Vectors: knowledge.Vectors{Dense: embedWide(it.Title + it.Body).Dense}, Filter: every, Limit: 3}
		hits, err := s.Search(context.Background(), q)
		if err != nil {
			t.Fatalf("search for %s: %v", it.Title, err)
		}
		if len(hits) == 0 || hits[0].Item.ID != it.ID {
			var got []string
			for _, h := range hits {
				got = append(got, h.Item.Title)
			}
			t.Errorf("dense search for %q: %v, want the item first", it.Title, got)
		}
	}
}

func TestReindex_QdrantStandIn(t *testing.T) {
	si := startStandIn(t)
	ctx := context.Background()
	old := openStandIn(t, si)
	before := reviewedBase(t, old)
	srcsBefore, err := old.Sources(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	itemsBefore := si.payloads(qdrant.DefaultCollection, "vectors_hash")
	ledgerBefore := si.payloads(qdrant.DefaultLedgerCollection)

	wide := standInConfig(si)
	wide.Dim = newDim
	if _, err := qdrant.Open(ctx, wide); err == nil || !strings.Contains(err.Error(), "lore reindex") {
		t.Fatalf("open the old collection with the new dimension: %v; want an error naming `lore reindex`", err)
	}

	from := standInConfig(si)
	from.Dim = 0 // whatever the collection holds
	to := targetConfig(si, "lore_items_v2")
	var progress []string
	res, err := qdrant.Reindex(ctx, from, to, &wideEmbedder{}, qdrant.ReindexOptions{Progress: func(done, total int) {
		progress = append(progress, fmt.Sprintf("%d/%d", done, total))
	}})
	if err != nil {
		t.Fatal(err)
	}
	if want := (qdrant.ReindexResult{Items: 5, Sources: 2, OldDim: testDim, NewDim: newDim}); res != want {
		t.Errorf("result %+v, want %+v", res, want)
	}
	if got := strings.Join(progress, " "); got != "3/5 5/5" { // BatchSize 3
		t.Errorf("progress %q", got)
	}

	// Every payload field is copied as it is; only the vectors hash is new.
	if got := si.payloads("lore_items_v2", "vectors_hash"); asJSON(t, got) != asJSON(t, itemsBefore) {
		t.Errorf("item payloads differ after reindex:\nbefore %v\nafter  %v", itemsBefore, got)
	}
	if got := si.payloads("lore_items_v2_sources"); asJSON(t, got) != asJSON(t, ledgerBefore) {
		t.Errorf("ledger payloads differ after reindex:\nbefore %v\nafter  %v", ledgerBefore, got)
	}
	if a, b := si.payloads("lore_items_v2"), si.payloads(qdrant.DefaultCollection); asJSON(t, a) == asJSON(t, b) {
		t.Error("the vectors hash was not renewed")
	}

	moved, err := qdrant.Open(ctx, to)
	if err != nil {
		t.Fatal(err)
	}
	defer moved.Close()
	if got := everything(t, moved); asJSON(t, got) != asJSON(t, before) {
		t.Errorf("items differ:\nbefore %s\nafter  %s", asJSON(t, before), asJSON(t, got))
	}
	if got, _ := moved.Sources(ctx, ""); asJSON(t, got) != asJSON(t, srcsBefore) {
		t.Errorf("ledger differs:\nbefore %s\nafter  %s", asJSON(t, srcsBefore), asJSON(t, got))
	}
	checkFindsWide(t, moved, before)

	// The source is only read: it still serves the old dimension.
	if asJSON(t, si.payloads(qdrant.DefaultCollection, "vectors_hash")) != asJSON(t, itemsBefore) {
		t.Error("reindex changed the source collection")
	}
	if got := everything(t, old); asJSON(t, got) != asJSON(t, before) {
		t.Error("the old store changed")
	}
}

func TestReindexRefusals_QdrantStandIn(t *testing.T) {
	si := startStandIn(t)
	ctx := context.Background()
	old := openStandIn(t, si)
	reviewedBase(t, old)
	other, err := qdrant.Open(ctx, targetConfig(si, "busy"))
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if _, err := other.SyncSource(ctx, source("faq/其他.md", "h9"), []knowledge.Record{{Item: faq("faq/其他.md", 1, "怎么开具结清证明", "结清后可在App申请电子结清证明。"), Vectors: embedWide("结清证明")}}); err != nil {
		t.Fatal(err)
	}
	missing := standInConfig(si)
	missing.Collection, missing.LedgerCollection = "nothing_here", "nothing_here_sources"
	wrongDim := standInConfig(si)
	wrongDim.Dim = 16

	tests := []struct {
		name     string
		from, to qdrant.Config
		code     knowledge.Code
		msg      string
	}{
		{"target is the source", standInConfig(si), func() qdrant.Config { c := standInConfig(si); c.Dim = newDim; return c }(), knowledge.Invalid, "source"},
		{"target holds other items", standInConfig(si), targetConfig(si, "busy"), knowledge.Conflict, "already holds"},
		{"no source collection", missing, targetConfig(si, "v3"), knowledge.NotFound, "nothing to reindex"},
		{"source of another dimension than said", wrongDim, targetConfig(si, "v4"), knowledge.Invalid, "16"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := qdrant.Reindex(ctx, tc.from, tc.to, &wideEmbedder{}, qdrant.ReindexOptions{})
			if knowledge.ErrorCode(err) != tc.code || !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("Reindex: %v (code %s), want code %s mentioning %q", err, knowledge.ErrorCode(err), tc.code, tc.msg)
			}
		})
	}
	if n := si.pointCount("busy"); n != 1 {
		t.Errorf("the busy collection has %d points, want its 1 untouched", n)
	}
}

// TestReindexInterrupted_QdrantStandIn fails the embedder on the last
// batch, changes the source, and runs the reindex again: the second run
// finishes the copy and drops what the source lost meanwhile.
func TestReindexInterrupted_QdrantStandIn(t *testing.T) {
	si := startStandIn(t)
	ctx := context.Background()
	old := openStandIn(t, si)
	reviewedBase(t, old)
	from, to := standInConfig(si), targetConfig(si, "lore_items_v2")
	opt := qdrant.ReindexOptions{BatchSize: 2}
	_, err := qdrant.Reindex(ctx, from, to, &wideEmbedder{failAt: 3}, opt)
	if knowledge.ErrorCode(err) != knowledge.Unavailable {
		t.Fatalf("Reindex with a failing embedder: %v", err)
	}
	if n := si.pointCount("lore_items_v2"); n != 4 {
		t.Fatalf("the interrupted run copied %d items, want 4 (two batches of 2)", n)
	}
	// The half-copied target is not taken for a finished one: the marker
	// is there, and a reindex from elsewhere is refused.
	elsewhere := from
	elsewhere.Collection, elsewhere.LedgerCollection = "elsewhere", "elsewhere_sources"
	if s, err := qdrant.Open(ctx, func() qdrant.Config { c := elsewhere; c.Dim = testDim; return c }()); err != nil {
		t.Fatal(err)
	} else {
		sync1(t, s, source("faq/其他.md", "h9"), faq("faq/其他.md", 1, "怎么开具结清证明", "结清后可在App申请电子结清证明。"))
		s.Close()
	}
	if _, err := qdrant.Reindex(ctx, elsewhere, to, &wideEmbedder{}, opt); knowledge.ErrorCode(err) != knowledge.Conflict || !strings.Contains(err.Error(), "unfinished") {
		t.Errorf("reindex from elsewhere into a half-copied target: %v, want a conflict", err)
	}

	// The source loses a draft item the interrupted run had copied.
	copied := si.payloads("lore_items_v2")
	var gone knowledge.Item
	for _, it := range []knowledge.Item{faqOverdue, faqInstal} { // neither edited nor approved
		if _, ok := copied["1"+it.ID]; ok { // the stand-in's key of the item's point
			gone = it
		}
	}
	if gone.ID == "" {
		t.Fatal("setup: the interrupted run copied neither unreviewed FAQ")
	}
	var keep []knowledge.Item
	for _, it := range []knowledge.Item{faqOverdue, faqEarly, faqInstal} {
		if it.ID != gone.ID {
			keep = append(keep, it)
		}
	}
	sync1(t, old, source("faq/还款.md", "h1b"), keep...)
	if _, err := old.Get(ctx, gone.ID); knowledge.ErrorCode(err) != knowledge.NotFound {
		t.Fatalf("setup: %s should be gone from the source: %v", gone.Title, err)
	}

	res, err := qdrant.Reindex(ctx, from, to, &wideEmbedder{}, opt)
	if err != nil {
		t.Fatalf("rerun: %v", err)
	}
	want := everything(t, old)
	if res.Items != len(want) {
		t.Errorf("rerun copied %d items, the source holds %d", res.Items, len(want))
	}
	moved, err := qdrant.Open(ctx, to)
	if err != nil {
		t.Fatal(err)
	}
	defer moved.Close()
	if got := everything(t, moved); asJSON(t, got) != asJSON(t, want) {
		t.Errorf("after the rerun:\nsource %s\ntarget %s", asJSON(t, want), asJSON(t, got))
	}
	srcs, _ := old.Sources(ctx, "")
	if got, _ := moved.Sources(ctx, ""); asJSON(t, got) != asJSON(t, srcs) {
		t.Errorf("ledger after rerun:\nsource %s\ntarget %s", asJSON(t, srcs), asJSON(t, got))
	}
	if n, m := si.pointCount("lore_items_v2_sources"), si.pointCount(qdrant.DefaultLedgerCollection); n != m {
		t.Errorf("target ledger has %d points, the source %d: the marker stayed", n, m)
	}
	checkFindsWide(t, moved, want)
}
