package rules

import (
	"strconv"
	"strings"
)

// cnDigits maps Chinese digits (and 两, 〇) to their values.
var cnDigits = map[rune]int{
	'零': 0, '〇': 0, '一': 1, '二': 2, '两': 2, '三': 3, '四': 4,
	'五': 5, '六': 6, '七': 7, '八': 8, '九': 9,
}

// cnUnits maps Chinese multipliers below 万 to their values.
var cnUnits = map[rune]int{'十': 10, '百': 100, '千': 1000}

// numberValue returns the value of a number written in Chinese numerals
// (二百五十三), Arabic digits (253, full-width ２５３) or Roman numerals
// (XIV), or -1 when s is none of those.
func numberValue(s string) int {
	if s == "" {
		return -1
	}
	if v, ok := arabicValue(s); ok {
		return v
	}
	if v := romanValue(s); v > 0 {
		return v
	}
	return chineseValue(s)
}

// arabicValue parses ASCII or full-width decimal digits.
func arabicValue(s string) (int, bool) {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r >= '０' && r <= '９':
			b.WriteRune('0' + (r - '０'))
		default:
			return 0, false
		}
	}
	if b.Len() > 9 {
		return 0, false
	}
	v, err := strconv.Atoi(b.String())
	return v, err == nil
}

// chineseValue parses Chinese numerals up to 万 (9999 9999), or returns -1.
func chineseValue(s string) int {
	total, section, num := 0, 0, 0
	seen := false
	for _, r := range s {
		if d, ok := cnDigits[r]; ok {
			num = d
			seen = true
			continue
		}
		if u, ok := cnUnits[r]; ok {
			if num == 0 {
				num = 1 // 十二 is 12
			}
			section += num * u
			num = 0
			seen = true
			continue
		}
		if r == '万' {
			total += (section + num) * 10000
			section, num = 0, 0
			seen = true
			continue
		}
		return -1
	}
	if !seen || total > 1e8 {
		return -1
	}
	return total + section + num
}

// romanValue parses an upper- or lower-case Roman numeral, or returns 0.
func romanValue(s string) int {
	vals := map[byte]int{'I': 1, 'V': 5, 'X': 10, 'L': 50, 'C': 100, 'D': 500, 'M': 1000}
	u := strings.ToUpper(s)
	if len(u) > 15 {
		return 0
	}
	total := 0
	for i := 0; i < len(u); i++ {
		v, ok := vals[u[i]]
		if !ok {
			return 0
		}
		if i+1 < len(u) && vals[u[i+1]] > v {
			total -= v
		} else {
			total += v
		}
	}
	if total <= 0 {
		return 0
	}
	return total
}

// chineseNumber writes n (1..99999) in Chinese numerals as laws number
// their articles: 十, 十二, 一百零五, 二百五十三, 一千零二十.
func chineseNumber(n int) string {
	if n <= 0 || n > 99999 {
		return strconv.Itoa(n)
	}
	const digits = "零一二三四五六七八九"
	d := []rune(digits)
	units := []string{"万", "千", "百", "十", ""}
	div := []int{10000, 1000, 100, 10, 1}
	var b strings.Builder
	zero := false
	for i, p := range div {
		q := n / p % 10
		if q == 0 {
			if b.Len() > 0 {
				zero = true
			}
			continue
		}
		if zero {
			b.WriteRune('零')
			zero = false
		}
		if !(q == 1 && p == 10 && b.Len() == 0) { // 十二, not 一十二
			b.WriteRune(d[q])
		}
		b.WriteString(units[i])
	}
	return b.String()
}
