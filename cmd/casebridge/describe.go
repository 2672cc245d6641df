package main

import (
	"errors"
	"flag"

	"github.com/casebridge/casebridge/adapters/x12"
	"github.com/casebridge/casebridge/internal/app"
)

// cmdDescribe: casebridge describe FILE|- [--mask] [--mask-key K]. The loop
// tree on stdout, written as the file is read (with --mask, of the file
// masked as `casebridge mask` masks it). Exit 0, 2 the file is not X12 or breaks off (the
// tree up to that point is on stdout, the positioned error on stderr), 64
// usage.
func cmdDescribe(args []string, env *environ) int {
	fs := flag.NewFlagSet("describe", flag.ContinueOnError)
	var mf maskFlags
	mf.register(fs, true)
	name, code := oneInput(fs, args, env)
	if code >= 0 {
		return code
	}
	m, code := mf.masker(env)
	if code >= 0 {
		return code
	}
	in, err := openMaskedInput(name, m, env)
	if err != nil {
		env.errorf("%v", err)
		return exitUnread
	}
	defer in.Close()
	if err := app.Describe(in, env.stdout); err != nil {
		err = app.MaskCause(err)
		var xe *x12.Error
		if errors.As(err, &xe) {
			env.errorf("%s: %v", name, xe)
			return exitUnread
		}
		env.errorf("%s: %v", name, err)
		return exitInternal
	}
	return exitOK
}
