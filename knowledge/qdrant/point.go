package qdrant

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"strings"

	"github.com/lorehq/lore/knowledge"
	qc "github.com/qdrant/go-client/qdrant"
)

// Payload fields of an item point. The item itself is stored field by
// field under its JSON names (id, kind, space, status, updated, …), so the
// indexed filter fields are the item's own; the store adds four of its own.
const (
	fieldKind    = "kind"
	fieldSpace   = "space"
	fieldStatus  = "status"
	fieldUpdated = "updated"
	// fieldSources lists Item.Sources(), for the Filter.Source condition
	// and for finding a source's items.
	fieldSources = "sources"
	// fieldRev is a token written with every change of the point (see
	// newRev); conditional writes name the token they read
	// (compare-and-set).
	fieldRev = "rev"
	// fieldRevs lists recent tokens, newest first, at most one per writer
	// and at most revWriters writers, so a writer can tell its change
	// landed even when others followed it (see nextRevs).
	fieldRevs  = "revs"
	revWriters = 16
	// fieldVectors is a hash of the point's vectors, so a sync can tell a
	// payload-only change (overwrite payload, keep vectors) from a vector
	// change (upsert the whole point) without reading vectors back.
	fieldVectors = "vectors_hash"
)

// Payload fields of a ledger point besides the Source's own JSON fields.
const (
	// fieldPending is true while a SyncSource of the source is under way
	// (or was interrupted): its items may be a mix of old and new.
	fieldPending = "pending"
	// fieldCommitted is true once a ledger entry was fully written; an
	// entry created only as a sync's intent marker is not listed.
	fieldCommitted = "committed"
)

// Names of the vectors in the item collection.
const (
	vectorDense  = "dense"
	vectorSparse = "sparse"
	// vectorLedger is the one-dimensional placeholder vector of ledger
	// points, which exists only because some Qdrant versions refuse a
	// collection without vectors.
	vectorLedger = "ledger"
)

// pointUUID maps an item id to a Qdrant point id. Item ids made by
// knowledge.NewID are 32 lowercase hex digits, 16 bytes: they are written
// as a UUID as they are, so Qdrant's id order (which scroll follows) is the
// item id order. Any other id is hashed to a UUID; List over such ids is
// still complete but not in id order across pages.
func pointUUID(id string) string {
	if isLowerHex32(id) {
		return id[0:8] + "-" + id[8:12] + "-" + id[12:16] + "-" + id[16:20] + "-" + id[20:32]
	}
	return hashUUID("lore item", id)
}

// ledgerUUID is the point id of a source's ledger entry.
func ledgerUUID(space, path string) string {
	return hashUUID("lore source", space, path)
}

func hashUUID(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	s := hex.EncodeToString(h.Sum(nil)[:16])
	return s[0:8] + "-" + s[8:12] + "-" + s[12:16] + "-" + s[16:20] + "-" + s[20:32]
}

func isLowerHex32(s string) bool {
	if len(s) != 32 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

func itemPointID(id string) *qc.PointId { return qc.NewIDUUID(pointUUID(id)) }

// newWriter returns a fresh writer id: one per Store, so the tokens of
// one replica can be told from another's.
func newWriter() string {
	var b [8]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
	return hex.EncodeToString(b[:])
}

// newRev returns a fresh write token of the writer: "writer.random".
func newRev(writer string) string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return writer + "." + hex.EncodeToString(b[:])
}

// revWriter is the writer part of a token; "" for tokens written before
// tokens named their writer.
func revWriter(rev string) string {
	w, _, ok := strings.Cut(rev, ".")
	if !ok {
		return ""
	}
	return w
}

// nextRevs is the token history of a point written with rev over a point
// whose history was prev: rev first, then prev without the tokens of
// rev's writer, cut to revWriters tokens.
//
// A writer confirms a change by reading the point back and finding its
// token in the history (Store.apply); Qdrant does not report whether a
// conditional write matched. Between the write and the read-back any
// number of other writes may land, so a history of the last n tokens
// loses a change that did land as soon as n others follow it, and the
// writer then applies the change a second time. Keeping one token per
// writer instead ties the bound to writers, not writes: a Store's writes
// are serialised and each is confirmed before its next, so its token
// stays in the history until it writes the point again or revWriters-1
// other Stores have written it since.
func nextRevs(rev string, prev []string) []string {
	w := revWriter(rev)
	out := make([]string, 1, revWriters)
	out[0] = rev
	for _, r := range prev {
		if len(out) == revWriters {
			break
		}
		if w != "" && revWriter(r) == w {
			continue
		}
		out = append(out, r)
	}
	return out
}

// vectorsHash identifies the content of v.
func vectorsHash(v knowledge.Vectors) string {
	h := sha256.New()
	var b [4]byte
	binary.LittleEndian.PutUint32(b[:], uint32(len(v.Dense)))
	h.Write(b[:])
	for _, f := range v.Dense {
		binary.LittleEndian.PutUint32(b[:], math.Float32bits(f))
		h.Write(b[:])
	}
	for i, ix := range v.Sparse.Indices {
		binary.LittleEndian.PutUint32(b[:], ix)
		h.Write(b[:])
		binary.LittleEndian.PutUint32(b[:], math.Float32bits(v.Sparse.Values[i]))
		h.Write(b[:])
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// storedItem is an item as read from Qdrant with the store's bookkeeping.
type storedItem struct {
	item    knowledge.Item
	rev     string
	revs    []string // fieldRevs
	vectors string   // fieldVectors
}

// itemPayload renders an item and the store's fields as a Qdrant payload.
// revs is the token history, the new rev first.
func itemPayload(it *knowledge.Item, vectors string, revs []string) (map[string]*qc.Value, error) {
	p, err := jsonPayload(it)
	if err != nil {
		return nil, fmt.Errorf("item %s: %w", it.ID, err)
	}
	srcs := it.Sources()
	list := make([]*qc.Value, len(srcs))
	for i, s := range srcs {
		list[i] = qc.NewValueString(s)
	}
	p[fieldSources] = qc.NewValueList(&qc.ListValue{Values: list})
	p[fieldRev] = qc.NewValueString(revs[0])
	hist := make([]*qc.Value, len(revs))
	for i, r := range revs {
		hist[i] = qc.NewValueString(r)
	}
	p[fieldRevs] = qc.NewValueList(&qc.ListValue{Values: hist})
	p[fieldVectors] = qc.NewValueString(vectors)
	return p, nil
}

// decodeItem reads an item payload back.
func decodeItem(p map[string]*qc.Value) (storedItem, error) {
	var s storedItem
	if err := decodePayload(p, &s.item); err != nil {
		return s, err
	}
	s.rev = p[fieldRev].GetStringValue()
	for _, v := range p[fieldRevs].GetListValue().GetValues() {
		s.revs = append(s.revs, v.GetStringValue())
	}
	s.vectors = p[fieldVectors].GetStringValue()
	return s, nil
}

// jsonPayload converts v through its JSON form to a payload: the stored
// document is exactly what encoding/json writes for the domain type.
func jsonPayload(v any) (map[string]*qc.Value, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber() // keep integers (versions, durations in ns) exact
	var m map[string]any
	if err := d.Decode(&m); err != nil {
		return nil, err
	}
	out := make(map[string]*qc.Value, len(m)+3)
	for k, x := range m {
		val, err := toValue(x)
		if err != nil {
			return nil, fmt.Errorf("field %s: %w", k, err)
		}
		out[k] = val
	}
	return out, nil
}

// decodePayload fills v from a payload written by jsonPayload. Fields the
// type does not know (the store's own) are ignored.
func decodePayload(p map[string]*qc.Value, v any) error {
	m := make(map[string]any, len(p))
	for k, x := range p {
		m[k] = fromValue(x)
	}
	raw, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("decode payload: %w", err)
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return fmt.Errorf("decode payload: %w", err)
	}
	return nil
}

func toValue(x any) (*qc.Value, error) {
	switch x := x.(type) {
	case nil:
		return qc.NewValueNull(), nil
	case bool:
		return qc.NewValueBool(x), nil
	case string:
		return qc.NewValueString(x), nil
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return qc.NewValueInt(i), nil
		}
		f, err := x.Float64()
		if err != nil {
			return nil, err
		}
		return qc.NewValueDouble(f), nil
	case []any:
		vals := make([]*qc.Value, len(x))
		for i, e := range x {
			v, err := toValue(e)
			if err != nil {
				return nil, err
			}
			vals[i] = v
		}
		return qc.NewValueList(&qc.ListValue{Values: vals}), nil
	case map[string]any:
		fields := make(map[string]*qc.Value, len(x))
		for k, e := range x {
			v, err := toValue(e)
			if err != nil {
				return nil, err
			}
			fields[k] = v
		}
		return qc.NewValueFromFields(fields), nil
	}
	return nil, fmt.Errorf("unexpected JSON value %T", x)
}

func fromValue(v *qc.Value) any {
	switch k := v.GetKind().(type) {
	case *qc.Value_BoolValue:
		return k.BoolValue
	case *qc.Value_IntegerValue:
		return k.IntegerValue
	case *qc.Value_DoubleValue:
		if math.IsNaN(k.DoubleValue) || math.IsInf(k.DoubleValue, 0) {
			return nil // JSON has no such numbers; the field decodes as zero
		}
		return k.DoubleValue
	case *qc.Value_StringValue:
		return k.StringValue
	case *qc.Value_ListValue:
		out := make([]any, len(k.ListValue.GetValues()))
		for i, e := range k.ListValue.GetValues() {
			out[i] = fromValue(e)
		}
		return out
	case *qc.Value_StructValue:
		out := make(map[string]any, len(k.StructValue.GetFields()))
		for name, e := range k.StructValue.GetFields() {
			out[name] = fromValue(e)
		}
		return out
	}
	return nil
}

// ledgerEntry is a ledger point as read back.
type ledgerEntry struct {
	src       knowledge.Source
	pending   bool
	committed bool
}

func ledgerPayload(src knowledge.Source, pending, committed bool) (map[string]*qc.Value, error) {
	p, err := jsonPayload(src)
	if err != nil {
		return nil, fmt.Errorf("source %s: %w", src.Path, err)
	}
	p[fieldPending] = qc.NewValueBool(pending)
	p[fieldCommitted] = qc.NewValueBool(committed)
	return p, nil
}

func decodeLedger(p map[string]*qc.Value) (ledgerEntry, error) {
	var e ledgerEntry
	if err := decodePayload(p, &e.src); err != nil {
		return e, err
	}
	e.pending = p[fieldPending].GetBoolValue()
	e.committed = p[fieldCommitted].GetBoolValue()
	return e, nil
}
