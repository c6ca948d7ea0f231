// The product catalogue's shape: per category, subcategories with a price range and product nouns.

/** A subcategory: name, price range in dollars, nouns for product names. */
export type Subcategory = readonly [name: string, lo: number, hi: number, nouns: readonly string[]];

/** Per category (CATEGORIES order): how many products, and its subcategories. */
export const CATALOG: readonly { count: number; subs: readonly Subcategory[] }[] = [
  { count: 30, subs: [
    ['Audio', 30, 350, ['Wireless Headphones', 'Bluetooth Speaker', 'Earbuds', 'Soundbar']],
    ['Wearables', 50, 450, ['Smartwatch', 'Fitness Tracker']],
    ['Computer Accessories', 20, 500, ['Mechanical Keyboard', 'Wireless Mouse', 'USB-C Hub', 'Webcam', 'Monitor']],
    ['Smart Home', 25, 250, ['Smart Plug', 'Video Doorbell', 'Smart Bulb Kit', 'Security Camera']],
    ['Mobile', 15, 480, ['Phone Case', 'Power Bank', 'Wireless Charger', 'Tablet']],
  ] },
  { count: 35, subs: [
    ['Tops', 15, 70, ['T-Shirt', 'Hoodie', 'Sweater', 'Blouse', 'Polo Shirt']],
    ['Bottoms', 25, 130, ['Jeans', 'Chinos', 'Joggers', 'Skirt']],
    ['Outerwear', 60, 320, ['Jacket', 'Parka', 'Raincoat', 'Blazer']],
    ['Footwear', 40, 220, ['Sneakers', 'Boots', 'Loafers', 'Sandals']],
    ['Accessories', 12, 80, ['Scarf', 'Beanie', 'Belt', 'Gloves']],
  ] },
  { count: 30, subs: [
    ['Kitchen', 15, 260, ['Chef Knife', 'Cookware Set', 'Blender', 'Coffee Maker', 'Cutting Board']],
    ['Decor', 15, 150, ['Table Lamp', 'Throw Pillow', 'Wall Clock', 'Vase']],
    ['Bedding', 30, 220, ['Duvet Cover', 'Sheet Set', 'Quilt']],
    ['Garden', 15, 420, ['Planter', 'Garden Hose', 'Patio Chair', 'Grill', 'Tool Set']],
  ] },
  { count: 25, subs: [
    ['Skincare', 12, 95, ['Face Serum', 'Moisturizer', 'Cleanser', 'Sunscreen']],
    ['Makeup', 10, 60, ['Lipstick', 'Mascara', 'Foundation', 'Eyeshadow Palette']],
    ['Hair Care', 10, 190, ['Shampoo', 'Conditioner', 'Hair Dryer', 'Straightener']],
    ['Fragrance', 35, 160, ['Eau de Parfum', 'Cologne']],
  ] },
  { count: 25, subs: [
    ['Fitness', 15, 480, ['Yoga Mat', 'Dumbbell Set', 'Resistance Bands', 'Kettlebell', 'Exercise Bike']],
    ['Outdoor', 25, 350, ['Tent', 'Backpack', 'Sleeping Bag', 'Hiking Poles']],
    ['Cycling', 20, 300, ['Bike Helmet', 'Bike Lights', 'Cycling Jersey']],
    ['Team Sports', 15, 150, ['Soccer Ball', 'Basketball', 'Tennis Racket']],
  ] },
  { count: 20, subs: [
    ['Fiction', 10, 32, ['Novel', 'Thriller', 'Short Stories']],
    ['Non-fiction', 12, 48, ['Biography', 'History', 'Self-Help Guide']],
    ['Cookbooks', 18, 50, ['Cookbook']],
    ["Children's Books", 10, 26, ['Picture Book', 'Activity Book']],
  ] },
  { count: 20, subs: [
    ['Building Sets', 20, 180, ['Building Block Set', 'Construction Kit']],
    ['Games & Puzzles', 10, 65, ['Board Game', 'Jigsaw Puzzle', 'Card Game']],
    ['Dolls & Figures', 10, 90, ['Action Figure', 'Doll House', 'Plush Toy']],
    ['Outdoor Toys', 20, 220, ['Scooter', 'Trampoline', 'Water Blaster']],
  ] },
  { count: 15, subs: [
    ['Dog', 10, 130, ['Dog Bed', 'Dog Leash', 'Chew Toy', 'Dog Food']],
    ['Cat', 10, 160, ['Cat Tree', 'Litter Box', 'Scratching Post']],
    ['Aquarium', 20, 220, ['Aquarium Kit', 'Water Filter']],
  ] },
];
