package app_test

import (
	"bytes"
	"encoding/json"
	"go/parser"
	"go/token"
	"io"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// The layering rule (README, "Architecture"), as a table: for each package
// of the module (by path prefix, most specific first), the module packages
// its non-test files may import. Test files may import anything.
//
// Prefixes end in "/" for a tree ("mapping/" is every mapping package) and
// match exactly otherwise. stdlibOnly packages may import the standard
// library and nothing else, not even a third-party module.
var layers = []struct {
	pkg        string
	may        []string
	stdlibOnly bool
}{
	// the edges: parse, call internal/app, render
	{pkg: "cmd/", may: []string{"adapters/http", "adapters/store", "internal/app", "internal/config",
		"adapters/fhir", "adapters/x12", "internal/record"}},
	{pkg: "adapters/http", may: []string{"internal/app", "internal/config",
		"adapters/fhir", "adapters/x12", "internal/record"}},
	// the store implements internal/app's Store port
	{pkg: "adapters/store/", may: []string{"internal/app", "adapters/store"}},
	{pkg: "adapters/store", may: []string{"internal/app"}},
	// codecs
	{pkg: "adapters/fhir", may: []string{"mapping/fhirmap"}}, // issue codes and systems of the mapping
	{pkg: "adapters/x12", stdlibOnly: true},
	// the application layer: every use case
	{pkg: "internal/app", may: []string{"internal/", "mapping/", "adapters/fhir", "adapters/x12"}},
	// the domain below it
	{pkg: "internal/claims", may: []string{"internal/profile", "internal/record", "internal/scrub", "mapping/claim837"}},
	{pkg: "mapping/", may: []string{"mapping/", "internal/record", "internal/money", "internal/codes",
		"internal/profile", "internal/cdt", "adapters/x12"}},
	// X12 validation by WEDI SNIP type (rules as data) and acknowledgments
	{pkg: "internal/snip", may: []string{"adapters/x12", "internal/cdt", "internal/codes"}},
	// PHI masking (positions as data) of X12 and case records
	{pkg: "internal/mask", may: []string{"adapters/x12", "internal/record"}},
	{pkg: "internal/scrub", may: []string{"internal/record", "internal/cdt"}},
	{pkg: "internal/record", may: []string{"internal/money"}},
	{pkg: "internal/golden", may: []string{"internal/record"}}, // test helper
	// developer tools (generators and baselines for benchmarks and CI): they
	// use the generator, never the product's logic
	{pkg: "internal/tools/", may: []string{"internal/gen835"}},
	{pkg: "internal/gen835"},
	{pkg: "internal/cpuclock"}, // benchmark helper
	{pkg: "internal/profile"},
	{pkg: "internal/money"},
	{pkg: "internal/codes"},
	{pkg: "internal/cdt"},
	{pkg: "internal/config"},
}

type listedPackage struct {
	ImportPath string
	Dir        string
	Standard   bool
	Module     *struct{ Path string }
	GoFiles    []string
	CgoFiles   []string
	Imports    []string
}

// listModule runs go list -deps -json on the module: its packages and
// everything they import.
func listModule(t *testing.T) (module string, pkgs []listedPackage, byPath map[string]listedPackage) {
	t.Helper()
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command")
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("go", "list", "-C", root, "-m").Output()
	if err != nil {
		t.Fatalf("go list -m: %v", err)
	}
	module = strings.TrimSpace(string(out))
	cmd := exec.Command("go", "list", "-C", root, "-deps", "-json", "./...")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err = cmd.Output()
	if err != nil {
		t.Fatalf("go list -deps: %v\n%s", err, stderr.Bytes())
	}
	byPath = map[string]listedPackage{}
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p listedPackage
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		byPath[p.ImportPath] = p
		if p.Module != nil && p.Module.Path == module {
			pkgs = append(pkgs, p)
		}
	}
	return module, pkgs, byPath
}

func matches(prefix, path string) bool {
	if strings.HasSuffix(prefix, "/") {
		return strings.HasPrefix(path, prefix)
	}
	return path == prefix
}

// fileImports maps each module-internal import of p to the files
// (module-relative) that import it.
func fileImports(t *testing.T, module, root string, p listedPackage) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	fset := token.NewFileSet()
	for _, name := range append(append([]string{}, p.GoFiles...), p.CgoFiles...) {
		path := filepath.Join(p.Dir, name)
		f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(root, path)
		for _, is := range f.Imports {
			imp, _ := strconv.Unquote(is.Path.Value)
			if strings.HasPrefix(imp, module+"/") {
				out[strings.TrimPrefix(imp, module+"/")] = append(out[strings.TrimPrefix(imp, module+"/")], filepath.ToSlash(rel))
			}
		}
	}
	return out
}

// TestLayering enforces the layering rule on the import graph that go list
// reports (non-test files): an edge (cmd, adapters/http) that imports
// mapping/*, internal/claims or internal/scrub, or any package outside its
// row, fails, with the file that does it.
func TestLayering(t *testing.T) {
	module, pkgs, byPath := listModule(t)
	root, _ := filepath.Abs("../..")
	var failures []string
	for _, p := range pkgs {
		rel := strings.TrimPrefix(p.ImportPath, module+"/")
		row := -1
		for i, l := range layers {
			if matches(l.pkg, rel) {
				row = i
				break
			}
		}
		if row < 0 {
			failures = append(failures, rel+": no row in the layering table: add one (and to the README)")
			continue
		}
		l := layers[row]
		if l.stdlibOnly {
			for _, imp := range p.Imports {
				if dep, ok := byPath[imp]; ok && !dep.Standard {
					failures = append(failures, rel+" imports "+imp+": it may import the standard library only")
				}
			}
		}
		for imp, files := range fileImports(t, module, root, p) {
			allowed := false
			for _, m := range l.may {
				allowed = allowed || matches(m, imp) || (strings.HasSuffix(m, "/") && imp == strings.TrimSuffix(m, "/"))
			}
			if allowed && imp == rel {
				allowed = false
			}
			if allowed {
				continue
			}
			for _, f := range files {
				failures = append(failures, f+" imports "+imp+": "+rel+" may import "+strings.Join(l.may, ", ")+" only")
			}
		}
	}
	sort.Strings(failures)
	for _, f := range failures {
		t.Error(f)
	}
}
