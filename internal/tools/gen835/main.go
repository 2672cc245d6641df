// Command gen835 writes a large, realistic, balanced 835 for benchmarks
// and memory tests, and its record (claims, statuses, totals) as JSON:
//
//	go run ./internal/tools/gen835 -sets 1 -claims 500000 -seed 1 -o big.x12 -record big.json
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"os"

	"github.com/casebridge/casebridge/internal/gen835"
)

func main() {
	sets := flag.Int("sets", 1, "transaction sets")
	claims := flag.Int("claims", 1000, "claims per set")
	seed := flag.Uint64("seed", 1, "seed (same seed, same bytes)")
	mb := flag.Int("mb", 0, "instead of -claims: about this many MB in all, spread over -sets")
	out := flag.String("o", "-", "output file (- for stdout)")
	record := flag.String("record", "", "write the record of what was written (JSON) here")
	lines := flag.Bool("lines", false, "a line break after every segment")
	flag.Parse()
	if *mb > 0 {
		*claims = max(1, *mb*(1<<20)/gen835.BytesPerClaim / *sets)
	}
	w := os.Stdout
	if *out != "-" {
		f, err := os.Create(*out)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		defer f.Close()
		w = f
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	rec, err := gen835.Write(bw, gen835.Config{Sets: *sets, ClaimsPerSet: *claims, Seed: *seed, SegmentsPerLn: *lines})
	if err == nil {
		err = bw.Flush()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if *record != "" {
		b, _ := json.MarshalIndent(rec, "", "  ")
		if err := os.WriteFile(*record, append(b, '\n'), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
}
