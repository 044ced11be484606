package cataloggen

// Kind is one leaf category of the generated marketplace: how products of
// that kind are named, described, priced and varied.
type Kind struct {
	Path       []string // department and groups above the leaf
	Leaf       string   // the leaf category's name
	Noun       string   // what a product is called in titles ("running shoes")
	Audiences  bool     // split under Men / Women / Kids
	Brands     []string
	Adjectives []string
	Attrs      []Attr // product attributes
	Option     Attr   // the variant dimension (may be empty)
	Median     int64  // median price, minor units
	Features   []string
}

// Attr is an attribute name with the values it takes.
type Attr struct {
	Name   string
	Values []string
}

var colors = Attr{"color", []string{"black", "white", "red", "blue", "green", "grey", "navy", "pink", "yellow", "brown", "beige", "purple", "orange"}}

var (
	clothingSizes = Attr{"size", []string{"XS", "S", "M", "L", "XL", "XXL"}}
	shoeSizes     = Attr{"size", []string{"36", "37", "38", "39", "40", "41", "42", "43", "44", "45", "46"}}
	apparelBrands = []string{"Northwind", "Urban Thread", "Kestrel", "Maple & Moss", "Harbor Lane", "Ironweave", "Lumen", "Basecamp", "Velour", "Cotton Republic"}
	shoeBrands    = []string{"Stride", "Fleetfoot", "Summit", "Aero", "Pacer", "Trailblaze", "Nimbus", "Kinetic"}
	techBrands    = []string{"Volt", "Quanta", "Nexon", "Aurora", "Pixelon", "Orbit", "Zenith", "Helix", "Sonique", "Arcadia"}
	homeBrands    = []string{"Hearth", "Copperline", "Nordhaus", "Casa Verde", "Ember", "Willow", "Oakfield", "Stoneware Co"}
	sportBrands   = []string{"Summit", "Ridgeline", "Apex", "Kinetic", "Tidewater", "Granite", "Forge Fitness"}
	beautyBrands  = []string{"Lumiere", "Petal", "Aurora Skin", "Verdant", "Silk & Stone"}
	toyBrands     = []string{"Tinker", "Brightblock", "Wonderwood", "Galaxy Toys", "Puzzlecraft"}
	petBrands     = []string{"Pawsome", "Happy Tails", "Furbish", "Barkley"}
	bookBrands    = []string{"Lantern Press", "Northstar Books", "Quill House", "Open Road Publishing"}
	materials     = Attr{"material", []string{"cotton", "linen", "wool", "polyester", "denim", "silk", "fleece", "leather"}}
)

// Kinds is the generated marketplace's taxonomy.
var Kinds = []Kind{
	{Path: []string{"Clothing", "Tops"}, Leaf: "T-shirts", Noun: "t-shirt", Audiences: true, Brands: apparelBrands,
		Adjectives: []string{"classic", "graphic", "slim fit", "oversized", "organic", "striped", "vintage", "essential"},
		Attrs:      []Attr{colors, materials, {"neckline", []string{"crew neck", "v-neck", "henley"}}}, Option: clothingSizes, Median: 1999,
		Features: []string{"soft hand feel", "pre-shrunk", "tagless collar", "reinforced seams"}},
	{Path: []string{"Clothing", "Tops"}, Leaf: "Hoodies", Noun: "hoodie", Audiences: true, Brands: apparelBrands,
		Adjectives: []string{"zip-up", "pullover", "heavyweight", "cropped", "fleece-lined", "essential"},
		Attrs:      []Attr{colors, materials}, Option: clothingSizes, Median: 4999,
		Features: []string{"kangaroo pocket", "brushed interior", "ribbed cuffs", "adjustable hood"}},
	{Path: []string{"Clothing", "Tops"}, Leaf: "Sweaters", Noun: "sweater", Audiences: true, Brands: apparelBrands,
		Adjectives: []string{"cable knit", "chunky", "cashmere blend", "crew neck", "turtleneck", "merino"},
		Attrs:      []Attr{colors, materials}, Option: clothingSizes, Median: 5999,
		Features: []string{"warm and breathable", "ribbed hem", "relaxed fit"}},
	{Path: []string{"Clothing", "Bottoms"}, Leaf: "Jeans", Noun: "jeans", Audiences: true, Brands: apparelBrands,
		Adjectives: []string{"slim", "straight leg", "bootcut", "skinny", "relaxed", "high rise", "distressed"},
		Attrs:      []Attr{{"color", []string{"blue", "black", "grey", "white", "navy"}}, {"fit", []string{"slim", "regular", "relaxed"}}},
		Option:     Attr{"waist", []string{"28", "30", "32", "34", "36", "38"}}, Median: 5999,
		Features: []string{"stretch denim", "five pockets", "button fly", "stonewashed"}},
	{Path: []string{"Clothing", "Bottoms"}, Leaf: "Trousers", Noun: "trousers", Audiences: true, Brands: apparelBrands,
		Adjectives: []string{"chino", "pleated", "cargo", "tailored", "linen", "wide leg"},
		Attrs:      []Attr{colors, materials}, Option: Attr{"waist", []string{"28", "30", "32", "34", "36"}}, Median: 4999,
		Features: []string{"wrinkle resistant", "side pockets", "belt loops"}},
	{Path: []string{"Clothing", "Outerwear"}, Leaf: "Jackets", Noun: "jacket", Audiences: true, Brands: apparelBrands,
		Adjectives: []string{"waterproof", "puffer", "denim", "bomber", "quilted", "lightweight", "leather"},
		Attrs:      []Attr{colors, materials}, Option: clothingSizes, Median: 8999,
		Features: []string{"water resistant", "zip pockets", "detachable hood", "insulated lining"}},
	{Path: []string{"Clothing", "Dresses & Skirts"}, Leaf: "Dresses", Noun: "dress", Brands: apparelBrands,
		Adjectives: []string{"maxi", "midi", "wrap", "floral", "cocktail", "summer", "shirt"},
		Attrs:      []Attr{colors, materials, {"pattern", []string{"solid", "floral", "striped", "polka dot"}}}, Option: clothingSizes, Median: 5999,
		Features: []string{"flowing silhouette", "hidden zip", "adjustable straps"}},
	{Path: []string{"Shoes", "Sports shoes"}, Leaf: "Running shoes", Noun: "running shoes", Audiences: true, Brands: shoeBrands,
		Adjectives: []string{"lightweight", "trail", "cushioned", "racing", "stability", "breathable"},
		Attrs:      []Attr{colors, {"surface", []string{"road", "trail", "track"}}}, Option: shoeSizes, Median: 8999,
		Features: []string{"responsive foam midsole", "breathable mesh upper", "grippy rubber outsole", "reflective details"}},
	{Path: []string{"Shoes", "Casual shoes"}, Leaf: "Sneakers", Noun: "sneakers", Audiences: true, Brands: shoeBrands,
		Adjectives: []string{"canvas", "leather", "high top", "low top", "retro", "slip-on"},
		Attrs:      []Attr{colors, {"material", []string{"canvas", "leather", "suede", "knit"}}}, Option: shoeSizes, Median: 6999,
		Features: []string{"padded collar", "vulcanized sole", "cushioned insole"}},
	{Path: []string{"Shoes", "Boots"}, Leaf: "Hiking boots", Noun: "hiking boots", Audiences: true, Brands: shoeBrands,
		Adjectives: []string{"waterproof", "mid cut", "insulated", "lightweight", "rugged"},
		Attrs:      []Attr{colors, {"material", []string{"leather", "suede", "synthetic"}}}, Option: shoeSizes, Median: 12999,
		Features: []string{"waterproof membrane", "ankle support", "lugged outsole"}},
	{Path: []string{"Shoes", "Casual shoes"}, Leaf: "Sandals", Noun: "sandals", Audiences: true, Brands: shoeBrands,
		Adjectives: []string{"slide", "strappy", "sport", "platform", "flip flop"},
		Attrs:      []Attr{colors}, Option: shoeSizes, Median: 3999,
		Features: []string{"contoured footbed", "adjustable straps", "quick drying"}},
	{Path: []string{"Electronics", "Computers"}, Leaf: "Laptops", Noun: "laptop", Brands: techBrands,
		Adjectives: []string{"ultralight", "gaming", "business", "convertible", "thin", "creator"},
		Attrs:      []Attr{{"color", []string{"silver", "black", "grey", "blue"}}, {"screen", []string{"13 inch", "14 inch", "15 inch", "16 inch"}}, {"processor", []string{"8-core", "10-core", "12-core"}}},
		Option:     Attr{"memory", []string{"8GB", "16GB", "32GB"}}, Median: 109900,
		Features: []string{"all-day battery", "backlit keyboard", "fast charging", "fingerprint reader"}},
	{Path: []string{"Electronics", "Computers"}, Leaf: "Monitors", Noun: "monitor", Brands: techBrands,
		Adjectives: []string{"4K", "curved", "ultrawide", "gaming", "portable"},
		Attrs:      []Attr{{"color", []string{"black", "white", "silver"}}, {"screen", []string{"24 inch", "27 inch", "32 inch", "34 inch"}}},
		Median:     29900, Features: []string{"high refresh rate", "adjustable stand", "low blue light"}},
	{Path: []string{"Electronics", "Computers", "Accessories"}, Leaf: "Keyboards", Noun: "keyboard", Brands: techBrands,
		Adjectives: []string{"mechanical", "wireless", "compact", "ergonomic", "backlit"},
		Attrs:      []Attr{{"color", []string{"black", "white", "grey", "pink"}}, {"switch", []string{"red", "brown", "blue"}}},
		Median:     7999, Features: []string{"hot-swappable keys", "long battery life", "multi-device pairing"}},
	{Path: []string{"Electronics", "Computers", "Accessories"}, Leaf: "Mice", Noun: "mouse", Brands: techBrands,
		Adjectives: []string{"wireless", "gaming", "ergonomic", "silent", "travel"},
		Attrs:      []Attr{{"color", []string{"black", "white", "grey"}}}, Median: 3999,
		Features: []string{"precise sensor", "rechargeable", "programmable buttons"}},
	{Path: []string{"Electronics", "Phones"}, Leaf: "Smartphones", Noun: "smartphone", Brands: techBrands,
		Adjectives: []string{"flagship", "compact", "rugged", "5G", "foldable", "budget"},
		Attrs:      []Attr{{"color", []string{"black", "white", "blue", "green", "purple", "gold"}}},
		Option:     Attr{"storage", []string{"64GB", "128GB", "256GB", "512GB"}}, Median: 59900,
		Features: []string{"triple camera", "all-day battery", "fast charging", "OLED display"}},
	{Path: []string{"Electronics", "Phones"}, Leaf: "Phone cases", Noun: "phone case", Brands: techBrands,
		Adjectives: []string{"slim", "rugged", "clear", "leather", "wallet"},
		Attrs:      []Attr{colors, {"material", []string{"silicone", "leather", "polycarbonate"}}}, Median: 1999,
		Features: []string{"raised edges", "wireless charging compatible", "shock absorbing corners"}},
	{Path: []string{"Electronics", "Audio"}, Leaf: "Headphones", Noun: "headphones", Brands: techBrands,
		Adjectives: []string{"wireless", "noise cancelling", "over-ear", "studio", "foldable"},
		Attrs:      []Attr{{"color", []string{"black", "white", "blue", "red", "silver"}}}, Median: 14999,
		Features: []string{"active noise cancelling", "30 hour battery", "plush ear cushions", "built-in microphone"}},
	{Path: []string{"Electronics", "Audio"}, Leaf: "Earbuds", Noun: "earbuds", Brands: techBrands,
		Adjectives: []string{"true wireless", "sport", "noise cancelling", "compact"},
		Attrs:      []Attr{{"color", []string{"black", "white", "blue", "pink"}}}, Median: 7999,
		Features: []string{"charging case", "sweat resistant", "touch controls"}},
	{Path: []string{"Electronics", "Audio"}, Leaf: "Speakers", Noun: "speaker", Brands: techBrands,
		Adjectives: []string{"bluetooth", "portable", "smart", "waterproof", "bookshelf"},
		Attrs:      []Attr{{"color", []string{"black", "white", "blue", "red", "green"}}}, Median: 9999,
		Features: []string{"deep bass", "360 degree sound", "voice assistant"}},
	{Path: []string{"Electronics", "Cameras"}, Leaf: "Digital cameras", Noun: "camera", Brands: techBrands,
		Adjectives: []string{"mirrorless", "compact", "instant", "action", "full frame"},
		Attrs:      []Attr{{"color", []string{"black", "silver"}}, {"resolution", []string{"20MP", "24MP", "45MP"}}}, Median: 79900,
		Features: []string{"image stabilization", "4K video", "weather sealed body"}},
	{Path: []string{"Electronics", "TV & Video"}, Leaf: "Televisions", Noun: "television", Brands: techBrands,
		Adjectives: []string{"4K", "OLED", "smart", "QLED", "8K"},
		Attrs:      []Attr{{"screen", []string{"43 inch", "55 inch", "65 inch", "75 inch"}}}, Median: 69900,
		Features: []string{"HDR support", "built-in streaming apps", "thin bezel"}},
	{Path: []string{"Home & Kitchen", "Kitchen", "Cookware"}, Leaf: "Frying pans", Noun: "frying pan", Brands: homeBrands,
		Adjectives: []string{"nonstick", "cast iron", "stainless steel", "ceramic", "carbon steel"},
		Attrs:      []Attr{{"color", []string{"black", "grey", "red", "blue", "copper"}}, {"diameter", []string{"20 cm", "24 cm", "28 cm"}}}, Median: 3999,
		Features: []string{"induction ready", "oven safe", "stay-cool handle"}},
	{Path: []string{"Home & Kitchen", "Kitchen", "Cookware"}, Leaf: "Saucepans", Noun: "saucepan", Brands: homeBrands,
		Adjectives: []string{"stainless steel", "copper", "nonstick", "enameled"},
		Attrs:      []Attr{{"color", []string{"silver", "copper", "black", "red"}}}, Median: 4999,
		Features: []string{"glass lid", "pouring spouts", "dishwasher safe"}},
	{Path: []string{"Home & Kitchen", "Kitchen", "Appliances"}, Leaf: "Coffee makers", Noun: "coffee maker", Brands: homeBrands,
		Adjectives: []string{"espresso", "drip", "pour over", "single serve", "programmable"},
		Attrs:      []Attr{{"color", []string{"black", "silver", "white", "red"}}}, Median: 12999,
		Features: []string{"built-in grinder", "milk frother", "keep warm plate"}},
	{Path: []string{"Home & Kitchen", "Kitchen", "Appliances"}, Leaf: "Blenders", Noun: "blender", Brands: homeBrands,
		Adjectives: []string{"high speed", "personal", "countertop", "immersion"},
		Attrs:      []Attr{{"color", []string{"black", "silver", "white", "red"}}}, Median: 8999,
		Features: []string{"variable speed", "pulse function", "BPA-free jar"}},
	{Path: []string{"Home & Kitchen", "Bedroom"}, Leaf: "Bed sheets", Noun: "sheet set", Brands: homeBrands,
		Adjectives: []string{"percale", "sateen", "linen", "flannel", "organic cotton"},
		Attrs:      []Attr{colors, {"material", []string{"cotton", "linen", "bamboo", "microfiber"}}}, Option: Attr{"bed size", []string{"twin", "full", "queen", "king"}}, Median: 6999,
		Features: []string{"deep pockets", "breathable weave", "pre-washed"}},
	{Path: []string{"Home & Kitchen", "Furniture"}, Leaf: "Sofas", Noun: "sofa", Brands: homeBrands,
		Adjectives: []string{"sectional", "modern", "mid-century", "sleeper", "velvet", "leather"},
		Attrs:      []Attr{colors, {"seats", []string{"2 seat", "3 seat", "4 seat"}}}, Median: 89900,
		Features: []string{"removable cushions", "solid wood frame", "stain resistant fabric"}},
	{Path: []string{"Home & Kitchen", "Lighting"}, Leaf: "Lamps", Noun: "lamp", Brands: homeBrands,
		Adjectives: []string{"desk", "floor", "table", "arc", "industrial", "smart"},
		Attrs:      []Attr{{"color", []string{"black", "white", "brass", "copper", "grey"}}}, Median: 5999,
		Features: []string{"dimmable", "energy efficient", "adjustable arm"}},
	{Path: []string{"Sports & Outdoors", "Camping"}, Leaf: "Tents", Noun: "tent", Brands: sportBrands,
		Adjectives: []string{"backpacking", "family", "ultralight", "pop-up", "four season"},
		Attrs:      []Attr{{"color", []string{"green", "orange", "blue", "grey", "yellow"}}, {"capacity", []string{"1 person", "2 person", "4 person", "6 person"}}}, Median: 19999,
		Features: []string{"waterproof rainfly", "quick setup", "vestibule storage"}},
	{Path: []string{"Sports & Outdoors", "Camping"}, Leaf: "Sleeping bags", Noun: "sleeping bag", Brands: sportBrands,
		Adjectives: []string{"down", "synthetic", "mummy", "rectangular", "three season"},
		Attrs:      []Attr{{"color", []string{"green", "blue", "red", "black", "orange"}}}, Median: 11999,
		Features: []string{"compression sack", "draft collar", "two-way zipper"}},
	{Path: []string{"Sports & Outdoors", "Fitness"}, Leaf: "Yoga mats", Noun: "yoga mat", Brands: sportBrands,
		Adjectives: []string{"non-slip", "extra thick", "travel", "eco-friendly", "cork"},
		Attrs:      []Attr{colors}, Median: 2999,
		Features: []string{"carrying strap", "sweat resistant", "alignment lines"}},
	{Path: []string{"Sports & Outdoors", "Fitness"}, Leaf: "Dumbbells", Noun: "dumbbell set", Brands: sportBrands,
		Adjectives: []string{"adjustable", "hex", "neoprene", "rubber coated", "chrome"},
		Attrs:      []Attr{{"color", []string{"black", "grey", "blue", "pink"}}}, Option: Attr{"weight", []string{"5 kg", "10 kg", "20 kg", "30 kg"}}, Median: 7999,
		Features: []string{"knurled grip", "anti-roll design", "floor friendly"}},
	{Path: []string{"Sports & Outdoors", "Cycling"}, Leaf: "Bikes", Noun: "bike", Brands: sportBrands,
		Adjectives: []string{"mountain", "road", "hybrid", "electric", "folding", "gravel"},
		Attrs:      []Attr{{"color", []string{"black", "red", "blue", "white", "green"}}}, Option: Attr{"frame size", []string{"S", "M", "L", "XL"}}, Median: 89900,
		Features: []string{"hydraulic disc brakes", "lightweight aluminum frame", "21 speeds"}},
	{Path: []string{"Beauty", "Skincare"}, Leaf: "Moisturizers", Noun: "moisturizer", Brands: beautyBrands,
		Adjectives: []string{"hydrating", "oil-free", "night", "daily", "fragrance-free"},
		Attrs:      []Attr{{"skin type", []string{"dry", "oily", "combination", "sensitive"}}}, Median: 2499,
		Features: []string{"hyaluronic acid", "non-comedogenic", "dermatologist tested"}},
	{Path: []string{"Beauty", "Fragrance"}, Leaf: "Perfumes", Noun: "perfume", Brands: beautyBrands,
		Adjectives: []string{"floral", "citrus", "woody", "fresh", "oriental"},
		Attrs:      []Attr{{"volume", []string{"30 ml", "50 ml", "100 ml"}}}, Median: 6999,
		Features: []string{"long lasting", "glass bottle", "travel spray"}},
	{Path: []string{"Toys & Games", "Building toys"}, Leaf: "Building sets", Noun: "building set", Brands: toyBrands,
		Adjectives: []string{"castle", "spaceship", "city", "robot", "dinosaur"},
		Attrs:      []Attr{{"age", []string{"3+", "6+", "8+", "12+"}}}, Median: 4999,
		Features: []string{"compatible bricks", "step by step instructions", "hundreds of pieces"}},
	{Path: []string{"Toys & Games", "Games"}, Leaf: "Board games", Noun: "board game", Brands: toyBrands,
		Adjectives: []string{"strategy", "family", "party", "cooperative", "classic"},
		Attrs:      []Attr{{"players", []string{"2 players", "2-4 players", "2-6 players"}}}, Median: 3499,
		Features: []string{"quick to learn", "replayable", "illustrated cards"}},
	{Path: []string{"Toys & Games", "Games"}, Leaf: "Puzzles", Noun: "jigsaw puzzle", Brands: toyBrands,
		Adjectives: []string{"landscape", "animal", "map", "art", "3D"},
		Attrs:      []Attr{{"pieces", []string{"500 pieces", "1000 pieces", "2000 pieces"}}}, Median: 1999,
		Features: []string{"thick pieces", "poster included", "no dust"}},
	{Path: []string{"Pets", "Dogs"}, Leaf: "Dog beds", Noun: "dog bed", Brands: petBrands,
		Adjectives: []string{"orthopedic", "calming", "waterproof", "elevated", "donut"},
		Attrs:      []Attr{colors}, Option: Attr{"size", []string{"S", "M", "L", "XL"}}, Median: 4999,
		Features: []string{"machine washable cover", "non-skid bottom", "memory foam"}},
	{Path: []string{"Pets", "Cats"}, Leaf: "Cat trees", Noun: "cat tree", Brands: petBrands,
		Adjectives: []string{"multi-level", "modern", "compact", "sisal", "wall mounted"},
		Attrs:      []Attr{{"color", []string{"grey", "beige", "white", "brown"}}}, Median: 7999,
		Features: []string{"scratching posts", "cozy condo", "hanging toys"}},
	{Path: []string{"Books", "Fiction"}, Leaf: "Mystery novels", Noun: "mystery novel", Brands: bookBrands,
		Adjectives: []string{"gripping", "cozy", "noir", "bestselling", "award-winning"},
		Attrs:      []Attr{{"format", []string{"hardcover", "paperback", "audiobook"}}}, Median: 1599,
		Features: []string{"page-turning plot", "twist ending", "series starter"}},
	{Path: []string{"Books", "Non-fiction"}, Leaf: "Cookbooks", Noun: "cookbook", Brands: bookBrands,
		Adjectives: []string{"vegetarian", "baking", "weeknight", "italian", "plant-based"},
		Attrs:      []Attr{{"format", []string{"hardcover", "paperback"}}}, Median: 2499,
		Features: []string{"100 recipes", "full color photos", "step by step"}},
}

// Audiences split clothing and shoes.
var Audiences = []string{"Men", "Women", "Kids"}

var sellerFirst = []string{"Northwind", "Blue Harbor", "Copper", "Evergreen", "Golden Gate", "Silverline", "Red Rock", "Maple", "Harbor", "Summit",
	"Riverside", "Oak & Ash", "Lighthouse", "Meadow", "Granite", "Sunset", "Pinecrest", "Urban", "Coastal", "Prairie", "Cedar", "Starlight",
	"Ironbridge", "Willow", "Fox & Finch", "Bluebird", "Highland", "Orchard", "Driftwood", "Aspen"}

var sellerSecond = []string{"Goods", "Outfitters", "Trading Co", "Supply", "Emporium", "Market", "Store", "Depot", "House", "Collective",
	"Bazaar", "Mercantile", "Corner", "Workshop", "Exchange"}
