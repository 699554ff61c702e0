package knowledge

import "testing"

func TestFilterApprovedOnly(t *testing.T) {
	f := Filter{ApprovedOnly: []Kind{KindTerm}}
	for _, tc := range []struct {
		kind   Kind
		status Status
		want   bool
	}{
		{KindTerm, StatusApproved, true},
		{KindTerm, StatusDraft, false},
		{KindRule, StatusDraft, true},
		{KindTerm, StatusRejected, false},
	} {
		it := Item{Kind: tc.kind, Status: tc.status}
		if got := f.Match(&it); got != tc.want {
			t.Errorf("%s %s: Match = %v, want %v", tc.kind, tc.status, got, tc.want)
		}
	}
}
