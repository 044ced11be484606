package sqldb

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
)

// maxParams keeps a statement well under both engines' limits on
// parameters.
const maxParams = 8000

// InsertRows inserts rows with multi-row INSERTs in tx: head is the
// statement up to and including VALUES, tail what follows the rows (an ON
// CONFLICT clause, or ""); every row has width values. Rows are sent as
// many per statement as the engines' parameter limits allow. On SQLite the
// parameters are anonymous ('?'): SQLite looks numbered ones up in a list,
// which makes a statement with thousands of them quadratic to prepare.
func (db *DB) InsertRows(ctx context.Context, tx *sql.Tx, head string, width int, rows [][]any, tail string) error {
	per := maxParams / width
	for start := 0; start < len(rows); start += per {
		part := rows[start:min(start+per, len(rows))]
		var b strings.Builder
		b.WriteString(head)
		args := make([]any, 0, len(part)*width)
		for i, r := range part {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteByte('(')
			for j := range width {
				if j > 0 {
					b.WriteByte(',')
				}
				if db.Dialect == SQLite {
					b.WriteByte('?')
				} else {
					b.WriteByte('$')
					b.WriteString(strconv.Itoa(len(args) + j + 1))
				}
			}
			b.WriteByte(')')
			args = append(args, r...)
		}
		b.WriteString(tail)
		if _, err := tx.ExecContext(ctx, b.String(), args...); err != nil {
			return err
		}
	}
	return nil
}
