// Package demo builds Bazaar's demo marketplace: one account per role, a few
// sellers with stores, a category tree and a couple of hundred realistic
// products with variants, stock and generated images. The data is
// deterministic and seeding is idempotent: running it again creates only
// what is missing.
package demo

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
)

// CategoryNode is one node of the demo category tree.
type CategoryNode struct {
	Name     string
	Children []CategoryNode
}

// Categories is the demo category tree.
var Categories = []CategoryNode{
	{Name: "Clothing", Children: []CategoryNode{
		{Name: "Men", Children: []CategoryNode{{Name: "T-shirts"}, {Name: "Jeans"}, {Name: "Jackets"}}},
		{Name: "Women", Children: []CategoryNode{{Name: "Dresses"}, {Name: "Tops"}}},
		{Name: "Shoes", Children: []CategoryNode{{Name: "Running shoes"}, {Name: "Sneakers"}}},
	}},
	{Name: "Electronics", Children: []CategoryNode{{Name: "Phones"}, {Name: "Laptops"}, {Name: "Headphones"}, {Name: "Cameras"}}},
	{Name: "Home & Kitchen", Children: []CategoryNode{{Name: "Cookware"}, {Name: "Bedding"}, {Name: "Lighting"}}},
	{Name: "Books", Children: []CategoryNode{{Name: "Fiction"}, {Name: "Non-fiction"}}},
	{Name: "Sports & Outdoors", Children: []CategoryNode{{Name: "Camping"}, {Name: "Fitness"}}},
}

// Account is a demo login.
type Account struct {
	Email, Password, Name, Role string
}

// Accounts holds one login per role; the seller of the first store is the
// seller login.
var Accounts = []Account{
	{Email: "admin@demo.bazaar.dev", Password: "demo-admin-pass", Name: "Ada Admin", Role: "admin"},
	{Email: "customer@demo.bazaar.dev", Password: "demo-customer-pass", Name: "Cody Customer", Role: "customer"},
	{Email: "seller@demo.bazaar.dev", Password: "demo-seller-pass", Name: "Sasha Seller", Role: "seller"},
	{Email: "delivery@demo.bazaar.dev", Password: "demo-delivery-pass", Name: "Dev Delivery", Role: "delivery"},
	{Email: "support@demo.bazaar.dev", Password: "demo-support-pass", Name: "Sam Support", Role: "support"},
}

// Store is a demo seller and the leaf categories it sells in.
type Store struct {
	Owner       Account
	Name        string
	Description string
	Code        string   // SKU prefix
	Sells       []string // leaf category names
}

// Stores are the demo sellers. The first is owned by the seller login.
var Stores = []Store{
	{Owner: Accounts[2], Name: "Northwind Apparel", Code: "NW", Description: "Everyday clothing and shoes, made to last.",
		Sells: []string{"T-shirts", "Jeans", "Jackets", "Dresses", "Tops", "Running shoes", "Sneakers"}},
	{Owner: Account{Email: "volt@demo.bazaar.dev", Password: "demo-seller-pass", Name: "Vera Volt", Role: "seller"},
		Name: "Volt Electronics", Code: "VE", Description: "Phones, laptops and audio from the brands you know.",
		Sells: []string{"Phones", "Laptops", "Headphones", "Cameras"}},
	{Owner: Account{Email: "hearth@demo.bazaar.dev", Password: "demo-seller-pass", Name: "Hugo Hearth", Role: "seller"},
		Name: "Hearth & Home", Code: "HH", Description: "Cookware, bedding and light for the home.",
		Sells: []string{"Cookware", "Bedding", "Lighting"}},
	{Owner: Account{Email: "trailhead@demo.bazaar.dev", Password: "demo-seller-pass", Name: "Tara Trail", Role: "seller"},
		Name: "Trailhead Outfitters", Code: "TO", Description: "Gear for the outdoors and the gym.",
		Sells: []string{"Camping", "Fitness", "Running shoes", "Jackets"}},
	{Owner: Account{Email: "lantern@demo.bazaar.dev", Password: "demo-seller-pass", Name: "Lena Lantern", Role: "seller"},
		Name: "Paper Lantern Books", Code: "PL", Description: "New and classic books, hand-picked.",
		Sells: []string{"Fiction", "Non-fiction"}},
}

// kind describes how to make products of one leaf category.
type kind struct {
	nouns      []string
	adjectives []string
	brands     []string
	attrs      map[string][]string
	options    map[string][]string // option name -> values; variants are combinations
	priceMin   int64               // minor units
	priceMax   int64
}

var kinds = map[string]kind{
	"T-shirts": {nouns: []string{"Crew Neck Tee", "V-Neck Tee", "Pocket Tee", "Graphic Tee", "Long Sleeve Tee"},
		adjectives: []string{"Organic Cotton", "Classic", "Slim Fit", "Heavyweight", "Vintage Wash"},
		brands:     []string{"Acme", "Northwind", "Urban Thread"}, attrs: map[string][]string{"material": {"cotton", "organic cotton", "cotton blend"}, "fit": {"regular", "slim"}},
		options: map[string][]string{"color": {"black", "white", "navy", "red"}, "size": {"S", "M", "L", "XL"}}, priceMin: 1200, priceMax: 3500},
	"Jeans": {nouns: []string{"Straight Jeans", "Slim Jeans", "Relaxed Jeans", "Bootcut Jeans"},
		adjectives: []string{"Stretch", "Raw Denim", "Stonewash", "Selvedge"},
		brands:     []string{"Indigo Co", "Northwind", "Acme"}, attrs: map[string][]string{"material": {"denim", "stretch denim"}},
		options: map[string][]string{"size": {"30", "32", "34", "36"}}, priceMin: 3900, priceMax: 12900},
	"Jackets": {nouns: []string{"Rain Jacket", "Puffer Jacket", "Denim Jacket", "Fleece Jacket"},
		adjectives: []string{"Packable", "Insulated", "Lightweight", "Waterproof"},
		brands:     []string{"Summit", "Northwind", "Trailwise"}, attrs: map[string][]string{"material": {"nylon", "polyester", "denim"}},
		options: map[string][]string{"color": {"black", "olive", "blue"}, "size": {"S", "M", "L"}}, priceMin: 4900, priceMax: 24900},
	"Dresses": {nouns: []string{"Wrap Dress", "Midi Dress", "Shirt Dress", "Maxi Dress"},
		adjectives: []string{"Linen", "Floral", "Everyday", "Pleated"},
		brands:     []string{"Maison Lune", "Acme", "Urban Thread"}, attrs: map[string][]string{"material": {"linen", "viscose", "cotton"}},
		options: map[string][]string{"color": {"green", "black", "rose"}, "size": {"XS", "S", "M", "L"}}, priceMin: 3500, priceMax: 14900},
	"Tops": {nouns: []string{"Blouse", "Tank Top", "Knit Top", "Camisole"},
		adjectives: []string{"Silk", "Ribbed", "Relaxed", "Cropped"},
		brands:     []string{"Maison Lune", "Urban Thread"}, attrs: map[string][]string{"material": {"silk", "cotton", "modal"}},
		options: map[string][]string{"color": {"white", "black", "sand"}, "size": {"S", "M", "L"}}, priceMin: 1900, priceMax: 8900},
	"Running shoes": {nouns: []string{"Road Runner", "Trail Runner", "Tempo Trainer", "Marathon Racer"},
		adjectives: []string{"Cushioned", "Lightweight", "Carbon", "Everyday"},
		brands:     []string{"Stride", "Summit", "Pace Lab"}, attrs: map[string][]string{"drop": {"4mm", "8mm", "10mm"}, "surface": {"road", "trail"}},
		options: map[string][]string{"size": {"8", "9", "10", "11"}}, priceMin: 7900, priceMax: 21900},
	"Sneakers": {nouns: []string{"Court Sneaker", "High-Top Sneaker", "Canvas Sneaker", "Slip-On"},
		adjectives: []string{"Leather", "Retro", "Minimal", "Suede"},
		brands:     []string{"Stride", "Acme", "Urban Thread"}, attrs: map[string][]string{"material": {"leather", "canvas", "suede"}},
		options: map[string][]string{"color": {"white", "black"}, "size": {"8", "9", "10", "11"}}, priceMin: 4900, priceMax: 15900},
	"Phones": {nouns: []string{"Smartphone", "Phone Pro", "Phone Mini", "Phone Ultra"},
		adjectives: []string{"5G", "Dual SIM", "Unlocked", "Flagship"},
		brands:     []string{"Novatek", "Pixelon", "Orbit"}, attrs: map[string][]string{"screen": {"6.1 in", "6.7 in"}, "camera": {"48 MP", "50 MP", "200 MP"}},
		options: map[string][]string{"storage": {"128 GB", "256 GB"}, "color": {"graphite", "silver"}}, priceMin: 29900, priceMax: 129900},
	"Laptops": {nouns: []string{"Ultrabook", "Laptop 14", "Laptop 16", "Chromebook", "Workstation"},
		adjectives: []string{"Thin and Light", "Performance", "Creator", "Business"},
		brands:     []string{"Novatek", "Orbit", "Keystone"}, attrs: map[string][]string{"cpu": {"8-core", "12-core"}, "screen": {"14 in", "16 in"}},
		options: map[string][]string{"memory": {"16 GB", "32 GB"}}, priceMin: 59900, priceMax: 249900},
	"Headphones": {nouns: []string{"Wireless Earbuds", "Over-Ear Headphones", "On-Ear Headphones", "Sport Earbuds"},
		adjectives: []string{"Noise Cancelling", "Studio", "Bluetooth", "Open-Back"},
		brands:     []string{"Sonara", "Pixelon", "Orbit"}, attrs: map[string][]string{"battery": {"20 h", "30 h", "40 h"}, "connection": {"bluetooth", "wired"}},
		options: map[string][]string{"color": {"black", "white", "blue"}}, priceMin: 2900, priceMax: 39900},
	"Cameras": {nouns: []string{"Mirrorless Camera", "Action Camera", "Compact Camera", "Instant Camera"},
		adjectives: []string{"4K", "Full Frame", "Waterproof", "Retro"},
		brands:     []string{"Lumix Pro", "Optica", "Pixelon"}, attrs: map[string][]string{"sensor": {"APS-C", "full frame", "1 inch"}},
		options: map[string][]string{"kit": {"body only", "with lens"}}, priceMin: 9900, priceMax: 219900},
	"Cookware": {nouns: []string{"Skillet", "Dutch Oven", "Saucepan", "Wok", "Stockpot"},
		adjectives: []string{"Cast Iron", "Stainless Steel", "Nonstick", "Enamelled"},
		brands:     []string{"Hearthware", "Copper & Co", "Acme"}, attrs: map[string][]string{"material": {"cast iron", "stainless steel", "aluminium"}},
		options: map[string][]string{"size": {"24 cm", "28 cm"}}, priceMin: 2500, priceMax: 19900},
	"Bedding": {nouns: []string{"Duvet Cover", "Sheet Set", "Pillow", "Quilt"},
		adjectives: []string{"Linen", "Percale", "Sateen", "Washed Cotton"},
		brands:     []string{"Slumber", "Hearthware"}, attrs: map[string][]string{"material": {"linen", "cotton"}, "thread count": {"300", "400"}},
		options: map[string][]string{"size": {"Single", "Double", "King"}, "color": {"white", "grey"}}, priceMin: 2900, priceMax: 17900},
	"Lighting": {nouns: []string{"Table Lamp", "Floor Lamp", "Pendant Light", "Desk Lamp"},
		adjectives: []string{"Brass", "Dimmable", "Scandinavian", "Industrial"},
		brands:     []string{"Lumen", "Hearthware"}, attrs: map[string][]string{"bulb": {"E27", "LED built-in"}},
		options: map[string][]string{"finish": {"brass", "black"}}, priceMin: 3900, priceMax: 29900},
	"Fiction": {nouns: []string{"The Silent Harbour", "A Map of Winter", "Glass Rivers", "The Last Orchard", "Night Trains", "Paper Moons"},
		adjectives: []string{"Paperback:", "Hardcover:", "Collector's Edition:"},
		brands:     []string{"Lantern Press", "Harbour Books"}, attrs: map[string][]string{"language": {"English"}, "pages": {"288", "352", "416"}},
		options: map[string][]string{"format": {"paperback", "hardcover"}}, priceMin: 899, priceMax: 2999},
	"Non-fiction": {nouns: []string{"The Curious Economy", "Small Habits", "A Short History of Salt", "Field Notes on Birds", "Code and Craft"},
		adjectives: []string{"Paperback:", "Hardcover:", "Illustrated:"},
		brands:     []string{"Lantern Press", "Meridian"}, attrs: map[string][]string{"language": {"English"}, "pages": {"240", "320", "480"}},
		options: map[string][]string{"format": {"paperback", "hardcover"}}, priceMin: 1299, priceMax: 3999},
	"Camping": {nouns: []string{"Two-Person Tent", "Sleeping Bag", "Camp Stove", "Headlamp", "Trekking Poles"},
		adjectives: []string{"Ultralight", "Four-Season", "Compact", "Rugged"},
		brands:     []string{"Summit", "Trailwise"}, attrs: map[string][]string{"weight": {"350 g", "1.2 kg", "2.1 kg"}},
		options: map[string][]string{"color": {"orange", "green"}}, priceMin: 1900, priceMax: 44900},
	"Fitness": {nouns: []string{"Yoga Mat", "Kettlebell", "Resistance Bands", "Jump Rope", "Dumbbell Set"},
		adjectives: []string{"Non-Slip", "Adjustable", "Pro", "Eco"},
		brands:     []string{"Pace Lab", "Ironworks"}, attrs: map[string][]string{"material": {"rubber", "steel", "TPE"}},
		options: map[string][]string{"weight": {"8 kg", "12 kg", "16 kg"}}, priceMin: 1500, priceMax: 19900},
}

// Variant is one generated SKU.
type Variant struct {
	SKU     string
	Options map[string]string
	Price   int64 // minor units, USD
	OnHand  int64
}

// Product is one generated product.
type Product struct {
	Title       string
	Description string
	Brand       string
	Category    string // leaf category name
	Attributes  map[string]string
	Variants    []Variant
	Hue         float64 // for the generated image
}

// Products generates n products per (store, leaf category) pair, the same
// every time.
func Products(s Store, perCategory int) []Product {
	r := rand.New(rand.NewPCG(uint64(len(s.Name)), uint64(s.Code[0])<<8|uint64(s.Code[1])))
	var out []Product
	seq := 0
	for _, cat := range s.Sells {
		k := kinds[cat]
		for i := 0; i < perCategory; i++ {
			seq++
			noun := k.nouns[(i+seq)%len(k.nouns)]
			adj := k.adjectives[r.IntN(len(k.adjectives))]
			brand := k.brands[r.IntN(len(k.brands))]
			title := adj + " " + noun
			if strings.HasSuffix(adj, ":") {
				title = noun + " (" + strings.TrimSuffix(adj, ":") + ")"
			}
			attrs := map[string]string{}
			for name, vals := range k.attrs {
				attrs[name] = vals[r.IntN(len(vals))]
			}
			base := k.priceMin + r.Int64N(k.priceMax-k.priceMin+1)
			base = base/100*100 + 99 // 24.99-style prices
			p := Product{
				Title:      title,
				Brand:      brand,
				Category:   cat,
				Attributes: attrs,
				Hue:        r.Float64(),
			}
			p.Description = describe(p, k, r)
			for j, opts := range combinations(k.options, 4) {
				price := base
				if j > 0 && r.IntN(3) == 0 {
					price += 500 // larger sizes or more storage cost more
				}
				p.Variants = append(p.Variants, Variant{
					SKU:     fmt.Sprintf("%s-%04d-%d", s.Code, seq, j+1),
					Options: opts,
					Price:   price,
					OnHand:  int64(r.IntN(40)), // some come out of stock
				})
			}
			out = append(out, p)
		}
	}
	return out
}

func describe(p Product, k kind, r *rand.Rand) string {
	openers := []string{"Meet the %s from %s.", "The %s by %s, made for everyday use.", "%s from %s: a customer favourite."}
	s := fmt.Sprintf(openers[r.IntN(len(openers))], p.Title, p.Brand)
	var parts []string
	for _, name := range sortedKeys(p.Attributes) {
		parts = append(parts, name+" "+p.Attributes[name])
	}
	if len(parts) > 0 {
		s += " Details: " + strings.Join(parts, ", ") + "."
	}
	return s + " Ships from the seller within two working days; free returns within 30 days."
}

// combinations returns up to max option combinations, in a stable order.
func combinations(options map[string][]string, max int) []map[string]string {
	out := []map[string]string{{}}
	for _, name := range sortedKeys(options) {
		var next []map[string]string
		for _, base := range out {
			for _, v := range options[name] {
				m := make(map[string]string, len(base)+1)
				for k, x := range base {
					m[k] = x
				}
				m[name] = v
				next = append(next, m)
			}
		}
		out = next
	}
	if len(out) > max {
		out = out[:max]
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }
