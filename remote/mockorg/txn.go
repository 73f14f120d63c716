package mockorg

import (
	"strings"
	"time"
)

// txn collects the writes of one request (or of one all-or-none group) so they can be
// committed together or dropped. Reads see the txn's own writes. Used with o.mu held for writing.
type txn struct {
	o      *Org
	parent *txn
	recs   []*rec         // the changed records, in the order first written
	index  map[string]int // id → place in recs, once recs outgrows a scan

	// stamps made by writes of this request (kept on the top-level txn), shared by them all
	stampAt       time.Time
	stampUser     string
	stamp, userID any
}

// stampValues returns a write's LastModifiedDate (wire format) and user id as values, made
// once for the request's writes that share the moment and the user.
func (t *txn) stampValues(now time.Time, userID string) (stamp, user any) {
	root := t
	for root.parent != nil {
		root = root.parent
	}
	if root.stamp == nil || !root.stampAt.Equal(now) || root.stampUser != userID {
		root.stampAt, root.stampUser = now, userID
		root.stamp, root.userID = formatWireTime(now), userID
	}
	return root.stamp, root.userID
}

// txnScan is how many records a txn finds by scanning before it keeps an index.
const txnScan = 8

func (o *Org) begin() *txn { return &txn{o: o} }

// sub starts a nested transaction.
func (t *txn) sub() *txn { return &txn{o: t.o, parent: t} }

// find returns the place of a record in t.recs, -1 when t did not change it.
func (t *txn) find(id string) int {
	if t.index != nil {
		if i, ok := t.index[id]; ok {
			return i
		}
		return -1
	}
	for i, r := range t.recs {
		if r.ID == id {
			return i
		}
	}
	return -1
}

func (t *txn) get(id string) *rec {
	for x := t; x != nil; x = x.parent {
		if i := x.find(id); i >= 0 {
			return x.recs[i]
		}
	}
	return t.o.recs[id]
}

func (t *txn) put(r *rec) {
	if i := t.find(r.ID); i >= 0 {
		t.recs[i] = r
		return
	}
	t.recs = append(t.recs, r)
	switch {
	case t.index != nil:
		t.index[r.ID] = len(t.recs) - 1
	case len(t.recs) > txnScan:
		t.index = make(map[string]int, 2*len(t.recs))
		for i, x := range t.recs {
			t.index[x.ID] = i
		}
	}
}

// merge folds a sub-transaction into its parent.
func (t *txn) merge() {
	for _, r := range t.recs {
		t.parent.put(r)
	}
}

// commit writes a top-level transaction to the database and to memory.
func (t *txn) commit() error {
	if len(t.recs) == 0 {
		return nil
	}
	if err := t.o.persist(t.recs); err != nil {
		return err
	}
	for _, r := range t.recs {
		t.o.index(r)
	}
	return nil
}

// idsOf lists the ids of an object's records, committed ones first, then those this txn created.
func (t *txn) idsOf(object string) []string {
	base := t.o.ids[object]
	var chain []*txn
	for x := t; x != nil; x = x.parent {
		chain = append(chain, x)
	}
	var extra []string
	seen := map[string]bool{}
	for i := len(chain) - 1; i >= 0; i-- {
		for _, r := range chain[i].recs {
			if _, committed := t.o.recs[r.ID]; committed || seen[r.ID] {
				continue
			}
			if r.Object.Name == object {
				seen[r.ID] = true
				extra = append(extra, r.ID)
			}
		}
	}
	if len(extra) == 0 {
		return base
	}
	out := make([]string, 0, len(base)+len(extra))
	return append(append(out, base...), extra...)
}

// byKey finds the record of an object holding an Offline_Key__c value (case-insensitive).
func (t *txn) byKey(object, key string) *rec {
	lk := strings.ToLower(key)
	for x := t; x != nil; x = x.parent {
		for _, r := range x.recs {
			if r.Object.Name == object && strings.ToLower(r.str("Offline_Key__c")) == lk {
				return r
			}
		}
	}
	if id, ok := t.o.keys[object+"\x00"+lk]; ok {
		if r := t.get(id); r != nil && strings.ToLower(r.str("Offline_Key__c")) == lk {
			return r
		}
	}
	return nil
}
