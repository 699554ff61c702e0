package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lorehq/lore/knowledge"
	"github.com/lorehq/lore/knowledge/sqlite"
)

// TestMain lets a test re-run this binary as the lore command itself, so a
// real `lore ingest` process can be killed mid-run.
func TestMain(m *testing.M) {
	if args := os.Getenv("LORE_TEST_AS_LORE"); args != "" {
		os.Exit(run(context.Background(), strings.Split(args, "\x1f"), nil, os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// writeShare makes a share of n Markdown files of a few passages each.
func writeShare(t *testing.T, n int) string {
	t.Helper()
	share := filepath.Join(t.TempDir(), "policies")
	for i := 0; i < n; i++ {
		dir := filepath.Join(share, fmt.Sprintf("part%02d", i%7))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		fmt.Fprintf(&b, "# 第%d号业务通知\n\n", i)
		for j := 0; j < 6; j++ {
			fmt.Fprintf(&b, "## 事项%d\n\n借款人编号%d的分期方案第%d期应当按时还款。逾期%d天的，按日计收罚息，并在征信系统中如实报送。客服应当在受理后%d个工作日内回复。\n\n", j, i, j, i%30+1, j+1)
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("notice-%03d.md", i)), []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return share
}

// snapshot lists every item (id, status, sources) and ledger entry of a
// store, sorted, for comparing two stores.
func snapshot(t *testing.T, dir string) (items, sources []string) {
	t.Helper()
	st, err := sqlite.Open(dir, sqlite.Options{})
	if err != nil {
		t.Fatalf("reopen store after kill: %v", err)
	}
	defer st.Close()
	ctx := context.Background()
	all := []knowledge.Status{knowledge.StatusDraft, knowledge.StatusApproved, knowledge.StatusRejected, knowledge.StatusRetired}
	for after := ""; ; {
		page, err := st.List(ctx, knowledge.Filter{Statuses: all}, after, 500)
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range page {
			items = append(items, it.ID+" "+string(it.Status)+" "+strings.Join(it.Sources(), ","))
		}
		if len(page) < 500 {
			break
		}
		after = page[len(page)-1].ID
	}
	srcs, err := st.Sources(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	perSource := map[string]int{}
	for _, it := range items {
		for _, s := range strings.Split(strings.Fields(it)[2], ",") {
			perSource[s]++
		}
	}
	for _, s := range srcs {
		// The ledger never claims items the store does not hold.
		if s.Status == knowledge.SourceIndexed && perSource[s.Path] != s.Items {
			t.Errorf("ledger says %s has %d items, store holds %d", s.Path, s.Items, perSource[s.Path])
		}
		sources = append(sources, s.Path+" "+string(s.Status)+" "+s.Hash)
	}
	sort.Strings(items)
	sort.Strings(sources)
	return items, sources
}

// TestIngestSurvivesKill kills a real `lore ingest` process at several
// moments, checks the store opens consistent, re-runs the ingest, and checks
// the result equals an uninterrupted run.
func TestIngestSurvivesKill(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns and kills ingest processes")
	}
	share := writeShare(t, 120)
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	lore := func(args ...string) *exec.Cmd {
		cmd := exec.Command(self, "-test.run=^$")
		cmd.Env = append(os.Environ(), "LORE_TEST_AS_LORE="+strings.Join(args, "\x1f"))
		return cmd
	}

	clean := t.TempDir()
	if out, err := lore("ingest", "-data", clean, share).CombinedOutput(); err != nil {
		t.Fatalf("uninterrupted ingest: %v\n%s", err, out)
	}
	wantItems, wantSources := snapshot(t, clean)

	for _, killAfter := range []int{1, 17, 60, 111, 120} { // 120: after the last file, during the glossary refresh
		t.Run(fmt.Sprintf("kill after %d files", killAfter), func(t *testing.T) {
			data := t.TempDir()
			cmd := lore("ingest", "-data", data, share)
			stdout, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			sc := bufio.NewScanner(stdout)
			for seen := 0; seen < killAfter && sc.Scan(); {
				if strings.HasPrefix(sc.Text(), "[") {
					seen++
				}
			}
			if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			_ = cmd.Wait()

			snapshot(t, data) // opens and is consistent
			rerun := lore("ingest", "-data", data, share)
			rerun.WaitDelay = time.Minute
			if out, err := rerun.CombinedOutput(); err != nil {
				t.Fatalf("re-run after kill: %v\n%s", err, out)
			}
			gotItems, gotSources := snapshot(t, data)
			if strings.Join(gotItems, "\n") != strings.Join(wantItems, "\n") {
				t.Errorf("items after kill and re-run differ from an uninterrupted run (%d vs %d)", len(gotItems), len(wantItems))
			}
			if strings.Join(gotSources, "\n") != strings.Join(wantSources, "\n") {
				t.Errorf("ledger after kill and re-run differs from an uninterrupted run")
			}
		})
	}
}
