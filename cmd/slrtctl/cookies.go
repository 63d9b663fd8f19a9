package main

import (
	"net/http"
	"net/url"
	"sync"
)

// cookieJar keeps the session cookie between the login requests. Unlike
// net/http/cookiejar it also sends Secure cookies over plain HTTP, which a
// development server on localhost needs.
type cookieJar struct {
	mu      sync.Mutex
	cookies []*http.Cookie
}

func (j *cookieJar) SetCookies(_ *url.URL, cookies []*http.Cookie) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.cookies = append(j.cookies, cookies...)
}

func (j *cookieJar) Cookies(_ *url.URL) []*http.Cookie {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.cookies
}
