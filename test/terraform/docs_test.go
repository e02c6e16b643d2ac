package terraformtest

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zclconf/go-cty/cty"
)

var update = flag.Bool("update", false, "rewrite the inputs and outputs tables of the Terraform READMEs")

// Markers around the generated part of each README, as terraform-docs
// writes them.
const (
	docsBegin = "<!-- BEGIN_TF_DOCS -->"
	docsEnd   = "<!-- END_TF_DOCS -->"
)

// TestReadmeInputsOutputs checks that the inputs and outputs tables of each
// module's and example's README match its variables and outputs. Run
// `go test ./test/terraform -run TestReadmeInputsOutputs -update` after
// changing them.
func TestReadmeInputsOutputs(t *testing.T) {
	root := repoRoot(t)
	dirs, err := filepath.Glob(filepath.Join(root, "terraform", "*", "*"))
	require.NoError(t, err)
	require.NotEmpty(t, dirs)

	for _, dir := range dirs {
		rel, _ := filepath.Rel(root, dir)
		t.Run(rel, func(t *testing.T) {
			want, err := moduleDocs(dir)
			require.NoError(t, err)
			readme := filepath.Join(dir, "README.md")
			current, err := os.ReadFile(readme)
			require.NoError(t, err, "every module and example needs a README.md with %s and %s markers", docsBegin, docsEnd)

			text := string(current)
			begin, end := strings.Index(text, docsBegin), strings.Index(text, docsEnd)
			require.True(t, begin >= 0 && end > begin, "%s needs the %s and %s markers", rel, docsBegin, docsEnd)
			got := text[begin+len(docsBegin) : end]

			if *update {
				updated := text[:begin+len(docsBegin)] + want + text[end:]
				require.NoError(t, os.WriteFile(readme, []byte(updated), 0o644))
				return
			}
			assert.Equal(t, want, got, "%s/README.md is out of date: run go test ./test/terraform -run TestReadmeInputsOutputs -update", rel)
		})
	}
}

// moduleDocs renders the Inputs and Outputs tables of the module in dir.
func moduleDocs(dir string) (string, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.tf"))
	if err != nil {
		return "", err
	}
	sort.Strings(files)

	type input struct{ name, description, typ, def string }
	type output struct{ name, description string }
	var inputs []input
	var outputs []output
	for _, file := range files {
		src, err := os.ReadFile(file)
		if err != nil {
			return "", err
		}
		f, diags := hclsyntax.ParseConfig(src, file, hcl.InitialPos)
		if diags.HasErrors() {
			return "", fmt.Errorf("parsing %s: %s", file, diags.Error())
		}
		for _, block := range f.Body.(*hclsyntax.Body).Blocks {
			if len(block.Labels) != 1 {
				continue
			}
			attrs := block.Body.Attributes
			switch block.Type {
			case "variable":
				in := input{name: block.Labels[0], description: stringAttr(attrs["description"]), typ: "any", def: ""}
				if a := attrs["type"]; a != nil {
					in.typ = sourceOf(src, a.Expr.Range())
				}
				if a := attrs["default"]; a != nil {
					in.def = sourceOf(src, a.Expr.Range())
				}
				inputs = append(inputs, in)
			case "output":
				outputs = append(outputs, output{name: block.Labels[0], description: stringAttr(attrs["description"])})
			}
		}
	}
	sort.Slice(inputs, func(i, j int) bool { return inputs[i].name < inputs[j].name })
	sort.Slice(outputs, func(i, j int) bool { return outputs[i].name < outputs[j].name })

	var b strings.Builder
	b.WriteString("\n## Inputs\n\n")
	if len(inputs) == 0 {
		b.WriteString("No inputs.\n")
	} else {
		b.WriteString("| Name | Description | Type | Default | Required |\n|------|-------------|------|---------|:--------:|\n")
		for _, in := range inputs {
			required, def := "no", "`"+flat(in.def)+"`"
			if in.def == "" {
				required, def = "yes", "n/a"
			}
			fmt.Fprintf(&b, "| `%s` | %s | `%s` | %s | %s |\n", in.name, cell(in.description), flat(in.typ), def, required)
		}
	}
	b.WriteString("\n## Outputs\n\n")
	if len(outputs) == 0 {
		b.WriteString("No outputs.\n")
	} else {
		b.WriteString("| Name | Description |\n|------|-------------|\n")
		for _, out := range outputs {
			fmt.Fprintf(&b, "| `%s` | %s |\n", out.name, cell(out.description))
		}
	}
	return b.String(), nil
}

// stringAttr returns the value of a literal string attribute, heredocs
// included, or "" when a is nil or not a literal.
func stringAttr(a *hclsyntax.Attribute) string {
	if a == nil {
		return ""
	}
	v, diags := a.Expr.Value(nil)
	if diags.HasErrors() || !v.IsKnown() || v.IsNull() || !v.Type().Equals(cty.String) {
		return ""
	}
	return strings.TrimSpace(v.AsString())
}

func sourceOf(src []byte, r hcl.Range) string {
	return string(r.SliceBytes(src))
}

var spaces = regexp.MustCompile(`\s+`)

// cell fits text into one Markdown table cell: line breaks become <br>,
// runs of blanks one space, and angle brackets and pipes are escaped.
func cell(text string) string {
	escape := strings.NewReplacer("<", "&lt;", ">", "&gt;")
	lines := strings.Split(strings.TrimSpace(text), "\n")
	for i, line := range lines {
		lines[i] = escape.Replace(spaces.ReplaceAllString(strings.TrimSpace(line), " "))
	}
	return strings.ReplaceAll(strings.Join(lines, "<br>"), "|", "\\|")
}

// flat fits source code into one Markdown code span: every run of blanks
// and line breaks becomes one space, and pipes are escaped.
func flat(code string) string {
	return strings.ReplaceAll(spaces.ReplaceAllString(strings.TrimSpace(code), " "), "|", "\\|")
}
