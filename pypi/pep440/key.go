package pep440

// The comparison key is a byte string whose lexicographic order is the PEP
// 440 order (packaging's _cmpkey), so Compare is a single memcmp:
//
//	key     = num(epoch) {0x02 num(c)} 0x01 pre post dev local
//	          (release components c with trailing zeros removed)
//	pre     = 0x01            dev-only release (no pre, no post): sorts first
//	        | 0x02 num(n)     aN
//	        | 0x03 num(n)     bN
//	        | 0x04 num(n)     rcN
//	        | 0x05            no pre-release
//	post    = 0x01 | 0x02 num(n)          absent sorts first
//	dev     = 0x01 num(n) | 0x02          absent sorts last
//	local   = 0x01                        absent sorts first
//	        | 0x02 {0x02 str 0x00 | 0x03 num(n)} 0x01
//	          (strings before numbers, shorter prefix first)
//	num(n)  = len(n) digits     for len(n) <= 0xEF (n without leading zeros)
//	        | 0xF0+k len(n) as k big-endian bytes, digits
//
// num is prefix-free and orders by numeric value for any number of digits.
// No key starts with 0xFF, so "\xff" is above every key (the +∞ cut).

const (
	kRelComp  = 0x02
	kRelEnd   = 0x01
	kPreDev   = 0x01
	kPreNone  = 0x05
	kPostNone = 0x01
	kPostSome = 0x02
	kDevSome  = 0x01
	kDevNone  = 0x02
	kLocNone  = 0x01
	kLocSome  = 0x02
	kLocStr   = 0x02
	kLocNum   = 0x03
	kLocEnd   = 0x01
	// kAfterPre is above every pre byte: the cut after all versions
	// sharing an epoch and release (see cutAfterPosts).
	kAfterPre = 0x06
)

// appendNum appends num(d) for a digit run d.
func appendNum(b []byte, d string) []byte {
	d = stripZeros(d)
	n := len(d)
	if n <= 0xEF {
		b = append(b, byte(n))
	} else {
		k := 0
		for x := n; x > 0; x >>= 8 {
			k++
		}
		b = append(b, byte(0xF0+k))
		for i := k - 1; i >= 0; i-- {
			b = append(b, byte(n>>(8*i)))
		}
	}
	return append(b, d...)
}

// appendKey appends the comparison key and returns the offsets of its pre
// and local sections in b.
func (p *parsed) appendKey(b []byte) ([]byte, int, int) {
	b = appendNum(b, p.epoch)
	// Release without trailing zero components.
	rel := trimZeroComponents(p.release)
	for rel != "" {
		k := 0
		for k < len(rel) && rel[k] != '.' {
			k++
		}
		b = append(b, kRelComp)
		b = appendNum(b, rel[:k])
		if k == len(rel) {
			break
		}
		rel = rel[k+1:]
	}
	b = append(b, kRelEnd)
	pre := len(b)
	switch {
	case p.preL == 0 && !p.hasPost && p.hasDev:
		b = append(b, kPreDev)
	case p.preL == 0:
		b = append(b, kPreNone)
	default:
		b = append(b, preKeyByte(p.preL))
		b = appendNum(b, p.preN)
	}
	if p.hasPost {
		b = append(b, kPostSome)
		b = appendNum(b, p.postN)
	} else {
		b = append(b, kPostNone)
	}
	if p.hasDev {
		b = append(b, kDevSome)
		b = appendNum(b, p.devN)
	} else {
		b = append(b, kDevNone)
	}
	loc := len(b)
	if !p.hasLocal {
		return append(b, kLocNone), pre, loc
	}
	b = append(b, kLocSome)
	forLocalParts(p.local, func(part string, numeric bool) {
		if numeric {
			b = append(b, kLocNum)
			b = appendNum(b, part)
			return
		}
		b = append(b, kLocStr)
		for i := 0; i < len(part); i++ {
			b = append(b, part[i]|0x20)
		}
		b = append(b, 0x00)
	})
	return append(b, kLocEnd), pre, loc
}

func preKeyByte(l byte) byte {
	switch l {
	case 'a':
		return 0x02
	case 'b':
		return 0x03
	}
	return 0x04
}

// trimZeroComponents drops trailing all-zero components of a release
// ("1.0.0" -> "1", "0.0" -> "").
func trimZeroComponents(rel string) string {
	end := len(rel)
	for end > 0 {
		k := end - 1
		for k >= 0 && rel[k] != '.' {
			k--
		}
		if stripZeros(rel[k+1:end]) != "" {
			break
		}
		if k < 0 {
			return ""
		}
		end = k
	}
	return rel[:end]
}
