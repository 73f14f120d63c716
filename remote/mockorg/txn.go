package mockorg

import "strings"

// txn collects the writes of one request (or of one all-or-none group) so they can be
// committed together or dropped. Reads see the txn's own writes. Used with o.mu held for writing.
type txn struct {
	o       *Org
	parent  *txn
	changed map[string]*rec
	order   []string
}

func (o *Org) begin() *txn { return &txn{o: o, changed: map[string]*rec{}} }

// sub starts a nested transaction; its map is made by its first put.
func (t *txn) sub() *txn { return &txn{o: t.o, parent: t} }

func (t *txn) get(id string) *rec {
	for x := t; x != nil; x = x.parent {
		if r, ok := x.changed[id]; ok {
			return r
		}
	}
	return t.o.recs[id]
}

func (t *txn) put(r *rec) {
	if t.changed == nil {
		t.changed = make(map[string]*rec, 1)
	}
	if _, ok := t.changed[r.ID]; !ok {
		t.order = append(t.order, r.ID)
	}
	t.changed[r.ID] = r
}

// merge folds a sub-transaction into its parent.
func (t *txn) merge() {
	for _, id := range t.order {
		t.parent.put(t.changed[id])
	}
}

// commit writes a top-level transaction to the database and to memory.
func (t *txn) commit() error {
	if len(t.order) == 0 {
		return nil
	}
	recs := make([]*rec, 0, len(t.order))
	for _, id := range t.order {
		recs = append(recs, t.changed[id])
	}
	if err := t.o.persist(recs); err != nil {
		return err
	}
	for _, r := range recs {
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
		for _, id := range chain[i].order {
			if _, committed := t.o.recs[id]; committed || seen[id] {
				continue
			}
			if r := chain[i].changed[id]; r.Object.Name == object {
				seen[id] = true
				extra = append(extra, id)
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
		for _, r := range x.changed {
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
