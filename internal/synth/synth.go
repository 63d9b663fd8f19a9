// Package synth makes a realistic synthetic registry for benchmarks and
// demos: households of realistic size with Sundanese and Indonesian names,
// structurally valid NIK and No KK, spread over a kecamatan's kelurahan, as
// BNBA rows. Nothing in it is a real person.
package synth

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/slrt-id/slrt/internal/bnba"
)

var (
	maleNames   = []string{"Asep", "Ujang", "Dede", "Cecep", "Iwan", "Agus", "Budi", "Dadang", "Deden", "Yayan", "Rudi", "Hendra", "Muhammad", "Ahmad", "Rizky", "Fajar", "Dimas", "Eko", "Joko", "Bambang", "Engkus", "Ade", "Yusuf", "Ridwan", "Irfan", "Andi", "Wawan", "Yudi", "Dani", "Aris"}
	femaleNames = []string{"Euis", "Neneng", "Imas", "Siti", "Yuyun", "Tati", "Ani", "Rina", "Dewi", "Lilis", "Nur", "Putri", "Ayu", "Sri", "Wulan", "Fitri", "Rahmawati", "Enok", "Nining", "Cucu", "Eti", "Popon", "Nenden", "Intan", "Salsabila", "Aisyah", "Nurul", "Yanti", "Rosita", "Lina"}
	familyNames = []string{"Saepudin", "Sunandar", "Suherman", "Hidayat", "Kurniawan", "Setiawan", "Sopyan", "Hermawan", "Komariah", "Hasanah", "Rohmah", "Suryati", "Nurhayati", "Maryam", "Pratama", "Ramadhan", "Lestari", "Permana", "Gunawan", "Firmansyah", "Rukmana", "Sumarna", "Kusnadi", "Supriatna", "Mulyana", "Wijaya", "Nugraha", "Rahayu", "Sulastri", "Hamdani"}
	streets     = []string{"Jl. Babakan", "Jl. Sukamaju", "Jl. Cibaduyut", "Jl. Kopo", "Jl. Caringin", "Jl. Holis", "Jl. Terusan", "Gg. Mesjid", "Gg. Bakti", "Gg. Sauyunan", "Jl. Pagarsih", "Jl. Situ Aksan"}
	jobs        = []string{"Buruh harian lepas", "Pedagang", "Pengemudi ojek", "Ibu rumah tangga", "Karyawan swasta", "Petani", "Tukang bangunan", "Belum bekerja"}
)

// Generator makes households for one kecamatan.
type Generator struct {
	rnd       *rand.Rand
	area      string // the NIK and KK area digits of the kecamatan, e.g. 327303
	kelurahan []string
	serials   map[string]int
	now       time.Time
}

// New makes a generator for a kecamatan and its kelurahan; seed makes runs
// repeatable.
func New(kecamatan string, kelurahan []string, seed uint64) *Generator {
	return &Generator{rnd: rand.New(rand.NewPCG(seed, 0x5147)), area: strings.ReplaceAll(kecamatan, ".", ""),
		kelurahan: kelurahan, serials: map[string]int{}, now: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)}
}

// Household sizes on family cards: 1 to 8, about 4.4 on average, as the
// city's registry (700,000 persons in 160,000 KK).
var sizeWeights = []int{5, 10, 15, 22, 22, 14, 8, 4} // sizes 1..8

func (g *Generator) size() int {
	total := 0
	for _, w := range sizeWeights {
		total += w
	}
	n := g.rnd.IntN(total)
	for i, w := range sizeWeights {
		if n < w {
			return i + 1
		}
		n -= w
	}
	return 4
}

// serial numbers the last four digits of numbers sharing their first twelve.
func (g *Generator) serial(prefix string) string {
	g.serials[prefix]++
	return fmt.Sprintf("%s%04d", prefix, g.serials[prefix])
}

func (g *Generator) date(minAge, maxAge int) time.Time {
	days := g.rnd.IntN((maxAge-minAge)*365) + minAge*365
	return g.now.AddDate(0, 0, -days)
}

func (g *Generator) nik(sex string, birth time.Time) string {
	day := birth.Day()
	if sex == "P" {
		day += 40
	}
	return g.serial(fmt.Sprintf("%s%02d%02d%02d", g.area, day, int(birth.Month()), birth.Year()%100))
}

func (g *Generator) name(sex, family string) string {
	first := maleNames
	if sex == "P" {
		first = femaleNames
	}
	return first[g.rnd.IntN(len(first))] + " " + family
}

func pick[T any](g *Generator, xs []T) T { return xs[g.rnd.IntN(len(xs))] }

// Household makes the rows of one household: the head, maybe a spouse, and
// children or other relatives.
func (g *Generator) Household() []*bnba.Row {
	issued := g.date(0, 20)
	kk := g.serial(fmt.Sprintf("%s%02d%02d%02d", g.area, issued.Day(), int(issued.Month()), issued.Year()%100))
	kel := pick(g, g.kelurahan)
	desil := int16(1 + g.rnd.IntN(10)*g.rnd.IntN(10)/9) // mostly the lower deciles
	income := int64(500_000 + 250_000*int(desil) + g.rnd.IntN(400_000))
	spending := income * int64(80+g.rnd.IntN(30)) / 100
	// Programmes mostly reach households at or under their cut-off (PKH 4,
	// BPNT and PBI-JK 5), miss some of them (exclusion) and reach a few
	// above it (inclusion), as targeting finds in the field.
	var programmes []string
	for _, p := range []struct {
		code   string
		cutoff int16
	}{{"PKH", 4}, {"BPNT", 5}, {"PBI_JK", 5}} {
		switch {
		case desil <= p.cutoff && g.rnd.IntN(10) < 6:
			programmes = append(programmes, p.code)
		case desil > p.cutoff && desil <= p.cutoff+3 && g.rnd.IntN(100) < 8:
			programmes = append(programmes, p.code)
		}
	}
	dtks := fmt.Sprintf("DTKS-%s-%06d", g.area, g.serials["dtks"]+1)
	g.serials["dtks"]++
	street := fmt.Sprintf("%s No. %d", pick(g, streets), 1+g.rnd.IntN(200))
	rt, rw := fmt.Sprintf("%03d", 1+g.rnd.IntN(15)), fmt.Sprintf("%03d", 1+g.rnd.IntN(12))
	family := pick(g, familyNames)
	n := g.size()
	rows := make([]*bnba.Row, 0, n)
	add := func(sex, rel string, birth time.Time) {
		job := pick(g, jobs)
		r := &bnba.Row{NoKK: kk, NIK: g.nik(sex, birth), Name: g.name(sex, family), BirthPlace: "Bandung", BirthDate: birth, Sex: sex,
			Relationship: rel, Occupation: &job, Presence: "tinggal", Kelurahan: kel, RT: rt, RW: rw, Street: street,
			DTKSID: &dtks, Desil: &desil, Programmes: programmes, Income: &income, Spending: &spending,
			Disabilities: []string{}, ChronicIllnesses: []string{}}
		if g.rnd.IntN(40) == 0 {
			r.Disabilities = []string{pick(g, []string{"fisik", "sensorik_netra", "intelektual"})}
		}
		if birth.Before(g.now.AddDate(-45, 0, 0)) && g.rnd.IntN(6) == 0 {
			r.ChronicIllnesses = []string{pick(g, []string{"hipertensi", "diabetes", "jantung"})}
		}
		rows = append(rows, r)
	}
	headSex := "L"
	if g.rnd.IntN(5) == 0 {
		headSex = "P" // a woman heading the household
	}
	head := g.date(25, 75)
	add(headSex, "kepala_keluarga", head)
	left := n - 1
	if left > 0 && headSex == "L" {
		add("P", "istri", head.AddDate(0, 0, g.rnd.IntN(3650)))
		left--
	}
	for ; left > 0; left-- {
		sex := pick(g, []string{"L", "P"})
		if g.rnd.IntN(8) == 0 {
			add(sex, pick(g, []string{"orang_tua", "cucu", "famili_lain"}), g.date(0, 80))
			continue
		}
		youngest := max(0, g.now.Year()-head.Year()-45)
		oldest := max(youngest+1, g.now.Year()-head.Year()-18)
		add(sex, "anak", g.date(youngest, oldest))
	}
	return rows
}
