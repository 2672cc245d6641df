package remit

import "fmt"

// WarnWarningsOmitted stands for the warnings of one code past the first
// MaxWarningsPerCode: one such warning per code that was cut, after all the
// listed ones, with the number left out in Omitted.
const WarnWarningsOmitted = "WARNINGS_OMITTED"

// MaxWarningsPerCode is how many warnings of one code are listed; the rest
// are only counted. A defect that repeats (a payer whose every claim is
// unbalanced, every service line of a file without REF*6R) says all it has
// to say in its first occurrences, while a 1 GB 835 can hold millions of
// them (~150 bytes each): 100 per code keeps the list readable and its
// memory at a few hundred KB whatever the file, and every 835 seen so far
// (the goldens) stays far under it, so their lists are unchanged.
const MaxWarningsPerCode = 100

// Warnings collects warnings in bounded memory: it keeps the first
// MaxWarningsPerCode of each code, in the order they were added, and
// counts the others by code. List gives them back, with one
// WARNINGS_OMITTED warning per code that was cut; Total counts them all.
// The zero value is ready to use.
type Warnings struct {
	list    []Warning
	listed  map[string]int // code → warnings of it in list
	omitted map[string]int // code → warnings of it not in list
	cut     []string       // the codes of omitted, in the order they were first cut
}

// Add adds w, or only counts it when MaxWarningsPerCode of its code are
// already listed.
func (ws *Warnings) Add(w Warning) {
	if ws.listed == nil {
		ws.listed = map[string]int{}
	}
	if n := ws.listed[w.Code]; n < MaxWarningsPerCode {
		ws.listed[w.Code] = n + 1
		ws.list = append(ws.list, w)
		return
	}
	ws.omit(w.Code, 1)
}

func (ws *Warnings) omit(code string, n int) {
	if ws.omitted == nil {
		ws.omitted = map[string]int{}
	}
	if ws.omitted[code] == 0 {
		ws.cut = append(ws.cut, code)
	}
	ws.omitted[code] += n
}

// Merge adds the warnings of o after those of ws, as if each had been
// added to ws in turn: o's listed ones (while ws has room for their code)
// and then o's omitted counts.
func (ws *Warnings) Merge(o *Warnings) {
	for _, w := range o.list {
		ws.Add(w)
	}
	for _, code := range o.cut {
		ws.omit(code, o.omitted[code])
	}
}

// Reset empties ws, keeping its storage.
func (ws *Warnings) Reset() {
	ws.list, ws.cut = ws.list[:0], ws.cut[:0]
	clear(ws.listed)
	clear(ws.omitted)
}

// Total is the number of warnings added, listed or not.
func (ws *Warnings) Total() int {
	n := len(ws.list)
	for _, code := range ws.cut {
		n += ws.omitted[code]
	}
	return n
}

// List is the listed warnings in the order they were added, then one
// WARNINGS_OMITTED warning per code that was cut, in the order the codes
// were first cut. It is never nil. WarningCount(ws.List()) is ws.Total().
func (ws *Warnings) List() []Warning {
	out := ws.list[:len(ws.list):len(ws.list)] // appending copies: ws.list is not overwritten
	for _, code := range ws.cut {
		n := ws.omitted[code]
		out = append(out, Warning{Code: WarnWarningsOmitted, Omitted: n,
			Message: fmt.Sprintf("%d more warnings with code %s are not listed; the first %d are", n, code, MaxWarningsPerCode)})
	}
	if out == nil {
		out = []Warning{}
	}
	return out
}

// WarningCount is the number of warnings a list stands for: each warning
// counts one, except WARNINGS_OMITTED, which counts the warnings it stands
// for (its Omitted) and not itself. It is what "warnings: N" and the
// Casebridge-Warnings header report.
func WarningCount(list []Warning) int {
	n := 0
	for i := range list {
		if list[i].Code == WarnWarningsOmitted {
			n += list[i].Omitted
		} else {
			n++
		}
	}
	return n
}
