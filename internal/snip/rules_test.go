package snip

import "testing"

// Every table parses, and every loop's parent chain reaches its root.
func TestRulesParse(t *testing.T) {
	tb, err := Rules()
	if err != nil {
		t.Fatal(err)
	}
	if tb.Envelope["ISA"] == nil || len(tb.Envelope["ISA"].Elements) != 16 {
		t.Fatalf("envelope ISA table: want 16 elements")
	}
	for _, s := range tb.Sets {
		for id, l := range s.Loops {
			for p := l; p.Parent != nil; p = p.Parent {
				if p.Parent == l {
					t.Fatalf("%s loop %s: cycle", s.Implementation, id)
				}
			}
		}
	}
	if got := tb.Meaning("620", "5"); got != "Segment Exceeds Maximum Use" {
		t.Errorf("meaning 620/5 = %q", got)
	}
}
