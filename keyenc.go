package pylock

import (
	"fmt"
	"io"
	"reflect"
	"slices"
	"strconv"
	"time"
)

// writeKeyValue writes v to w in a form that changes whenever one of its
// values does, for hashing into a reused result's key (resultKey): struct
// fields by name (unexported ones and those tagged json:"-" left out, as
// encoding/json does), strings quoted, maps by sorted key, times as UTC
// instants. It fails on a value it cannot write faithfully (a function, a
// channel): such an option must be tagged json:"-" or made a value.
//
// It walks the value with reflect alone: encoding/json's first Marshal of
// a type builds and caches an encoder for it (field lists, sorting,
// dominance rules), a fifth of what a run that reuses its result does.
func writeKeyValue(w io.Writer, v any) error {
	b := make([]byte, 0, 512)
	b, err := appendKeyValue(b, reflect.ValueOf(v))
	if err != nil {
		return err
	}
	_, err = w.Write(b)
	return err
}

var timeType = reflect.TypeFor[time.Time]()

func appendKeyValue(b []byte, v reflect.Value) ([]byte, error) {
	var err error
	switch v.Kind() {
	case reflect.Invalid:
		return append(b, "nil"...), nil
	case reflect.String:
		return strconv.AppendQuote(b, v.String()), nil
	case reflect.Bool:
		return strconv.AppendBool(b, v.Bool()), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.AppendInt(b, v.Int(), 10), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return strconv.AppendUint(b, v.Uint(), 10), nil
	case reflect.Float32, reflect.Float64:
		return strconv.AppendFloat(b, v.Float(), 'g', -1, 64), nil
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return append(b, "nil"...), nil
		}
		return appendKeyValue(append(b, '&'), v.Elem())
	case reflect.Slice, reflect.Array:
		if v.Kind() == reflect.Slice && v.IsNil() {
			return append(b, "nil"...), nil
		}
		b = append(b, '[')
		for i := range v.Len() {
			if b, err = appendKeyValue(b, v.Index(i)); err != nil {
				return nil, err
			}
			b = append(b, ',')
		}
		return append(b, ']'), nil
	case reflect.Map:
		if v.IsNil() {
			return append(b, "nil"...), nil
		}
		keys := v.MapKeys()
		ks := make([][]byte, len(keys))
		for i, k := range keys {
			if ks[i], err = appendKeyValue(nil, k); err != nil {
				return nil, err
			}
		}
		order := make([]int, len(keys))
		for i := range order {
			order[i] = i
		}
		slices.SortFunc(order, func(i, j int) int { return slices.Compare(ks[i], ks[j]) })
		b = append(b, '{')
		for _, i := range order {
			b = append(append(b, ks[i]...), ':')
			if b, err = appendKeyValue(b, v.MapIndex(keys[i])); err != nil {
				return nil, err
			}
			b = append(b, ',')
		}
		return append(b, '}'), nil
	case reflect.Struct:
		if v.Type() == timeType {
			t := v.Interface().(time.Time)
			if t.IsZero() {
				return append(b, "time(0)"...), nil
			}
			return t.UTC().AppendFormat(append(b, "time("...), time.RFC3339Nano), nil
		}
		t := v.Type()
		b = append(b, '{')
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() || f.Tag.Get("json") == "-" {
				continue
			}
			b = append(append(b, f.Name...), '=')
			if b, err = appendKeyValue(b, v.Field(i)); err != nil {
				return nil, err
			}
			b = append(b, ';')
		}
		return append(b, '}'), nil
	}
	return nil, fmt.Errorf("cannot key a %s", v.Type())
}
