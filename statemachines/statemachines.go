// Package statemachines embeds the Amazon States Language definitions that
// Terraform deploys and local mode runs, and renders their placeholders the
// way Terraform's templatefile function does, so both environments execute
// the same text.
package statemachines

import (
	_ "embed"
	"fmt"
	"sort"
	"strings"
)

// Moderation is the moderation pipeline's definition template.
//
//go:embed moderation.asl.json
var Moderation string

// Render substitutes each ${name} in template with vars[name]. As in
// Terraform's templatefile, "$${" and "%%{" are escapes for a literal "${"
// and "%{". Template directives (%{ ... }) are not supported, and a
// placeholder without a value or a value without a placeholder is an error,
// so a definition and its variables cannot drift apart silently.
func Render(template string, vars map[string]string) (string, error) {
	var out strings.Builder
	used := make(map[string]bool, len(vars))
	for i := 0; i < len(template); {
		rest := template[i:]
		switch {
		case strings.HasPrefix(rest, "$${"):
			out.WriteString("${")
			i += 3
		case strings.HasPrefix(rest, "%%{"):
			out.WriteString("%{")
			i += 3
		case strings.HasPrefix(rest, "%{"):
			return "", fmt.Errorf("rendering template: directive at byte %d is not supported", i)
		case strings.HasPrefix(rest, "${"):
			end := strings.IndexByte(rest, '}')
			if end < 0 {
				return "", fmt.Errorf("rendering template: unterminated placeholder at byte %d", i)
			}
			name := rest[2:end]
			if !isIdentifier(name) {
				return "", fmt.Errorf("rendering template: placeholder %q at byte %d is not a variable name", name, i)
			}
			value, ok := vars[name]
			if !ok {
				return "", fmt.Errorf("rendering template: no value for placeholder ${%s}", name)
			}
			used[name] = true
			out.WriteString(value)
			i += end + 1
		default:
			out.WriteByte(template[i])
			i++
		}
	}

	var unused []string
	for name := range vars {
		if !used[name] {
			unused = append(unused, name)
		}
	}
	if len(unused) > 0 {
		sort.Strings(unused)
		return "", fmt.Errorf("rendering template: variables without a placeholder: %s", strings.Join(unused, ", "))
	}
	return out.String(), nil
}

// Placeholders returns the names of the placeholders in template, sorted and
// without duplicates.
func Placeholders(template string) []string {
	seen := map[string]bool{}
	for i := 0; i < len(template); i++ {
		rest := template[i:]
		if strings.HasPrefix(rest, "$${") || strings.HasPrefix(rest, "%%{") {
			i += 2
			continue
		}
		if !strings.HasPrefix(rest, "${") {
			continue
		}
		end := strings.IndexByte(rest, '}')
		if end < 0 {
			break
		}
		if name := rest[2:end]; isIdentifier(name) {
			seen[name] = true
		}
		i += end
	}
	names := make([]string, 0, len(seen))
	for name := range seen {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

func isIdentifier(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		letter := r == '_' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z')
		if !letter && (i == 0 || r < '0' || r > '9') {
			return false
		}
	}
	return true
}
