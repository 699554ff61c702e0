//go:build unix

package sqlite

import (
	"errors"
	"fmt"
	"os"
	"syscall"

	"github.com/lorehq/lore/knowledge"
)

// lockDir takes an exclusive advisory lock on dir/lore.lock. The kernel
// releases it when the process dies, so a killed process never leaves a
// stale lock behind.
func lockDir(dir string) (*os.File, error) {
	path := dir + string(os.PathSeparator) + "lore.lock"
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("open lock file %s: %w", path, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, knowledge.Errorf(knowledge.Conflict, "sqlite.Open",
				"data directory %s is in use by another Lore process (serve or ingest); stop it or ingest through the running server / 数据目录 %s 正被另一个 Lore 进程使用", dir, dir)
		}
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	return f, nil
}
