package knowledge

import (
	"context"
	"time"
)

// Sparse is a sparse vector: parallel slices of term indices and weights,
// indices unique. It is the format Qdrant's sparse vectors take.
type Sparse struct {
	Indices []uint32  `json:"indices"`
	Values  []float32 `json:"values"`
}

// Vectors are the embeddings of one item or one query.
type Vectors struct {
	// Dense is L2-normalised; its length is the embedder's dimension and
	// must equal the store's.
	Dense []float32
	// Sparse holds term weights. In a Record the weights are the document's
	// saturated term frequencies; the store multiplies matches by the
	// term's inverse document frequency over the indexed items (Qdrant's
	// IDF modifier), so a Query's weights are plain query-term counts.
	Sparse Sparse
}

// Record is an item with its vectors, as ingestion hands it to a store.
type Record struct {
	Item    Item
	Vectors Vectors
}

// SourceStatus is the state of a source in the ingestion ledger.
type SourceStatus string

// Ledger states of a source.
const (
	SourceIndexed     SourceStatus = "indexed"     // items are current
	SourceQuarantined SourceStatus = "quarantined" // last attempt failed; Reason says why
	SourceRetired     SourceStatus = "retired"     // file is gone; its items are retired
)

// Valid reports whether s is one of the ledger states.
func (s SourceStatus) Valid() bool {
	switch s {
	case SourceIndexed, SourceQuarantined, SourceRetired:
		return true
	}
	return false
}

// Source is the ledger entry of one input file within a space.
type Source struct {
	Space   string       `json:"space"`
	Path    string       `json:"path"`
	Size    int64        `json:"size"`
	ModTime time.Time    `json:"mod_time"`
	Hash    string       `json:"hash"` // hex SHA-256 of the content last indexed
	Format  string       `json:"format,omitempty"`
	Status  SourceStatus `json:"status"`
	Reason  string       `json:"reason,omitempty"` // why it was quarantined
	Items   int          `json:"items"`            // items the source contributes
	Seen    time.Time    `json:"seen"`             // when the ledger entry was last written
}

// Validate reports what makes a ledger entry unstorable: no space or
// path, or an unknown status.
func (s Source) Validate() error {
	const op = "knowledge.Source.Validate"
	switch {
	case s.Space == "" || s.Path == "":
		return Errorf(Invalid, op, "a source needs a space and a path / 来源缺少空间或路径")
	case !s.Status.Valid():
		return Errorf(Invalid, op, "%s: unknown ledger status %q / 未知台账状态", s.Path, s.Status)
	}
	return nil
}

// WithoutSource returns the provenance entries that do not name path.
func WithoutSource(ps []Provenance, path string) []Provenance {
	var out []Provenance
	for _, p := range ps {
		if p.Source != path {
			out = append(out, p)
		}
	}
	return out
}

// Filter narrows searches and listings. Zero fields do not filter.
type Filter struct {
	Kinds    []Kind
	Spaces   []string
	Statuses []Status // empty means every status except rejected and retired
	Source   string   // items with a provenance from this source path
	// UpdatedAfter and UpdatedBefore bound Item.Updated; zero means open.
	UpdatedAfter, UpdatedBefore time.Time
	// ApprovedOnly lists kinds whose items pass only once approved: how an
	// answerer leaves out glossary terms no reviewer has confirmed while
	// taking drafts of every other kind.
	ApprovedOnly []Kind
}

// Match reports whether it passes f.
func (f Filter) Match(it *Item) bool {
	if len(f.Kinds) > 0 && !contains(f.Kinds, it.Kind) {
		return false
	}
	if len(f.Spaces) > 0 && !contains(f.Spaces, it.Space) {
		return false
	}
	if len(f.Statuses) > 0 {
		if !contains(f.Statuses, it.Status) {
			return false
		}
	} else if it.Status == StatusRejected || it.Status == StatusRetired {
		return false
	}
	if f.Source != "" && !contains(it.Sources(), f.Source) {
		return false
	}
	if !f.UpdatedAfter.IsZero() && !it.Updated.After(f.UpdatedAfter) {
		return false
	}
	if !f.UpdatedBefore.IsZero() && !it.Updated.Before(f.UpdatedBefore) {
		return false
	}
	if it.Status != StatusApproved && contains(f.ApprovedOnly, it.Kind) {
		return false
	}
	return true
}

func contains[T comparable](s []T, v T) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// Query is a search request to a store.
type Query struct {
	Vectors Vectors // either part may be empty; at least one must not be
	Filter  Filter
	Limit   int // hits to return; a store uses 10 when Limit <= 0
	// Candidates is how many hits each of the sparse and dense rankings
	// contributes to fusion; a store uses max(4*Limit, 50) when <= 0.
	Candidates int
	// DenseWeight is the weight of the dense ranking in fusion, the sparse
	// ranking weighing 1: a hit scores 1/(RRFK+sparse rank) +
	// DenseWeight/(RRFK+dense rank). A store uses 1 when <= 0.
	DenseWeight float64
}

// Hit is one search result. Hits are ordered by Score, highest first; ties
// are broken by item id so results are deterministic.
type Hit struct {
	Item  Item
	Score float64 // reciprocal-rank fusion score: sum of weight/(60+rank) over rankings
	// SparseRank and DenseRank are 1-based ranks in each ranking, 0 when
	// the item was not among that ranking's candidates.
	SparseRank, DenseRank int
	// SparseScore is the IDF-weighted dot product; DenseScore the cosine.
	SparseScore, DenseScore float64
}

// RRFK is the rank constant of reciprocal-rank fusion, as in Qdrant.
const RRFK = 60

// SyncResult counts what a SyncSource call changed.
type SyncResult struct {
	Added     int // items new to the store
	Kept      int // items already stored with the same id
	Removed   int // items that lost their last provenance and were deleted
	Unchanged bool
}

// Store keeps items, their vectors and the ingestion ledger. Every
// implementation passes the contract suite in knowledge/storetest.
//
// Writes are atomic per call: after a crash, a store holds either all or
// none of a call's changes. Methods are safe for concurrent use.
type Store interface {
	// SyncSource makes src's contribution to the store equal to recs, in
	// one transaction, and writes src to the ledger with status indexed.
	// Items in recs get src's provenance added (an item already stored from
	// another source keeps that provenance too); items that had provenance
	// from src and are not in recs lose it, and an item left with no
	// provenance is deleted — except a reviewed item (Edited or approved),
	// which keeps its provenance and is flagged NeedsReview. An existing
	// item keeps its status, Edited flag and, when Edited, its title and
	// body; its Version increases when anything stored changed. Every
	// record's Provenance must name src.
	SyncSource(ctx context.Context, src Source, recs []Record) (SyncResult, error)

	// RetireSource marks the source retired in the ledger and retires the
	// items whose only provenance is that source. It returns how many items
	// were retired. Retiring an unknown source is not an error.
	RetireSource(ctx context.Context, space, path string) (int, error)

	// MarkSource writes a ledger entry without touching items: how a
	// quarantined file is recorded while what was indexed before stays.
	MarkSource(ctx context.Context, src Source) error

	// Sources lists the ledger entries of a space ("" for all), by path.
	Sources(ctx context.Context, space string) ([]Source, error)

	// Get returns the item with the id, or an error with code NotFound.
	Get(ctx context.Context, id string) (Item, error)

	// List returns up to limit items passing f, ordered by id, starting
	// after the id given (for paging; "" from the start).
	List(ctx context.Context, f Filter, after string, limit int) ([]Item, error)

	// Update applies edit to the stored item and stores the result with
	// Version+1 and a new Updated time; the id, kind and provenance cannot
	// change. It is how reviewers edit, approve and reject; it sets Edited
	// when the title or body changed and clears NeedsReview.
	Update(ctx context.Context, id string, edit func(*Item) error) (Item, error)

	// Search ranks the items passing q.Filter by the sparse and the dense
	// vector separately and fuses the two rankings by reciprocal rank
	// (RRFK). With one vector empty, the other ranking alone decides.
	Search(ctx context.Context, q Query) ([]Hit, error)

	// Stats counts items by kind and status.
	Stats(ctx context.Context) (Stats, error)

	Close() error
}

// Stats are counts over a store.
type Stats struct {
	Items    int
	ByKind   map[Kind]int
	ByStatus map[Status]int
	Sources  int
}
