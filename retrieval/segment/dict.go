package segment

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode/utf8"
)

// MaxWordRunes is the longest word a user dictionary may hold: longer lines
// are phrases or pasted text, not words.
const MaxWordRunes = 32

// ReadWords reads a user dictionary: one word a line, UTF-8. Blank lines
// and lines starting with # are skipped; a line may add a frequency or a
// part-of-speech tag after the word (as jieba and gse dictionaries do),
// which is ignored. A line that is not valid UTF-8, or whose word is longer
// than MaxWordRunes characters, is an error naming its line number; so is
// a line longer than 4 KB.
func ReadWords(r io.Reader) ([]string, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), 4096)
	var out []string
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if n == 1 {
			line = strings.TrimPrefix(line, "\ufeff")
		}
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if !utf8.ValidString(line) {
			return nil, fmt.Errorf("line %d is not UTF-8 text / 第 %d 行不是 UTF-8 文本", n, n)
		}
		w := strings.Fields(line)[0]
		if utf8.RuneCountInString(w) > MaxWordRunes {
			return nil, fmt.Errorf("line %d: %q is longer than %d characters, not a word / 第 %d 行过长，不是一个词", n, w, MaxWordRunes, n)
		}
		out = append(out, w)
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			err = errors.New("a line is longer than 4 KB / 某一行超过 4 KB")
		}
		return nil, fmt.Errorf("read user dictionary: %w", err)
	}
	return out, nil
}

// LoadWords reads the user dictionary at path (see ReadWords).
func LoadWords(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("segment: user dictionary: %w", err)
	}
	defer f.Close()
	ws, err := ReadWords(f)
	if err != nil {
		return nil, fmt.Errorf("segment: user dictionary %s: %w", path, err)
	}
	return ws, nil
}
