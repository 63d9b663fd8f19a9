package httpapi

import (
	"net/http"
	"strconv"
)

const (
	defaultPageSize = 50
	maxPageSize     = 500
)

// pageLimit reads ?limit=, answering a bad one.
func pageLimit(w http.ResponseWriter, r *http.Request) (int, bool) {
	raw := r.URL.Query().Get("limit")
	if raw == "" {
		return defaultPageSize, true
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < 1 || n > maxPageSize {
		invalid(w, r, FieldError{Field: "limit", Code: "page.limit", Message: "a number from 1 to 500"})
		return 0, false
	}
	return n, true
}

// idPage reads ?limit= and a ?cursor= that is the last id of the previous
// page (lists newest first), answering bad ones.
func idPage(w http.ResponseWriter, r *http.Request) (limit int, after int64, ok bool) {
	if limit, ok = pageLimit(w, r); !ok {
		return 0, 0, false
	}
	if raw := r.URL.Query().Get("cursor"); raw != "" {
		var err error
		if after, err = strconv.ParseInt(raw, 10, 64); err != nil || after <= 0 {
			invalid(w, r, FieldError{Field: "cursor", Code: "page.cursor", Message: "not a cursor this list returned"})
			return 0, 0, false
		}
	}
	return limit, after, true
}

// pageOf makes a page from up to limit+1 items fetched: the extra one only
// says that there is a next page, whose cursor is the last item's.
func pageOf[T any](items []T, limit int, cursor func(T) string) Page[T] {
	if len(items) <= limit {
		return Page[T]{Items: items}
	}
	return Page[T]{Items: items[:limit], NextCursor: cursor(items[limit-1])}
}
