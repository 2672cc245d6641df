// Command split835 is the floor scripts/bench compares casebridge with: it
// splits an X12 file into segments with bytes.IndexByte on the terminator
// (ISA byte 106) and counts them and the CLPs, checking nothing else.
//
//	go run ./internal/tools/split835 FILE
package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
)

func main() {
	f, err := os.Open(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	br := bufio.NewReaderSize(f, 64<<10)
	isa, err := br.Peek(106)
	if err != nil {
		fmt.Fprintln(os.Stderr, "no ISA")
		os.Exit(1)
	}
	t, e := isa[105], isa[3] // copies: Peek's bytes are the buffer's
	clp := []byte{'C', 'L', 'P', e}
	segments, claims := 0, 0
	for {
		seg, err := br.ReadSlice(t)
		if len(seg) > 0 {
			segments++
			if bytes.HasPrefix(seg, clp) {
				claims++
			}
		}
		if err == io.EOF {
			break
		}
		if err != nil && err != bufio.ErrBufferFull {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
	fmt.Printf("{\"segments\":%d,\"claims\":%d}\n", segments, claims)
}
