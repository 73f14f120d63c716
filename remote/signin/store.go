package signin

import (
	"errors"
	"fmt"

	"github.com/zalando/go-keyring"
)

// TokenStore keeps OAuth refresh tokens where the user allowed. Load returns an error wrapping
// ErrNoStoredToken when there is none for key; Delete of a missing key is not an error.
type TokenStore interface {
	Load(key string) (string, error)
	Save(key, refreshToken string) error
	Delete(key string) error
}

// ErrNoStoredToken means the store holds no refresh token for the key.
var ErrNoStoredToken = errors.New("no stored refresh token")

// ErrKeyringUnavailable means the OS has no usable keyring (no Secret Service on D-Bus, no
// macOS Keychain or Windows Credential Manager access).
var ErrKeyringUnavailable = errors.New("no OS keyring is available (on Linux a Secret Service such as " +
	"gnome-keyring or KeePassXC must be running on the D-Bus session bus); the refresh token cannot be remembered")

// KeyringService is the service name refresh tokens are filed under in the OS keyring.
const KeyringService = "offline-edit"

// keyringBackend is the part of go-keyring used here.
type keyringBackend interface {
	Get(service, user string) (string, error)
	Set(service, user, password string) error
	Delete(service, user string) error
}

type osKeyring struct{}

func (osKeyring) Get(service, user string) (string, error) { return keyring.Get(service, user) }
func (osKeyring) Set(service, user, pw string) error       { return keyring.Set(service, user, pw) }
func (osKeyring) Delete(service, user string) error        { return keyring.Delete(service, user) }

// KeyringStore keeps refresh tokens in the OS keyring (macOS Keychain, Windows Credential
// Manager, Secret Service on Linux and BSD). Every operation fails with an error wrapping
// ErrKeyringUnavailable when no keyring service exists.
func KeyringStore() TokenStore { return keyringStore{b: osKeyring{}} }

type keyringStore struct{ b keyringBackend }

func (k keyringStore) Load(key string) (string, error) {
	if key == "" {
		return "", errors.New("keyring: empty key")
	}
	v, err := k.b.Get(KeyringService, key)
	switch {
	case errors.Is(err, keyring.ErrNotFound):
		return "", fmt.Errorf("keyring %s/%s: %w", KeyringService, key, ErrNoStoredToken)
	case err != nil:
		return "", keyringErr("reading", key, err)
	case v == "":
		return "", fmt.Errorf("keyring %s/%s: %w", KeyringService, key, ErrNoStoredToken)
	}
	return v, nil
}

func (k keyringStore) Save(key, refreshToken string) error {
	if key == "" {
		return errors.New("keyring: empty key")
	}
	if refreshToken == "" {
		return errors.New("keyring: refusing to store an empty refresh token")
	}
	if err := k.b.Set(KeyringService, key, refreshToken); err != nil {
		if errors.Is(err, keyring.ErrSetDataTooBig) {
			return fmt.Errorf("keyring %s/%s: the refresh token is too big for the keyring", KeyringService, key)
		}
		return keyringErr("writing", key, err)
	}
	return nil
}

func (k keyringStore) Delete(key string) error {
	if key == "" {
		return errors.New("keyring: empty key")
	}
	err := k.b.Delete(KeyringService, key)
	if err == nil || errors.Is(err, keyring.ErrNotFound) {
		return nil
	}
	return keyringErr("deleting", key, err)
}

// keyringErr wraps a keyring failure as ErrKeyringUnavailable, keeping the cause's text.
func keyringErr(op, key string, err error) error {
	return fmt.Errorf("%s %s/%s in the OS keyring: %w (%s)", op, KeyringService, key, ErrKeyringUnavailable, scrub(err.Error(), 200))
}
