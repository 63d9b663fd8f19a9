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

// pageOf makes a page from up to limit+1 items fetched: the extra one only
// says that there is a next page, whose cursor is the last item's.
func pageOf[T any](items []T, limit int, cursor func(T) string) Page[T] {
	if len(items) <= limit {
		return Page[T]{Items: items}
	}
	return Page[T]{Items: items[:limit], NextCursor: cursor(items[limit-1])}
}
