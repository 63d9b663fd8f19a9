// Package nik checks the structure of the two national identity numbers
// the registry holds: the NIK (Nomor Induk Kependudukan) of a person and the
// No KK (Nomor Kartu Keluarga) of a family card, and masks them for lists.
//
// A NIK is province(2) kab/kota(2) kecamatan(2) DDMMYY serial(4), with 40
// added to the day for women. Its area part is where the NIK was first
// issued and never changes when people move: it is never used for routing
// or rights, only checked for shape.
package nik

import (
	"fmt"
	"strings"
	"time"
)

// Sex as the civil registry records it.
type Sex string

// The two values of Sex.
const (
	Male   Sex = "L" // laki-laki
	Female Sex = "P" // perempuan
)

// Problem is one rule a number breaks: a translation key and a message.
type Problem struct {
	Code    string
	Message string
}

func (p *Problem) Error() string { return p.Message }

func problem(code, format string, args ...any) *Problem {
	return &Problem{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Decoded is what a valid NIK says.
type Decoded struct {
	AreaCode  string // the kecamatan where it was issued, e.g. 32.73.03
	BirthDate time.Time
	Sex       Sex
	Serial    string
}

// CheckNIK validates a NIK's structure, and its agreement with the sex and
// date of birth when they are known (zero values skip those checks). now
// resolves the two-digit year: a birth year cannot lie in the future.
func CheckNIK(nik string, sex Sex, birth time.Time, now time.Time) (*Decoded, *Problem) {
	if p := digits16(nik, "nik"); p != nil {
		return nil, p
	}
	if p := area(nik, "nik"); p != nil {
		return nil, p
	}
	day, month, yy := atoi(nik[6:8]), atoi(nik[8:10]), atoi(nik[10:12])
	decodedSex := Male
	if day > 40 {
		day -= 40
		decodedSex = Female
	}
	date, ok := pastDate(yy, month, day, now)
	if !ok {
		return nil, problem("nik.date", "digits 7-12 must be a real date of birth (DDMMYY, 40 added to the day for women)")
	}
	if nik[12:] == "0000" {
		return nil, problem("nik.serial", "the last 4 digits (serial) cannot be 0000")
	}
	d := &Decoded{AreaCode: nik[0:2] + "." + nik[2:4] + "." + nik[4:6], BirthDate: date, Sex: decodedSex, Serial: nik[12:]}
	if sex != "" && sex != d.Sex {
		return d, problem("nik.sex_mismatch", "the NIK's day of birth says %s, the person is recorded as %s (women have 40 added to the day)", sexWord(d.Sex), sexWord(sex))
	}
	if !birth.IsZero() && !sameDay(birth, d.BirthDate) && !sameDay(birth, d.BirthDate.AddDate(-100, 0, 0)) {
		return d, problem("nik.birthdate_mismatch", "the NIK says born %s, the person is recorded as born %s",
			d.BirthDate.Format("02-01-2006"), birth.Format("02-01-2006"))
	}
	return d, nil
}

// CheckKK validates a No KK's structure: 16 digits, an area part, the card's
// date of issue (DDMMYY, not in the future) and a serial.
func CheckKK(kk string, now time.Time) *Problem {
	if p := digits16(kk, "kk"); p != nil {
		return p
	}
	if p := area(kk, "kk"); p != nil {
		return p
	}
	if _, ok := pastDate(atoi(kk[10:12]), atoi(kk[8:10]), atoi(kk[6:8]), now); !ok {
		return problem("kk.date", "digits 7-12 must be the card's date of issue (DDMMYY)")
	}
	if kk[12:] == "0000" {
		return problem("kk.serial", "the last 4 digits (serial) cannot be 0000")
	}
	return nil
}

// Mask shows the first and last four digits of a NIK or No KK, as lists do:
// 3273••••••••0001.
func Mask(number string) string {
	if len(number) != 16 {
		return strings.Repeat("•", len([]rune(number)))
	}
	return number[:4] + strings.Repeat("•", 8) + number[12:]
}

func digits16(s, kind string) *Problem {
	if len(s) != 16 {
		return problem(kind+".length", "must have exactly 16 digits, has %d characters", len([]rune(s)))
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return problem(kind+".digits", "must hold digits only")
		}
	}
	return nil
}

func area(s, kind string) *Problem {
	if s[0:2] < "11" || s[2:4] == "00" || s[4:6] == "00" {
		return problem(kind+".area", "the first 6 digits must be a province, kabupaten/kota and kecamatan code")
	}
	return nil
}

// pastDate resolves a two-digit year to the latest real date that is not
// after now: 28-11-26 is 2026 until that day comes, 1926 before.
func pastDate(yy, month, day int, now time.Time) (time.Time, bool) {
	for _, century := range []int{2000, 1900} {
		d, ok := realDate(century+yy, month, day)
		if !ok {
			return time.Time{}, false
		}
		if !d.After(now) {
			return d, true
		}
	}
	return time.Time{}, false
}

func realDate(year, month, day int) (time.Time, bool) {
	if month < 1 || month > 12 || day < 1 || day > 31 {
		return time.Time{}, false
	}
	d := time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC)
	return d, d.Day() == day && int(d.Month()) == month // 31-02 rolls over
}

func sameDay(a, b time.Time) bool {
	return a.Year() == b.Year() && a.Month() == b.Month() && a.Day() == b.Day()
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}

func sexWord(s Sex) string {
	if s == Female {
		return "perempuan"
	}
	return "laki-laki"
}
