package main

import (
	"flag"
	"io"

	"github.com/casebridge/casebridge/internal/record"
)

// Filled in by the FHIR work (issue 4).
func cmdFHIR(args []string, env *environ) int {
	fs := flag.NewFlagSet("fhir", flag.ContinueOnError)
	_, code := oneInput(fs, args, env)
	if code >= 0 {
		return code
	}
	env.errorf("fhir: not available yet")
	return exitUsage
}

func recordFromFHIR(name string, env *environ) (*record.Record, int) {
	env.errorf("--from-fhir: not available yet")
	return nil, exitUsage
}

func remitFHIR(in io.Reader, at string, env *environ) int {
	env.errorf("--format fhir: not available yet")
	return exitUsage
}
