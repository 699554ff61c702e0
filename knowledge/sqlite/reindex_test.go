package sqlite_test

import (
	"context"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lorehq/lore/knowledge"
	"github.com/lorehq/lore/knowledge/sqlite"
)

// runeEmbedder is a deterministic toy embedder of any dimension: the
// dense vector is a normalised histogram of the item's runes folded into
// dim buckets (shifted by salt, so two embedders of one dimension differ),
// the sparse vector the rune counts. It fails, when failAt > 0, on its
// failAt-th call.
type runeEmbedder struct {
	dim, salt int
	failAt    int
	calls     int
}

func (e *runeEmbedder) EmbedItems(_ context.Context, items []knowledge.Item) ([]knowledge.Vectors, error) {
	e.calls++
	if e.failAt > 0 && e.calls == e.failAt {
		return nil, knowledge.Errorf(knowledge.Unavailable, "toy", "embedding service went away / 向量服务不可用")
	}
	out := make([]knowledge.Vectors, len(items))
	for i := range items {
		out[i] = e.embed(items[i].Title + items[i].Body)
	}
	return out, nil
}

func (e *runeEmbedder) embed(text string) knowledge.Vectors {
	dense := make([]float32, e.dim)
	counts := map[uint32]float32{}
	for _, r := range text {
		dense[(int(r)+e.salt)%e.dim] += 1 + float32(int(r)%5)/5
		counts[uint32(r)]++
	}
	var n float64
	for _, x := range dense {
		n += float64(x) * float64(x)
	}
	for i := range dense {
		dense[i] = float32(float64(dense[i]) / math.Sqrt(n))
	}
	var sp knowledge.Sparse
	for r := range counts {
		sp.Indices = append(sp.Indices, r)
	}
	// Unsorted on purpose: the store sorts them.
	for _, r := range sp.Indices {
		sp.Values = append(sp.Values, counts[r])
	}
	return knowledge.Vectors{Dense: dense, Sparse: sp}
}

// reindexFixture is a consumer-finance knowledge base in two spaces, with
// items in every review state, shared provenance and a retired source.
var reindexFixture = []struct {
	space, path, title, body string
	kind                     knowledge.Kind
}{
	{"催收", "rules/催收管理办法.md", "第二十二条 催收时段", "催收人员不得在每日二十二时至次日八时之间拨打催收电话。", knowledge.KindRule},
	{"催收", "rules/催收管理办法.md", "第二十一条 催收用语", "不得使用暴力、恐吓或者侮辱性语言，不得向第三人透露债务信息。", knowledge.KindRule},
	{"催收", "faq/还款.md", "提前还款要收违约金吗", "部分产品提前还款需支付剩余本金百分之一的违约金。", knowledge.KindFAQ},
	{"催收", "faq/还款.md", "逾期一天会上征信吗", "逾期后按合同计收罚息，连续逾期可能影响个人征信记录。", knowledge.KindFAQ},
	{"客服", "scripts/投诉安抚.md", "客户投诉催收电话太频繁", "非常抱歉给您带来困扰，我们已登记您的诉求，将调整联系频次。", knowledge.KindScript},
	{"客服", "terms/术语.md", "宽限期", "到期日后不计罚息的若干天，一般为三天。", knowledge.KindTerm},
	{"客服", "old/停用通知.md", "旧版分期费率表", "本费率表已于二〇二三年停用，仅供查询历史账单。", knowledge.KindPassage},
}

// fillStore stores the fixture with emb's vectors, then approves, edits,
// rejects and retires some items.
func fillStore(t *testing.T, st *sqlite.Store, emb *runeEmbedder) []knowledge.Item {
	t.Helper()
	bySource := map[[2]string][]knowledge.Record{}
	var order [][2]string
	for _, f := range reindexFixture {
		it := knowledge.Item{
			ID: knowledge.NewID(f.space, f.kind, f.title, f.body), Kind: f.kind, Space: f.space,
			Title: f.title, Body: f.body, Confidence: 0.9,
			Provenance: []knowledge.Provenance{{Source: f.path, Line: 3, HeadingPath: []string{f.title}}},
		}
		switch f.kind {
		case knowledge.KindRule:
			it.Rule = &knowledge.Rule{DocTitle: "催收管理办法", Article: strings.Fields(f.title)[0]}
		case knowledge.KindFAQ:
			it.FAQ = &knowledge.FAQ{Question: f.title, Answer: f.body}
		case knowledge.KindTerm:
			it.Term = &knowledge.Term{Term: f.title, Definition: f.body, Synonyms: []string{"免息期"}}
		case knowledge.KindScript:
			it.Script = &knowledge.Script{Intent: "投诉", Situation: []string{f.title}, Reply: f.body}
		}
		k := [2]string{f.space, f.path}
		if _, ok := bySource[k]; !ok {
			order = append(order, k)
		}
		bySource[k] = append(bySource[k], knowledge.Record{Item: it, Vectors: emb.embed(it.Title + it.Body)})
	}
	for _, k := range order {
		src := knowledge.Source{Space: k[0], Path: k[1], Hash: hex.EncodeToString([]byte(k[1]))[:16], Status: knowledge.SourceIndexed, Items: len(bySource[k])}
		if _, err := st.SyncSource(ctx, src, bySource[k]); err != nil {
			t.Fatal(err)
		}
	}
	edits := []struct {
		i    int
		edit func(*knowledge.Item) error
	}{
		{0, func(it *knowledge.Item) error { it.Status = knowledge.StatusApproved; return nil }},
		{2, func(it *knowledge.Item) error { it.Body += "（以合同约定为准）"; return nil }},
		{3, func(it *knowledge.Item) error { it.Status = knowledge.StatusRejected; return nil }},
	}
	for _, e := range edits {
		if _, err := st.Update(ctx, itemID(e.i), e.edit); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := st.RetireSource(ctx, "客服", "old/停用通知.md"); err != nil || n != 1 {
		t.Fatalf("retire: %d, %v", n, err)
	}
	return allItems(t, st)
}

func itemID(i int) string {
	f := reindexFixture[i]
	return knowledge.NewID(f.space, f.kind, f.title, f.body)
}

var allStatuses = []knowledge.Status{knowledge.StatusDraft, knowledge.StatusApproved, knowledge.StatusRejected, knowledge.StatusRetired}

func allItems(t *testing.T, st *sqlite.Store) []knowledge.Item {
	t.Helper()
	items, err := st.List(ctx, knowledge.Filter{Statuses: allStatuses}, "", 1000)
	if err != nil {
		t.Fatal(err)
	}
	return items
}

// dump renders every table of the database in dir, vectors included, for
// comparing a store before and after.
func dump(t *testing.T, dir string) string {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+(&url.URL{Path: filepath.Join(dir, sqlite.FileName)}).EscapedPath())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var b strings.Builder
	for _, q := range []string{
		`SELECT type || ' ' || name FROM sqlite_master ORDER BY type, name`,
		`SELECT key || '=' || value FROM meta ORDER BY key`,
		`SELECT id || ' ' || space || ' ' || kind || ' ' || status || ' ' || updated || ' ' || doc || ' ' || COALESCE(hex(dense), '-') || ' ' || COALESCE(hex(sparse), '-') FROM items ORDER BY id`,
		`SELECT space || ' ' || source || ' ' || item FROM provenance ORDER BY 1`,
		`SELECT space || ' ' || path || ' ' || doc FROM sources ORDER BY 1`,
	} {
		rows, err := db.Query(q)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				t.Fatal(err)
			}
			b.WriteString(s + "\n")
		}
		rows.Close()
	}
	return b.String()
}

// checkFinds searches every item's own text with emb's vectors, dense and
// sparse apart, and wants the item ranked first.
func checkFinds(t *testing.T, st *sqlite.Store, emb *runeEmbedder, items []knowledge.Item) {
	t.Helper()
	for _, it := range items {
		v := emb.embed(it.Title + it.Body)
		f := knowledge.Filter{Statuses: allStatuses}
		for name, q := range map[string]knowledge.Vectors{"dense": {Dense: v.Dense}, "sparse": {Sparse: v.Sparse}} {
			hits, err := st.Search(ctx, knowledge.Query{Vectors: q, Filter: f, Limit: 3})
			if err != nil {
				t.Fatalf("%s search for %s: %v", name, it.Title, err)
			}
			if len(hits) == 0 || hits[0].Item.ID != it.ID {
				t.Errorf("%s search for %q: top hit %v, want the item itself", name, it.Title, hitTitles(hits))
			}
		}
	}
}

func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func hitTitles(hits []knowledge.Hit) []string {
	var out []string
	for _, h := range hits {
		out = append(out, h.Item.Title)
	}
	return out
}

func TestReindexChangesDimension(t *testing.T) {
	dir := t.TempDir()
	oldEmb, newEmb := &runeEmbedder{dim: 8}, &runeEmbedder{dim: 24, salt: 5}
	st, err := sqlite.Open(dir, sqlite.Options{Dim: oldEmb.dim})
	if err != nil {
		t.Fatal(err)
	}
	before := fillStore(t, st, oldEmb)
	srcsBefore, err := st.Sources(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	st.Close()

	_, err = sqlite.Open(dir, sqlite.Options{Dim: newEmb.dim})
	if knowledge.ErrorCode(err) != knowledge.Conflict || !strings.Contains(err.Error(), "lore reindex") {
		t.Fatalf("open with the new dimension: %v; want a conflict naming `lore reindex`", err)
	}
	st, err = sqlite.Open(dir, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var progress []string
	res, err := st.Reindex(ctx, newEmb, sqlite.ReindexOptions{Dim: newEmb.dim, BatchSize: 3, Progress: func(done, total int) {
		progress = append(progress, fmt.Sprintf("%d/%d", done, total))
	}})
	if err != nil {
		t.Fatal(err)
	}
	n := len(reindexFixture)
	if res != (sqlite.ReindexResult{Items: n, OldDim: 8, NewDim: 24}) {
		t.Errorf("result %+v", res)
	}
	if got, want := strings.Join(progress, " "), fmt.Sprintf("3/%d 6/%d 7/%d", n, n, n); got != want {
		t.Errorf("progress %q, want %q", got, want)
	}
	if st.Dim() != newEmb.dim {
		t.Errorf("Dim() = %d after reindex", st.Dim())
	}
	after := allItems(t, st)
	if a, b := jsonOf(t, after), jsonOf(t, before); a != b {
		t.Errorf("reindex changed items:\nbefore %s\nafter  %s", b, a)
	}
	if srcs, _ := st.Sources(ctx, ""); jsonOf(t, srcs) != jsonOf(t, srcsBefore) {
		t.Errorf("reindex changed the ledger:\nbefore %s\nafter  %s", jsonOf(t, srcsBefore), jsonOf(t, srcs))
	}
	checkFinds(t, st, newEmb, before)
	if _, err := st.Search(ctx, knowledge.Query{Vectors: knowledge.Vectors{Dense: oldEmb.embed("罚息").Dense}}); knowledge.ErrorCode(err) != knowledge.Invalid {
		t.Errorf("a query of the old dimension: %v, want invalid", err)
	}
	// A write after the reindex goes to the new index too.
	it := before[0]
	if _, err := st.Update(ctx, it.ID, func(it *knowledge.Item) error { it.Title += "（修订）"; return nil }); err != nil {
		t.Fatal(err)
	}
	st.Close()

	// The new dimension is stored: the store opens with it, and only with it.
	if _, err := sqlite.Open(dir, sqlite.Options{Dim: oldEmb.dim}); knowledge.ErrorCode(err) != knowledge.Conflict {
		t.Errorf("open with the old dimension after reindex: %v, want conflict", err)
	}
	st, err = sqlite.Open(dir, sqlite.Options{Dim: newEmb.dim})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	checkFinds(t, st, newEmb, before[1:])
}

// TestReindexInterrupted fails the embedder halfway, hands it vectors of
// the wrong dimension, and leaves a killed run's shadow table behind: each
// time the store stays exactly as it was, and a later reindex succeeds.
func TestReindexInterrupted(t *testing.T) {
	dir := t.TempDir()
	oldEmb := &runeEmbedder{dim: 8}
	st, err := sqlite.Open(dir, sqlite.Options{Dim: oldEmb.dim})
	if err != nil {
		t.Fatal(err)
	}
	items := fillStore(t, st, oldEmb)
	st.Close()
	want := dump(t, dir)

	tests := []struct {
		name string
		emb  *runeEmbedder
		opt  sqlite.ReindexOptions
		code knowledge.Code
	}{
		{"embedder fails on the second batch", &runeEmbedder{dim: 16, failAt: 2}, sqlite.ReindexOptions{Dim: 16, BatchSize: 3}, knowledge.Unavailable},
		{"embedder fails on the last batch", &runeEmbedder{dim: 16, failAt: 4}, sqlite.ReindexOptions{Dim: 16, BatchSize: 2}, knowledge.Unavailable},
		{"vectors of another dimension", &runeEmbedder{dim: 12}, sqlite.ReindexOptions{Dim: 16, BatchSize: 2}, knowledge.Invalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st, err := sqlite.Open(dir, sqlite.Options{})
			if err != nil {
				t.Fatal(err)
			}
			_, err = st.Reindex(ctx, tc.emb, tc.opt)
			if knowledge.ErrorCode(err) != tc.code {
				t.Errorf("Reindex: %v (code %s), want code %s", err, knowledge.ErrorCode(err), tc.code)
			}
			if st.Dim() != oldEmb.dim {
				t.Errorf("Dim() = %d after a failed reindex", st.Dim())
			}
			checkFinds(t, st, oldEmb, items)
			st.Close()
			if got := dump(t, dir); got != want {
				t.Errorf("the database changed:\nbefore:\n%s\nafter:\n%s", want, got)
			}
		})
	}

	// A process killed before the swap leaves the shadow table with some
	// rows: the store ignores it, and the next reindex starts afresh.
	db, err := sql.Open("sqlite", "file:"+(&url.URL{Path: filepath.Join(dir, sqlite.FileName)}).EscapedPath())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`CREATE TABLE reindex_vectors (id TEXT PRIMARY KEY, dense BLOB, sparse BLOB) WITHOUT ROWID;
		INSERT INTO reindex_vectors VALUES (?, x'00', NULL)`, items[0].ID); err != nil {
		t.Fatal(err)
	}
	db.Close()
	st, err = sqlite.Open(dir, sqlite.Options{Dim: oldEmb.dim})
	if err != nil {
		t.Fatalf("open with a killed reindex's table: %v", err)
	}
	checkFinds(t, st, oldEmb, items)
	newEmb := &runeEmbedder{dim: 16, salt: 3}
	if _, err := st.Reindex(ctx, newEmb, sqlite.ReindexOptions{BatchSize: 4}); err != nil {
		t.Fatalf("reindex after a killed one: %v", err)
	}
	if st.Dim() != 16 {
		t.Errorf("Dim() = %d, want 16 taken from the vectors", st.Dim())
	}
	checkFinds(t, st, newEmb, items)
	st.Close()
	if got := dump(t, dir); strings.Contains(got, "reindex_vectors") {
		t.Error("the shadow table outlived the reindex")
	}
}

// TestReindexCanceled stops a reindex through its context.
func TestReindexCanceled(t *testing.T) {
	dir := t.TempDir()
	oldEmb := &runeEmbedder{dim: 8}
	st, err := sqlite.Open(dir, sqlite.Options{Dim: oldEmb.dim})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	items := fillStore(t, st, oldEmb)
	cctx, cancel := context.WithCancel(ctx)
	_, err = st.Reindex(cctx, &runeEmbedder{dim: 16}, sqlite.ReindexOptions{BatchSize: 2, Progress: func(done, _ int) {
		if done >= 4 {
			cancel()
		}
	}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Reindex after cancel: %v, want context.Canceled in the chain", err)
	}
	if st.Dim() != oldEmb.dim {
		t.Errorf("Dim() = %d", st.Dim())
	}
	checkFinds(t, st, oldEmb, items)
}
