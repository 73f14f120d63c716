package scenario

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/offline-edit/offline-edit/remote/mockorg"
)

func TestProbeOrgTellsAWebServerFromAnOrg(t *testing.T) {
	org, err := mockorg.Open(mockorg.Options{Seed: 1, Size: 10})
	if err != nil {
		t.Fatal(err)
	}
	defer org.Close()
	served := httptest.NewServer(org.Handler())
	defer served.Close()
	web := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte("<html>File not found</html>"))
	}))
	defer web.Close()
	down := httptest.NewServer(http.NotFoundHandler())
	down.Close()
	ctx := context.Background()
	if err := ProbeOrg(ctx, http.DefaultTransport, served.URL); err != nil {
		t.Errorf("a served mock org: %v", err)
	}
	if err := ProbeOrg(ctx, http.DefaultTransport, down.URL); err != nil {
		t.Errorf("nothing listening is a network failure, for the caller to report: %v", err)
	}
	for _, code := range []int{http.StatusInternalServerError, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout, http.StatusTooManyRequests} {
		busy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(code)
		}))
		if err := ProbeOrg(ctx, http.DefaultTransport, busy.URL); err != nil {
			t.Errorf("HTTP %d (a failing or busy server, or a gateway) is out of reach for now, not a wrong URL: %v", code, err)
		}
		busy.Close()
	}
	err = ProbeOrg(ctx, http.DefaultTransport, web.URL)
	if err == nil || !strings.Contains(err.Error(), "HTTP 404 text/html") || strings.Contains(err.Error(), "<html>") {
		t.Errorf("a web server: %v", err)
	}
}

func TestRemoteEnvRefusesAnOrgURLItCannotUseAndSaysWhy(t *testing.T) {
	web := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusNotImplemented)
		_, _ = w.Write([]byte("<!DOCTYPE HTML><html><body>Unsupported method</body></html>"))
	}))
	defer web.Close()
	sc := &Scenario{Name: "s"}
	_, err := NewRemoteEnv(context.Background(), sc, web.URL, t.TempDir(), nil)
	if err == nil || !strings.Contains(err.Error(), "does not answer as a Salesforce org or `offline-edit serve`") || strings.Contains(err.Error(), "<html>") {
		t.Errorf("a web server: %v", err)
	}
	_, err = NewRemoteEnv(context.Background(), sc, "http://192.0.2.1:8787", t.TempDir(), nil)
	if err == nil || !strings.Contains(err.Error(), "plain http") {
		t.Errorf("plain http to another machine: %v", err)
	}
	if _, err = NewRemoteEnv(context.Background(), sc, "127.0.0.1:8787", t.TempDir(), nil); err == nil {
		t.Error("a URL without a scheme was used")
	}
}
