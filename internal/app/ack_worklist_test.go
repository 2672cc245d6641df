package app_test

import (
	"strings"
	"testing"

	"github.com/casebridge/casebridge/internal/app"
)

// A claim a clearinghouse rejects in its 999 is a worklist item with what to
// fix (issue 10 item 5): the acknowledgment route writes the timeline event,
// the worklist reads it; an accepted claim stays off the list, and a
// replacement takes the rejected one off it.
func TestRejected999OnWorklist(t *testing.T) {
	eachStore(t, func(t *testing.T, st app.Store) {
		svc, _ := newService(t, st)
		ok := submitted(t, svc, "t1", "self.json")
		bad := submitted(t, svc, "t1", "dependent.json")
		if _, err := svc.SubmitAcknowledgment(ctx, "t1", ack999([]int{ctlOf(t, ok)}, []int{ctlOf(t, bad)})); err != nil {
			t.Fatal(err)
		}
		wl := must(svc.Worklist(ctx, "t1", "", app.WorklistQuery{}))(t)
		if len(wl.Items) != 1 {
			t.Fatalf("%d worklist items, want 1: %+v", len(wl.Items), wl.Items)
		}
		it := wl.Items[0]
		if it.ClaimID != bad.ID || it.Category != app.CategoryFrontEndRejection || it.Source.Kind != "acknowledgment" ||
			!strings.Contains(it.NextStep, "CLM05-3") || len(it.Codes) == 0 || it.Codes[0].Code != "IK4-7" {
			t.Errorf("item %+v", it)
		}
		wl = must(svc.Worklist(ctx, "t1", "", app.WorklistQuery{Category: app.CategoryFrontEndRejection}))(t)
		if len(wl.Items) != 1 {
			t.Errorf("category filter: %d items", len(wl.Items))
		}
		if wl := must(svc.Worklist(ctx, "t2", "", app.WorklistQuery{}))(t); len(wl.Items) != 0 {
			t.Errorf("another tenant sees %d items", len(wl.Items))
		}
	})
}
