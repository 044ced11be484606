package demo

import (
	"bytes"
	"hash/fnv"
	"image"
	"image/color"
	"image/png"
	"math"
)

// Image draws a product picture: a soft two-tone gradient in the product's
// hue with a simple shape chosen by its category, as a PNG.
func Image(p Product, size int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, size, size))
	bg1 := hsl(p.Hue, 0.55, 0.88)
	bg2 := hsl(math.Mod(p.Hue+0.08, 1), 0.55, 0.78)
	fg := hsl(p.Hue, 0.6, 0.42)
	h := fnv.New32a()
	h.Write([]byte(p.Category))
	shape := h.Sum32() % 3
	c := float64(size) / 2
	for y := 0; y < size; y++ {
		t := float64(y) / float64(size)
		row := mix(bg1, bg2, t)
		for x := 0; x < size; x++ {
			px := row
			dx, dy := (float64(x)-c)/c, (float64(y)-c)/c
			var inside bool
			switch shape {
			case 0: // circle
				inside = dx*dx+dy*dy < 0.36
			case 1: // rounded square
				inside = math.Pow(math.Abs(dx), 4)+math.Pow(math.Abs(dy), 4) < 0.06
			default: // diamond
				inside = math.Abs(dx)+math.Abs(dy) < 0.62
			}
			if inside {
				px = mix(fg, row, 0.15*(dx+1))
			}
			img.Set(x, y, px)
		}
	}
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	_ = enc.Encode(&buf, img)
	return buf.Bytes()
}

func mix(a, b color.RGBA, t float64) color.RGBA {
	l := func(x, y uint8) uint8 { return uint8(float64(x)*(1-t) + float64(y)*t) }
	return color.RGBA{l(a.R, b.R), l(a.G, b.G), l(a.B, b.B), 255}
}

func hsl(h, s, l float64) color.RGBA {
	c := (1 - math.Abs(2*l-1)) * s
	hp := h * 6
	x := c * (1 - math.Abs(math.Mod(hp, 2)-1))
	var r, g, b float64
	switch int(hp) % 6 {
	case 0:
		r, g = c, x
	case 1:
		r, g = x, c
	case 2:
		g, b = c, x
	case 3:
		g, b = x, c
	case 4:
		r, b = x, c
	default:
		r, b = c, x
	}
	m := l - c/2
	return color.RGBA{uint8((r + m) * 255), uint8((g + m) * 255), uint8((b + m) * 255), 255}
}
