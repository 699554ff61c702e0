package text

import (
	"context"
	"fmt"
	"io"
)

// ReadAll is how a parser of format starts: it fails when ctx is done,
// naming the format and file, and otherwise reads all of r, with a message
// for users when r fails.
func ReadAll(ctx context.Context, format, name string, r io.Reader) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("%s: parse %s: %w", format, name, err)
	}
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("cannot read file / 无法读取文件: %w", err)
	}
	return b, nil
}

// Read is ReadAll followed by Decode: the file as UTF-8 text.
func Read(ctx context.Context, format, name string, r io.Reader) (string, error) {
	b, err := ReadAll(ctx, format, name, r)
	if err != nil {
		return "", err
	}
	s, _, err := Decode(b)
	return s, err
}
