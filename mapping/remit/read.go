package remit

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/casebridge/casebridge/adapters/x12"
	"github.com/casebridge/casebridge/internal/money"
)

// Error codes of the 835 reader, in addition to those of adapters/x12
// (ISA_MISSING, ISA_INVALID, SEGMENT_TOO_LONG, SEGMENT_ID_INVALID,
// TRUNCATED, READ_ERROR).
const (
	// CodeNot835 means the interchange holds something else: ST01 is not 835
	// or GS01 is not HP.
	CodeNot835 x12.Code = "NOT_835"
	// CodeVersionUnsupported means the functional group is not 005010X221A1
	// (GS08; 4010 files are common in archives) or ST03, when filled, names
	// another version. The message names the version found.
	CodeVersionUnsupported x12.Code = "VERSION_UNSUPPORTED"
	// CodeSegmentUnexpected means the 835 structure cannot place the segment
	// (CLP before BPR, SVC outside a claim, an unknown segment, ...).
	CodeSegmentUnexpected x12.Code = "SEGMENT_UNEXPECTED"
	// CodeAmountInvalid means a money element is not a plain decimal.
	CodeAmountInvalid x12.Code = "AMOUNT_INVALID"
	// CodeElementMissing means a required element is empty (a money
	// element, CLP02, a CAS group or reason, a PLB reason).
	CodeElementMissing x12.Code = "ELEMENT_MISSING"
)

// Warning codes besides the envelope codes of adapters/x12 (IEA02_MISMATCH,
// GE02_MISMATCH, SE02_MISMATCH, SE01_COUNT, GE01_COUNT, IEA01_COUNT,
// ENVELOPE_UNCLOSED, ENVELOPE_UNEXPECTED).
const (
	WarnLineUnbalanced        = "LINE_UNBALANCED"        // SVC02 − Σ line CAS ≠ SVC03
	WarnClaimUnbalanced       = "CLAIM_UNBALANCED"       // CLP03 − Σ claim CAS − Σ line CAS ≠ CLP04
	WarnTransactionUnbalanced = "TRANSACTION_UNBALANCED" // BPR02 ≠ Σ CLP04 − Σ PLB amounts
	WarnPayeeChanged          = "PAYEE_CHANGED"          // an N1*PE group between claims
	WarnLXMissing             = "LX_MISSING"             // CLP without an LX header number
	WarnElementInvalid        = "ELEMENT_INVALID"        // a date, quantity or composite that cannot be read; it is left out
	WarnElementMissing        = "ELEMENT_MISSING"        // a required element that the findings can do without
	// Spaces or tabs between a segment terminator and the next segment ID
	// (an indented file): tolerated, warned once, at the first such segment.
	WarnWhitespaceBetweenSegments = "WHITESPACE_BETWEEN_SEGMENTS"
)

// Options configure Read and BuildReport.
type Options struct {
	// MaxSegmentLength bounds one segment in bytes; 0 means the x12 default.
	MaxSegmentLength int
}

// Warning is a problem that does not stop the reading: an envelope defect,
// a balancing failure, an element that had to be left out.
type Warning struct {
	Code          string `json:"code"`
	SegmentNumber int    `json:"segment_number"` // ordinal in the interchange, ISA = 1
	SegmentID     string `json:"segment_id"`
	Element       string `json:"element"` // e.g. "SE01", "" when it concerns the whole segment
	Message       string `json:"message"` // PHI-free
	// Omitted is, for WARNINGS_OMITTED only, how many warnings of the code
	// its message names were left out of the list (see Warnings).
	Omitted int `json:"omitted,omitempty"`
}

// Read streams an 835. fn is called once per ST/SE transaction set, right
// after its SE, with the fully parsed set; the set is not kept afterwards,
// so memory stays at one set plus the warnings whatever the number of sets
// (of each warning code the first MaxWarningsPerCode are listed, the rest
// counted in a WARNINGS_OMITTED warning at the end: see Warnings).
// Stream goes further and hands out one claim at a time.
//
// Input that cannot be read as an 835 stops Read with an *x12.Error that
// carries the segment ordinal, id, loop, element and byte offset: no ISA,
// not an 835 (ST01 ≠ 835, or GS01 ≠ HP where a GS is present), input ending
// before SE, GE or IEA, a segment the 835 structure cannot place, or a
// required money element that is missing or not a decimal. Envelope
// defects and balancing failures are Warnings and never stop Read. An error
// returned by fn stops Read and is returned as is.
func Read(r io.Reader, opts Options, fn func(*Transaction) error) ([]Warning, error) {
	return Stream(r, opts, &collector{fn: fn})
}

// Handler receives a transaction set piece by piece (see Stream).
type Handler interface {
	// Begin is called once per set, before its first claim (or at its SE
	// when it has none), with the header complete: BPR, TRN, DTM*405,
	// payer, and the set's first payee. Claims and ProviderAdjustments are
	// empty.
	Begin(tx *Transaction) error
	// Claim is called once per claim, in file order, when the claim is
	// complete and the one after it is known: next is the following
	// claim of the set with its CLP fields read (its other segments may not
	// be), or nil when c is the set's last claim. Neither may be kept after
	// the call returns; c's line and claim balancing is already done.
	Claim(tx *Transaction, c *Claim, next *Claim) error
	// End is called after SE with ProviderAdjustments, SegmentCount and
	// Balanced filled in; Claims stays empty.
	End(tx *Transaction) error
}

// Stream reads an 835 like Read but hands out each claim as soon as the
// next one has started (a one-claim look-ahead, enough to pair a reversal
// with the corrected claim after it), and keeps only running sums for the
// balancing, so memory stays at about two claims plus the warnings,
// whatever the size or shape of the file. The only exception is a set
// whose claims come before its first N1*PE (the payee loop is required
// before them): its claims are held until the payee is known, so that
// Begin always sees it. Errors and warnings are those of Read; the
// balancing warnings of a set come at its SE, in claim order, as in Read.
func Stream(r io.Reader, opts Options, h Handler) ([]Warning, error) {
	var ws Warnings
	err := StreamWarnings(r, opts, h, &ws)
	return ws.List(), err
}

// StreamWarnings is Stream adding its warnings to ws (bounded: see
// Warnings), for a caller that merges them with warnings of its own.
func StreamWarnings(r io.Reader, opts Options, h Handler, ws *Warnings) error {
	p := &parser{
		rd:       x12.NewReader(r, x12.ReaderOptions{MaxSegmentLength: opts.MaxSegmentLength}),
		env:      x12.NewEnvelopeChecker(),
		h:        h,
		warnings: ws,
	}
	p.rd.SetTextArena(p.text)
	_, collecting := h.(*collector)
	p.reuse = !collecting
	// Claim text is recycled only for the findings of a sink that keeps
	// nothing after Claim (not BuildReport's collector): other handlers
	// (Read's collector, a Handler of a caller's) may keep a claim's strings.
	if fh, ok := h.(*findingsHandler); ok && p.reuse && fh.rb.reuse {
		p.recycleText = true
	}
	return p.run()
}

// Check reads an 835 for its error and warnings alone (those Read would
// give), one claim at a time: nothing of a set is kept.
func Check(r io.Reader, opts Options) ([]Warning, error) { return Stream(r, opts, discard{}) }

// discard is the Handler of Check.
type discard struct{}

func (discard) Begin(*Transaction) error                 { return nil }
func (discard) Claim(*Transaction, *Claim, *Claim) error { return nil }
func (discard) End(*Transaction) error                   { return nil }

// collector turns Stream back into whole sets for Read.
type collector struct {
	fn     func(*Transaction) error
	claims []Claim
}

func (c *collector) Begin(tx *Transaction) error { c.claims = nil; return nil }

func (c *collector) Claim(tx *Transaction, cl *Claim, next *Claim) error {
	c.claims = append(c.claims, *cl)
	return nil
}

func (c *collector) End(tx *Transaction) error {
	tx.Claims, c.claims = c.claims, nil
	if c.fn == nil {
		return nil
	}
	return c.fn(tx)
}

type state int

const (
	stStart       state = iota // nothing read
	stInterchange              // after ISA or GE: GS, ST (no group), IEA, TA1
	stGroup                    // after GS or SE: ST, GE
	stST                       // after ST: BPR
	stHeader                   // after BPR: TRN CUR REF DTM, then N1
	stPayer                    // 1000A
	stPayee                    // 1000B
	stLX                       // 2000
	stClaim                    // 2100
	stLine                     // 2110
	stPLB                      // summary
	stDone                     // after IEA: only another ISA
)

type parser struct {
	rd       *x12.Reader
	env      *x12.EnvelopeChecker
	h        Handler
	warnings *Warnings

	st           state
	ordinal      int // last segment read
	indentWarned bool
	isa13        string
	gs06         string
	gs08         string
	inGroup      bool

	tx     *Transaction
	claim  *Claim
	line   *Line
	payee  Party
	payees int
	lx     string
	seenLX bool

	// Per set: claims read but not yet handed out (normally the last one
	// only, two while a CLP is being placed), whether Begin was called,
	// and the running sums and deferred warnings of the balancing.
	pending  []*Claim
	begun    bool
	sumPaid  money.Amount
	balanced bool
	deferred Warnings

	// reuse: the handler keeps nothing of a claim after Claim returns (not
	// so for Read's collector), so claims and their lists are recycled.
	reuse bool
	free  []*Claim

	// arena holds the element text of the segments read (see own).
	arena []byte
	// Claim text (see own): recycled only when recycleText is set. seq
	// counts the claims opened, released those handed out; cur is the
	// claim block being filled, used the full ones not yet reusable
	// (oldest first), spare the reusable ones.
	recycleText   bool
	seq, released int
	cur           *claimBlock
	used, spare   []*claimBlock

	amounts []money.Amount // see newAmount
	// The last date converted, in and out (dates repeat from claim to
	// claim); the input is a copy (the element's text may be recycled).
	lastDateIn  [8]byte
	lastDateOut string
}

// arenaChunk is the size of the blocks own copies element text into.
const arenaChunk = 8 << 10

// text is the reader's text arena (x12.Reader.SetTextArena): the
// reader copies each segment into the n bytes it returns and splits the
// copy, so the view's element strings are the parser's, in bump blocks of
// 8 KiB instead of one allocation per segment. The text of a set header,
// a payee, an LX, a PLB goes into blocks that are never reused: they live
// as long as a string points into them. A claim's own segments (see
// claimText) go into claim blocks instead, which are recycled once every
// claim that may point into them has been handed out (see release): only
// when the handler keeps nothing of a claim (recycleText). Warnings copy
// what they keep (warnSegmentID), so a warning never pins a block.
func (p *parser) text(id string, n int) []byte {
	a := p.arenaFor(n, claimText(id, p.st))
	start := len(*a)
	*a = (*a)[:start+n]
	return (*a)[start : start+n : start+n]
}

// arenaFor returns the arena to append n bytes of text to, with room for
// them: the claim blocks' current one (claim text, recycleText set) or
// the arena of blocks never reused.
func (p *parser) arenaFor(n int, claim bool) *[]byte {
	if !claim || !p.recycleText {
		if len(p.arena)+n > cap(p.arena) {
			p.arena = make([]byte, 0, max(arenaChunk, n))
		}
		return &p.arena
	}
	if p.cur == nil || len(p.cur.buf)+n > cap(p.cur.buf) {
		p.nextClaimBlock(n)
	}
	p.cur.maxSeq = p.seq
	return &p.cur.buf
}

// claimBlockSize is the size of the claim blocks; a test makes them tiny
// so that blocks are recycled within a claim's span.
var claimBlockSize = arenaChunk

// claimBlock is a block of claim text. Text written while p.seq was n
// belongs to claim n (its segments after the CLP) or claim n+1 (its CLP):
// the block can be reused once claims up to maxSeq+1 are handed out.
type claimBlock struct {
	buf    []byte
	maxSeq int
}

// nextClaimBlock retires the current claim block and takes a recycled
// one with room for n bytes, or a new one.
func (p *parser) nextClaimBlock(n int) {
	if p.cur != nil {
		p.used = append(p.used, p.cur)
		p.cur = nil
	}
	for i := len(p.spare) - 1; i >= 0; i-- {
		if b := p.spare[i]; cap(b.buf) >= n {
			p.spare = append(p.spare[:i], p.spare[i+1:]...)
			b.buf = b.buf[:0]
			p.cur = b
			return
		}
	}
	p.cur = &claimBlock{buf: make([]byte, 0, max(claimBlockSize, n))}
}

// release notes that the oldest claim not yet handed out has been (in
// file order) and recycles the claim blocks no claim can point into any
// more.
func (p *parser) release() {
	p.released++
	k := 0
	for k < len(p.used) && p.used[k].maxSeq+1 <= p.released {
		k++
	}
	if k > 0 {
		p.spare = append(p.spare, p.used[:k]...)
		n := copy(p.used, p.used[k:])
		clear(p.used[n:])
		p.used = p.used[:n]
	}
}

// claimText reports whether a segment read in state st is one of a
// claim's own (2100/2110: CLP and the segments after it), whose text only
// that claim, or for a CLP the claim it opens, points into. Everything
// else (headers, payees, LX, PLB) may be kept longer.
func claimText(id string, st state) bool {
	switch id {
	case "CLP":
		return true
	case "CAS", "NM1", "MIA", "MOA", "REF", "DTM", "PER", "AMT", "QTY", "SVC", "LQ":
		return st == stClaim || st == stLine
	}
	return false
}

// warnSegmentID is a segment ID a warning can keep without pinning an
// arena block or pointing into a recycled one: the known IDs are the
// constants of warnIDs, any other a copy.
func warnSegmentID(id string) string {
	if k, ok := warnIDs[id]; ok {
		return k
	}
	return strings.Clone(id)
}

var warnIDs = func() map[string]string {
	m := map[string]string{}
	for _, id := range []string{"ISA", "GS", "ST", "BPR", "TRN", "CUR", "REF", "DTM", "N1", "N3", "N4", "PER", "RDM", "LX", "TS3", "TS2",
		"CLP", "CAS", "NM1", "MIA", "MOA", "AMT", "QTY", "SVC", "LQ", "PLB", "SE", "GE", "IEA"} {
		m[id] = id
	}
	return m
}()

// newClaim returns a claim to fill: a recycled one with its lists
// emptied (their storage kept), or a new one.
func (p *parser) newClaim() *Claim {
	n := len(p.free)
	if n == 0 {
		return &Claim{}
	}
	c := p.free[n-1]
	p.free = p.free[:n-1]
	*c = Claim{
		Names: c.Names[:0], Adjustments: c.Adjustments[:0], Remarks: c.Remarks[:0], References: c.References[:0],
		Dates: c.Dates[:0], Amounts: c.Amounts[:0], Quantities: c.Quantities[:0], Lines: c.Lines[:0],
	}
	return c
}

func (p *parser) run() error {
	for {
		seg, err := p.rd.NextView()
		if err == io.EOF {
			break
		}
		if err == nil {
			// The view's strings are the parser's (see text), but the
			// Segment is the reader's: the envelope checker keeps ST, GS
			// and ISA segments themselves.
			switch seg.ID {
			case "ST", "SE", "GS", "GE", "IEA":
				seg = seg.Clone()
			}
		}
		if err != nil {
			var xe *x12.Error
			if errors.As(err, &xe) && xe.Loop == "" {
				xe.Loop = p.loop()
			}
			return err
		}
		if !p.indentWarned && p.rd.Indented() == seg.Ordinal {
			p.indentWarned = true
			p.warn(seg, WarnWhitespaceBetweenSegments, 0, "spaces or tabs between segments (an indented file); they were skipped")
		}
		for _, e := range p.env.Add(seg) {
			p.warnErr(e)
		}
		if err := p.segment(seg); err != nil {
			return err
		}
	}
	if p.st != stDone {
		return p.truncated()
	}
	for _, e := range p.env.Finish() {
		p.warnErr(e)
	}
	return nil
}

// loop names the loop the parser is in, for error positions.
func (p *parser) loop() string {
	switch p.st {
	case stPayer:
		return "1000A"
	case stPayee:
		return "1000B"
	case stLX:
		return "2000"
	case stClaim:
		return "2100"
	case stLine:
		return "2110"
	}
	return ""
}

func (p *parser) truncated() error {
	var want string
	switch p.st {
	case stStart:
		return &x12.Error{Code: x12.CodeISAMissing, Segment: 1, Msg: "input holds no ISA segment"}
	case stInterchange:
		want = "IEA"
	case stGroup:
		want = "GE"
	default:
		want = "SE"
	}
	return &x12.Error{
		Code:      x12.CodeTruncated,
		Segment:   p.ordinal + 1,
		SegmentID: want,
		Loop:      p.loop(),
		Offset:    p.rd.Offset(),
		Msg:       "input ends before the " + want + " trailer",
	}
}

func (p *parser) unexpected(s *x12.Segment, why string) error {
	e := s.Errorf(CodeSegmentUnexpected, 0, 0, "%s", why)
	e.Loop = p.loop()
	return e
}

func (p *parser) fail(s *x12.Segment, code x12.Code, element, component int, format string, args ...any) error {
	e := s.Errorf(code, element, component, format, args...)
	e.Loop = p.loop()
	return e
}

func (p *parser) warn(s *x12.Segment, code string, element int, format string, args ...any) {
	w := Warning{Code: code, SegmentNumber: s.Ordinal, SegmentID: warnSegmentID(s.ID), Message: fmt.Sprintf(format, args...)}
	if element > 0 {
		w.Element = fmt.Sprintf("%s%02d", s.ID, element)
	}
	p.warnings.Add(w)
}

func (p *parser) warnErr(e *x12.Error) {
	w := Warning{Code: string(e.Code), SegmentNumber: e.Segment, SegmentID: warnSegmentID(e.SegmentID), Message: strings.Clone(e.Msg)}
	if e.Element > 0 && e.SegmentID != "" {
		w.Element = fmt.Sprintf("%s%02d", e.SegmentID, e.Element)
	}
	p.warnings.Add(w)
}

// segment places one segment in the 835 structure.
func (p *parser) segment(s *x12.Segment) error {
	p.ordinal = s.Ordinal
	if p.tx != nil {
		p.tx.SegmentCount++
	}
	switch s.ID {
	case "ISA":
		if p.st != stStart && p.st != stDone {
			return p.unexpected(s, "ISA inside an open interchange")
		}
		p.isa13 = s.Element(13)
		p.st = stInterchange
		return nil
	case "IEA":
		if p.st != stInterchange && p.st != stGroup {
			return p.unexpected(s, "IEA inside an open transaction set")
		}
		p.st, p.inGroup = stDone, false
		return nil
	case "TA1":
		if p.st != stInterchange {
			return p.unexpected(s, "TA1 outside the interchange header")
		}
		return nil
	case "GS":
		if p.st != stInterchange && p.st != stGroup {
			return p.unexpected(s, "GS inside an open transaction set")
		}
		if f := s.Element(1); f != "HP" {
			return p.fail(s, CodeNot835, 1, 0, "functional group is not HP (health care claim payment/advice)")
		}
		if err := p.version(s, 8); err != nil {
			return err
		}
		p.gs06, p.gs08, p.inGroup = s.Element(6), s.Element(8), true
		p.st = stGroup
		return nil
	case "GE":
		if p.st != stGroup {
			return p.unexpected(s, "GE inside an open transaction set or outside a group")
		}
		p.st, p.inGroup = stInterchange, false
		return nil
	case "ST":
		if p.st != stInterchange && p.st != stGroup {
			return p.unexpected(s, "ST inside an open transaction set")
		}
		if s.Element(1) != "835" {
			return p.fail(s, CodeNot835, 1, 0, "transaction set is not an 835")
		}
		// ST03 is not used in the 835: empty is normal, a filled one must agree.
		if s.Element(3) != "" {
			if err := p.version(s, 3); err != nil {
				return err
			}
		}
		p.startTransaction(s)
		return nil
	case "SE":
		if p.st < stHeader || p.st > stPLB {
			if p.st == stST {
				return p.unexpected(s, "SE before BPR")
			}
			return p.unexpected(s, "SE without ST")
		}
		return p.endTransaction(s)
	}
	switch p.st {
	case stStart, stInterchange, stGroup, stDone:
		return p.unexpected(s, s.ID+" outside a transaction set")
	case stST:
		if s.ID != "BPR" {
			return p.unexpected(s, s.ID+" before BPR: BPR must follow ST")
		}
		return p.bpr(s)
	}
	return p.body(s)
}

// Version is the only implementation guide the reader reads.
const Version = "005010X221A1"

// version refuses a GS08 or ST03 other than Version, naming the version
// found (a code list value, never PHI; cut to the element's 12 characters).
func (p *parser) version(s *x12.Segment, element int) error {
	v := s.Element(element)
	if v == Version {
		return nil
	}
	if len(v) > 12 {
		v = v[:12]
	}
	what := "functional group version (GS08)"
	if element == 3 {
		what = "transaction set version (ST03)"
	}
	return p.fail(s, CodeVersionUnsupported, element, 0, "%s is %q; casebridge reads only %s 835 remittances", what, v, Version)
}

func (p *parser) startTransaction(s *x12.Segment) {
	p.tx = &Transaction{
		InterchangeControlNumber: p.isa13,
		ControlNumber:            s.Element(2),
		Segment:                  s.Ordinal,
		SegmentCount:             1,
	}
	if p.inGroup {
		p.tx.GroupControlNumber, p.tx.Version = p.gs06, p.gs08
	}
	p.claim, p.line = nil, nil
	p.payee, p.payees, p.lx, p.seenLX = Party{}, 0, "", false
	p.pending, p.begun, p.sumPaid, p.balanced = p.pending[:0], false, money.Zero, true
	p.deferred.Reset()
	p.st = stST
}

// flush hands out the pending claims, keeping the last keep of them (1
// while a claim may still be followed by another, 0 at the set's end).
// Nothing is handed out before the set has a payee, unless it is ending.
func (p *parser) flush(keep int) error {
	if keep > 0 && p.payees == 0 {
		return nil
	}
	if len(p.pending) <= keep {
		return nil
	}
	if !p.begun {
		p.begun = true
		if err := p.h.Begin(p.tx); err != nil {
			return err
		}
	}
	n := len(p.pending) - keep
	for i := 0; i < n; i++ {
		c := p.pending[i]
		var next *Claim
		if i+1 < len(p.pending) {
			next = p.pending[i+1]
		}
		p.balanceClaim(c)
		if err := p.h.Claim(p.tx, c, next); err != nil {
			return err
		}
		p.pending[i] = nil
		if p.reuse {
			p.free = append(p.free, c)
		}
		if p.recycleText {
			p.release()
		}
	}
	p.pending = append(p.pending[:0], p.pending[n:]...)
	return nil
}

func (p *parser) endTransaction(s *x12.Segment) error {
	tx := p.tx
	if err := p.flush(0); err != nil {
		return err
	}
	if !p.begun {
		p.begun = true
		if err := p.h.Begin(tx); err != nil {
			return err
		}
	}
	p.balanceSet(tx)
	p.tx, p.claim, p.line = nil, nil, nil
	p.st = stGroup
	return p.h.End(tx)
}

// body places a segment between BPR and SE.
func (p *parser) body(s *x12.Segment) error {
	id := s.ID
	// Segments that open a loop, wherever a loop may end.
	switch id {
	case "N1":
		return p.n1(s)
	case "LX":
		if p.st == stPLB {
			return p.unexpected(s, "LX after PLB")
		}
		p.lx, p.seenLX = s.Element(1), true
		p.claim, p.line = nil, nil
		p.st = stLX
		return nil
	case "CLP":
		if p.st == stPLB {
			return p.unexpected(s, "CLP after PLB")
		}
		return p.clp(s)
	case "SVC":
		if p.st != stClaim && p.st != stLine {
			return p.unexpected(s, "SVC outside a claim")
		}
		return p.svc(s)
	case "PLB":
		p.claim, p.line = nil, nil
		if p.st != stPLB {
			// no claim can follow a PLB
			if err := p.flush(0); err != nil {
				return err
			}
		}
		p.st = stPLB
		return p.plb(s)
	}
	switch p.st {
	case stHeader:
		switch id {
		case "TRN":
			p.tx.Payment.TraceType = s.Element(1)
			p.tx.Payment.TraceNumber = s.Element(2)
			p.tx.Payment.TraceOriginator = s.Element(3)
			p.tx.Payment.TraceSupplement = s.Element(4)
			return nil
		case "DTM":
			if s.Element(1) == "405" {
				p.tx.ProductionDate = p.date(s, 2)
			}
			return nil
		case "CUR", "REF":
			return nil
		}
	case stPayer:
		return p.party(s, &p.tx.Payer, "PER")
	case stPayee:
		if err := p.party(s, &p.payee, "RDM"); err != nil {
			return err
		}
		if p.payees == 1 {
			p.tx.Payee = p.payee
		}
		return nil
	case stLX:
		switch id {
		case "TS3", "TS2":
			return nil
		}
	case stClaim:
		return p.claimSegment(s)
	case stLine:
		return p.lineSegment(s)
	}
	return p.unexpected(s, id+" cannot be placed here in an 835")
}

func (p *parser) bpr(s *x12.Segment) error {
	amt, err := p.money(s, 2, true)
	if err != nil {
		return err
	}
	p.tx.Payment = Payment{
		Handling:        s.Element(1),
		Amount:          amt,
		CreditDebit:     s.Element(3),
		Method:          s.Element(4),
		Format:          s.Element(5),
		SenderRouting:   s.Element(7),
		SenderAccount:   s.Element(9),
		PayerID:         s.Element(10),
		ReceiverRouting: s.Element(13),
		ReceiverAccount: s.Element(15),
		Date:            p.date(s, 16),
		Segment:         s.Ordinal,
	}
	if s.Element(16) == "" {
		p.warn(s, WarnElementMissing, 16, "payment date (BPR16) is missing")
	}
	p.st = stHeader
	return nil
}

func (p *parser) n1(s *x12.Segment) error {
	party := Party{Name: s.Element(2), IDQualifier: s.Element(3), ID: s.Element(4), Segment: s.Ordinal}
	switch s.Element(1) {
	case "PR":
		if p.st != stHeader {
			return p.unexpected(s, "N1*PR (payer) outside the header")
		}
		p.tx.Payer = party
		p.st = stPayer
		return nil
	case "PE":
		if p.st == stPLB {
			return p.unexpected(s, "N1*PE (payee) after PLB")
		}
		p.payees++
		if p.payees > 1 {
			p.warn(s, WarnPayeeChanged, 0, "another payee group starts inside the transaction set; the claims after it belong to this payee")
		}
		p.payee = party
		if p.payees == 1 {
			p.tx.Payee = party
		}
		p.claim, p.line = nil, nil
		p.st = stPayee
		return nil
	}
	return p.unexpected(s, "N1 with an entity other than PR or PE")
}

// party reads the N2-N4/REF/PER/RDM segments of a 1000A or 1000B loop.
func (p *parser) party(s *x12.Segment, to *Party, extra string) error {
	switch s.ID {
	case "N3":
		for i := 1; i <= s.Len(); i++ {
			if v := s.Element(i); v != "" {
				to.Address = append(to.Address, v)
			}
		}
	case "N4":
		to.City, to.State, to.PostalCode = s.Element(1), s.Element(2), s.Element(3)
	case "REF":
		to.References = append(to.References, Reference{Qualifier: s.Element(1), Value: s.Element(2), Segment: s.Ordinal})
	case extra:
	default:
		return p.unexpected(s, s.ID+" cannot be placed in the payer or payee loop")
	}
	return nil
}

func (p *parser) clp(s *x12.Segment) error {
	if !p.seenLX {
		p.warn(s, WarnLXMissing, 0, "claim without an LX header number before it")
		p.seenLX = true
	}
	if s.Element(2) == "" {
		return p.fail(s, CodeElementMissing, 2, 0, "claim status code is missing")
	}
	charge, err := p.money(s, 3, true)
	if err != nil {
		return err
	}
	paid, err := p.money(s, 4, true)
	if err != nil {
		return err
	}
	pr, err := p.money(s, 5, false)
	if err != nil {
		return err
	}
	if s.Element(1) == "" {
		p.warn(s, WarnElementMissing, 1, "patient control number is missing")
	}
	c := p.newClaim()
	p.seq++ // the claim blocks' clock (see claimBlock)
	*c = Claim{
		Names: c.Names, Adjustments: c.Adjustments, Remarks: c.Remarks, References: c.References,
		Dates: c.Dates, Amounts: c.Amounts, Quantities: c.Quantities, Lines: c.Lines,
		HeaderNumber:          p.lx,
		PatientControlNumber:  s.Element(1),
		StatusCode:            s.Element(2),
		Charge:                charge,
		Paid:                  paid,
		PatientResponsibility: pr,
		HasPatientResp:        s.Element(5) != "",
		FilingIndicator:       s.Element(6),
		PayerClaimControlNo:   s.Element(7),
		FacilityType:          s.Element(8),
		Frequency:             s.Element(9),
		DRG:                   s.Element(11),
		Payee:                 p.payee,
		Segment:               s.Ordinal,
	}
	p.pending = append(p.pending, c)
	if err := p.flush(1); err != nil {
		return err
	}
	p.claim = c
	p.line = nil
	p.st = stClaim
	return nil
}

func (p *parser) claimSegment(s *x12.Segment) error {
	c := p.claim
	switch s.ID {
	case "CAS":
		return p.cas(s, &c.Adjustments)
	case "NM1":
		c.Names = append(c.Names, Name{
			Entity: s.Element(1), Type: s.Element(2), Last: s.Element(3), First: s.Element(4),
			Middle: s.Element(5), Suffix: s.Element(7), IDQualifier: s.Element(8), ID: s.Element(9),
			Segment: s.Ordinal,
		})
	case "MIA":
		for _, i := range []int{5, 20, 21, 22, 23} {
			p.remark(s, &c.Remarks, "HE", i)
		}
	case "MOA":
		for i := 3; i <= 7; i++ {
			p.remark(s, &c.Remarks, "HE", i)
		}
	case "REF":
		c.References = append(c.References, Reference{Qualifier: s.Element(1), Value: s.Element(2), Segment: s.Ordinal})
	case "DTM":
		c.Dates = append(c.Dates, Date{Qualifier: s.Element(1), Date: p.date(s, 2), Segment: s.Ordinal})
	case "AMT":
		a, err := p.money(s, 2, true)
		if err != nil {
			return err
		}
		c.Amounts = append(c.Amounts, QualifiedAmount{Qualifier: s.Element(1), Amount: a, Segment: s.Ordinal})
	case "QTY":
		c.Quantities = append(c.Quantities, Quantity{Qualifier: s.Element(1), Value: p.quantity(s, 2), Segment: s.Ordinal})
	case "PER":
	default:
		return p.unexpected(s, s.ID+" cannot be placed in a claim (2100)")
	}
	return nil
}

func (p *parser) svc(s *x12.Segment) error {
	charge, err := p.money(s, 2, true)
	if err != nil {
		return err
	}
	paid, err := p.money(s, 3, true)
	if err != nil {
		return err
	}
	l := Line{
		Procedure:     procedure(s, 1),
		Charge:        charge,
		Paid:          paid,
		RevenueCode:   s.Element(4),
		Units:         p.quantity(s, 5),
		OriginalUnits: p.quantity(s, 7),
		Segment:       s.Ordinal,
	}
	if l.Procedure.Code == "" {
		p.warn(s, WarnElementMissing, 1, "service line has no procedure code in SVC01-2")
	}
	if s.Element(6) != "" {
		sub := procedure(s, 6)
		if sub.Code == "" {
			p.warn(s, WarnElementInvalid, 6, "submitted procedure (SVC06) has no code; it is left out")
		} else {
			l.SubmittedProcedure = &sub
		}
	}
	if n := len(p.claim.Lines); n < cap(p.claim.Lines) {
		// a reused claim: the line's lists keep their storage too
		p.claim.Lines = p.claim.Lines[:n+1]
		old := &p.claim.Lines[n]
		l.Adjustments, l.Remarks, l.References = old.Adjustments[:0], old.Remarks[:0], old.References[:0]
		l.Dates, l.Amounts, l.Quantities = old.Dates[:0], old.Amounts[:0], old.Quantities[:0]
		*old = l
	} else {
		p.claim.Lines = append(p.claim.Lines, l)
	}
	p.line = &p.claim.Lines[len(p.claim.Lines)-1]
	p.st = stLine
	return nil
}

// procedure reads an SVC01 or SVC06 composite in one pass over it (what
// Component(el, 1..7) gives).
func procedure(s *x12.Segment, el int) Procedure {
	e := s.Element(el)
	var pr Procedure
	if e == "" {
		return pr
	}
	sep := s.Delims.Component
	if sep == 0 {
		pr.Qualifier = e
		return pr
	}
	j, from := 1, 0
	for i := 0; i <= len(e); i++ {
		if i < len(e) && e[i] != sep {
			continue
		}
		c := e[from:i]
		switch {
		case j == 1:
			pr.Qualifier = c
		case j == 2:
			pr.Code = c
		case j <= 6:
			if c != "" {
				pr.Modifiers = append(pr.Modifiers, c)
			}
		case j == 7:
			pr.Description = c
			return pr
		}
		j++
		from = i + 1
	}
	return pr
}

func (p *parser) lineSegment(s *x12.Segment) error {
	l := p.line
	switch s.ID {
	case "CAS":
		return p.cas(s, &l.Adjustments)
	case "DTM":
		d := Date{Qualifier: s.Element(1), Date: p.date(s, 2), Segment: s.Ordinal}
		l.Dates = append(l.Dates, d)
		switch d.Qualifier {
		case "472":
			l.ServiceFrom, l.ServiceTo = d.Date, d.Date
		case "150":
			l.ServiceFrom = d.Date
		case "151":
			l.ServiceTo = d.Date
		}
	case "REF":
		r := Reference{Qualifier: s.Element(1), Value: s.Element(2), Segment: s.Ordinal}
		l.References = append(l.References, r)
		if r.Qualifier == "6R" && l.ControlNumber == "" {
			l.ControlNumber = r.Value
		}
	case "AMT":
		a, err := p.money(s, 2, true)
		if err != nil {
			return err
		}
		l.Amounts = append(l.Amounts, QualifiedAmount{Qualifier: s.Element(1), Amount: a, Segment: s.Ordinal})
		if s.Element(1) == "B6" && l.Allowed == nil {
			l.Allowed = p.newAmount(a)
		}
	case "QTY":
		l.Quantities = append(l.Quantities, Quantity{Qualifier: s.Element(1), Value: p.quantity(s, 2), Segment: s.Ordinal})
	case "LQ":
		q := s.Element(1)
		if q == "" || s.Element(2) == "" {
			p.warn(s, WarnElementMissing, 2, "remark code or its qualifier is missing; the remark is left out")
			return nil
		}
		l.Remarks = append(l.Remarks, Remark{Qualifier: q, Code: s.Element(2), Source: "LQ02", Segment: s.Ordinal})
	default:
		return p.unexpected(s, s.ID+" cannot be placed in a service line (2110)")
	}
	return nil
}

// cas reads up to six reason/amount/quantity triplets.
func (p *parser) cas(s *x12.Segment, to *[]Adjustment) error {
	group := s.Element(1)
	if group == "" {
		return p.fail(s, CodeElementMissing, 1, 0, "adjustment group code is missing")
	}
	n := 0
	for k := 0; k < 6; k++ {
		re, ae, qe := 2+3*k, 3+3*k, 4+3*k
		if re >= len(s.Elements) {
			break // the triplets after the last element are all empty
		}
		reason, amount := s.Element(re), s.Element(ae)
		if reason == "" && amount == "" && s.Element(qe) == "" {
			continue
		}
		if reason == "" {
			return p.fail(s, CodeElementMissing, re, 0, "adjustment reason code is missing for an amount")
		}
		a, err := p.money(s, ae, true)
		if err != nil {
			return err
		}
		*to = append(*to, Adjustment{Group: group, Reason: reason, Amount: a, Quantity: p.quantity(s, qe), Segment: s.Ordinal, Triplet: k + 1})
		n++
	}
	if n == 0 {
		return p.fail(s, CodeElementMissing, 2, 0, "adjustment has no reason code")
	}
	return nil
}

func (p *parser) remark(s *x12.Segment, to *[]Remark, q string, el int) {
	if v := s.Element(el); v != "" {
		*to = append(*to, Remark{Qualifier: q, Code: v, Source: fmt.Sprintf("%s%02d", s.ID, el), Segment: s.Ordinal})
	}
}

func (p *parser) plb(s *x12.Segment) error {
	id, date := s.Element(1), p.date(s, 2)
	n := 0
	for k := 0; k < 6; k++ {
		ce, ae := 3+2*k, 4+2*k
		if ce >= len(s.Elements) {
			break // the pairs after the last element are all empty
		}
		if s.Element(ce) == "" && s.Element(ae) == "" {
			continue
		}
		reason := s.Component(ce, 1)
		if reason == "" {
			return p.fail(s, CodeElementMissing, ce, 1, "provider adjustment reason is missing")
		}
		a, err := p.money(s, ae, true)
		if err != nil {
			return err
		}
		p.tx.ProviderAdjustments = append(p.tx.ProviderAdjustments, ProviderAdjustment{
			ProviderID: id, FiscalPeriodDate: date, Reason: reason, Reference: s.Component(ce, 2),
			Amount: a, Segment: s.Ordinal, Pair: k + 1,
		})
		n++
	}
	if n == 0 {
		return p.fail(s, CodeElementMissing, 3, 1, "provider adjustment has no reason")
	}
	return nil
}

// money reads a money element. A missing required element and any value
// that is not a plain decimal are errors.
func (p *parser) money(s *x12.Segment, el int, required bool) (money.Amount, error) {
	v := s.Element(el)
	if v == "" {
		if required {
			return money.Zero, p.fail(s, CodeElementMissing, el, 0, "required amount is missing")
		}
		return money.Zero, nil
	}
	a, err := money.Parse(v)
	if err != nil {
		return money.Zero, p.fail(s, CodeAmountInvalid, el, 0, "amount is not a decimal number")
	}
	return a, nil
}

// quantity reads an optional decimal (units, CAS quantity, QTY) in its
// shortest form; a value that is not a decimal is a warning and left out.
func (p *parser) quantity(s *x12.Segment, el int) string {
	v := s.Element(el)
	if v == "" {
		return ""
	}
	if shortestDecimal(v) {
		return v // already what X12() would write
	}
	a, err := money.Parse(v)
	if err != nil {
		p.warn(s, WarnElementInvalid, el, "quantity is not a decimal number; it is left out")
		return ""
	}
	return a.X12()
}

// shortestDecimal reports whether v is a decimal in money.Amount's X12
// form: an optional '-' (not on zero), no leading zeros, a fraction
// without trailing zeros, at most 18 digits.
func shortestDecimal(v string) bool {
	if len(v) == 0 || len(v) > 18 {
		return false
	}
	i := 0
	if v[0] == '-' {
		i = 1
	}
	start := i
	for i < len(v) && v[i] >= '0' && v[i] <= '9' {
		i++
	}
	intLen := i - start
	if intLen == 0 || (intLen > 1 && v[start] == '0') {
		return false
	}
	if i == len(v) {
		return !(start == 1 && v[1:] == "0") // "-0" is "0"
	}
	if v[i] != '.' || i == len(v)-1 {
		return false
	}
	nonzero := v[start:i] != "0"
	for j := i + 1; j < len(v); j++ {
		if v[j] < '0' || v[j] > '9' {
			return false
		}
		if v[j] != '0' {
			nonzero = true
		}
	}
	return v[len(v)-1] != '0' && (nonzero || start == 0)
}

// newAmount returns a pointer to a copy of a, from blocks of 256 that are
// never reused (one allocation per 256 AMT*B6 instead of one each).
func (p *parser) newAmount(a money.Amount) *money.Amount {
	if len(p.amounts) == cap(p.amounts) {
		p.amounts = make([]money.Amount, 0, 256)
	}
	p.amounts = append(p.amounts, a)
	return &p.amounts[len(p.amounts)-1]
}

// date reads a CCYYMMDD element as YYYY-MM-DD; an invalid date is a warning
// and "".
func (p *parser) date(s *x12.Segment, el int) string {
	v := s.Element(el)
	if v == "" {
		return ""
	}
	if p.lastDateOut != "" && v == string(p.lastDateIn[:]) {
		return p.lastDateOut
	}
	if d, ok := isoDate(v); ok {
		copy(p.lastDateIn[:], v) // isoDate accepts 8 bytes only
		p.lastDateOut = d
		return d
	}
	p.warn(s, WarnElementInvalid, el, "date is not a valid CCYYMMDD date; it is left out")
	return ""
}

func isoDate(v string) (string, bool) {
	if len(v) != 8 {
		return "", false
	}
	for i := 0; i < 8; i++ {
		if v[i] < '0' || v[i] > '9' {
			return "", false
		}
	}
	if _, err := time.Parse("20060102", v); err != nil {
		return "", false
	}
	return v[:4] + "-" + v[4:6] + "-" + v[6:], true
}
