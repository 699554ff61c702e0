package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/lorehq/lore/configs"
	"github.com/lorehq/lore/knowledge/qdrant"
	"github.com/lorehq/lore/knowledge/sqlite"
)

// checkReindex checks the reindex flags against the configured backend.
func (c *command) checkReindex(cfg configs.Config) error {
	switch {
	case c.batch < 1:
		return fmt.Errorf("-batch must be at least 1 / -batch 至少为 1")
	case cfg.Store.Backend == "qdrant" && c.toCollection == "":
		return fmt.Errorf("the Qdrant backend reindexes into a new collection: give its name with -to-collection / Qdrant 后端需要用 -to-collection 指定新集合名")
	case cfg.Store.Backend == "qdrant" && c.toCollection == cfg.Store.Qdrant.Collection:
		return fmt.Errorf("-to-collection %q is the current collection; give a new name / 新集合名不能与当前集合相同", c.toCollection)
	case cfg.Store.Backend != "qdrant" && c.toCollection != "":
		return fmt.Errorf("-to-collection is for the Qdrant backend; the embedded store is reindexed in place / 内置存储原地重建，无需 -to-collection")
	}
	return nil
}

// runReindex re-embeds every stored item with the configured embedder:
// the embedded store in place (atomically), a Qdrant collection by
// copying it into a new one.
func runReindex(ctx context.Context, c *command) error {
	e, err := openEmbedding(ctx, c.cfg)
	if err != nil {
		return err
	}
	if e.close != nil {
		defer e.close()
	}
	start := time.Now()
	progress := reindexProgress(c.stdout)
	fmt.Fprintf(c.stdout, "Re-embedding every item with / 正在重新生成向量：%s, %d dimensions / 维\n", e.fingerprint, e.dim)
	if c.cfg.Store.Backend == "qdrant" {
		from, err := qdrantConfig(c.cfg)
		if err != nil {
			return err
		}
		from.Dim = 0 // the source holds the old dimension, whatever it is
		to := from
		to.Collection, to.LedgerCollection, to.Dim = c.toCollection, ledgerCollection(c.toCollection), e.dim
		to.Embedding = e.fingerprint // recorded in the new collections once the copy is complete
		res, err := qdrant.Reindex(ctx, from, to, e.emb, qdrant.ReindexOptions{BatchSize: c.batch, Progress: progress})
		if err != nil {
			return err
		}
		fmt.Fprintf(c.stdout, "Copied %d items (%d → %d dimensions) and %d ledger entries from %q into %q in %s.\n",
			res.Items, res.OldDim, res.NewDim, res.Sources, from.Collection, to.Collection, time.Since(start).Round(time.Millisecond))
		fmt.Fprintf(c.stdout, "已将 %d 个条目（%d → %d 维）和 %d 条台账从 %q 复制到 %q。\n", res.Items, res.OldDim, res.NewDim, res.Sources, from.Collection, to.Collection)
		fmt.Fprintf(c.stdout, "Now set store.qdrant.collection: %s in the configuration; %q and %q stay until you delete them.\n", to.Collection, from.Collection, from.LedgerCollection)
		fmt.Fprintf(c.stdout, "请在配置中设置 store.qdrant.collection: %s；旧集合 %q 和 %q 保留，确认无误后可自行删除。\n", to.Collection, from.Collection, from.LedgerCollection)
		return nil
	}
	if err := ensureDir(c.cfg.DataDir); err != nil {
		return err
	}
	st, err := sqlite.Open(c.cfg.DataDir, sqlite.Options{}) // any stored dimension and scheme
	if err != nil {
		return err
	}
	defer st.Close()
	res, err := st.Reindex(ctx, e.emb, sqlite.ReindexOptions{Dim: e.dim, Embedding: e.fingerprint, BatchSize: c.batch, Progress: progress})
	if err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "Re-embedded %d items (%d → %d dimensions) in %s / 已重新生成 %d 个条目的向量（%d → %d 维）\n",
		res.Items, res.OldDim, res.NewDim, time.Since(start).Round(time.Millisecond), res.Items, res.OldDim, res.NewDim)
	return st.Close()
}

// reindexProgress reports each finished batch: on a terminal one status
// line with a bar, elsewhere a line per batch.
func reindexProgress(w io.Writer) func(done, total int) {
	tty := isTerminal(w)
	return func(done, total int) {
		if !tty {
			fmt.Fprintf(w, "[%d/%d] items re-embedded / 条目已重新生成向量\n", done, total)
			return
		}
		const width = 30
		filled := 0
		if total > 0 {
			filled = min(width, width*done/total)
		}
		fmt.Fprintf(w, "\r\033[K[%s%s] %d/%d", strings.Repeat("#", filled), strings.Repeat(".", width-filled), done, total)
		if done == total {
			fmt.Fprintln(w)
		}
	}
}
