package ooxml

import (
	"archive/zip"
	"bytes"
	"errors"
	"testing"
)

var (
	errNotZip  = errors.New("not a package")
	errLegacy  = errors.New("legacy")
	errCorrupt = errors.New("corrupt")
	errs       = Errors{NotZip: errNotZip, Legacy: errLegacy, Corrupt: errCorrupt}
)

func zipOf(t *testing.T, parts map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, body := range parts {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(body))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestOpen(t *testing.T) {
	good := zipOf(t, map[string]string{"a.xml": "<a/>", "b.xml": "<b>" + string(bytes.Repeat([]byte("x"), 1000)) + "</b>"})
	lim := Limits{MaxUnpackedBytes: 1 << 20, MaxEntries: 10}
	cases := []struct {
		name string
		b    []byte
		lim  Limits
		want error
	}{
		{"good", good, lim, nil},
		{"text", []byte("问题,答案"), lim, errNotZip},
		{"ole", append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 64)...), lim, errLegacy},
		{"truncated", good[:len(good)/2], lim, errCorrupt},
		{"too many entries", good, Limits{MaxUnpackedBytes: 1 << 20, MaxEntries: 1}, ErrZipBomb},
		{"too large", good, Limits{MaxUnpackedBytes: 100, MaxEntries: 10}, ErrZipBomb},
	}
	for _, c := range cases {
		zr, err := Open(c.b, c.lim, errs)
		if c.want == nil {
			if err != nil || len(zr.File) != 2 {
				t.Errorf("%s: %v", c.name, err)
			}
			continue
		}
		if !errors.Is(err, c.want) {
			t.Errorf("%s: err = %v, want %v", c.name, err, c.want)
		}
	}
}

func FuzzOpen(f *testing.F) {
	f.Add([]byte("PK\x03\x04junk"))
	f.Add([]byte("PK\x05\x06\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, b []byte) {
		zr, err := Open(b, Limits{MaxUnpackedBytes: 1 << 20, MaxEntries: 100}, errs)
		if err == nil && len(zr.File) > 100 {
			t.Fatalf("%d entries passed a limit of 100", len(zr.File))
		}
	})
}

func TestLimitsWithDefaults(t *testing.T) {
	for _, tc := range []struct{ in, want Limits }{
		{Limits{}, Limits{MaxUnpackedBytes: 64, MaxEntries: DefaultMaxEntries}},
		{Limits{MaxUnpackedBytes: 8, MaxEntries: 3}, Limits{MaxUnpackedBytes: 8, MaxEntries: 3}},
		{Limits{MaxUnpackedBytes: -1, MaxEntries: -1}, Limits{MaxUnpackedBytes: 64, MaxEntries: DefaultMaxEntries}},
	} {
		if got := tc.in.WithDefaults(64); got != tc.want {
			t.Errorf("%+v.WithDefaults(64) = %+v, want %+v", tc.in, got, tc.want)
		}
	}
}
