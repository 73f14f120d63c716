package scenario

import (
	"errors"
	"fmt"
	"math"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/offline-edit/offline-edit/remote"
	"github.com/offline-edit/offline-edit/remote/mockorg"
)

// MaxFileSize is the largest scenario file Parse accepts.
const MaxFileSize = 1 << 20

// ParseError is a problem with a scenario file, at a line of it.
type ParseError struct {
	File string
	Line int
	Msg  string
	// More are the problems of later steps, found after this one (a file is read to its end).
	More []*ParseError
	// orgErr is what the org said, or why it could not be asked, when the check of the line
	// needed it.
	orgErr error
}

func (e *ParseError) Error() string {
	var b strings.Builder
	if e.Line > 0 {
		fmt.Fprintf(&b, "%s:%d: %s", e.File, e.Line, e.Msg)
	} else {
		fmt.Fprintf(&b, "%s: %s", e.File, e.Msg)
	}
	for _, m := range e.More {
		b.WriteString("\n")
		b.WriteString(m.Error())
	}
	return b.String()
}

// maxParseErrors is how many problems one parse reports at most.
const maxParseErrors = 10

// ParseFile reads and parses a scenario file.
func ParseFile(path string) (*Scenario, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("scenario: %w", err)
	}
	if info.IsDir() {
		return nil, &ParseError{File: path, Line: 0, Msg: "is a directory, not a scenario file"}
	}
	if info.Size() > MaxFileSize {
		return nil, &ParseError{File: path, Line: 0, Msg: fmt.Sprintf("file is larger than %d bytes", MaxFileSize)}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("scenario: %w", err)
	}
	return Parse(path, data)
}

// Parse parses a scenario from data; name is used as the file name in errors. It checks
// everything that can be checked without an org: the step kinds and their keys, object names,
// value types, references to records and rules named by earlier steps. A problem is returned as
// a *ParseError naming the file and line.
func Parse(name string, data []byte) (*Scenario, error) {
	p := &parser{file: name, refs: map[string]string{}, rules: map[string]bool{}}
	sc, err := p.parse(data)
	if err != nil {
		return nil, err
	}
	return sc, nil
}

type parser struct {
	file  string
	extra []string          // objects the file adds with the objects key
	refs  map[string]string // record ref name → object
	rules map[string]bool   // rule ref names
	line  int               // the line of the step being read
	lists map[listed]bool   // the field values written as lists, by step
}

// listed names a field value a step wrote as a list ([A, B]): only a multi-select picklist
// takes one, which the validator checks once it has the describes.
type listed struct {
	line  int // the step's
	field string
}

// bail is a panic value that carries a *ParseError out of deep parsing code; parse recovers it.
type bail struct{ err *ParseError }

func (p *parser) failf(n *yaml.Node, format string, args ...any) {
	line := 0
	if n != nil {
		line = n.Line
	}
	panic(bail{&ParseError{File: p.file, Line: line, Msg: fmt.Sprintf(format, args...)}})
}

var yamlLine = regexp.MustCompile(`line (\d+): (.*)`)

func (p *parser) parse(data []byte) (sc *Scenario, err error) {
	defer func() {
		if r := recover(); r != nil {
			b, ok := r.(bail)
			if !ok {
				panic(r)
			}
			sc, err = nil, b.err
		}
	}()
	if len(data) > MaxFileSize {
		return nil, &ParseError{File: p.file, Line: 0, Msg: fmt.Sprintf("file is larger than %d bytes", MaxFileSize)}
	}
	var root yaml.Node
	if yerr := yaml.Unmarshal(data, &root); yerr != nil {
		return nil, p.yamlError(yerr)
	}
	if root.Kind == 0 || len(root.Content) == 0 {
		return nil, &ParseError{File: p.file, Line: 1, Msg: "empty file: a scenario needs name and steps"}
	}
	doc := root.Content[0]
	p.noAlias(doc)
	if doc.Kind != yaml.MappingNode {
		p.failf(doc, "a scenario is a mapping with name, steps and optionally description, seed, size, strict, profile, objects, extra_fields")
	}
	sc = &Scenario{File: p.file}
	p.lists = map[listed]bool{}
	sc.lists = p.lists
	var steps *yaml.Node
	for _, kv := range p.pairs(doc) {
		k, v := kv[0], kv[1]
		switch k.Value {
		case "name":
			sc.Name = p.text(v, "name")
		case "description":
			sc.Description = p.text(v, "description")
		case "seed":
			sc.Seed = p.int64(v, "seed")
		case "size":
			n := p.int64(v, "size")
			if n < 0 || n > MaxSize {
				p.failf(v, "size must be between 0 and %d, found %d", MaxSize, n)
			}
			sc.Size = int(n)
		case "strict":
			sc.Strict = p.bool(v, "strict")
		case "profile":
			sc.Profile = p.word(v, "profile")
			if !slices.Contains(Profiles, sc.Profile) {
				p.failf(v, "profile must be demo or real, found %q", sc.Profile)
			}
		case "objects":
			sc.Objects = p.objectList(v)
			sc.ObjectsLine = k.Line
			p.extra = sc.Objects
		case "extra_fields":
			sc.ExtraFields = p.extraFields(v)
		case "steps":
			steps = v
		default:
			p.failf(k, "unknown key %q at the top level (expected name, description, seed, size, strict, profile, objects, extra_fields, steps)", k.Value)
		}
	}
	if strings.TrimSpace(sc.Name) == "" {
		p.failf(doc, "the scenario needs a name")
	}
	if steps == nil {
		p.failf(doc, "the scenario needs steps")
	}
	if steps.Kind != yaml.SequenceNode {
		p.failf(steps, "steps must be a list")
	}
	if len(steps.Content) == 0 {
		p.failf(steps, "steps is empty")
	}
	var problems []*ParseError
	for _, n := range steps.Content {
		st, perr := p.stepOrProblem(n)
		if perr != nil {
			problems = append(problems, perr)
			if len(problems) == maxParseErrors {
				break
			}
			continue
		}
		sc.Steps = append(sc.Steps, st)
	}
	if len(problems) > 0 {
		first := *problems[0]
		first.More = problems[1:]
		return nil, &first
	}
	return sc, nil
}

// stepOrProblem parses one step, returning its problem instead of stopping the parse, so that
// one run names every broken step.
func (p *parser) stepOrProblem(n *yaml.Node) (st Step, perr *ParseError) {
	defer func() {
		if r := recover(); r != nil {
			b, ok := r.(bail)
			if !ok {
				panic(r)
			}
			perr = b.err
		}
	}()
	return p.step(n), nil
}

func (p *parser) yamlError(err error) *ParseError {
	var te *yaml.TypeError
	msg := err.Error()
	if errors.As(err, &te) && len(te.Errors) > 0 {
		msg = te.Errors[0]
	}
	msg = strings.TrimPrefix(msg, "yaml: ")
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		// The parser names the line where it gave up, often the parent of a line indented
		// wrongly further down.
		return &ParseError{File: p.file, Line: line, Msg: "YAML syntax: " + m[2] + " (look at this line and those under it: an indentation, a bracket or a quote)"}
	}
	return &ParseError{File: p.file, Line: 1, Msg: "YAML syntax: " + msg}
}

func (p *parser) noAlias(n *yaml.Node) {
	if n.Kind == yaml.AliasNode || n.Anchor != "" {
		p.failf(n, "anchors and aliases are not supported in scenario files")
	}
	for _, c := range n.Content {
		p.noAlias(c)
	}
}

// pairs returns the key/value pairs of a mapping, refusing duplicate and non-text keys.
func (p *parser) pairs(m *yaml.Node) [][2]*yaml.Node {
	seen := map[string]bool{}
	var out [][2]*yaml.Node
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			p.failf(k, "a key must be a plain word")
		}
		if seen[k.Value] {
			p.failf(k, "duplicate key %q", k.Value)
		}
		seen[k.Value] = true
		out = append(out, [2]*yaml.Node{k, v})
	}
	return out
}

func (p *parser) text(n *yaml.Node, what string) string {
	if n.Kind != yaml.ScalarNode || n.ShortTag() == "!!null" {
		p.failf(n, "%s must be text", what)
	}
	return n.Value
}

// word is a text value that must not be empty.
func (p *parser) word(n *yaml.Node, what string) string {
	s := strings.TrimSpace(p.text(n, what))
	if s == "" {
		p.failf(n, "%s must not be empty", what)
	}
	return s
}

func (p *parser) int64(n *yaml.Node, what string) int64 {
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!int" {
		p.failf(n, "%s must be a whole number, found %s", what, describeNode(n))
	}
	var v int64
	if err := n.Decode(&v); err != nil {
		p.failf(n, "%s must be a whole number that fits in 64 bits, found %q", what, n.Value)
	}
	return v
}

func (p *parser) count(n *yaml.Node, what string) *int {
	v := p.int64(n, what)
	if v < 0 || v > math.MaxInt32 {
		p.failf(n, "%s must be between 0 and %d, found %d", what, math.MaxInt32, v)
	}
	i := int(v)
	return &i
}

func (p *parser) bool(n *yaml.Node, what string) bool {
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!bool" {
		p.failf(n, "%s must be true or false, found %s", what, describeNode(n))
	}
	var v bool
	if err := n.Decode(&v); err != nil {
		p.failf(n, "%s must be true or false, found %q", what, n.Value)
	}
	return v
}

func (p *parser) duration(n *yaml.Node, what string) time.Duration {
	s := p.word(n, what)
	d, err := time.ParseDuration(s)
	if err != nil {
		p.failf(n, "%s must be a duration such as 300ms, 2s or 5m, found %q", what, s)
	}
	if d < 0 {
		p.failf(n, "%s must not be negative", what)
	}
	if d > 24*time.Hour {
		p.failf(n, "%s must be at most 24h", what)
	}
	return d
}

// rate reads "25%" or a fraction from 0 to 1 (0.25); a bare number over 1 is refused with
// how to write it (10 meant 10%).
func (p *parser) rate(n *yaml.Node, what string) float64 {
	if n.Kind != yaml.ScalarNode {
		p.failf(n, "%s must be a percentage such as 25%% or a number between 0 and 1", what)
	}
	var v float64
	switch n.ShortTag() {
	case "!!int", "!!float":
		if err := n.Decode(&v); err != nil {
			p.failf(n, "%s must be a number, found %q", what, n.Value)
		}
		if v > 1 {
			// 10 meant 10%: a bare number is a fraction, from 0 to 1 (all).
			p.failf(n, "%s is a share: write it as a percentage (%s%%) or a fraction from 0 to 1, found %s", what, n.Value, n.Value)
		}
	case "!!str":
		s := strings.TrimSpace(n.Value)
		if !strings.HasSuffix(s, "%") {
			p.failf(n, "%s must be a percentage such as 25%% or a number between 0 and 1, found %q", what, s)
		}
		f, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(s, "%")), 64)
		if err != nil {
			p.failf(n, "%s must be a percentage such as 25%%, found %q", what, s)
		}
		v = f / 100
	default:
		p.failf(n, "%s must be a percentage such as 25%% or a number between 0 and 1, found %s", what, describeNode(n))
	}
	if math.IsNaN(v) || v < 0 || v > 1 {
		p.failf(n, "%s must be between 0%% and 100%%, found %q", what, n.Value)
	}
	return v
}

// value reads a field value: text, number, true/false or null.
func (p *parser) value(n *yaml.Node, field string) any {
	if n.Kind == yaml.MappingNode && len(n.Content) == 2 && n.Content[0].Value == "ref" {
		name := p.refName(n.Content[1], "ref")
		if _, ok := p.refs[name]; !ok {
			p.failf(n.Content[1], "unknown record %q: no earlier create step has ref: %s", name, name)
		}
		return RefTo{Ref: name}
	}
	if n.Kind == yaml.MappingNode && len(n.Content) == 2 && n.Content[0].Value == "user" {
		return UserTo{User: p.user(n.Content[1], field)}
	}
	if n.Kind == yaml.SequenceNode {
		return p.choices(n, field)
	}
	if n.Kind != yaml.ScalarNode {
		p.failf(n, "the value of %s must be text, a number, true/false or null, found %s (a lookup is written {ref: NAME}, a user {user: sam}, the values of a multi-select picklist [A, B])", field, describeNode(n))
	}
	switch n.ShortTag() {
	case "!!str", "!!timestamp":
		return n.Value
	case "!!null":
		return nil
	case "!!bool":
		return p.bool(n, field)
	case "!!int":
		var i int64
		if err := n.Decode(&i); err != nil {
			var f float64
			if err := n.Decode(&f); err != nil {
				p.failf(n, "the value of %s is not a number: %q", field, n.Value)
			}
			return f
		}
		return float64(i)
	case "!!float":
		var f float64
		if err := n.Decode(&f); err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			p.failf(n, "the value of %s must be a finite number, found %q", field, n.Value)
		}
		return f
	}
	p.failf(n, "the value of %s has an unsupported type %s", field, n.ShortTag())
	return nil
}

// choices reads the values of a multi-select picklist written as a list ([Hardware, Training])
// into the value the org takes: the values joined by ";" ("Hardware;Training"); an empty list
// clears the field, as null does.
func (p *parser) choices(n *yaml.Node, field string) any {
	var vals []string
	for _, item := range n.Content {
		if item.Kind != yaml.ScalarNode || item.ShortTag() == "!!null" {
			p.failf(item, "the values of %s in a list must be text, found %s", field, describeNode(item))
		}
		v := item.Value
		switch {
		case strings.TrimSpace(v) == "":
			p.failf(item, "a value of %s in the list is empty", field)
		case strings.Contains(v, ";"):
			p.failf(item, "a value of %s in the list has a ';' in it (%q): write each value on its own", field, v)
		}
		vals = append(vals, v)
	}
	if p.lists != nil {
		p.lists[listed{p.line, field}] = true
	}
	if len(vals) == 0 {
		return nil
	}
	return strings.Join(vals, ";")
}

var fieldName = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*(__c)?$`)

func (p *parser) fields(n *yaml.Node, what string) remote.Fields {
	if n.Kind != yaml.MappingNode {
		p.failf(n, "%s must be a mapping of field names to values", what)
	}
	out := remote.Fields{}
	for _, kv := range p.pairs(n) {
		k := kv[0]
		if !fieldName.MatchString(k.Value) {
			p.failf(k, "%q is not a field name", k.Value)
		}
		out[k.Value] = p.value(kv[1], k.Value)
	}
	if len(out) == 0 {
		p.failf(n, "%s is empty", what)
	}
	return out
}

func (p *parser) object(n *yaml.Node) string {
	s := p.word(n, "object")
	known := append(append([]string{}, Objects...), p.extra...)
	for _, o := range known {
		if strings.EqualFold(o, s) {
			return o
		}
	}
	p.failf(n, "unknown object %q (known: %s; add others with the objects key)", s, strings.Join(known, ", "))
	return ""
}

// apiName matches an sObject's API name, standard (Account) or custom (Site_Visit__c).
var apiName = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*$`)

// extraFields reads extra_fields: objects and how many more custom fields the org gives them.
func (p *parser) extraFields(n *yaml.Node) map[string]int {
	if n.Kind != yaml.MappingNode {
		p.failf(n, "extra_fields maps objects to how many more custom fields the org gives them, e.g. {Account: 450}")
	}
	out := map[string]int{}
	for _, kv := range p.pairs(n) {
		v := p.int64(kv[1], "extra_fields of "+kv[0].Value)
		if v < 0 || v > mockorg.MaxExtraFields {
			p.failf(kv[1], "extra_fields of %s must be between 0 and %d, found %d", kv[0].Value, mockorg.MaxExtraFields, v)
		}
		if err := mockorg.CheckExtraFields(kv[0].Value, int(v)); err != nil {
			p.failf(kv[0], "%v", err)
		}
		out[kv[0].Value] = int(v)
	}
	return out
}

// objectList reads the objects key: more objects to cache besides the standard six.
func (p *parser) objectList(n *yaml.Node) []string {
	if n.Kind != yaml.SequenceNode {
		p.failf(n, "objects is a list of object names, e.g. [Site_Visit__c]")
	}
	var out []string
	for _, it := range n.Content {
		s := p.word(it, "object")
		if !apiName.MatchString(s) {
			p.failf(it, "%q is not an object name", s)
		}
		out = append(out, s)
	}
	return out
}

var refName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_.-]*$`)

func (p *parser) refName(n *yaml.Node, what string) string {
	s := p.word(n, what)
	if !refName.MatchString(s) {
		p.failf(n, "%s %q must start with a letter and hold only letters, digits, _ . -", what, s)
	}
	return s
}

var idPattern = regexp.MustCompile(`^([a-zA-Z0-9]{15}|[a-zA-Z0-9]{18}|local-[0-9a-f]{8,})$`)

// record reads a record reference: a name given by an earlier create, or a mapping with
// object and name or id.
func (p *parser) record(n *yaml.Node) RecordRef {
	switch n.Kind {
	case yaml.ScalarNode:
		name := p.refName(n, "record")
		if _, ok := p.refs[name]; !ok {
			p.failf(n, "unknown record %q: no earlier create step has ref: %s (or use {object: ..., name: ...})", name, name)
		}
		return RecordRef{Ref: name, Object: p.refs[name]}
	case yaml.MappingNode:
		var r RecordRef
		var objNode *yaml.Node
		for _, kv := range p.pairs(n) {
			k, v := kv[0], kv[1]
			switch k.Value {
			case "object":
				r.Object, objNode = p.object(v), v
			case "name":
				r.Name = p.word(v, "name")
			case "id":
				r.ID = p.word(v, "id")
				if !idPattern.MatchString(r.ID) {
					p.failf(v, "%q is not a record id (15 or 18 letters and digits)", r.ID)
				}
			default:
				p.failf(k, "unknown key %q in a record reference (expected object with name or id)", k.Value)
			}
		}
		if objNode == nil {
			p.failf(n, "a record reference needs object and name (or id)")
		}
		if (r.Name == "") == (r.ID == "") {
			p.failf(n, "a record reference needs exactly one of name and id")
		}
		return r
	}
	p.failf(n, "a record is named by the ref of an earlier create, or {object: ..., name: ...}")
	return RecordRef{}
}

var knownUsers = map[string]string{"me": Me, "alex": Me, "sam": "sam", "admin": "admin"}

// user reads a user name: me, alex (me), sam, admin, or a username with an @.
func (p *parser) user(n *yaml.Node, what string) string {
	s := p.word(n, what)
	if u, ok := knownUsers[strings.ToLower(s)]; ok {
		return u
	}
	if strings.Contains(s, "@") && !strings.ContainsAny(s, " \t\r\n") {
		return s
	}
	p.failf(n, "unknown user %q (expected me, sam, admin or a username)", s)
	return ""
}

var errorWords = []string{"locked", "not_found", "not_allowed", "changed_again", "auth", "offline", "network"}
var errorCode = regexp.MustCompile(`^[A-Z][A-Z0-9_]*$`)

func (p *parser) expectError(n *yaml.Node) string {
	s := p.word(n, "expect_error")
	for _, w := range errorWords {
		if s == w {
			return s
		}
	}
	if errorCode.MatchString(s) {
		return s
	}
	p.failf(n, "expect_error must be one of %s or an org error code such as INSUFFICIENT_ACCESS_OR_READONLY, found %q",
		strings.Join(errorWords, ", "), s)
	return ""
}

// allowed lists the keys each kind of step takes beside its own.
var allowed = map[Kind][]string{
	KindOffline:    nil,
	KindOnline:     {"expect_error"},
	KindNetwork:    nil,
	KindWait:       nil,
	KindSync:       {"expect_error"},
	KindCreate:     {"fields", "ref", "as", "expect_error"},
	KindEdit:       {"fields", "as", "expect_error"},
	KindDelete:     {"as", "expect_error"},
	KindShare:      {"with", "access"},
	KindUnshare:    {"with"},
	KindLock:       {"writes"},
	KindUnlock:     nil,
	KindAddRule:    {"ref"},
	KindRemoveRule: nil,
	KindExpire:     nil,
	KindSignin:     nil,
	KindResolve:    {"fields", "take", "delete", "newer", "expect_error"},
	KindFix:        {"fields", "expect_error"},
	KindDismiss:    {"expect_error"},
	KindDiscard:    {"expect_error"},
	KindRetry:      {"expect_error"},
	KindCheck:      nil,
	KindExpect:     nil,
}

func isKind(s string) (Kind, bool) {
	for _, k := range Kinds {
		if string(k) == s {
			return k, true
		}
	}
	return "", false
}

func kindList() string {
	s := make([]string, len(Kinds))
	for i, k := range Kinds {
		s[i] = string(k)
	}
	return strings.Join(s, ", ")
}

func (p *parser) step(n *yaml.Node) Step {
	st := Step{Line: n.Line}
	p.line = n.Line
	if n.Kind == yaml.ScalarNode {
		k, ok := isKind(n.Value)
		if !ok {
			p.failf(n, "unknown step %q (expected one of %s)", n.Value, kindList())
		}
		switch k {
		case KindOffline, KindOnline, KindSync, KindSignin, KindExpire:
		default:
			p.failf(n, "step %s needs a value, e.g. \"- %s: ...\"", k, k)
		}
		st.Kind = k
		if k == KindExpire {
			st.User = Me
		}
		return st
	}
	if n.Kind != yaml.MappingNode {
		p.failf(n, "a step is a word such as offline or a mapping such as {edit: acme, fields: {...}}")
	}
	pairs := p.pairs(n)
	if len(pairs) == 0 {
		p.failf(n, "empty step")
	}
	kindKey, kindVal := pairs[0][0], pairs[0][1]
	if _, ok := isKind(kindKey.Value); !ok {
		p.failf(kindKey, "unknown step %q (expected one of %s)", kindKey.Value, kindList())
	}
	extra := map[string]*yaml.Node{}
	var order []*yaml.Node
	for _, kv := range pairs[1:] {
		extra[kv[0].Value] = kv[1]
		order = append(order, kv[0])
	}
	st.Kind = Kind(kindKey.Value)
	for _, k := range order {
		ok := false
		for _, a := range allowed[st.Kind] {
			if a == k.Value {
				ok = true
			}
		}
		if !ok {
			if _, other := isKind(k.Value); other {
				p.failf(k, "a step does one thing: found both %s and %s", st.Kind, k.Value)
			}
			if len(allowed[st.Kind]) == 0 {
				p.failf(k, "unknown key %q: step %s takes no other keys", k.Value, st.Kind)
			}
			p.failf(k, "unknown key %q for step %s (expected %s)", k.Value, st.Kind, strings.Join(allowed[st.Kind], ", "))
		}
	}
	if v, ok := extra["as"]; ok {
		st.As = p.user(v, "as")
		if st.As == Me {
			st.As = ""
		}
	}
	if v, ok := extra["expect_error"]; ok {
		st.ExpectError = p.expectError(v)
	}
	isNull := kindVal.Kind == yaml.ScalarNode && kindVal.ShortTag() == "!!null"
	switch st.Kind {
	case KindOffline, KindSignin:
		if !isNull {
			p.failf(kindVal, "step %s takes no value", st.Kind)
		}
	case KindOnline, KindSync:
		if !isNull {
			st.Summary = p.summary(kindVal)
		}
	case KindNetwork:
		st.Network = p.network(kindVal)
	case KindWait:
		st.Wait = p.duration(kindVal, "wait")
	case KindCreate:
		st.Object = p.object(kindVal)
		// The ref first: a problem in the fields leaves it known, so that later steps naming it
		// are not reported as wrong too.
		if v, ok := extra["ref"]; ok {
			st.Ref = p.refName(v, "ref")
			if _, dup := p.refs[st.Ref]; dup {
				p.failf(v, "ref %q is already used by an earlier step", st.Ref)
			}
			p.refs[st.Ref] = st.Object
		}
		fv, ok := extra["fields"]
		if !ok {
			p.failf(kindKey, "create needs fields")
		}
		st.Fields = p.fields(fv, "fields")
	case KindEdit, KindFix:
		st.Record = p.record(kindVal)
		fv, ok := extra["fields"]
		if !ok {
			p.failf(kindKey, "%s needs fields", st.Kind)
		}
		st.Fields = p.fields(fv, "fields")
	case KindDelete, KindDismiss, KindDiscard, KindRetry, KindCheck:
		st.Record = p.record(kindVal)
	case KindShare, KindUnshare:
		st.Record = p.record(kindVal)
		w, ok := extra["with"]
		if !ok {
			p.failf(kindKey, "%s needs with: (a user)", st.Kind)
		}
		st.User = p.user(w, "with")
		if st.User == "admin" {
			p.failf(w, "the admin sees every record; share with me or sam")
		}
		if st.Kind == KindShare {
			st.Access = "edit"
			if a, ok := extra["access"]; ok {
				st.Access = p.word(a, "access")
				if st.Access != "read" && st.Access != "edit" {
					p.failf(a, "access must be read or edit, found %q", st.Access)
				}
			}
		}
	case KindLock, KindUnlock:
		st.Record = p.record(kindVal)
		if w, ok := extra["writes"]; ok {
			n := p.count(w, "writes")
			if *n == 0 {
				p.failf(w, "writes must be at least 1 (leave it out to lock until an unlock step)")
			}
			st.Writes = *n
		}
	case KindAddRule:
		st.Rule = p.rule(kindVal)
		if v, ok := extra["ref"]; ok {
			st.Ref = p.refName(v, "ref")
			if p.rules[st.Ref] {
				p.failf(v, "rule ref %q is already used by an earlier step", st.Ref)
			}
			p.rules[st.Ref] = true
		}
	case KindRemoveRule:
		st.RuleRef = p.refName(kindVal, "remove_rule")
		if !p.rules[st.RuleRef] {
			p.failf(kindVal, "unknown rule %q: no earlier add_rule step has ref: %s", st.RuleRef, st.RuleRef)
		}
	case KindExpire:
		st.User = Me
		if !isNull {
			st.User = p.user(kindVal, "expire")
		}
	case KindResolve:
		st.Record = p.record(kindVal)
		p.resolve(&st, kindKey, extra)
	case KindExpect:
		st.Expect = p.expect(kindVal)
	}
	return st
}

func (p *parser) summary(n *yaml.Node) *SummaryExpect {
	if n.Kind != yaml.MappingNode {
		p.failf(n, "expected counts of the sync as a mapping, e.g. {synced: 1, merged: 1}")
	}
	s := &SummaryExpect{}
	for _, kv := range p.pairs(n) {
		k, v := kv[0], kv[1]
		switch k.Value {
		case "synced":
			s.Synced = p.count(v, k.Value)
		case "merged":
			s.Merged = p.count(v, k.Value)
		case "attention":
			s.Attention = p.count(v, k.Value)
		case "retrying":
			s.Retrying = p.count(v, k.Value)
		case "waiting":
			s.Waiting = p.count(v, k.Value)
		default:
			p.failf(k, "unknown sync count %q (expected synced, merged, attention, retrying, waiting)", k.Value)
		}
	}
	return s
}

func (p *parser) network(n *yaml.Node) *Conditions {
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!str" && n.Value == "normal" {
		return &Conditions{}
	}
	if n.Kind != yaml.MappingNode {
		p.failf(n, "network is \"normal\" or a mapping of latency, jitter, drop, lossy, errors")
	}
	c := &Conditions{}
	for _, kv := range p.pairs(n) {
		k, v := kv[0], kv[1]
		switch k.Value {
		case "latency":
			c.Latency = p.duration(v, "latency")
		case "jitter":
			c.Jitter = p.duration(v, "jitter")
		case "drop":
			c.Drop = p.rate(v, "drop")
		case "lossy":
			c.Lossy = p.rate(v, "lossy")
		case "errors":
			c.Errors = p.rate(v, "errors")
		default:
			p.failf(k, "unknown network condition %q (expected latency, jitter, drop, lossy, errors)", k.Value)
		}
	}
	if c.Jitter > c.Latency {
		p.failf(n, "jitter (%s) must not exceed latency (%s)", c.Jitter, c.Latency)
	}
	return c
}

func (p *parser) rule(n *yaml.Node) *Rule {
	if n.Kind != yaml.MappingNode {
		p.failf(n, "add_rule is a mapping of object, kind, field and optionally value, other_field, message")
	}
	r := &Rule{}
	var objNode *yaml.Node
	for _, kv := range p.pairs(n) {
		k, v := kv[0], kv[1]
		switch k.Value {
		case "object":
			r.Object, objNode = p.object(v), v
		case "kind":
			r.Kind = p.word(v, "kind")
			ok := false
			for _, rk := range RuleKinds {
				ok = ok || rk == r.Kind
			}
			if !ok {
				p.failf(v, "unknown rule kind %q (known: %s)", r.Kind, strings.Join(RuleKinds, ", "))
			}
		case "field":
			r.Field = p.word(v, "field")
		case "value":
			if v.Kind != yaml.ScalarNode || v.ShortTag() == "!!null" {
				p.failf(v, "value must be text or a number")
			}
			r.Value = v.Value
		case "other_field":
			r.OtherField = p.word(v, "other_field")
		case "message":
			r.Message = p.text(v, "message")
		default:
			if k.Value == "ref" {
				p.failf(k, "ref goes beside add_rule, not inside its braces: - {add_rule: {object: …, kind: …, field: …}, ref: %s}", v.Value)
				continue
			}
			p.failf(k, "unknown key %q in add_rule (expected object, kind, field, value, other_field, message)", k.Value)
		}
	}
	switch {
	case objNode == nil:
		p.failf(n, "add_rule needs object")
	case r.Kind == "":
		p.failf(n, "add_rule needs kind")
	case r.Field == "":
		p.failf(n, "add_rule needs field")
	}
	switch r.Kind {
	case "min", "max_length", "forbid_value", "flow_error":
		if r.Value == "" {
			p.failf(n, "a %s rule needs value", r.Kind)
		}
	case "require_if":
		if r.Value == "" || r.OtherField == "" {
			p.failf(n, "a require_if rule needs other_field and value")
		}
	}
	if r.Kind == "min" {
		if _, err := strconv.ParseFloat(r.Value, 64); err != nil {
			p.failf(n, "a min rule needs a number as value, found %q", r.Value)
		}
	}
	if r.Kind == "max_length" {
		if v, err := strconv.Atoi(r.Value); err != nil || v < 0 {
			p.failf(n, "a max_length rule needs a whole number as value, found %q", r.Value)
		}
	}
	return r
}

func (p *parser) take(n *yaml.Node, what string) string {
	s := p.word(n, what)
	if s != "mine" && s != "theirs" {
		if what == "take" {
			p.failf(n, "take must be mine or theirs, found %q", s)
		}
		p.failf(n, "%s must be mine, theirs or {value: X} (a new value), found %q", what, s)
	}
	return s
}

func (p *parser) resolve(st *Step, key *yaml.Node, extra map[string]*yaml.Node) {
	fv, hasFields := extra["fields"]
	tv, hasTake := extra["take"]
	dv, hasDelete := extra["delete"]
	if nv, ok := extra["newer"]; ok {
		if hasDelete {
			p.failf(nv, "newer: is for a conflict on fields, not on a delete")
		}
		st.Newer = p.bool(nv, "newer")
	}
	if hasDelete {
		if hasFields || hasTake {
			p.failf(dv, "delete: decides a delete conflict and cannot go with fields or take")
		}
		st.Delete = p.word(dv, "delete")
		if st.Delete != "anyway" && st.Delete != "keep" {
			p.failf(dv, "delete must be anyway or keep, found %q", st.Delete)
		}
		return
	}
	if !hasFields && !hasTake {
		p.failf(key, "resolve needs fields (field: mine | theirs | {value: ...}), take (mine or theirs) or delete (anyway or keep)")
	}
	if hasTake {
		st.TakeAll = p.take(tv, "take")
	}
	if !hasFields {
		return
	}
	if fv.Kind != yaml.MappingNode || len(fv.Content) == 0 {
		p.failf(fv, "fields must map each conflicting field to mine, theirs or {value: ...}")
	}
	st.Choices = map[string]Choice{}
	for _, kv := range p.pairs(fv) {
		k, v := kv[0], kv[1]
		if !fieldName.MatchString(k.Value) {
			p.failf(k, "%q is not a field name", k.Value)
		}
		switch v.Kind {
		case yaml.ScalarNode:
			st.Choices[k.Value] = Choice{Take: p.take(v, k.Value)}
		case yaml.MappingNode:
			pairs := p.pairs(v)
			if len(pairs) != 1 || pairs[0][0].Value != "value" {
				p.failf(v, "a new value for %s is written {value: ...}", k.Value)
			}
			st.Choices[k.Value] = Choice{Take: "value", Value: p.value(pairs[0][1], k.Value)}
		default:
			p.failf(v, "%s must be mine, theirs or {value: ...}", k.Value)
		}
	}
}

var sashes = []string{"green", "orange", "red", "none"}

// accessLevels are what the device lets the user do with a record, as it last learnt from the
// org: everything, edit but not delete (shared to edit), or read only.
var accessLevels = []string{"full", "edit", "read"}

var statuses = []string{"pending", "syncing", "waiting", "conflict", "invalid", "failed", "none"}

func (p *parser) oneOf(n *yaml.Node, what string, options []string) string {
	s := p.word(n, what)
	for _, o := range options {
		if o == s {
			return s
		}
	}
	p.failf(n, "%s must be one of %s, found %q", what, strings.Join(options, ", "), s)
	return ""
}

func (p *parser) expect(n *yaml.Node) *Expectation {
	if n.Kind != yaml.MappingNode {
		p.failf(n, "expect is a mapping of checks, e.g. {record: acme, sash: orange} or {pending: 0}")
	}
	e := &Expectation{}
	var recNode *yaml.Node
	var needsRecord *yaml.Node
	for _, kv := range p.pairs(n) {
		k, v := kv[0], kv[1]
		switch k.Value {
		case "record":
			e.Record, recNode = p.record(v), v
		case "sash":
			e.Sash, needsRecord = p.oneOf(v, "sash", sashes), k
		case "status":
			e.Status, needsRecord = p.oneOf(v, "status", statuses), k
		case "code":
			e.Code, needsRecord = p.word(v, "code"), k
		case "message":
			e.Message, needsRecord = p.word(v, "message"), k
		case "attempts":
			e.Attempts, needsRecord = p.count(v, "attempts"), k
		case "access":
			e.Access, needsRecord = p.oneOf(v, "access", accessLevels), k
		case "cache":
			e.Cache, needsRecord = p.fields(v, "cache"), k
		case "org":
			e.Org, needsRecord = p.fields(v, "org"), k
		case "org_exists":
			b := p.bool(v, "org_exists")
			e.OrgExists, needsRecord = &b, k
		case "pending":
			e.Pending = p.count(v, "pending")
		case "attention":
			e.Attention = p.count(v, "attention")
		case "count":
			e.Count = p.countExpect(v)
		case "conflicts":
			e.Conflicts, needsRecord = p.fields(v, "conflicts"), k
			if len(e.Conflicts) == 0 {
				p.failf(v, "conflicts names the conflicting fields with their values, e.g. {Phone: \"555-0199\"}; for none, check status instead")
			}
		case "cached":
			e.Cached = p.cachedExpect(v)
		default:
			p.failf(k, "unknown check %q (expected record with sash, status, code, message, attempts, access, cache, org, org_exists, conflicts; or pending, attention, count, cached)", k.Value)
		}
	}
	if needsRecord != nil && recNode == nil {
		p.failf(needsRecord, "check %s needs record: (which record)", needsRecord.Value)
	}
	if recNode != nil && needsRecord == nil {
		p.failf(recNode, "record: is given but nothing is checked about it (add sash, status, code, message, attempts, access, cache, org, org_exists or conflicts)")
	}
	if recNode == nil && e.Pending == nil && e.Attention == nil && e.Count == nil && e.Cached == nil {
		p.failf(n, "expect checks nothing")
	}
	return e
}

func (p *parser) countExpect(n *yaml.Node) *Count {
	if n.Kind != yaml.MappingNode {
		p.failf(n, "count is a mapping {object: ..., where: \"...\", is: N}")
	}
	c := &Count{}
	var objNode, isNode *yaml.Node
	for _, kv := range p.pairs(n) {
		k, v := kv[0], kv[1]
		switch k.Value {
		case "object":
			c.Object, objNode = p.object(v), v
		case "where":
			c.Where = p.word(v, "where")
			if kw := clauseIn(c.Where); kw != "" {
				p.failf(v, "where is only the condition of the count: %s does not belong in it", kw)
			}
		case "is":
			c.Is, isNode = *p.count(v, "is"), v
		default:
			p.failf(k, "unknown key %q in count (expected object, where, is)", k.Value)
		}
	}
	if objNode == nil || isNode == nil {
		p.failf(n, "count needs object and is")
	}
	return c
}

func (p *parser) cachedExpect(n *yaml.Node) *Cached {
	if n.Kind != yaml.MappingNode {
		p.failf(n, "cached is a mapping {object: ..., name: \"...\", is: N}")
	}
	c := &Cached{}
	var objNode, nameNode, isNode *yaml.Node
	for _, kv := range p.pairs(n) {
		k, v := kv[0], kv[1]
		switch k.Value {
		case "object":
			c.Object, objNode = p.object(v), v
		case "name":
			c.Name, nameNode = p.word(v, "name"), v
		case "is":
			c.Is, isNode = *p.count(v, "is"), v
		default:
			p.failf(k, "unknown key %q in cached (expected object, name, is)", k.Value)
		}
	}
	if objNode == nil || nameNode == nil || isNode == nil {
		p.failf(n, "cached needs object, name and is")
	}
	return c
}

func describeNode(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!null":
			return "nothing"
		case "!!str":
			return strconv.Quote(n.Value)
		}
		return n.Value
	}
	return "something else"
}

func quoteIfNeeded(s string) string {
	if s == "" || strings.ContainsAny(s, " \t\"'") {
		return strconv.Quote(s)
	}
	return s
}

// clauseIn is the first SOQL clause keyword (LIMIT, OFFSET, ORDER BY, GROUP BY, HAVING, FOR,
// WITH, USING) in a WHERE condition outside string literals, or "": such a clause would change
// what a count counts (LIMIT 1 makes any "is: 1" pass).
func clauseIn(where string) string {
	var words []string
	word := strings.Builder{}
	flush := func() {
		if word.Len() > 0 {
			words = append(words, strings.ToUpper(word.String()))
			word.Reset()
		}
	}
	inString := false
	for i := 0; i < len(where); i++ {
		c := where[i]
		switch {
		case inString && c == '\\':
			i++
		case c == '\'':
			flush()
			inString = !inString
		case inString:
		case c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9':
			word.WriteByte(c)
		default:
			flush()
		}
	}
	flush()
	for i, w := range words {
		switch w {
		case "LIMIT", "OFFSET", "HAVING", "FOR", "WITH", "USING":
			return w
		case "ORDER", "GROUP":
			if i+1 < len(words) && words[i+1] == "BY" {
				return w + " BY"
			}
		}
	}
	return ""
}
