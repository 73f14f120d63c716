package scenario

import (
	"bytes"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/offline-edit/offline-edit/remote"
)

// Format writes a scenario in the file format, so that Parse reads back the same steps.
func Format(sc *Scenario) ([]byte, error) {
	top := mapping()
	add(top, "name", str(sc.Name))
	if sc.Description != "" {
		add(top, "description", str(sc.Description))
	}
	add(top, "seed", scalar("!!int", strconv.FormatInt(sc.Seed, 10)))
	if sc.Size != 0 {
		add(top, "size", scalar("!!int", strconv.Itoa(sc.Size)))
	}
	if sc.Strict {
		add(top, "strict", scalar("!!bool", "true"))
	}
	if sc.Profile != "" {
		add(top, "profile", str(sc.Profile))
	}
	if len(sc.Objects) > 0 {
		objs := &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle}
		for _, o := range sc.Objects {
			objs.Content = append(objs.Content, str(o))
		}
		add(top, "objects", objs)
	}
	if len(sc.ExtraFields) > 0 {
		extra := &yaml.Node{Kind: yaml.MappingNode, Style: yaml.FlowStyle}
		for _, o := range slices.Sorted(maps.Keys(sc.ExtraFields)) {
			add(extra, o, scalar("!!int", strconv.Itoa(sc.ExtraFields[o])))
		}
		add(top, "extra_fields", extra)
	}
	steps := &yaml.Node{Kind: yaml.SequenceNode}
	for i, st := range sc.Steps {
		n, err := stepNode(st)
		if err != nil {
			return nil, fmt.Errorf("step %d: %w", i+1, err)
		}
		steps.Content = append(steps.Content, n)
	}
	add(top, "steps", steps)
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(&yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{top}}); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func mapping() *yaml.Node { return &yaml.Node{Kind: yaml.MappingNode} }

func flow(n *yaml.Node) *yaml.Node { n.Style = yaml.FlowStyle; return n }

func scalar(tag, v string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: v} }

func str(s string) *yaml.Node { return scalar("!!str", s) }

func add(m *yaml.Node, key string, v *yaml.Node) {
	m.Content = append(m.Content, str(key), v)
}

func valueNode(v any) (*yaml.Node, error) {
	switch x := v.(type) {
	case nil:
		return scalar("!!null", "null"), nil
	case string:
		return str(x), nil
	case bool:
		return scalar("!!bool", strconv.FormatBool(x)), nil
	case float64:
		if x == float64(int64(x)) && x < 1e15 && x > -1e15 {
			return scalar("!!int", strconv.FormatInt(int64(x), 10)), nil
		}
		return scalar("!!float", strconv.FormatFloat(x, 'g', -1, 64)), nil
	case int:
		return scalar("!!int", strconv.Itoa(x)), nil
	case int64:
		return scalar("!!int", strconv.FormatInt(x, 10)), nil
	case RefTo:
		m := flow(mapping())
		add(m, "ref", str(x.Ref))
		return m, nil
	case UserTo:
		m := flow(mapping())
		user := x.User
		if user == Me {
			user = "me"
		}
		add(m, "user", str(user))
		return m, nil
	}
	return nil, fmt.Errorf("unsupported field value %T", v)
}

func fieldsNode(f remote.Fields) (*yaml.Node, error) {
	keys := make([]string, 0, len(f))
	for k := range f {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	m := flow(mapping())
	for _, k := range keys {
		v, err := valueNode(f[k])
		if err != nil {
			return nil, fmt.Errorf("%s: %w", k, err)
		}
		add(m, k, v)
	}
	return m, nil
}

func recordNode(r RecordRef) *yaml.Node {
	if r.Ref != "" {
		return str(r.Ref)
	}
	m := flow(mapping())
	add(m, "object", str(r.Object))
	if r.ID != "" {
		add(m, "id", str(r.ID))
		// A record named by id: the name it had, for the reader (a replay goes by the id).
		m.LineComment = commentText(r.Name)
	} else {
		add(m, "name", str(r.Name))
	}
	return m
}

// commentText is s as one line of a YAML comment: no control character, no line break, not
// over 80 characters.
func commentText(s string) string {
	s = strings.Join(strings.FieldsFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsControl(r) || r == utf8.RuneError || unicode.Is(unicode.Cf, r)
	}), " ")
	if utf8.RuneCountInString(s) > 80 {
		s = string([]rune(s)[:79]) + "…"
	}
	return s
}

func userName(u string) string {
	if u == "" {
		return Me
	}
	return u
}

func percent(f float64) *yaml.Node {
	return str(strconv.FormatFloat(f*100, 'f', -1, 64) + "%")
}

func stepNode(st Step) (*yaml.Node, error) {
	if _, ok := isKind(string(st.Kind)); !ok {
		return nil, fmt.Errorf("unknown step kind %q", st.Kind)
	}
	simple := st.As == "" && st.ExpectError == ""
	switch st.Kind {
	case KindOffline, KindSignin:
		return str(string(st.Kind)), nil
	case KindOnline, KindSync:
		if st.Summary == nil && simple {
			return str(string(st.Kind)), nil
		}
	case KindExpire:
		if st.User == "" || st.User == Me {
			return str(string(st.Kind)), nil
		}
	}
	m := mapping()
	k := string(st.Kind)
	var err error
	switch st.Kind {
	case KindOnline, KindSync:
		if st.Summary != nil {
			s := flow(mapping())
			for _, c := range []struct {
				name string
				v    *int
			}{{"synced", st.Summary.Synced}, {"merged", st.Summary.Merged}, {"attention", st.Summary.Attention}, {"retrying", st.Summary.Retrying}, {"waiting", st.Summary.Waiting}} {
				if c.v != nil {
					add(s, c.name, scalar("!!int", strconv.Itoa(*c.v)))
				}
			}
			add(m, k, s)
		} else {
			add(m, k, scalar("!!null", ""))
		}
	case KindNetwork:
		c := st.Network
		if c == nil || *c == (Conditions{}) {
			add(m, k, str("normal"))
			break
		}
		n := flow(mapping())
		if c.Latency != 0 {
			add(n, "latency", str(c.Latency.String()))
		}
		if c.Jitter != 0 {
			add(n, "jitter", str(c.Jitter.String()))
		}
		if c.Drop != 0 {
			add(n, "drop", percent(c.Drop))
		}
		if c.Lossy != 0 {
			add(n, "lossy", percent(c.Lossy))
		}
		if c.Errors != 0 {
			add(n, "errors", percent(c.Errors))
		}
		add(m, k, n)
	case KindWait:
		add(m, k, str(st.Wait.String()))
	case KindCreate:
		add(m, k, str(st.Object))
		if st.Ref != "" {
			add(m, "ref", str(st.Ref))
		}
	case KindEdit, KindFix, KindDelete, KindDismiss, KindDiscard, KindRetry, KindResolve, KindCheck:
		add(m, k, recordNode(st.Record))
	case KindShare, KindUnshare:
		add(m, k, recordNode(st.Record))
		add(m, "with", str(userName(st.User)))
		if st.Kind == KindShare && st.Access != "" {
			add(m, "access", str(st.Access))
		}
	case KindLock, KindUnlock:
		add(m, k, recordNode(st.Record))
		if st.Kind == KindLock && st.Writes > 0 {
			add(m, "writes", scalar("!!int", strconv.Itoa(st.Writes)))
		}
	case KindAddRule:
		if st.Rule == nil {
			return nil, fmt.Errorf("add_rule without a rule")
		}
		r := flow(mapping())
		add(r, "object", str(st.Rule.Object))
		add(r, "kind", str(st.Rule.Kind))
		add(r, "field", str(st.Rule.Field))
		if st.Rule.Value != "" {
			add(r, "value", str(st.Rule.Value))
		}
		if st.Rule.OtherField != "" {
			add(r, "other_field", str(st.Rule.OtherField))
		}
		if st.Rule.Message != "" {
			add(r, "message", str(st.Rule.Message))
		}
		add(m, k, r)
		if st.Ref != "" {
			add(m, "ref", str(st.Ref))
		}
	case KindRemoveRule:
		add(m, k, str(st.RuleRef))
	case KindExpire:
		add(m, k, str(st.User))
	case KindExpect:
		if st.Expect == nil {
			return nil, fmt.Errorf("expect without checks")
		}
		e, err := expectNode(st.Expect)
		if err != nil {
			return nil, err
		}
		add(m, k, e)
	}
	if st.Fields != nil && (st.Kind == KindCreate || st.Kind == KindEdit || st.Kind == KindFix) {
		f, ferr := fieldsNode(st.Fields)
		if ferr != nil {
			return nil, ferr
		}
		add(m, "fields", f)
	}
	if st.Kind == KindResolve {
		if err = resolveNodes(m, st); err != nil {
			return nil, err
		}
	}
	if st.As != "" && st.As != Me {
		add(m, "as", str(st.As))
	}
	if st.ExpectError != "" {
		add(m, "expect_error", str(st.ExpectError))
	}
	return m, nil
}

func resolveNodes(m *yaml.Node, st Step) error {
	if st.Delete != "" {
		add(m, "delete", str(st.Delete))
		return nil
	}
	if st.TakeAll != "" {
		add(m, "take", str(st.TakeAll))
	}
	if st.Newer {
		add(m, "newer", scalar("!!bool", "true"))
	}
	if len(st.Choices) == 0 {
		if st.TakeAll == "" {
			return fmt.Errorf("resolve without choices")
		}
		return nil
	}
	keys := make([]string, 0, len(st.Choices))
	for k := range st.Choices {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	f := flow(mapping())
	for _, k := range keys {
		c := st.Choices[k]
		switch c.Take {
		case "mine", "theirs":
			add(f, k, str(c.Take))
		case "value":
			v, err := valueNode(c.Value)
			if err != nil {
				return fmt.Errorf("%s: %w", k, err)
			}
			n := flow(mapping())
			add(n, "value", v)
			add(f, k, n)
		default:
			return fmt.Errorf("%s: unknown choice %q", k, c.Take)
		}
	}
	add(m, "fields", f)
	return nil
}

func expectNode(e *Expectation) (*yaml.Node, error) {
	m := mapping()
	if !e.Record.IsZero() {
		add(m, "record", recordNode(e.Record))
	}
	for _, kv := range [][2]string{{"sash", e.Sash}, {"status", e.Status}, {"code", e.Code}, {"message", e.Message}, {"access", e.Access}} {
		if kv[1] != "" {
			add(m, kv[0], str(kv[1]))
		}
	}
	if e.Attempts != nil {
		add(m, "attempts", scalar("!!int", strconv.Itoa(*e.Attempts)))
	}
	for _, kv := range []struct {
		k string
		f remote.Fields
	}{{"cache", e.Cache}, {"org", e.Org}, {"conflicts", e.Conflicts}} {
		if len(kv.f) > 0 {
			n, err := fieldsNode(kv.f)
			if err != nil {
				return nil, err
			}
			add(m, kv.k, n)
		}
	}
	if e.OrgExists != nil {
		add(m, "org_exists", scalar("!!bool", strconv.FormatBool(*e.OrgExists)))
	}
	if e.Pending != nil {
		add(m, "pending", scalar("!!int", strconv.Itoa(*e.Pending)))
	}
	if e.Attention != nil {
		add(m, "attention", scalar("!!int", strconv.Itoa(*e.Attention)))
	}
	if e.Count != nil {
		c := flow(mapping())
		add(c, "object", str(e.Count.Object))
		if strings.TrimSpace(e.Count.Where) != "" {
			add(c, "where", str(e.Count.Where))
		}
		add(c, "is", scalar("!!int", strconv.Itoa(e.Count.Is)))
		add(m, "count", c)
	}
	if e.Cached != nil {
		c := flow(mapping())
		add(c, "object", str(e.Cached.Object))
		add(c, "name", str(e.Cached.Name))
		add(c, "is", scalar("!!int", strconv.Itoa(e.Cached.Is)))
		add(m, "cached", c)
	}
	return m, nil
}
