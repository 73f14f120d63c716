package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/offline-edit/offline-edit/remote"
	"github.com/offline-edit/offline-edit/remote/mockorg"
	"github.com/offline-edit/offline-edit/scenario"
)

// The embedded org given hundreds of fields on an object (--extra-fields): the device caches
// them, a far one is edited from a shell, and the sync saves it.
func TestTheEmbeddedOrgWithExtraFieldsSyncsAFarField(t *testing.T) {
	dir := t.TempDir()
	far := mockorg.ExtraFieldName(437)
	wide := []string{"--extra-fields", "Account=450", "--objects", "Account"}
	if out, err := run(t, dir, "", append(wide, "sync")...); err != nil {
		t.Fatalf("first sync: %v\n%s", err, out)
	}
	if out, err := run(t, dir, "", append(wide, "new", "Account", "Name=Wide Co", far+"=far away")...); err != nil {
		t.Fatalf("new with a far field: %v\n%s", err, out)
	}
	// A field named by its label, as the screens show it: the error names its API name.
	_, err := run(t, dir, "", append(wide, "edit", "Account", "Wide Co", "Regional Compliance Detail 438=v")...)
	if err == nil || !strings.Contains(err.Error(), "is the label of "+mockorg.ExtraFieldName(438)) {
		t.Fatalf("a field named by its label: %v", err)
	}
	out, err := run(t, dir, "", append(wide, "sync")...)
	if err != nil || !strings.Contains(out, "synced 1") {
		t.Fatalf("sync: %v\n%s", err, out)
	}
	// On the org, as the other users see it.
	org, err := mockorg.Open(mockorg.Options{Seed: 1, DBPath: filepath.Join(dir, "demo-org.db"), ExtraFields: map[string]int{"Account": 450}})
	if err != nil {
		t.Fatal(err)
	}
	defer org.Close()
	tok, err := org.IssueToken("admin@demo.example")
	if err != nil {
		t.Fatal(err)
	}
	c, err := remote.NewClient(context.Background(), remote.Config{InstanceURL: "http://org.invalid", AccessToken: tok, Transport: remote.InProcess(org.Handler())})
	if err != nil {
		t.Fatal(err)
	}
	res, err := c.Query(context.Background(), "SELECT "+far+" FROM Account WHERE Name = 'Wide Co'", 0)
	if err != nil || len(res.Records) != 1 || res.Records[0].Fields[far] != "far away" {
		t.Fatalf("on the org: %v %+v", err, res.Records)
	}
}

func TestARecordingStartsOnTheOrgItsFlagsDescribe(t *testing.T) {
	of := &orgFlags{seed: 3, size: 40, profile: "real", extra: map[string]int{"Account": 450}, strict: true,
		objects: []string{"Account", "Site_Visit__c"}}
	sc := recordingOrg(of, "Recorded")
	if sc.Seed != 3 || sc.Size != 40 || sc.Profile != "real" || sc.ExtraFields["Account"] != 450 || !sc.Strict ||
		len(sc.Objects) != 1 || sc.Objects[0] != "Site_Visit__c" {
		t.Fatalf("recording's org %+v", sc)
	}
	data, err := scenario.Format(scenario.NewRecorder(sc).Scenario())
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"profile: real", "extra_fields: {Account: 450}", "strict: true", "objects: [Site_Visit__c]"} {
		if !strings.Contains(string(data), want) {
			t.Errorf("the recorded file lacks %q:\n%s", want, data)
		}
	}
	if sc := recordingOrg(&orgFlags{seed: 1, profile: "demo"}, "Recorded"); sc.Profile != "" || sc.ExtraFields != nil || sc.Strict || sc.Objects != nil {
		t.Errorf("a demo org's recording names %+v", sc)
	}
}

// A device that synced with the demo org before it was given extra fields sees them at the next
// sync (its cached describes are younger than the hour after which it asks again).
func TestExtraFieldsGivenLaterReachADeviceAtItsNextSync(t *testing.T) {
	dir := t.TempDir()
	if out, err := run(t, dir, "", "sync"); err != nil {
		t.Fatalf("first sync: %v\n%s", err, out)
	}
	field := mockorg.ExtraFieldName(3)
	if out, err := run(t, dir, "", "--extra-fields", "Account=3", "sync"); err != nil {
		t.Fatalf("sync with extra fields: %v\n%s", err, out)
	}
	if out, err := run(t, dir, "", "--extra-fields", "Account=3", "edit", "Account", "Acme Group", field+"=x"); err != nil {
		t.Fatalf("edit of an extra field after the sync: %v\n%s", err, out)
	}
	// Given no more, they go again.
	if out, err := run(t, dir, "", "sync"); err != nil {
		t.Fatalf("sync without extra fields: %v\n%s", err, out)
	}
	if _, err := run(t, dir, "", "edit", "Account", "Acme Group", mockorg.ExtraFieldName(2)+"=y"); err == nil || !strings.Contains(err.Error(), "has no field") {
		t.Fatalf("an extra field the org no longer has: %v", err)
	}
}
