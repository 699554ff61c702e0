package qdrant

import (
	"github.com/lorehq/lore/knowledge"
	qc "github.com/qdrant/go-client/qdrant"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// itemFilter translates a knowledge.Filter to a Qdrant filter over the
// indexed payload fields. It is exact except for the time bounds: Qdrant
// keeps datetimes to the microsecond, so an item updated within the same
// microsecond as a bound may fall on either side of it.
func itemFilter(f knowledge.Filter) *qc.Filter {
	out := &qc.Filter{}
	if len(f.Kinds) > 0 {
		kinds := make([]string, len(f.Kinds))
		for i, k := range f.Kinds {
			kinds[i] = string(k)
		}
		out.Must = append(out.Must, matchAny(fieldKind, kinds))
	}
	if len(f.Spaces) > 0 {
		out.Must = append(out.Must, matchAny(fieldSpace, f.Spaces))
	}
	if len(f.Statuses) > 0 {
		st := make([]string, len(f.Statuses))
		for i, s := range f.Statuses {
			st[i] = string(s)
		}
		out.Must = append(out.Must, matchAny(fieldStatus, st))
	} else {
		out.MustNot = append(out.MustNot, matchAny(fieldStatus, []string{string(knowledge.StatusRejected), string(knowledge.StatusRetired)}))
	}
	if f.Source != "" {
		out.Must = append(out.Must, qc.NewMatchKeyword(fieldSources, f.Source))
	}
	if !f.UpdatedAfter.IsZero() || !f.UpdatedBefore.IsZero() {
		r := &qc.DatetimeRange{}
		if !f.UpdatedAfter.IsZero() {
			r.Gt = timestamppb.New(f.UpdatedAfter)
		}
		if !f.UpdatedBefore.IsZero() {
			r.Lt = timestamppb.New(f.UpdatedBefore)
		}
		out.Must = append(out.Must, qc.NewDatetimeRange(fieldUpdated, r))
	}
	if len(f.ApprovedOnly) > 0 {
		kinds := make([]string, len(f.ApprovedOnly))
		for i, k := range f.ApprovedOnly {
			kinds[i] = string(k)
		}
		out.MustNot = append(out.MustNot, qc.NewFilterAsCondition(&qc.Filter{
			Must:    []*qc.Condition{matchAny(fieldKind, kinds)},
			MustNot: []*qc.Condition{qc.NewMatchKeyword(fieldStatus, string(knowledge.StatusApproved))},
		}))
	}
	return out
}

// matchAny is a keyword condition for one value or any of several.
func matchAny(field string, vals []string) *qc.Condition {
	if len(vals) == 1 {
		return qc.NewMatchKeyword(field, vals[0])
	}
	return qc.NewMatchKeywords(field, vals...)
}

// sourceFilter selects the items with provenance from one source.
func sourceFilter(space, path string) *qc.Filter {
	return &qc.Filter{Must: []*qc.Condition{
		qc.NewMatchKeyword(fieldSpace, space),
		qc.NewMatchKeyword(fieldSources, path),
	}}
}

// revFilter selects one point if its write token is still rev: the
// condition of every compare-and-set write.
func revFilter(id, rev string) *qc.Filter {
	return &qc.Filter{Must: []*qc.Condition{
		qc.NewHasID(itemPointID(id)),
		qc.NewMatchKeyword(fieldRev, rev),
	}}
}
