package signin

import (
	"errors"
	"runtime"
	"strings"
	"testing"

	"github.com/zalando/go-keyring"
)

// fakeKeyring is a keyringBackend in memory, failing every call with err when set.
type fakeKeyring struct {
	m   map[string]string
	err error
}

func (f *fakeKeyring) Get(service, user string) (string, error) {
	if f.err != nil {
		return "", f.err
	}
	v, ok := f.m[service+"/"+user]
	if !ok {
		return "", keyring.ErrNotFound
	}
	return v, nil
}

func (f *fakeKeyring) Set(service, user, pw string) error {
	if f.err != nil {
		return f.err
	}
	f.m[service+"/"+user] = pw
	return nil
}

func (f *fakeKeyring) Delete(service, user string) error {
	if f.err != nil {
		return f.err
	}
	if _, ok := f.m[service+"/"+user]; !ok {
		return keyring.ErrNotFound
	}
	delete(f.m, service+"/"+user)
	return nil
}

func TestKeyringStoreRoundTrip(t *testing.T) {
	fk := &fakeKeyring{m: map[string]string{}}
	st := keyringStore{b: fk}
	const key = "https://login.salesforce.com 3MVG9 alex@acme.com"
	if _, err := st.Load(key); !errors.Is(err, ErrNoStoredToken) {
		t.Fatalf("Load of a missing key: %v", err)
	}
	if err := st.Save(key, "5AepRefresh"); err != nil {
		t.Fatal(err)
	}
	if fk.m[KeyringService+"/"+key] != "5AepRefresh" {
		t.Fatalf("keyring holds %v", fk.m)
	}
	if got, err := st.Load(key); err != nil || got != "5AepRefresh" {
		t.Fatalf("Load = %q, %v", got, err)
	}
	if err := st.Delete(key); err != nil {
		t.Fatal(err)
	}
	if err := st.Delete(key); err != nil {
		t.Fatalf("Delete of a missing key: %v", err)
	}
	if _, err := st.Load(key); !errors.Is(err, ErrNoStoredToken) {
		t.Fatalf("Load after Delete: %v", err)
	}
}

func TestKeyringStoreRejectsEmptyKeysAndTokens(t *testing.T) {
	st := keyringStore{b: &fakeKeyring{m: map[string]string{}}}
	if err := st.Save("k", ""); err == nil {
		t.Error("empty token saved")
	}
	if err := st.Save("", "t"); err == nil {
		t.Error("empty key accepted by Save")
	}
	if _, err := st.Load(""); err == nil {
		t.Error("empty key accepted by Load")
	}
	if err := st.Delete(""); err == nil {
		t.Error("empty key accepted by Delete")
	}
}

func TestKeyringStoreFailuresSayTheKeyringIsUnavailable(t *testing.T) {
	cause := errors.New("The name org.freedesktop.secrets was not provided by any .service files")
	st := keyringStore{b: &fakeKeyring{err: cause}}
	_, lerr := st.Load("k")
	serr := st.Save("k", "5AepSecretRefreshToken")
	derr := st.Delete("k")
	for _, err := range []error{lerr, serr, derr} {
		if !errors.Is(err, ErrKeyringUnavailable) || !strings.Contains(err.Error(), "org.freedesktop.secrets") {
			t.Errorf("err = %v", err)
		}
	}
	assertNoSecret(t, serr.Error(), "5AepSecretRefreshToken")
}

func TestKeyringStoreReportsATokenTooBig(t *testing.T) {
	st := keyringStore{b: &fakeKeyring{err: keyring.ErrSetDataTooBig}}
	if err := st.Save("k", "t"); err == nil || !strings.Contains(err.Error(), "too big") {
		t.Fatalf("err = %v", err)
	}
}

// Without a D-Bus session bus (a headless Linux box, CI), the real keyring fails with a clear
// error rather than hanging or panicking.
func TestKeyringStoreWithoutASessionBusSaysTheKeyringIsUnavailable(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("exercises the Secret Service path")
	}
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path="+t.TempDir()+"/no-bus")
	st := KeyringStore()
	err := st.Save("offline-edit-test-key", "5AepTestRefreshToken")
	if !errors.Is(err, ErrKeyringUnavailable) {
		t.Fatalf("Save without a session bus: %v, want ErrKeyringUnavailable", err)
	}
	if !strings.Contains(err.Error(), "Secret Service") {
		t.Fatalf("the error does not say what is missing: %v", err)
	}
	if _, err := st.Load("offline-edit-test-key"); !errors.Is(err, ErrKeyringUnavailable) {
		t.Fatalf("Load without a session bus: %v", err)
	}
}
