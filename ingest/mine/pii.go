package mine

import "strings"

// Placeholders that replace masked personal information.
const (
	MaskIDCard = "[身份证号]"
	MaskPhone  = "[手机号]"
	MaskCard   = "[银行卡号]"
	MaskEmail  = "[邮箱]"
)

// MaskPII replaces personal information in s with placeholders: 18-character
// resident ID card numbers (17 digits and a digit or X), mainland mobile
// numbers (11 digits starting 13–19, optionally +86/86 prefixed), bank card
// numbers (16–19 digits) and e-mail addresses. Digit groups separated by
// single spaces or hyphens count as one number (6222 0212 3456 7890), so
// spaced-out numbers are caught too; a number glued to other digits or to
// Latin letters (an order number such as TS20260307) is left alone, as are
// amounts, dates and four-digit tails (尾号3321). MaskPII is idempotent.
func MaskPII(s string) string {
	if !strings.ContainsAny(s, "0123456789@") {
		return s
	}
	s = maskEmails(s)
	var b strings.Builder
	b.Grow(len(s))
	i := 0
	for i < len(s) {
		c := s[i]
		if !isDigit(c) || (i > 0 && (isAlnum(s[i-1]) || s[i-1] == '+')) {
			if c == '+' && i+1 < len(s) && isDigit(s[i+1]) && (i == 0 || !isAlnum(s[i-1])) {
				// "+86 138…": let the digits decide below.
				if end, kind := scanNumber(s, i+1, true); kind != "" {
					b.WriteString(kind)
					i = end
					continue
				}
			}
			b.WriteByte(c)
			i++
			continue
		}
		if end, kind := scanNumber(s, i, true); kind != "" {
			b.WriteString(kind)
			i = end
			continue
		}
		// The separated groups are no number we know: try the first
		// group alone, then go on after it.
		if end, kind := scanNumber(s, i, false); kind != "" {
			b.WriteString(kind)
			i = end
			continue
		}
		j := i
		for j < len(s) && isDigit(s[j]) {
			j++
		}
		b.WriteString(s[i:j])
		i = j
	}
	return b.String()
}

// scanNumber reads the digits starting at i, across single spaces and
// hyphens when sep is set, and classifies them. It returns the end of the
// number and its placeholder, or "" when the number is not personal
// information.
func scanNumber(s string, i int, sep bool) (int, string) {
	var digits []byte
	j := i
	for j < len(s) {
		switch {
		case isDigit(s[j]) || ((s[j] == 'X' || s[j] == 'x') && len(digits) == 17):
			digits = append(digits, s[j])
			j++
		case sep && isSep(s, j):
			j++
		default:
			goto done
		}
	}
done:
	// Glued to a letter, or more digits after an X: not a number we know.
	if j < len(s) && isAlnum(s[j]) {
		return i, ""
	}
	n := len(digits)
	switch {
	case n == 18 && plausibleID(digits):
		return j, MaskIDCard
	case n == 11 && digits[0] == '1' && digits[1] >= '3':
		return j, MaskPhone
	case n == 13 && digits[0] == '8' && digits[1] == '6' && digits[2] == '1' && digits[3] >= '3':
		return j, MaskPhone
	case n >= 16 && n <= 19 && !hasX(digits):
		return j, MaskCard
	}
	return i, ""
}

// plausibleID reports whether 18 characters look like a resident ID:
// a birth year 19xx or 20xx, a month and a day in range. The checksum is
// not required, since transcripts carry typos and a near-miss is still
// personal.
func plausibleID(d []byte) bool {
	if hasX(d[:17]) {
		return false
	}
	year := string(d[6:8])
	month := int(d[10]-'0')*10 + int(d[11]-'0')
	day := int(d[12]-'0')*10 + int(d[13]-'0')
	return (year == "19" || year == "20") && month >= 1 && month <= 12 && day >= 1 && day <= 31
}

func hasX(d []byte) bool {
	for _, c := range d {
		if c == 'X' || c == 'x' {
			return true
		}
	}
	return false
}

// isSep reports whether s[j] is a single space or hyphen between digits.
func isSep(s string, j int) bool {
	return (s[j] == ' ' || s[j] == '-') && j > 0 && j+1 < len(s) && isDigit(s[j-1]) && isDigit(s[j+1])
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isAlnum(c byte) bool {
	return isDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'
}

// maskEmails replaces local@domain.tld addresses.
func maskEmails(s string) string {
	if !strings.Contains(s, "@") {
		return s
	}
	var b strings.Builder
	last := 0
	for i := 0; i < len(s); i++ {
		if s[i] != '@' {
			continue
		}
		start := i
		for start > last && isEmailLocal(s[start-1]) {
			start--
		}
		end := i + 1
		dot := -1
		for end < len(s) && isEmailDomain(s[end]) {
			if s[end] == '.' {
				dot = end
			}
			end++
		}
		// Trailing dots end the sentence, not the domain.
		for end > i+1 && s[end-1] == '.' {
			end--
			if dot == end {
				dot = strings.LastIndexByte(s[i+1:end], '.')
				if dot >= 0 {
					dot += i + 1
				}
			}
		}
		if start == i || dot < 0 || dot <= i+1 || end-dot < 3 {
			continue
		}
		b.WriteString(s[last:start])
		b.WriteString(MaskEmail)
		last = end
		i = end - 1
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

func isEmailLocal(c byte) bool {
	return isAlnum(c) || c == '.' || c == '%' || c == '+' || c == '-'
}

func isEmailDomain(c byte) bool {
	return isAlnum(c) || c == '.' || c == '-'
}
