package mockorg

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// serveAdmin serves /mockorg/v1/...: operations a real org has no REST resource for.
func (o *Org) serveAdmin(w http.ResponseWriter, r *http.Request) {
	u, aerr := o.authenticate(r)
	if aerr != nil {
		writeResp(w, fail(aerr))
		return
	}
	if !u.Admin {
		writeResp(w, fail(newErr(http.StatusForbidden, "INSUFFICIENT_ACCESS", "the /mockorg/v1 API needs an admin user's token")))
		return
	}
	body, aerr := readBody(w, r)
	if aerr != nil {
		writeResp(w, fail(aerr))
		return
	}
	segs := splitPath(r.URL.Path)[2:]
	writeResp(w, o.admin(r.Method, segs, body))
}

func methodIs(method string, allowed ...string) *apiError {
	for _, a := range allowed {
		if method == a {
			return nil
		}
	}
	return errMethod(method, allowed...)
}

// adminIndex is what GET /mockorg/v1/ answers: each admin operation, how to call it and what
// it takes, so a shell user finds them without reading the source.
var adminIndex = []map[string]string{
	{"path": "/mockorg/v1/share", "method": "POST", "body": `{"recordId":"001…","username":"sam@demo.example","access":"read|edit|none"}`, "does": "share a record with a user, or take the share away"},
	{"path": "/mockorg/v1/rules", "method": "GET, POST", "body": `{"object":"Account","kind":"required","field":"Industry","message":"…"}`, "does": "list or add validation rules (kinds: GET /mockorg/v1/rulekinds)"},
	{"path": "/mockorg/v1/rules/{id}", "method": "DELETE", "does": "remove a validation rule"},
	{"path": "/mockorg/v1/rulekinds", "method": "GET", "does": "the kinds of validation rule and what each takes"},
	{"path": "/mockorg/v1/expire", "method": "POST", "body": `{"username":"alex@demo.example"}`, "does": "expire a user's sessions (their next request answers 401)"},
	{"path": "/mockorg/v1/settings", "method": "GET, POST", "body": `{"dailyLimit":100,"deleteLogRetentionSeconds":60}`, "does": "the daily API request limit (REQUEST_LIMIT_EXCEEDED past it) and how long getDeleted remembers deletes"},
	{"path": "/mockorg/v1/profile", "method": "GET, POST", "body": `{"profile":"demo|real"}`, "does": "behave as the demo org or as a real one (no Offline_Key__c, empty 412 bodies, a short delete log)"},
	{"path": "/mockorg/v1/lock", "method": "GET, POST", "body": `{"recordId":"001…","writes":2}`, "does": "list row locks, or lock a record for writes: its next N updates and deletes answer UNABLE_TO_LOCK_ROW (every one until unlocked when writes is left out; writes 0 unlocks); reads and other records go on"},
	{"path": "/mockorg/v1/lock/{id}", "method": "DELETE", "does": "unlock a record"},
	{"path": "/mockorg/v1/users", "method": "GET", "does": "the org's users"},
	{"path": "/mockorg/v1/reset", "method": "POST", "body": "{}", "does": "reseed the org as it started"},
}

func (o *Org) admin(method string, segs []string, body []byte) apiResp {
	if len(segs) == 0 {
		if e := methodIs(method, http.MethodGet); e != nil {
			return fail(e)
		}
		return ok(http.StatusOK, adminIndex)
	}
	invalid := func(msg string, fields ...string) apiResp {
		return fail(newErr(http.StatusBadRequest, "INVALID_INPUT", msg, fields...))
	}
	switch segs[0] {
	case "rules":
		if len(segs) == 2 {
			return removeAt(method, segs[1], o.RemoveRule)
		}
		if len(segs) != 1 {
			return fail(errNotFound())
		}
		switch method {
		case http.MethodGet:
			return ok(http.StatusOK, o.Rules())
		case http.MethodPost:
			var rule Rule
			if aerr := decodeJSON(body, &rule); aerr != nil {
				return fail(aerr)
			}
			id, aerr := o.addRule(rule)
			if aerr != nil {
				return fail(aerr)
			}
			return ok(http.StatusCreated, map[string]string{"id": id})
		}
		return fail(errMethod(method, "GET", "POST"))
	case "rulekinds":
		if e := methodIs(method, http.MethodGet); e != nil {
			return fail(e)
		}
		return ok(http.StatusOK, RuleKinds())
	case "share":
		if e := methodIs(method, http.MethodPost); e != nil {
			return fail(e)
		}
		var in struct{ RecordID, Username, Access string }
		if aerr := decodeJSON(body, &in); aerr != nil {
			return fail(aerr)
		}
		if err := o.Share(in.RecordID, in.Username, in.Access); err != nil {
			return invalid(err.Error())
		}
		return apiResp{status: http.StatusNoContent}
	case "expire":
		if e := methodIs(method, http.MethodPost); e != nil {
			return fail(e)
		}
		var in struct{ Username string }
		if aerr := decodeJSON(body, &in); aerr != nil {
			return fail(aerr)
		}
		if err := o.ExpireTokens(in.Username); err != nil {
			return invalid(err.Error(), "username")
		}
		return apiResp{status: http.StatusNoContent}
	case "reset":
		if e := methodIs(method, http.MethodPost); e != nil {
			return fail(e)
		}
		if err := o.Reset(); err != nil {
			return fail(newErr(http.StatusInternalServerError, "UNKNOWN_EXCEPTION", err.Error()))
		}
		return apiResp{status: http.StatusNoContent}
	case "profile":
		switch method {
		case http.MethodGet:
			return ok(http.StatusOK, map[string]string{"profile": string(o.Profile())})
		case http.MethodPost:
			var in struct{ Profile string }
			if aerr := decodeJSON(body, &in); aerr != nil {
				return fail(aerr)
			}
			p := Profile(in.Profile)
			if p != ProfileDemo && p != ProfileReal {
				return invalid(fmt.Sprintf("profile must be %q or %q", ProfileDemo, ProfileReal), "profile")
			}
			o.SetProfile(p)
			return ok(http.StatusOK, map[string]string{"profile": string(p)})
		}
		return fail(errMethod(method, "GET", "POST"))
	case "lock":
		if len(segs) == 2 {
			return removeAt(method, segs[1], o.UnlockRow)
		}
		if len(segs) != 1 {
			return fail(errNotFound())
		}
		switch method {
		case http.MethodGet:
			return ok(http.StatusOK, o.RowLocks())
		case http.MethodPost:
			var in struct {
				RecordID string `json:"recordId"`
				Writes   *int   `json:"writes"`
			}
			if aerr := decodeJSON(body, &in); aerr != nil {
				return fail(aerr)
			}
			if in.Writes != nil && *in.Writes == 0 {
				o.UnlockRow(in.RecordID) // writes 0 unlocks, whether or not it was locked
				return apiResp{status: http.StatusNoContent}
			}
			n := 0
			if in.Writes != nil {
				n = *in.Writes
			}
			if err := o.LockRow(in.RecordID, n); err != nil {
				return invalid(err.Error())
			}
			return apiResp{status: http.StatusNoContent}
		}
		return fail(errMethod(method, "GET", "POST"))
	case "users":
		if e := methodIs(method, http.MethodGet); e != nil {
			return fail(e)
		}
		return ok(http.StatusOK, o.Users())
	case "limits", "settings":
		switch method {
		case http.MethodGet:
			return ok(http.StatusOK, o.settings())
		case http.MethodPost:
			var in struct {
				DailyLimit                *int `json:"dailyLimit"`
				DeleteLogRetentionSeconds *int `json:"deleteLogRetentionSeconds"`
			}
			if aerr := decodeJSON(body, &in); aerr != nil {
				return fail(aerr)
			}
			if in.DailyLimit != nil {
				if *in.DailyLimit <= 0 {
					return invalid("dailyLimit must be positive", "dailyLimit")
				}
				o.SetDailyLimit(*in.DailyLimit)
			}
			if in.DeleteLogRetentionSeconds != nil {
				if *in.DeleteLogRetentionSeconds < 0 {
					return invalid("deleteLogRetentionSeconds must not be negative", "deleteLogRetentionSeconds")
				}
				o.SetDeleteLogRetention(time.Duration(*in.DeleteLogRetentionSeconds) * time.Second)
			}
			return ok(http.StatusOK, o.settings())
		}
		return fail(errMethod(method, "GET", "POST"))
	}
	return fail(errNotFound())
}

func (o *Org) settings() map[string]any {
	used, limit := o.usageNow()
	return map[string]any{"dailyLimit": limit, "used": used, "deleteLogRetentionSeconds": int(o.deleteRetention() / time.Second), "profile": string(o.Profile())}
}

// Rules lists the validation and duplicate rules in force.
func (o *Org) Rules() []Rule {
	o.mu.RLock()
	defer o.mu.RUnlock()
	out := append([]Rule{}, o.rules...)
	return out
}

// AddRule adds a validation or duplicate rule and returns its id.
func (o *Org) AddRule(r Rule) (string, error) {
	id, aerr := o.addRule(r)
	if aerr != nil {
		return "", aerr
	}
	return id, nil
}

func (o *Org) addRule(r Rule) (string, *apiError) {
	r, aerr := o.checkRule(r)
	if aerr != nil {
		return "", aerr
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	o.ruleSeq++
	r.ID = "rule-" + strconv.Itoa(o.ruleSeq)
	data, _ := json.Marshal(r)
	if o.db != nil {
		if _, err := o.db.Exec(`INSERT INTO rules (id, seq, data) VALUES (?,?,?)`, r.ID, o.ruleSeq, string(data)); err != nil {
			return "", newErr(http.StatusInternalServerError, "UNKNOWN_EXCEPTION", err.Error())
		}
	}
	_ = o.putMeta("ruleSeq", strconv.Itoa(o.ruleSeq))
	o.rules = append(o.rules, r)
	return r.ID, nil
}

// RemoveRule deletes a rule; it reports whether the rule existed.
func (o *Org) RemoveRule(id string) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	for i, r := range o.rules {
		if r.ID == id {
			o.rules = append(o.rules[:i:i], o.rules[i+1:]...)
			if o.db != nil {
				_, _ = o.db.Exec(`DELETE FROM rules WHERE id=?`, id)
			}
			return true
		}
	}
	return false
}

// Share gives a user read or edit access to a record, or takes it away with "none".
func (o *Org) Share(recordID, username, access string) error {
	if access != accessRead && access != accessEdit && access != "none" {
		return fmt.Errorf("access must be read, edit or none, not %q", access)
	}
	u, found := o.userByName(username)
	if !found {
		return fmt.Errorf("no user %q", username)
	}
	id, valid := NormalizeID(recordID)
	if !valid {
		return fmt.Errorf("malformed record id %q", recordID)
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	r := o.recs[id]
	if r == nil || r.Object.Name == "User" {
		return fmt.Errorf("no record %s", id)
	}
	if r.str("OwnerId") == u.ID {
		// An owner keeps full access whatever the shares say: saying "done" would mislead.
		return fmt.Errorf("%s owns this record, so a share changes nothing: change its owner first", username)
	}
	if err := o.persistShare(id, u.ID, access); err != nil {
		return err
	}
	o.setShareMem(id, u.ID, access)
	return nil
}

// removeAt answers DELETE /mockorg/v1/KIND/{id}: 204 once remove took it away, 404 when there
// was none.
func removeAt(method, id string, remove func(string) bool) apiResp {
	if e := methodIs(method, http.MethodDelete); e != nil {
		return fail(e)
	}
	if !remove(id) {
		return fail(errNotFound())
	}
	return apiResp{status: http.StatusNoContent}
}
