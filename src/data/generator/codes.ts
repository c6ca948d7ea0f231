// Code tables shared by the generator (which writes small integer codes) and finalizeShopSql (which decodes them).

/** Device codes. conv/bounce shape behaviour: desktop converts best, mobile worst. */
export const DEVICES = ['mobile', 'desktop', 'tablet'] as const;
/** Conversion multiplier per device code. */
export const DEVICE_CONV = [0.72, 1.35, 1.0];
/** Bounce multiplier per device code. */
export const DEVICE_BOUNCE = [1.25, 0.8, 1.0];

/** Gender codes. */
export const GENDERS = ['female', 'male', 'non-binary', 'unknown'] as const;

/** One acquisition / session channel: where a visit came from and how well it converts. */
export interface Channel {
  source: string;
  medium: string;
  weight: number; // share of new users
  youth: number; // extra weight for users under 30
  conv: number; // conversion multiplier
  bounce: number; // bounce probability
  campaigns: readonly number[]; // indexes into CAMPAIGNS (empty => NULL)
}

/** Campaign names; paid-social ones are picked by month (see seasonalCampaign). */
export const CAMPAIGNS = [
  'brand_search', 'generic_search', 'shopping_ads', 'spring_sale', 'summer_sale', 'back_to_school',
  'black_friday', 'holiday_gifts', 'retargeting', 'lookalike_audience', 'influencer_collab',
  'welcome_series', 'weekly_digest', 'cart_reminder', 'holiday_promo', 'partner_program', 'deal_roundup',
] as const;

const SEARCH = [0, 1, 2];
const SOCIAL_PAID = [3, 4, 5, 6, 7, 8, 9, 10];
const EMAIL = [11, 12, 13, 14];

/** Channel codes. Email and direct convert best; social, especially TikTok, worst. */
export const CHANNELS: readonly Channel[] = [
  { source: 'google', medium: 'organic', weight: 17, youth: 0, conv: 1.1, bounce: 0.3, campaigns: [] },
  { source: 'google', medium: 'cpc', weight: 13, youth: 0, conv: 1.25, bounce: 0.28, campaigns: SEARCH },
  { source: 'bing', medium: 'cpc', weight: 3, youth: -2, conv: 1.2, bounce: 0.3, campaigns: SEARCH },
  { source: 'bing', medium: 'organic', weight: 2, youth: -1, conv: 1.05, bounce: 0.32, campaigns: [] },
  { source: 'facebook', medium: 'paid_social', weight: 9, youth: -3, conv: 0.65, bounce: 0.42, campaigns: SOCIAL_PAID },
  { source: 'instagram', medium: 'paid_social', weight: 8, youth: 6, conv: 0.6, bounce: 0.44, campaigns: SOCIAL_PAID },
  { source: 'tiktok', medium: 'paid_social', weight: 6, youth: 10, conv: 0.42, bounce: 0.52, campaigns: SOCIAL_PAID },
  { source: 'facebook', medium: 'social', weight: 4, youth: -2, conv: 0.5, bounce: 0.48, campaigns: [] },
  { source: 'instagram', medium: 'social', weight: 3, youth: 4, conv: 0.48, bounce: 0.5, campaigns: [] },
  { source: 'tiktok', medium: 'social', weight: 3, youth: 7, conv: 0.35, bounce: 0.58, campaigns: [10] },
  { source: 'direct', medium: 'direct', weight: 14, youth: 0, conv: 1.45, bounce: 0.22, campaigns: [] },
  { source: 'newsletter', medium: 'email', weight: 7, youth: -2, conv: 1.9, bounce: 0.16, campaigns: EMAIL },
  { source: 'partner_sites', medium: 'referral', weight: 7, youth: 0, conv: 0.95, bounce: 0.33, campaigns: [15] },
  { source: 'deal_sites', medium: 'referral', weight: 4, youth: 1, conv: 0.9, bounce: 0.35, campaigns: [16] },
];

/** Channel codes used when a returning user arrives by another route. */
export const CH = { organic: 0, retarget: 4, direct: 10, email: 11 } as const;

/** A paid-social campaign that fits the month (0-11) of the visit. */
export function seasonalCampaign(month: number, r: number): number {
  if (r < 0.35) return r < 0.2 ? 8 : 9; // always-on retargeting / lookalike
  if (month === 10) return 6;
  if (month === 11) return 7;
  if (month >= 2 && month <= 4) return 3;
  if (month >= 5 && month <= 7) return month === 7 && r > 0.7 ? 5 : 4;
  if (month === 8) return 5;
  return 10;
}

/** Education codes, in increasing order (income rises with them). */
export const EDUCATION = ['High School', 'Some College', "Associate's", "Bachelor's", "Master's", 'Doctorate'] as const;
/** Share of users per education code. */
export const EDUCATION_W = [22, 18, 10, 30, 15, 5];
/** Income multiplier per education code. */
export const EDUCATION_INCOME = [0.7, 0.8, 0.88, 1.15, 1.4, 1.65];

/** Marital status codes. */
export const MARITAL = ['single', 'married', 'divorced', 'widowed', 'partnered'] as const;

/** Browser codes. */
export const BROWSERS = ['Chrome', 'Safari', 'Firefox', 'Edge', 'Samsung Internet', 'Opera'] as const;
/** OS codes. */
export const OSES = ['iOS', 'Android', 'Windows', 'macOS', 'Linux', 'ChromeOS', 'iPadOS'] as const;

/** Email domains (the address itself is built in SQL from the name pools). */
export const EMAIL_DOMAINS = ['gmail.com', 'yahoo.com', 'outlook.com', 'hotmail.com', 'icloud.com', 'aol.com', 'proton.me', 'mail.com'] as const;
/** Share of users per email domain. */
export const EMAIL_DOMAIN_W = [45, 12, 12, 8, 13, 3, 4, 3];

/** Product categories; the same order indexes CATEGORY_SEASON and the catalogue. */
export const CATEGORIES = ['Electronics', 'Clothing', 'Home & Garden', 'Beauty', 'Sports', 'Books', 'Toys', 'Pet Supplies'] as const;
/** Share of users naming each category as preferred. */
export const CATEGORY_W = [18, 20, 14, 13, 11, 8, 9, 7];

/** Category interest by month (Jan..Dec): toys and electronics surge for the holidays, garden in spring. */
export const CATEGORY_SEASON: readonly (readonly number[])[] = [
  [1.0, 0.9, 0.9, 0.9, 0.9, 1.0, 1.0, 1.1, 1.0, 1.0, 1.5, 1.7],
  [1.0, 0.9, 1.0, 1.0, 1.0, 1.0, 1.0, 1.2, 1.2, 1.0, 1.2, 1.3],
  [0.7, 0.8, 1.3, 1.5, 1.5, 1.3, 1.1, 0.9, 0.9, 0.9, 0.9, 1.0],
  [1.0, 1.3, 1.0, 1.0, 1.1, 1.0, 1.0, 1.0, 1.0, 1.0, 1.2, 1.5],
  [1.4, 1.1, 1.1, 1.1, 1.2, 1.3, 1.3, 1.1, 0.9, 0.9, 0.9, 1.0],
  [1.1, 1.0, 1.0, 1.0, 1.0, 1.1, 1.1, 1.1, 1.0, 1.0, 1.1, 1.4],
  [0.7, 0.7, 0.8, 0.8, 0.8, 0.9, 0.9, 0.9, 0.9, 1.1, 2.0, 2.8],
  [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.2],
];
