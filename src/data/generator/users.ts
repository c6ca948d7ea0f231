// Generate users into typed arrays: demographics, location, acquisition channel, sign-up time, and the hidden
// behaviour traits (activity, purchase propensity) that the session simulation reads.
import { Prng, cumulative } from './prng.ts';
import { CATEGORY_W, CHANNELS, EDUCATION_INCOME, EMAIL_DOMAIN_W, seasonalCampaign } from './codes.ts';
import { DAY_MS, type GenParams } from './params.ts';
import { dayOf, sampleSignup, type Calendar } from './calendar.ts';
import { pickAge, pickDevice, pickEducation, pickHousehold, pickMarital, pickPlatform } from './user-traits.ts';
import { languages, type Vocab } from './vocab.ts';
import { incomeBand } from './catalog.ts';
import type { Column } from './arrow.ts';

/** Share of users who signed up before the period starts. */
const PRE_PERIOD = 0.3;

/** Users as parallel arrays (index = user_idx, ordered by sign-up time). */
export interface Users {
  n: number;
  signup: Float64Array;
  place: Int16Array;
  device: Int8Array;
  channel: Int8Array;
  campaign: Int8Array;
  prefCat: Int8Array;
  newsletter: Int8Array;
  band: Int8Array; // income band, for price affinity
  activity: Float64Array; // visits per day multiplier (hidden)
  prop: Float64Array; // purchase propensity multiplier (hidden)
  columns: Record<string, Column>; // the stg_users table
}

/** Draw all users for the params; sign-ups are sorted so U000001 is the oldest account. */
export function generateUsers(p: GenParams, cal: Calendar, vocab: Vocab, rng: Prng): Users {
  const n = p.users;
  const pl = vocab.places;
  const placeCum = cumulative(pl.weight);
  const offsets = pl.offset;
  const langs = languages(vocab);
  const langCode = pl.lang.map((l) => langs.indexOf(l));
  const esUS = langs.indexOf('es-US');
  const chYoung = cumulative(CHANNELS.map((c) => Math.max(0.5, c.weight + c.youth)));
  const chOld = cumulative(CHANNELS.map((c) => c.weight));
  const domCum = cumulative(EMAIL_DOMAIN_W);
  const catCum = [
    cumulative(CATEGORY_W.map((w, c) => w * (c === 3 ? 2.2 : c === 1 ? 1.3 : c === 0 ? 0.7 : 1))),
    cumulative(CATEGORY_W.map((w, c) => w * (c === 0 ? 1.6 : c === 4 ? 1.5 : c === 3 ? 0.3 : 1))),
    cumulative(CATEGORY_W),
  ];
  const i8 = (): Int8Array => new Int8Array(n);
  const place = new Int16Array(n);
  const signup = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    place[i] = rng.pickCum(placeCum);
    signup[i] = rng.chance(PRE_PERIOD)
      ? cal.start - 1 - Math.floor(rng.next() * 730 * DAY_MS)
      : sampleSignup(rng, cal, offsets[place[i]]);
  }
  // Sort by sign-up; places travel with their times.
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => signup[a] - signup[b] || a - b);
  const sortedSignup = Float64Array.from(order, (i) => signup[i]);
  const sortedPlace = Int16Array.from(order, (i) => place[i]);
  const u = {
    gender: i8(), age: i8(), edu: i8(), marital: i8(), household: i8(), device: i8(), os: i8(), browser: i8(),
    channel: i8(), campaign: i8(), prefCat: i8(), newsletter: i8(), consent: i8(), sms: i8(), lang: i8(),
    emailStyle: i8(), emailDomain: i8(), band: i8(),
    first: new Int16Array(n), last: new Int16Array(n), job: new Int16Array(n),
    phoneArea: new Int16Array(n), phoneLocal: new Int32Array(n),
    income: new Float64Array(n), activity: new Float64Array(n), prop: new Float64Array(n),
  };
  const femaleN = vocab.femaleCount;
  const maleN = vocab.first.length - femaleN;
  for (let i = 0; i < n; i++) {
    const pc = sortedPlace[i];
    const g = rng.next();
    const gender = g < 0.49 ? 0 : g < 0.96 ? 1 : g < 0.98 ? 2 : 3;
    const age = pickAge(rng);
    const edu = pickEducation(rng, age);
    const ageCurve = 1 - ((age - 50) / 40) ** 2 * 0.6;
    const income = 58_000 * EDUCATION_INCOME[edu] * ageCurve * pl.income[pc] * Math.exp(0.42 * rng.normal());
    const marital = pickMarital(rng, age);
    const device = pickDevice(rng, age);
    const [os, browser] = pickPlatform(rng, device);
    const ch = rng.pickCum(age < 30 ? chYoung : chOld);
    const camps = CHANNELS[ch].campaigns;
    const month = cal.month[dayOf(cal, sortedSignup[i])];
    const campaign =
      camps.length === 0 ? -1 : CHANNELS[ch].medium === 'paid_social' ? seasonalCampaign(month, rng.next()) : camps[rng.int(camps.length)];
    const newsletter = CHANNELS[ch].medium === 'email' || rng.chance(age > 40 ? 0.4 : 0.3) ? 1 : 0;
    const consent = newsletter || rng.chance(0.35) ? 1 : 0;
    const isFemale = gender === 0 || (gender >= 2 && rng.chance(0.5));
    u.first[i] = isFemale ? rng.int(femaleN) : femaleN + rng.int(maleN);
    u.last[i] = rng.int(vocab.last.length);
    u.gender[i] = gender;
    u.age[i] = age;
    u.edu[i] = edu;
    u.income[i] = Math.max(8_000, Math.round(income / 100) * 100);
    u.band[i] = incomeBand(u.income[i]);
    u.marital[i] = marital;
    u.household[i] = pickHousehold(rng, marital, age);
    u.job[i] = rng.int(vocab.jobs.length);
    u.device[i] = device;
    u.os[i] = os;
    u.browser[i] = browser;
    u.channel[i] = ch;
    u.campaign[i] = campaign;
    u.prefCat[i] = rng.pickCum(catCum[gender < 2 ? gender : 2]);
    u.newsletter[i] = newsletter;
    u.consent[i] = consent;
    u.sms[i] = rng.chance(consent ? 0.3 : 0.05) ? 1 : 0;
    u.lang[i] = pl.country[pc] === 'United States' && rng.chance(0.08) ? esUS : langCode[pc];
    u.emailStyle[i] = rng.int(4);
    u.emailDomain[i] = rng.pickCum(domCum);
    u.phoneArea[i] = rng.range(201, 989);
    u.phoneLocal[i] = rng.range(2_000_000, 9_999_999);
    const power = rng.chance(0.012);
    u.activity[i] = Math.min(30, Math.exp(0.8 * rng.normal()) * (power ? 9 : 1));
    u.prop[i] = Math.exp(0.4 * rng.normal()) * (power ? 1.5 : 1) * (0.85 + 0.1 * u.band[i]);
  }
  return {
    n,
    signup: sortedSignup,
    place: sortedPlace,
    device: u.device,
    channel: u.channel,
    campaign: u.campaign,
    prefCat: u.prefCat,
    newsletter: u.newsletter,
    band: u.band,
    activity: u.activity,
    prop: u.prop,
    columns: {
      user_idx: Int32Array.from({ length: n }, (_, i) => i),
      signup_ms: sortedSignup,
      place: sortedPlace,
      first: u.first, last: u.last, gender: u.gender, age: u.age, education: u.edu, income: u.income,
      marital: u.marital, household: u.household, job: u.job, device: u.device, os: u.os, browser: u.browser,
      channel: u.channel, campaign: u.campaign, pref_cat: u.prefCat, newsletter: u.newsletter,
      consent: u.consent, sms: u.sms, lang: u.lang, email_style: u.emailStyle, email_domain: u.emailDomain,
      phone_area: u.phoneArea, phone_local: u.phoneLocal,
    },
  };
}
