package web

import (
	"slices"
	"strconv"
	"strings"
)

// barChart is a horizontal bar chart drawn as inline SVG on the server:
// no script, readable on a phone, and printed as it is shown. The table
// beside it carries the same numbers for screen readers.
type barChart struct {
	Title  string
	Bars   []bar
	Height int
	Cut    int // bars left out (the smallest), when there were too many
}

type bar struct {
	Label, Value string
	Y, Width     int
}

// The chart's geometry, in the SVG's own units (it scales to the page):
// each row is its label over its bar, so that a long label never runs
// into the bars on a phone's narrow screen.
const (
	chartWidth  = 400 // about a phone's width, so that its text stays legible there
	chartBars   = 340 // the longest bar, leaving room for its number
	chartRow    = 36
	chartMaxBar = 25 // more bars than this: the largest only
)

// newBarChart charts the first count of each row against its label; rows
// whose count was suppressed (under 5, outside the kecamatan) are left out.
func newBarChart(title string, labels []string, counts []*int64) *barChart {
	type point struct {
		label string
		n     int64
	}
	var points []point
	for i, n := range counts {
		if n != nil {
			points = append(points, point{labels[i], *n})
		}
	}
	if len(points) == 0 {
		return nil
	}
	c := &barChart{Title: title}
	if len(points) > chartMaxBar {
		slices.SortStableFunc(points, func(a, b point) int { return int(b.n - a.n) })
		c.Cut = len(points) - chartMaxBar
		points = points[:chartMaxBar]
	}
	top := int64(1)
	for _, p := range points {
		top = max(top, p.n)
	}
	for i, p := range points {
		c.Bars = append(c.Bars, bar{Label: shorten(p.label, 56), Value: strconv.FormatInt(p.n, 10), Y: i * chartRow,
			Width: max(1, int(p.n*chartBars/top))})
	}
	c.Height = len(points) * chartRow
	return c
}

// shorten cuts a label to n characters, marking the cut.
func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return strings.TrimSpace(string(r[:n-1])) + "…"
}
