package cache

import (
	"context"
	"fmt"
	"strings"

	"github.com/offline-edit/offline-edit/remote"
)

// searchTypes are the field types a list filter looks in, besides the name.
var searchTypes = map[string]bool{"string": true, "email": true, "phone": true, "url": true, "picklist": true, "combobox": true}

// maxSearchLength leaves long text out of the filter (descriptions, notes).
const maxSearchLength = 255

// SearchFields are the fields of an object a list filter matches: the name field and the short
// text fields (text up to 255 characters, email, phone, url, picklist), but not ids, lookups,
// external ids or long text.
func SearchFields(d *remote.Describe) []string {
	if d == nil {
		return nil
	}
	var out []string
	for _, f := range d.Fields {
		if f.NameField || (searchTypes[f.Type] && f.Length <= maxSearchLength && !f.ExternalID) {
			out = append(out, f.Name)
		}
	}
	return out
}

// searchOf is the lower-cased text a filter matches for a record: its name and the values of
// its search fields, one per line (so a match never spans two fields).
func searchOf(d *remote.Describe, name string, view remote.Fields) string {
	var b strings.Builder
	b.WriteString(strings.ToLower(name))
	for _, f := range SearchFields(d) {
		s, ok := view[f].(string)
		if !ok || s == "" || s == name {
			continue
		}
		b.WriteByte('\n')
		b.WriteString(strings.ToLower(s))
	}
	return b.String()
}

// searchText computes a record's search text with its object's cached describe (only the name
// when the describe is not cached yet).
func (tx *Tx) searchText(ctx context.Context, r Record) string {
	var d *remote.Describe
	if tx.db != nil {
		d, _ = tx.db.memoDescribe(ctx, tx, r.Object)
	}
	return searchOf(d, r.Name, r.View)
}

// fillSearch computes, in one transaction, the search text of rows written before the column
// existed (only after the migration that added it: a full scan is not for every start-up).
func (db *DB) fillSearch(ctx context.Context) error {
	if !db.needSearch {
		return nil
	}
	return db.Update(ctx, func(tx *Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT id, object, name, view FROM records WHERE search IS NULL`)
		if err != nil {
			return err
		}
		type todo struct{ id, search string }
		var all []todo
		for rows.Next() {
			var r Record
			var view string
			if err := rows.Scan(&r.ID, &r.Object, &r.Name, &view); err != nil {
				rows.Close()
				return err
			}
			if r.View, err = DecodeFields(view); err != nil {
				rows.Close()
				return err
			}
			all = append(all, todo{r.ID, tx.searchText(ctx, r)})
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if len(all) == 0 {
			return nil
		}
		st, err := tx.PrepareContext(ctx, `UPDATE records SET search = ? WHERE id = ?`)
		if err != nil {
			return err
		}
		defer st.Close()
		for _, t := range all {
			if _, err := st.ExecContext(ctx, t.search, t.id); err != nil {
				return fmt.Errorf("cache: search text of %s: %w", t.id, err)
			}
		}
		return nil
	})
}
