package storetest

import (
	"context"
	"fmt"
	"math"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/lorehq/lore/knowledge"
)

// Dim is the dense dimension of the suite's vectors.
const Dim = 8

// Opener returns a new, empty store with dense dimension Dim. The store is
// closed by the suite.
type Opener func(t *testing.T) knowledge.Store

// Run runs the whole contract suite, each case on a fresh store.
func Run(t *testing.T, open Opener) {
	cases := []struct {
		name string
		fn   func(*testing.T, knowledge.Store)
	}{
		{"SyncAndGet", testSyncAndGet},
		{"SyncIsIdempotent", testSyncIdempotent},
		{"SyncReplacesSourceItems", testSyncReplaces},
		{"SharedProvenance", testSharedProvenance},
		{"ReviewerEditsSurviveSync", testEditsSurvive},
		{"ReviewedItemsFlaggedOnChange", testReviewedFlagged},
		{"RetireAndRevive", testRetire},
		{"RejectedStaysRejected", testRejectedStaysRejected},
		{"DenseQueryWithoutDense", testDenseQueryWithoutDense},
		{"MarkSourceKeepsItems", testMarkSource},
		{"SourcesBySpace", testSources},
		{"InvalidSyncChangesNothing", testInvalidSync},
		{"Update", testUpdate},
		{"ListPaging", testList},
		{"Stats", testStats},
		{"SparseIDF", testSparseIDF},
		{"DenseCosine", testDense},
		{"HybridRRF", testHybrid},
		{"WeightedRRF", testWeighted},
		{"Filters", testFilters},
		{"SearchValidation", testSearchValidation},
		{"Concurrent", testConcurrent},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			st := open(t)
			t.Cleanup(func() { _ = st.Close() })
			c.fn(t, st)
		})
	}
}

// Doc is a compact description of a test record.
type Doc struct {
	Kind   knowledge.Kind
	Title  string
	Body   string
	Dense  []float32          // unnormalised; Record normalises
	Sparse map[uint32]float32 // term index → weight
}

// Record builds the record of d from source src in space.
func Record(space, src string, d Doc) knowledge.Record {
	kind := d.Kind
	if kind == "" {
		kind = knowledge.KindPassage
	}
	it := knowledge.Item{
		ID:         knowledge.NewID(space, kind, d.Title, d.Body),
		Kind:       kind,
		Space:      space,
		Title:      d.Title,
		Body:       d.Body,
		Provenance: []knowledge.Provenance{{Source: src, Line: 1}},
		Confidence: 0.8,
	}
	if kind == knowledge.KindRule {
		it.Rule = &knowledge.Rule{DocTitle: d.Title, Article: "第一条"}
	}
	return knowledge.Record{Item: it, Vectors: knowledge.Vectors{Dense: unit(d.Dense), Sparse: sparse(d.Sparse)}}
}

func unit(v []float32) []float32 {
	if v == nil {
		return nil
	}
	var n float64
	for _, x := range v {
		n += float64(x) * float64(x)
	}
	out := make([]float32, len(v))
	for i, x := range v {
		out[i] = float32(float64(x) / math.Sqrt(n))
	}
	return out
}

func sparse(m map[uint32]float32) knowledge.Sparse {
	var s knowledge.Sparse
	keys := make([]uint32, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
	for _, k := range keys {
		s.Indices = append(s.Indices, k)
		s.Values = append(s.Values, m[k])
	}
	return s
}

func source(space, path string) knowledge.Source {
	return knowledge.Source{
		Space: space, Path: path, Size: 100, Hash: fmt.Sprintf("%064x", len(path)),
		ModTime: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC), Format: "md",
		Status: knowledge.SourceIndexed, Seen: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC),
	}
}

var ctx = context.Background()

func mustSync(t *testing.T, st knowledge.Store, space, path string, recs ...knowledge.Record) knowledge.SyncResult {
	t.Helper()
	src := source(space, path)
	src.Items = len(recs)
	res, err := st.SyncSource(ctx, src, recs)
	if err != nil {
		t.Fatalf("SyncSource(%s): %v", path, err)
	}
	return res
}

func mustGet(t *testing.T, st knowledge.Store, id string) knowledge.Item {
	t.Helper()
	it, err := st.Get(ctx, id)
	if err != nil {
		t.Fatalf("Get(%s): %v", id, err)
	}
	return it
}

func wantNotFound(t *testing.T, st knowledge.Store, id string) {
	t.Helper()
	_, err := st.Get(ctx, id)
	if knowledge.ErrorCode(err) != knowledge.NotFound {
		t.Fatalf("Get(%s) = %v, want a not_found error", id, err)
	}
}

var (
	docA = Doc{Title: "逾期罚息", Body: "逾期后按日计收罚息。", Dense: []float32{1, 0, 0, 0, 0, 0, 0, 0}, Sparse: map[uint32]float32{1: 1, 2: 1}}
	docB = Doc{Title: "提前还款", Body: "提前还款需提前三个工作日申请。", Dense: []float32{0, 1, 0, 0, 0, 0, 0, 0}, Sparse: map[uint32]float32{3: 1, 4: 1}}
	docC = Doc{Kind: knowledge.KindRule, Title: "催收时间", Body: "催收人员不得在晚上九点后致电。", Dense: []float32{0, 0, 1, 0, 0, 0, 0, 0}, Sparse: map[uint32]float32{5: 1, 2: 0.5}}
)

func testSyncAndGet(t *testing.T, st knowledge.Store) {
	a, b, c := Record("s", "share/a.md", docA), Record("s", "share/a.md", docB), Record("s", "share/a.md", docC)
	res := mustSync(t, st, "s", "share/a.md", a, b, c)
	if res.Added != 3 || res.Kept != 0 || res.Removed != 0 || res.Unchanged {
		t.Fatalf("first sync = %+v, want 3 added", res)
	}
	got := mustGet(t, st, c.Item.ID)
	if got.Title != docC.Title || got.Body != docC.Body || got.Kind != knowledge.KindRule || got.Space != "s" {
		t.Errorf("Get = %+v, want the synced rule", got)
	}
	if got.Rule == nil || got.Rule.Article != "第一条" {
		t.Errorf("rule fields lost: %+v", got.Rule)
	}
	if got.Status != knowledge.StatusDraft || got.Version != 1 || got.Created.IsZero() || !got.Updated.Equal(got.Created) {
		t.Errorf("new item status/version/times = %s/%d/%v/%v, want draft/1/set/equal", got.Status, got.Version, got.Created, got.Updated)
	}
	if len(got.Provenance) != 1 || got.Provenance[0].Source != "share/a.md" || got.Provenance[0].Line != 1 {
		t.Errorf("provenance = %+v", got.Provenance)
	}
	wantNotFound(t, st, "0123456789abcdef0123456789abcdef")
}

func testSyncIdempotent(t *testing.T, st knowledge.Store) {
	recs := []knowledge.Record{Record("s", "share/a.md", docA), Record("s", "share/a.md", docB)}
	mustSync(t, st, "s", "share/a.md", recs...)
	res := mustSync(t, st, "s", "share/a.md", recs...)
	if res.Added != 0 || res.Kept != 2 || res.Removed != 0 || !res.Unchanged {
		t.Fatalf("second identical sync = %+v, want 2 kept, unchanged", res)
	}
	if v := mustGet(t, st, recs[0].Item.ID).Version; v != 1 {
		t.Errorf("version after identical sync = %d, want 1", v)
	}
}

func testSyncReplaces(t *testing.T, st knowledge.Store) {
	a, b, c := Record("s", "share/a.md", docA), Record("s", "share/a.md", docB), Record("s", "share/a.md", docC)
	mustSync(t, st, "s", "share/a.md", a, b)
	res := mustSync(t, st, "s", "share/a.md", a, c)
	if res.Added != 1 || res.Kept != 1 || res.Removed != 1 || res.Unchanged {
		t.Fatalf("changed sync = %+v, want 1 added, 1 kept, 1 removed", res)
	}
	wantNotFound(t, st, b.Item.ID)
	mustGet(t, st, c.Item.ID)
	hits, err := st.Search(ctx, knowledge.Query{Vectors: knowledge.Vectors{Sparse: sparse(map[uint32]float32{3: 1})}})
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) != 0 {
		t.Errorf("search still finds the removed item: %v", ids(hits))
	}
}

func testSharedProvenance(t *testing.T, st knowledge.Store) {
	a1 := Record("s", "share/one.md", docA)
	a2 := Record("s", "share/two.md", docA)
	a2.Item.Provenance[0].Line = 7
	mustSync(t, st, "s", "share/one.md", a1)
	res := mustSync(t, st, "s", "share/two.md", a2)
	if res.Added != 0 || res.Kept != 1 {
		t.Fatalf("same item from a second source = %+v, want kept", res)
	}
	got := mustGet(t, st, a1.Item.ID)
	if srcs := got.Sources(); len(srcs) != 2 {
		t.Fatalf("sources = %v, want both files", srcs)
	}
	if got.Version != 2 {
		t.Errorf("version after gaining a provenance = %d, want 2", got.Version)
	}
	list, err := st.List(ctx, knowledge.Filter{Source: "share/two.md"}, "", 10)
	if err != nil || len(list) != 1 {
		t.Fatalf("List by source two = %v, %v", list, err)
	}
	res = mustSync(t, st, "s", "share/one.md", Record("s", "share/one.md", docB))
	if res.Removed != 0 {
		t.Errorf("item still cited by another source was removed: %+v", res)
	}
	got = mustGet(t, st, a1.Item.ID)
	if srcs := got.Sources(); len(srcs) != 1 || srcs[0] != "share/two.md" || got.Provenance[0].Line != 7 {
		t.Errorf("provenance after source one dropped it = %+v", got.Provenance)
	}
}

func testEditsSurvive(t *testing.T, st knowledge.Store) {
	a := Record("s", "share/a.md", docA)
	mustSync(t, st, "s", "share/a.md", a)
	edited, err := st.Update(ctx, a.Item.ID, func(it *knowledge.Item) error {
		it.Status = knowledge.StatusApproved
		it.Body = "逾期后按日计收罚息，罚息利率以合同为准。"
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !edited.Edited || edited.Version != 2 {
		t.Fatalf("after edit: edited=%v version=%d, want true/2", edited.Edited, edited.Version)
	}
	res := mustSync(t, st, "s", "share/a.md", a)
	if !res.Unchanged {
		t.Errorf("resync of an unchanged source = %+v, want unchanged", res)
	}
	got := mustGet(t, st, a.Item.ID)
	if got.Status != knowledge.StatusApproved || got.Body != edited.Body || !got.Edited || got.Version != 2 {
		t.Errorf("after resync: %s %q edited=%v v%d, want the reviewer's approved edit at v2", got.Status, got.Body, got.Edited, got.Version)
	}
}

func testReviewedFlagged(t *testing.T, st knowledge.Store) {
	a, b, c, d := Record("s", "share/a.md", docA), Record("s", "share/a.md", docB), Record("s", "share/a.md", docC), Record("s", "share/a.md", Doc{Title: "新条款", Body: "新内容。", Sparse: map[uint32]float32{9: 1}})
	mustSync(t, st, "s", "share/a.md", a, b, c)
	if _, err := st.Update(ctx, a.Item.ID, func(it *knowledge.Item) error { it.Status = knowledge.StatusApproved; return nil }); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Update(ctx, b.Item.ID, func(it *knowledge.Item) error { it.Body = "审核人改写的正文。"; return nil }); err != nil {
		t.Fatal(err)
	}
	// The file changed: it now yields only d.
	res := mustSync(t, st, "s", "share/a.md", d)
	if res.Added != 1 || res.Removed != 1 {
		t.Errorf("sync after change = %+v, want 1 added and only the unreviewed item removed", res)
	}
	wantNotFound(t, st, c.Item.ID)
	for _, id := range []string{a.Item.ID, b.Item.ID} {
		got := mustGet(t, st, id)
		if !got.NeedsReview || len(got.Sources()) != 1 || got.Sources()[0] != "share/a.md" {
			t.Errorf("reviewed item %q after its source changed: needs review %v, sources %v", got.Title, got.NeedsReview, got.Sources())
		}
	}
	if got := mustGet(t, st, b.Item.ID); got.Body != "审核人改写的正文。" {
		t.Errorf("reviewer's body lost: %q", got.Body)
	}
	// Syncing the changed file again changes nothing more.
	if res := mustSync(t, st, "s", "share/a.md", d); !res.Unchanged {
		t.Errorf("second sync of the changed file = %+v, want unchanged", res)
	}
	// Another sync that yields the item again does not clear the flag:
	// only a reviewer does.
	mustSync(t, st, "s", "share/a.md", d, b)
	if got := mustGet(t, st, b.Item.ID); !got.NeedsReview {
		t.Error("a sync cleared NeedsReview")
	}
	got, err := st.Update(ctx, a.Item.ID, func(it *knowledge.Item) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	if got.NeedsReview {
		t.Error("a reviewer's update did not clear NeedsReview")
	}
}

func testRejectedStaysRejected(t *testing.T, st knowledge.Store) {
	a := Record("s", "share/a.md", docA)
	mustSync(t, st, "s", "share/a.md", a)
	if _, err := st.Update(ctx, a.Item.ID, func(it *knowledge.Item) error { it.Status = knowledge.StatusRejected; return nil }); err != nil {
		t.Fatal(err)
	}
	if _, err := st.RetireSource(ctx, "s", "share/a.md"); err != nil {
		t.Fatal(err)
	}
	mustSync(t, st, "s", "share/a.md", a)
	if got := mustGet(t, st, a.Item.ID); got.Status != knowledge.StatusRejected {
		t.Errorf("a rejected item whose file was deleted and restored is %s, want rejected", got.Status)
	}
}

func testDenseQueryWithoutDense(t *testing.T, st knowledge.Store) {
	mustSync(t, st, "s", "share/a.md", Record("s", "share/a.md", Doc{Title: "无向量", Body: "x", Sparse: map[uint32]float32{1: 1}}))
	hits, err := st.Search(ctx, knowledge.Query{Vectors: knowledge.Vectors{
		Dense:  unit([]float32{1, 0, 0, 0, 0, 0, 0, 0}),
		Sparse: sparse(map[uint32]float32{1: 1}),
	}})
	if err != nil || len(hits) != 1 || hits[0].DenseRank != 0 {
		t.Errorf("hybrid search over items without dense vectors = %+v, %v; want the sparse hit alone", hits, err)
	}
}

func testRetire(t *testing.T, st knowledge.Store) {
	a, b := Record("s", "share/gone.md", docA), Record("s", "share/gone.md", docB)
	shared := Record("s", "share/stays.md", docB)
	mustSync(t, st, "s", "share/gone.md", a, b)
	mustSync(t, st, "s", "share/stays.md", shared)
	n, err := st.RetireSource(ctx, "s", "share/gone.md")
	if err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("retired %d items, want 1 (the other has another source)", n)
	}
	if got := mustGet(t, st, a.Item.ID); got.Status != knowledge.StatusRetired {
		t.Errorf("status of the retired source's item = %s", got.Status)
	}
	if got := mustGet(t, st, b.Item.ID); got.Status != knowledge.StatusDraft || len(got.Sources()) != 1 || got.Sources()[0] != "share/stays.md" {
		t.Errorf("shared item after retire = %s %v", got.Status, got.Sources())
	}
	hits, err := st.Search(ctx, knowledge.Query{Vectors: knowledge.Vectors{Sparse: sparse(map[uint32]float32{1: 1})}})
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) != 0 {
		t.Errorf("default search finds retired items: %v", ids(hits))
	}
	hits, err = st.Search(ctx, knowledge.Query{
		Vectors: knowledge.Vectors{Sparse: sparse(map[uint32]float32{1: 1})},
		Filter:  knowledge.Filter{Statuses: []knowledge.Status{knowledge.StatusRetired}},
	})
	if err != nil || len(hits) != 1 {
		t.Errorf("search for retired items = %v, %v", ids(hits), err)
	}
	srcs, err := st.Sources(ctx, "s")
	if err != nil {
		t.Fatal(err)
	}
	if srcs[0].Path != "share/gone.md" || srcs[0].Status != knowledge.SourceRetired {
		t.Errorf("ledger = %+v, want gone.md retired", srcs[0])
	}
	if _, err := st.RetireSource(ctx, "s", "share/never.md"); err != nil {
		t.Errorf("retiring an unknown source: %v", err)
	}
	// The file comes back: its item is current again.
	mustSync(t, st, "s", "share/gone.md", a)
	if got := mustGet(t, st, a.Item.ID); got.Status != knowledge.StatusDraft {
		t.Errorf("revived item status = %s, want draft", got.Status)
	}
}

func testMarkSource(t *testing.T, st knowledge.Store) {
	a := Record("s", "share/a.md", docA)
	mustSync(t, st, "s", "share/a.md", a)
	q := source("s", "share/a.md")
	q.Status, q.Reason, q.Items = knowledge.SourceQuarantined, "damaged PDF / PDF 已损坏", 1
	if err := st.MarkSource(ctx, q); err != nil {
		t.Fatal(err)
	}
	mustGet(t, st, a.Item.ID)
	srcs, err := st.Sources(ctx, "s")
	if err != nil {
		t.Fatal(err)
	}
	if len(srcs) != 1 || srcs[0].Status != knowledge.SourceQuarantined || srcs[0].Reason != q.Reason {
		t.Errorf("ledger = %+v, want the quarantine", srcs)
	}
}

func testSources(t *testing.T, st knowledge.Store) {
	mustSync(t, st, "s", "share/b.md", Record("s", "share/b.md", docA))
	mustSync(t, st, "s", "share/a.md", Record("s", "share/a.md", docB))
	mustSync(t, st, "t", "share/a.md", Record("t", "share/a.md", docB))
	srcs, err := st.Sources(ctx, "s")
	if err != nil {
		t.Fatal(err)
	}
	if len(srcs) != 2 || srcs[0].Path != "share/a.md" || srcs[1].Path != "share/b.md" {
		t.Fatalf("Sources(s) = %+v", srcs)
	}
	want := source("s", "share/a.md")
	want.Items = 1
	got := srcs[0]
	if got.Hash != want.Hash || got.Size != want.Size || !got.ModTime.Equal(want.ModTime) || got.Items != 1 || got.Format != "md" || got.Status != knowledge.SourceIndexed {
		t.Errorf("ledger entry = %+v, want %+v", got, want)
	}
	all, err := st.Sources(ctx, "")
	if err != nil || len(all) != 3 {
		t.Errorf("Sources(all) = %d entries, %v; want 3", len(all), err)
	}
}

func testInvalidSync(t *testing.T, st knowledge.Store) {
	good := Record("s", "share/a.md", docA)
	mustSync(t, st, "s", "share/a.md", good)
	wrongSrc := Record("s", "share/other.md", docB)
	wrongDim := Record("s", "share/a.md", docC)
	wrongDim.Vectors.Dense = []float32{1, 0, 0}
	noBody := Record("s", "share/a.md", Doc{Dense: docA.Dense})
	badSparse := Record("s", "share/a.md", docB)
	badSparse.Vectors.Sparse.Values = badSparse.Vectors.Sparse.Values[:1]
	for name, bad := range map[string]knowledge.Record{
		"provenance names another source": wrongSrc,
		"wrong dense dimension":           wrongDim,
		"empty title and body":            noBody,
		"sparse lengths differ":           badSparse,
	} {
		src := source("s", "share/a.md")
		_, err := st.SyncSource(ctx, src, []knowledge.Record{Record("s", "share/a.md", docB), bad})
		if knowledge.ErrorCode(err) != knowledge.Invalid {
			t.Errorf("%s: err = %v, want invalid", name, err)
		}
	}
	mustGet(t, st, good.Item.ID)
	wantNotFound(t, st, Record("s", "share/a.md", docB).Item.ID)
}

func testUpdate(t *testing.T, st knowledge.Store) {
	a := Record("s", "share/a.md", docA)
	mustSync(t, st, "s", "share/a.md", a)
	before := mustGet(t, st, a.Item.ID)
	got, err := st.Update(ctx, a.Item.ID, func(it *knowledge.Item) error {
		it.Status = knowledge.StatusRejected
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got.Version != 2 || got.Status != knowledge.StatusRejected || got.Edited || got.Updated.Before(before.Updated) {
		t.Errorf("after reject: v%d %s edited=%v", got.Version, got.Status, got.Edited)
	}
	if stored := mustGet(t, st, a.Item.ID); stored.Status != knowledge.StatusRejected || stored.Version != 2 {
		t.Errorf("stored after reject: %s v%d", stored.Status, stored.Version)
	}
	for name, edit := range map[string]func(*knowledge.Item) error{
		"id":         func(it *knowledge.Item) error { it.ID = "x"; return nil },
		"kind":       func(it *knowledge.Item) error { it.Kind = knowledge.KindFAQ; return nil },
		"provenance": func(it *knowledge.Item) error { it.Provenance = nil; return nil },
		"status":     func(it *knowledge.Item) error { it.Status = "bogus"; return nil },
	} {
		if _, err := st.Update(ctx, a.Item.ID, edit); knowledge.ErrorCode(err) != knowledge.Invalid {
			t.Errorf("changing %s: err = %v, want invalid", name, err)
		}
	}
	boom := fmt.Errorf("reviewer cancelled")
	if _, err := st.Update(ctx, a.Item.ID, func(*knowledge.Item) error { return boom }); err == nil {
		t.Error("an edit's error is not returned")
	}
	if v := mustGet(t, st, a.Item.ID).Version; v != 2 {
		t.Errorf("failed updates changed the version to %d", v)
	}
	if _, err := st.Update(ctx, "ffffffffffffffffffffffffffffffff", func(*knowledge.Item) error { return nil }); knowledge.ErrorCode(err) != knowledge.NotFound {
		t.Errorf("updating a missing item: %v, want not_found", err)
	}
}

func testList(t *testing.T, st knowledge.Store) {
	var recs []knowledge.Record
	for i := 0; i < 25; i++ {
		recs = append(recs, Record("s", "share/a.md", Doc{Title: fmt.Sprintf("条目%02d", i), Body: "正文", Dense: docA.Dense, Sparse: docA.Sparse}))
	}
	mustSync(t, st, "s", "share/a.md", recs...)
	var got []string
	for after := ""; ; {
		page, err := st.List(ctx, knowledge.Filter{}, after, 10)
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range page {
			got = append(got, it.ID)
		}
		if len(page) < 10 {
			break
		}
		after = page[len(page)-1].ID
	}
	if len(got) != 25 || !sort.StringsAreSorted(got) {
		t.Fatalf("paged list = %d ids, sorted=%v; want 25 sorted", len(got), sort.StringsAreSorted(got))
	}
	for i := 1; i < len(got); i++ {
		if got[i] == got[i-1] {
			t.Fatalf("duplicate id %s in paging", got[i])
		}
	}
	none, err := st.List(ctx, knowledge.Filter{Kinds: []knowledge.Kind{knowledge.KindFAQ}}, "", 10)
	if err != nil || len(none) != 0 {
		t.Errorf("List(faq) = %d, %v; want none", len(none), err)
	}
}

func testStats(t *testing.T, st knowledge.Store) {
	a := Record("s", "share/a.md", docA)
	mustSync(t, st, "s", "share/a.md", a, Record("s", "share/a.md", docB), Record("s", "share/a.md", docC))
	mustSync(t, st, "t", "share/x.md", Record("t", "share/x.md", docA))
	if _, err := st.Update(ctx, a.Item.ID, func(it *knowledge.Item) error { it.Status = knowledge.StatusApproved; return nil }); err != nil {
		t.Fatal(err)
	}
	s, err := st.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if s.Items != 4 || s.ByKind[knowledge.KindPassage] != 3 || s.ByKind[knowledge.KindRule] != 1 ||
		s.ByStatus[knowledge.StatusApproved] != 1 || s.ByStatus[knowledge.StatusDraft] != 3 || s.Sources != 2 {
		t.Errorf("stats = %+v", s)
	}
}

// idf is Qdrant's IDF modifier for a term in n of N documents.
func idf(N, n int) float64 {
	return math.Log(1 + (float64(N)-float64(n)+0.5)/(float64(n)+0.5))
}

func testSparseIDF(t *testing.T, st knowledge.Store) {
	// Term 1 is in every item, term 9 in one; a query for both must rank
	// the item with the rare term first, with Qdrant's IDF weights.
	var recs []knowledge.Record
	for i := 0; i < 6; i++ {
		sp := map[uint32]float32{1: 1}
		if i == 3 {
			sp[9] = 0.5
		}
		if i == 4 {
			sp[1] = 2
		}
		recs = append(recs, Record("s", "share/a.md", Doc{Title: fmt.Sprintf("第%d项", i), Body: "还款", Sparse: sp}))
	}
	mustSync(t, st, "s", "share/a.md", recs...)
	hits, err := st.Search(ctx, knowledge.Query{Vectors: knowledge.Vectors{Sparse: sparse(map[uint32]float32{1: 1, 9: 1})}, Limit: 3})
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) != 3 {
		t.Fatalf("hits = %d, want 3", len(hits))
	}
	if hits[0].Item.ID != recs[3].Item.ID {
		t.Errorf("top hit = %q, want the item with the rare term", hits[0].Item.Title)
	}
	want := 1*idf(6, 6) + 0.5*idf(6, 1)
	if math.Abs(hits[0].SparseScore-want) > 1e-4 {
		t.Errorf("sparse score = %.6f, want %.6f (Qdrant IDF)", hits[0].SparseScore, want)
	}
	if hits[1].Item.ID != recs[4].Item.ID || hits[0].SparseRank != 1 || hits[1].SparseRank != 2 || hits[0].DenseRank != 0 {
		t.Errorf("ranks: %v (%d,%d)", titles(hits), hits[0].SparseRank, hits[1].SparseRank)
	}
	if math.Abs(hits[0].Score-1.0/(knowledge.RRFK+1)) > 1e-9 {
		t.Errorf("fused score of a sparse-only search = %v, want 1/61", hits[0].Score)
	}
}

func testDense(t *testing.T, st knowledge.Store) {
	mustSync(t, st, "s", "share/a.md",
		Record("s", "share/a.md", Doc{Title: "近", Body: "x", Dense: []float32{1, 0.1, 0, 0, 0, 0, 0, 0}}),
		Record("s", "share/a.md", Doc{Title: "中", Body: "x", Dense: []float32{1, 1, 0, 0, 0, 0, 0, 0}}),
		Record("s", "share/a.md", Doc{Title: "远", Body: "x", Dense: []float32{0.1, 1, 0, 0, 0, 0, 0, 0}}),
		Record("s", "share/a.md", Doc{Title: "反", Body: "x", Dense: []float32{-1, 0, 0, 0, 0, 0, 0, 0}}),
		Record("s", "share/a.md", Doc{Title: "无向量", Body: "x", Sparse: map[uint32]float32{1: 1}}),
	)
	hits, err := st.Search(ctx, knowledge.Query{Vectors: knowledge.Vectors{Dense: unit([]float32{1, 0, 0, 0, 0, 0, 0, 0})}})
	if err != nil {
		t.Fatal(err)
	}
	if got := titles(hits); fmt.Sprint(got) != "[近 中 远]" {
		t.Errorf("dense ranking = %v, want [近 中 远] (positive cosine only)", got)
	}
	if len(hits) > 0 && math.Abs(hits[0].DenseScore-1/math.Sqrt(1.01)) > 1e-4 {
		t.Errorf("cosine = %v", hits[0].DenseScore)
	}
}

func testHybrid(t *testing.T, st knowledge.Store) {
	// X is first by sparse and third by dense; Y second and first; Z only
	// dense second. Fused: Y (1/62+1/61) > X (1/61+1/63) > Z (1/62).
	x := Record("s", "share/a.md", Doc{Title: "X", Body: "x", Dense: []float32{0.2, 1, 0, 0, 0, 0, 0, 0}, Sparse: map[uint32]float32{1: 2}})
	y := Record("s", "share/a.md", Doc{Title: "Y", Body: "y", Dense: []float32{1, 0, 0, 0, 0, 0, 0, 0}, Sparse: map[uint32]float32{1: 1}})
	z := Record("s", "share/a.md", Doc{Title: "Z", Body: "z", Dense: []float32{1, 0.5, 0, 0, 0, 0, 0, 0}})
	w := Record("s", "share/a.md", Doc{Title: "W", Body: "w", Sparse: map[uint32]float32{2: 1}})
	mustSync(t, st, "s", "share/a.md", x, y, z, w)
	hits, err := st.Search(ctx, knowledge.Query{Vectors: knowledge.Vectors{
		Dense:  unit([]float32{1, 0, 0, 0, 0, 0, 0, 0}),
		Sparse: sparse(map[uint32]float32{1: 1}),
	}})
	if err != nil {
		t.Fatal(err)
	}
	if got := titles(hits); fmt.Sprint(got) != "[Y X Z]" {
		t.Fatalf("fused order = %v, want [Y X Z]", got)
	}
	want := []float64{1.0/62 + 1.0/61, 1.0/61 + 1.0/63, 1.0 / 62}
	for i, h := range hits {
		if math.Abs(h.Score-want[i]) > 1e-9 {
			t.Errorf("%s: score %v, want %v", h.Item.Title, h.Score, want[i])
		}
	}
	if hits[0].SparseRank != 2 || hits[0].DenseRank != 1 || hits[2].SparseRank != 0 || hits[2].DenseRank != 2 {
		t.Errorf("ranks: Y %d/%d, Z %d/%d", hits[0].SparseRank, hits[0].DenseRank, hits[2].SparseRank, hits[2].DenseRank)
	}
}

func testWeighted(t *testing.T, st knowledge.Store) {
	// The data of testHybrid with the dense ranking at weight 0.05:
	// X (1/61 + 0.05/63) > Y (1/62 + 0.05/61) > Z (0.05/62).
	x := Record("s", "share/a.md", Doc{Title: "X", Body: "x", Dense: []float32{0.2, 1, 0, 0, 0, 0, 0, 0}, Sparse: map[uint32]float32{1: 2}})
	y := Record("s", "share/a.md", Doc{Title: "Y", Body: "y", Dense: []float32{1, 0, 0, 0, 0, 0, 0, 0}, Sparse: map[uint32]float32{1: 1}})
	z := Record("s", "share/a.md", Doc{Title: "Z", Body: "z", Dense: []float32{1, 0.5, 0, 0, 0, 0, 0, 0}})
	mustSync(t, st, "s", "share/a.md", x, y, z)
	hits, err := st.Search(ctx, knowledge.Query{Limit: 2, DenseWeight: 0.05, Vectors: knowledge.Vectors{
		Dense:  unit([]float32{1, 0, 0, 0, 0, 0, 0, 0}),
		Sparse: sparse(map[uint32]float32{1: 1}),
	}})
	if err != nil {
		t.Fatal(err)
	}
	if got := titles(hits); fmt.Sprint(got) != "[X Y]" {
		t.Fatalf("weighted fusion, limit 2 = %v, want [X Y]", got)
	}
	want := []float64{1.0/61 + 0.05/63, 1.0/62 + 0.05/61}
	for i, h := range hits {
		if math.Abs(h.Score-want[i]) > 1e-9 {
			t.Errorf("%s: score %v, want %v", h.Item.Title, h.Score, want[i])
		}
	}
}

func testFilters(t *testing.T, st knowledge.Store) {
	a, c := Record("s", "share/a.md", docA), Record("s", "share/a.md", docC)
	b := Record("s", "share/b.md", docB)
	other := Record("t", "share/a.md", docA)
	mustSync(t, st, "s", "share/a.md", a, c)
	mustSync(t, st, "s", "share/b.md", b)
	mustSync(t, st, "t", "share/a.md", other)
	if _, err := st.Update(ctx, c.Item.ID, func(it *knowledge.Item) error { it.Status = knowledge.StatusApproved; return nil }); err != nil {
		t.Fatal(err)
	}
	everything := knowledge.Vectors{Dense: unit([]float32{1, 1, 1, 0, 0, 0, 0, 0}), Sparse: sparse(map[uint32]float32{1: 1, 2: 1, 3: 1, 5: 1})}
	cases := []struct {
		name   string
		filter knowledge.Filter
		want   []string
	}{
		{"none", knowledge.Filter{}, []string{a.Item.ID, b.Item.ID, c.Item.ID, other.Item.ID}},
		{"kind", knowledge.Filter{Kinds: []knowledge.Kind{knowledge.KindRule}}, []string{c.Item.ID}},
		{"space", knowledge.Filter{Spaces: []string{"t"}}, []string{other.Item.ID}},
		{"status", knowledge.Filter{Statuses: []knowledge.Status{knowledge.StatusApproved}}, []string{c.Item.ID}},
		{"source", knowledge.Filter{Source: "share/b.md"}, []string{b.Item.ID}},
		{"kind and space", knowledge.Filter{Kinds: []knowledge.Kind{knowledge.KindPassage}, Spaces: []string{"s"}}, []string{a.Item.ID, b.Item.ID}},
		{"updated after", knowledge.Filter{UpdatedAfter: time.Now().Add(time.Hour)}, nil},
		{"updated before", knowledge.Filter{UpdatedBefore: time.Now().Add(time.Hour)}, []string{a.Item.ID, b.Item.ID, c.Item.ID, other.Item.ID}},
		{"approved-only passages", knowledge.Filter{ApprovedOnly: []knowledge.Kind{knowledge.KindPassage}}, []string{c.Item.ID}},
		{"approved-only rules", knowledge.Filter{ApprovedOnly: []knowledge.Kind{knowledge.KindRule}}, []string{a.Item.ID, b.Item.ID, c.Item.ID, other.Item.ID}},
		{"approved-only with a kind", knowledge.Filter{Kinds: []knowledge.Kind{knowledge.KindPassage, knowledge.KindRule}, Spaces: []string{"s"}, ApprovedOnly: []knowledge.Kind{knowledge.KindPassage, knowledge.KindTerm}}, []string{c.Item.ID}},
	}
	for _, tc := range cases {
		hits, err := st.Search(ctx, knowledge.Query{Vectors: everything, Filter: tc.filter})
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		got := ids(hits)
		sort.Strings(got)
		want := append([]string(nil), tc.want...)
		sort.Strings(want)
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("search filter %s: got %d hits %v, want %v", tc.name, len(got), got, want)
		}
		list, err := st.List(ctx, tc.filter, "", 100)
		if err != nil {
			t.Fatal(err)
		}
		var lids []string
		for _, it := range list {
			lids = append(lids, it.ID)
		}
		if fmt.Sprint(lids) != fmt.Sprint(want) {
			t.Errorf("list filter %s: got %v, want %v", tc.name, lids, want)
		}
	}
}

func testSearchValidation(t *testing.T, st knowledge.Store) {
	mustSync(t, st, "s", "share/a.md", Record("s", "share/a.md", docA))
	for name, q := range map[string]knowledge.Query{
		"no vectors":      {},
		"wrong dimension": {Vectors: knowledge.Vectors{Dense: []float32{1, 0}}},
		"sparse lengths":  {Vectors: knowledge.Vectors{Sparse: knowledge.Sparse{Indices: []uint32{1, 2}, Values: []float32{1}}}},
	} {
		if _, err := st.Search(ctx, q); knowledge.ErrorCode(err) != knowledge.Invalid {
			t.Errorf("%s: err = %v, want invalid", name, err)
		}
	}
	hits, err := st.Search(ctx, knowledge.Query{Vectors: knowledge.Vectors{Sparse: sparse(map[uint32]float32{424242: 1})}})
	if err != nil || len(hits) != 0 {
		t.Errorf("unknown term: %v, %v; want no hits", ids(hits), err)
	}
}

func testConcurrent(t *testing.T, st knowledge.Store) {
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < 10; i++ {
				path := fmt.Sprintf("share/w%d-%d.md", w, i)
				r := Record("s", path, Doc{Title: path, Body: "并发写入", Dense: docA.Dense, Sparse: map[uint32]float32{uint32(100 + w): 1, 1: 1}})
				src := source("s", path)
				src.Items = 1
				if _, err := st.SyncSource(ctx, src, []knowledge.Record{r}); err != nil {
					errs <- err
					return
				}
				if _, err := st.Search(ctx, knowledge.Query{Vectors: knowledge.Vectors{Dense: unit(docA.Dense), Sparse: sparse(map[uint32]float32{1: 1})}}); err != nil {
					errs <- err
					return
				}
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	s, err := st.Stats(ctx)
	if err != nil || s.Items != 40 || s.Sources != 40 {
		t.Errorf("after concurrent syncs: %+v, %v; want 40 items and sources", s, err)
	}
}

func ids(hits []knowledge.Hit) []string {
	var out []string
	for _, h := range hits {
		out = append(out, h.Item.ID)
	}
	return out
}

func titles(hits []knowledge.Hit) []string {
	var out []string
	for _, h := range hits {
		out = append(out, h.Item.Title)
	}
	return out
}
