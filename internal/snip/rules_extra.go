package snip

import "github.com/casebridge/casebridge/adapters/x12"

type sumState struct{}

func (v *validator) newSums() []*sumState                      { return nil }
func (v *validator) closeRules(li *loopInst)                   {}
func (v *validator) segmentRules(li *loopInst, s *x12.Segment) {}
