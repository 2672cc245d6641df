package snip

// The acknowledgment writer: a Report becomes a 999 Implementation
// Acknowledgment (ASC X12 005010X231A1) or, when the interchange envelope is
// unusable, a TA1 Interchange Acknowledgment (ASC X12 005010 control
// segments, TA1). Layout and code lists: /work/shared/spec/x12.md §6; the
// conventions (ST02 0001, one AK2 per received set, IK5 before AK9) follow
// the public samples in testdata/x12/imsweb_999_*.x12.

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/casebridge/casebridge/adapters/x12"
)

// Version999 is GS08/ST03 of the acknowledgments written here.
const Version999 = "005010X231A1"

// AckOptions are what a Report does not say: our envelope numbers and clock.
type AckOptions struct {
	// ControlNumber returns our next interchange control number (ISA13, and
	// GS06 of the 999's group); it is called once per interchange written,
	// with the received interchange it answers (our ISA06 sender is its
	// ISA08 receiver).
	ControlNumber func(received *Interchange) (int, error)
	// Date is ISA09/10 and GS04/05 (UTC).
	Date time.Time
	// Delimiters of the acknowledgment; zero → x12.DefaultDelimiters.
	Delimiters x12.Delimiters
	// NewlineAfterSegment writes "\n" after each terminator.
	NewlineAfterSegment bool
	// ClaimID returns the CLM01 (patient control number) of the claim an
	// issue lies in, or "" when it lies outside a claim or is not known. It
	// names the claim in the IK3's business-unit CTX (X231A1 2100 CTX,
	// "CLM01"). The value goes back only to the submitter, who wrote it.
	ClaimID func(Issue) string
}

// ErrNothingToAcknowledge: the report names no interchange (no ISA could be
// read), so neither a 999 nor a TA1 has an ISA13 to answer.
var ErrNothingToAcknowledge = errors.New("snip: no interchange header to acknowledge")

// AckKind tells which acknowledgment WriteAck wrote.
type AckKind string

// The kinds.
const (
	Ack999 AckKind = "999"
	AckTA1 AckKind = "TA1"
)

// WriteAck writes the acknowledgment the report calls for: a TA1 when the
// envelope is unusable (Report.Unusable), a 999 otherwise.
func WriteAck(w io.Writer, r *Report, o AckOptions) (AckKind, error) {
	r = echoable(r, o.Delimiters)
	if r.Unusable {
		return AckTA1, writeTA1s(w, r, o)
	}
	return Ack999, write999(w, r, o)
}

// WriteTA1 writes one interchange per interchange of the report holding only
// ISA, TA1 and IEA (IEA01 = 0): TA101..103 the received ISA13, ISA09, ISA10;
// TA104 R when the report's envelope is unusable (A, or E with a note code,
// otherwise); TA105 the first interchange note code among the issues of that
// interchange (000 when none; 022 "invalid control structure" when the
// envelope is unusable and no issue names a code).
func WriteTA1(w io.Writer, r *Report, o AckOptions) error {
	return writeTA1s(w, echoable(r, o.Delimiters), o)
}

func writeTA1s(w io.Writer, r *Report, o AckOptions) error {
	if len(r.Interchanges) == 0 {
		return ErrNothingToAcknowledge
	}
	xw := x12.NewWriter(w, writeOptions(o))
	for i := range r.Interchanges {
		ic := &r.Interchanges[i]
		if err := beginInterchange(xw, ic, o); err != nil {
			return err
		}
		ack, note := ta1Status(r, i+1)
		if r.Unusable {
			ack = "R"
			if note == "000" {
				note = "022"
			}
		}
		if err := writeTA1(xw, ic, ack, note); err != nil {
			return err
		}
		if err := xw.EndInterchange(); err != nil {
			return err
		}
	}
	return xw.Err()
}

// Write999 writes, per received interchange, one interchange holding a
// functional group FA with one 999 transaction set per received functional
// group (AK1), one AK2..IK5 per received transaction set and the group's
// AK9. Interchange-level issues with a TA1 note code add a TA1 (TA104 E)
// before the group, as in testdata/x12/imsweb_999_rejected_with_ta1.x12.
func Write999(w io.Writer, r *Report, o AckOptions) error {
	return write999(w, echoable(r, o.Delimiters), o)
}

func write999(w io.Writer, r *Report, o AckOptions) error {
	if len(r.Interchanges) == 0 {
		return ErrNothingToAcknowledge
	}
	xw := x12.NewWriter(w, writeOptions(o))
	for i := range r.Interchanges {
		ic := &r.Interchanges[i]
		ctl, err := beginInterchangeNumber(xw, ic, o)
		if err != nil {
			return err
		}
		if ack, note := ta1Status(r, i+1); note != "000" {
			if err := writeTA1(xw, ic, ack, note); err != nil {
				return err
			}
		}
		if len(ic.Groups) > 0 {
			// 999 GS02/GS03: the received ISA08/ISA06 (the received GS02/03
			// are not in the report), sender and receiver swapped.
			if err := xw.BeginGroup(x12.GroupHeader{FunctionalID: "FA", SenderCode: groupCode(ic.Receiver),
				ReceiverCode: groupCode(ic.Sender), Date: o.Date, ControlNumber: ctl, Version: Version999}); err != nil {
				return err
			}
			for g := range ic.Groups {
				if err := write999Set(xw, r, i+1, g+1, &ic.Groups[g], o); err != nil {
					return err
				}
			}
			if err := xw.EndGroup(); err != nil {
				return err
			}
		}
		if err := xw.EndInterchange(); err != nil {
			return err
		}
	}
	return xw.Err()
}

func writeOptions(o AckOptions) x12.WriteOptions {
	return x12.WriteOptions{Delimiters: o.Delimiters, NewlineAfterSegment: o.NewlineAfterSegment}
}

// groupCode fits an ISA id into GS02/GS03 (2-15 characters).
func groupCode(id string) string {
	id = strings.TrimSpace(id)
	for len(id) < 2 {
		id += " "
	}
	return id
}

func beginInterchange(xw *x12.Writer, ic *Interchange, o AckOptions) error {
	_, err := beginInterchangeNumber(xw, ic, o)
	return err
}

// beginInterchangeNumber writes our ISA: ISA05/06 the received ISA07/08 and
// ISA07/08 the received ISA05/06 (005010X231A1 1.4: the acknowledgment goes
// back to the sender), ISA14 0 (no acknowledgment of an acknowledgment),
// ISA15 the received usage (T stays test).
func beginInterchangeNumber(xw *x12.Writer, ic *Interchange, o AckOptions) (int, error) {
	if o.ControlNumber == nil {
		return 0, errors.New("snip: AckOptions.ControlNumber is required")
	}
	ctl, err := o.ControlNumber(ic)
	if err != nil {
		return 0, fmt.Errorf("snip: acknowledgment control number: %w", err)
	}
	usage := byte('P')
	if ic.Usage == "T" {
		usage = 'T'
	}
	sq, rq := ic.ReceiverQual, ic.SenderQual
	if len(sq) != 2 {
		sq = "ZZ"
	}
	if len(rq) != 2 {
		rq = "ZZ"
	}
	sid, rid := strings.TrimSpace(ic.Receiver), strings.TrimSpace(ic.Sender)
	if sid == "" {
		sid = "UNKNOWN"
	}
	if rid == "" {
		rid = "UNKNOWN"
	}
	return ctl, xw.BeginInterchange(x12.InterchangeHeader{SenderQualifier: sq, SenderID: sid,
		ReceiverQualifier: rq, ReceiverID: rid, Date: o.Date, ControlNumber: ctl, Usage: usage})
}

// ta1Status is TA104/TA105 for interchange n: the first TA1 note code among
// its issues; E with it when there is one, A 000 otherwise.
func ta1Status(r *Report, n int) (ack, note string) {
	for _, is := range r.Issues {
		if (is.Interchange == n || (is.Interchange == 0 && n == 1)) && is.TA1 != "" && is.TA1 != "000" {
			return "E", is.TA1
		}
	}
	return "A", "000"
}

// writeTA1 writes TA1*ISA13*ISA09*ISA10*ack*note. A received ISA13, date or
// time that is not the right shape (the reason for the TA1, perhaps) is
// written as zeros of the field's width so that our TA1 stays valid.
func writeTA1(xw *x12.Writer, ic *Interchange, ack, note string) error {
	return xw.WriteSegment("TA1", x12.E(digitsOr(ic.ControlNumber, 9)), x12.E(digitsOr(ic.Date, 6)),
		x12.E(digitsOr(ic.Time, 4)), x12.E(ack), x12.E(note))
}

func digitsOr(v string, width int) string {
	v = strings.TrimSpace(v)
	if len(v) == width && allDigits(v) {
		return v
	}
	return strings.Repeat("0", width)
}

// write999Set writes the ST*999 answering received group g of interchange n.
func write999Set(xw *x12.Writer, r *Report, n, g int, grp *Group, o AckOptions) error {
	if err := xw.BeginTransaction("999", fmt.Sprintf("%04d", g), Version999); err != nil {
		return err
	}
	// AK1: GS01, GS06, GS08 of the received group (X231A1 AK1; AK103 is
	// required in 005010).
	if err := xw.WriteSegment("AK1", x12.E(grp.FunctionalID), x12.E(numberOr(grp.ControlNumber)),
		x12.E(grp.Version)); err != nil {
		return err
	}
	accepted := 0
	anyE := false
	for s := range grp.Sets {
		ik5, err := write999AK2(xw, r, n, g, s+1, &grp.Sets[s], o)
		if err != nil {
			return err
		}
		if ik5 != "R" {
			accepted++
		}
		if ik5 == "E" {
			anyE = true
		}
	}
	// AK9 (X231A1 AK9): A every set accepted, E accepted with errors, P some
	// rejected, R none accepted or the group itself in error; AK902 sets
	// declared (GE01 is not in the report: the sets found stand for it),
	// AK903 sets received, AK904 sets accepted (IK501 A or E); AK905..909
	// the group error codes.
	var codes []string
	groupError := false
	for _, is := range r.Issues {
		if is.Interchange == n && is.Group == g && is.Set == 0 && is.AK9 != "" {
			if is.Severity == SeverityError {
				groupError = true
			}
			if is.AK9 != "" && !slices.Contains(codes, is.AK9) && len(codes) < 5 {
				codes = append(codes, is.AK9)
			}
		}
	}
	ak901 := "A"
	switch {
	case groupError || (len(grp.Sets) > 0 && accepted == 0):
		ak901 = "R"
	case accepted < len(grp.Sets):
		ak901 = "P"
	case anyE || len(codes) > 0:
		ak901 = "E"
	}
	count := strconv.Itoa(len(grp.Sets))
	ak9 := []x12.Element{x12.E(ak901), x12.E(count), x12.E(count), x12.E(strconv.Itoa(accepted))}
	for _, c := range codes {
		ak9 = append(ak9, x12.E(c))
	}
	if err := xw.WriteSegment("AK9", ak9...); err != nil {
		return err
	}
	return xw.EndTransaction()
}

// numberOr is a received control number as it can be echoed in an N0
// element (AK102, 1-9 digits): leading zeros dropped; "0" when it is not a
// number.
func numberOr(v string) string {
	v = strings.TrimSpace(v)
	if !allDigits(v) || len(v) > 9 {
		return "0"
	}
	v = strings.TrimLeft(v, "0")
	if v == "" {
		return "0"
	}
	return v
}

// segmentKey groups a set's issues by the segment they name: one IK3 each.
type segmentKey struct {
	pos  int
	id   string
	loop string
}

// write999AK2 writes AK2, the IK3/CTX/IK4 of set s and its IK5, and returns
// IK501.
func write999AK2(xw *x12.Writer, r *Report, n, g, s int, set *Set, o AckOptions) (string, error) {
	// AK2: ST01, ST02, ST03 of the received set (X231A1 AK2).
	if err := xw.WriteSegment("AK2", x12.E(set.ID), x12.E(set.ControlNumber), x12.E(set.Implementation)); err != nil {
		return "", err
	}
	var (
		order    []segmentKey
		bySeg    = map[segmentKey][]Issue{}
		setCodes []string
		errs     bool
		warns    bool
		implErr  bool
	)
	for _, is := range r.Issues {
		if is.Interchange != n || is.Group != g || is.Set != s {
			continue
		}
		if is.IK3 == "" && is.IK4 == "" && is.IK5 == "" {
			// no 999 code: not an X12 finding (trading-partner edits,
			// acks.go), so it is no part of the 999; the report keeps it
			continue
		}
		switch is.Severity {
		case SeverityError:
			errs = true
			if is.Type != Syntax {
				implErr = true
			}
		default:
			warns = true
		}
		if is.IK5 != "" && !slices.Contains(setCodes, is.IK5) {
			setCodes = append(setCodes, is.IK5)
		}
		if is.SegmentInSet < 1 || is.SegmentID == "" || (is.IK3 == "" && is.IK4 == "") {
			continue // a set-level issue: IK5 codes only
		}
		k := segmentKey{is.SegmentInSet, is.SegmentID, is.Loop}
		if _, ok := bySeg[k]; !ok {
			order = append(order, k)
		}
		bySeg[k] = append(bySeg[k], is)
	}
	slices.SortStableFunc(order, func(a, b segmentKey) int { return a.pos - b.pos })
	for _, k := range order {
		if err := writeIK3(xw, k, bySeg[k], o); err != nil {
			return "", err
		}
	}
	// IK5 (X231A1 IK5): R when the set has an error, E when only warnings,
	// A otherwise (counting only issues with a 999 code). A rejected set with no set-level code gets 5 "one or more
	// segments in error" for syntax (SNIP 1) errors, I5 "implementation one
	// or more segments in error" for implementation-guide errors.
	ik501 := "A"
	switch {
	case errs:
		ik501 = "R"
		if len(setCodes) == 0 {
			if implErr {
				setCodes = append(setCodes, "I5")
			} else {
				setCodes = append(setCodes, "5")
			}
		}
	case warns || len(setCodes) > 0:
		ik501 = "E"
	}
	if len(setCodes) > 5 { // IK502..IK506
		setCodes = setCodes[:5]
	}
	ik5 := []x12.Element{x12.E(ik501)}
	for _, c := range setCodes {
		ik5 = append(ik5, x12.E(c))
	}
	if err := xw.WriteSegment("IK5", ik5...); err != nil {
		return "", err
	}
	return ik501, nil
}

// writeIK3 writes one segment's IK3, its business-unit CTX and its IK4s.
//
// IK304 is the first segment error code among the issues, else 8 "segment
// has data element errors" when only element errors name the segment.
//
// IK4: IK401 the element position with its component (and repetition)
// position, IK402 the data element reference number, IK403 the element
// error code. IK404, the copy of the bad data element, is never written:
// X231A1 makes it situational ("required when the bad value can be
// provided"), and the value of a claim's element is PHI (a name, a member
// id, a birth date): an acknowledgment may be stored, logged or forwarded
// by systems that should not hold it, and the submitter has the value in
// its own file at the position IK3/IK4 name.
func writeIK3(xw *x12.Writer, k segmentKey, issues []Issue, o AckOptions) error {
	ik304 := ""
	for _, is := range issues {
		if is.IK3 != "" {
			ik304 = is.IK3
			break
		}
	}
	if ik304 == "" {
		ik304 = "8"
	}
	// IK303 is AN 1/4 (X231A1): an implementation loop id such as 2010BB
	// is written as its first four characters, the loop number, as the
	// public sample testdata/x12/imsweb_999_rejected_with_ta1.x12 does
	// (IK3*CLM*289*2010*6).
	loop := k.loop
	if len(loop) > 4 {
		loop = loop[:4]
	}
	if err := xw.WriteSegment("IK3", x12.E(k.id), x12.E(strconv.Itoa(k.pos)), x12.E(loop), x12.E(ik304)); err != nil {
		return err
	}
	// CTX business unit (X231A1 2100 CTX "Business Unit Identifier"):
	// CLM01 names the claim the segment belongs to.
	if o.ClaimID != nil {
		if id := o.ClaimID(issues[0]); id != "" {
			if err := xw.WriteSegment("CTX", x12.C("CLM01", id)); err != nil {
				return err
			}
		}
	}
	n := 0
	for _, is := range issues {
		if is.IK4 == "" || is.Element < 1 {
			continue
		}
		if n == 99 { // IK4 loop 2110: at most 99 per IK3
			break
		}
		n++
		pos := []string{strconv.Itoa(is.Element), "", ""}
		if is.Component > 0 {
			pos[1] = strconv.Itoa(is.Component)
		}
		if is.Repetition > 0 {
			pos[2] = strconv.Itoa(is.Repetition)
		}
		if err := xw.WriteSegment("IK4", x12.C(pos...), x12.E(is.ElementRef), x12.E(is.IK4)); err != nil {
			return err
		}
	}
	return nil
}

// echoable returns r, or a copy of it whose values the acknowledgment
// echoes (ISA ids and qualifiers, GS01/GS08, ST01-03, segment ids and
// loops, codes) hold none of our delimiters, CR or LF: the received file may
// use other delimiters, and a value that holds ours must neither break our
// acknowledgment nor make writing it fail. Such a byte is written as '?'.
func echoable(r *Report, d x12.Delimiters) *Report {
	if d == (x12.Delimiters{}) {
		d = x12.DefaultDelimiters
	}
	bad := func(v string) bool { return d.Contains(v) || strings.ContainsAny(v, "\r\n") }
	clean := func(v string) string {
		if !bad(v) {
			return v
		}
		b := []byte(v)
		for i, c := range b {
			if bad(string(c)) {
				b[i] = '?'
			}
		}
		return string(b)
	}
	c := *r
	c.Interchanges = make([]Interchange, len(r.Interchanges))
	for i, ic := range r.Interchanges {
		ic.ControlNumber, ic.Sender, ic.SenderQual = clean(ic.ControlNumber), clean(ic.Sender), clean(ic.SenderQual)
		ic.Receiver, ic.ReceiverQual, ic.Date, ic.Time, ic.Usage = clean(ic.Receiver), clean(ic.ReceiverQual), clean(ic.Date), clean(ic.Time), clean(ic.Usage)
		groups := make([]Group, len(ic.Groups))
		for g, grp := range ic.Groups {
			grp.FunctionalID, grp.ControlNumber, grp.Version = clean(grp.FunctionalID), clean(grp.ControlNumber), clean(grp.Version)
			sets := make([]Set, len(grp.Sets))
			for k, st := range grp.Sets {
				st.ID, st.ControlNumber, st.Implementation = clean(st.ID), clean(st.ControlNumber), clean(st.Implementation)
				sets[k] = st
			}
			grp.Sets = sets
			groups[g] = grp
		}
		ic.Groups = groups
		c.Interchanges[i] = ic
	}
	c.Issues = make([]Issue, len(r.Issues))
	for i, is := range r.Issues {
		is.SegmentID, is.Loop, is.ElementRef = clean(is.SegmentID), clean(is.Loop), clean(is.ElementRef)
		is.TA1, is.AK9, is.IK5, is.IK3, is.IK4 = clean(is.TA1), clean(is.AK9), clean(is.IK5), clean(is.IK3), clean(is.IK4)
		c.Issues[i] = is
	}
	return &c
}
