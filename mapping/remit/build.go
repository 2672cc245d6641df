package remit

import (
	"unsafe"

	"github.com/casebridge/casebridge/internal/codes"
)

// reportBuilder turns claims into ClaimReports. With reuse set (a sink
// that keeps nothing after Claim returns, as Sink asks: every sink but
// BuildReport's collector), the report's slices come from pools that the
// next claim overwrites, so a claim's report costs no allocation once the
// pools have grown; without it every slice is new. Texts (explanations,
// next steps, labels) go into a bump arena of blocks: with reuse the next
// claim writes over them (a sink keeps no string of a claim after Claim
// returns); without it blocks are never reused, so a string handed out
// stays valid whatever the caller does.
type reportBuilder struct {
	reuse bool

	// pools (reuse only), emptied per claim
	cats   []codes.Category
	froms  []string
	adjs   []AdjustmentReport
	rems   []RemarkReport
	lines  []LineReport
	finds  []Finding
	strs   []string
	scopes []scope
	catsL  [][]codes.Category
	fromL  [][]string

	// scratch, never handed out
	order   []codes.Category
	group   []Adjustment
	remarks []Remark
	stepRem []Remark
	list    []string
	asked   []string
	buf     []byte
	buf2    []byte

	text []byte // the text arena's current block

	codes *codeCache // nil: look every code up in internal/codes
}

// textBlock is the size of the text arena's blocks.
const textBlock = 16 << 10

// reset empties the pools for the next claim.
func (b *reportBuilder) reset() {
	if !b.reuse {
		return
	}
	b.cats, b.froms, b.adjs, b.rems = b.cats[:0], b.froms[:0], b.adjs[:0], b.rems[:0]
	b.lines, b.finds, b.strs, b.scopes = b.lines[:0], b.finds[:0], b.strs[:0], b.scopes[:0]
	b.catsL, b.fromL = b.catsL[:0], b.fromL[:0]
	// The sink kept nothing of the last claim: its texts' block is
	// written over (a block outgrown by one claim is left to the GC).
	b.text = b.text[:0]
}

// take returns an empty slice with room for n elements: from pool when
// reuse is set, else new. It is never nil.
func take[T any](reuse bool, pool *[]T, n int) []T {
	if !reuse {
		return make([]T, 0, n)
	}
	l := len(*pool)
	if l+n > cap(*pool) || *pool == nil {
		*pool = make([]T, 0, max(2*cap(*pool), n, 32))
		l = 0
	}
	*pool = (*pool)[:l+n]
	return (*pool)[l : l : l+n]
}

// string returns p as a string from the text arena.
func (b *reportBuilder) string(p []byte) string {
	if len(p) == 0 {
		return ""
	}
	if len(b.text)+len(p) > cap(b.text) {
		b.text = make([]byte, 0, max(textBlock, len(p)))
	}
	start := len(b.text)
	b.text = append(b.text, p...)
	return unsafe.String(&b.text[start], len(p))
}
