/**
 * Country names, one table per language, keyed by ISO 3166-1 alpha-2 code. Read them through
 * app/utils/format.ts (countryName, countryOptions), which picks the table for the reader's locale.
 *
 * The names are fixed tables (the English one taken once from ICU: it equals Node's
 * Intl.DisplayNames("en")), not Intl.DisplayNames at run time: Node and browsers ship different ICU
 * data (Chromium 156 writes "Hong Kong", "Macao", "Palestine" and "Falkland Islands (Islas
 * Malvinas)" where Node 20 writes the names below), and a name that differs between the server
 * render and the browser breaks hydration. A language without a table reads the English one.
 */
const EN: Readonly<Record<string, string>> = {
  AD: "Andorra", AE: "United Arab Emirates", AF: "Afghanistan", AG: "Antigua & Barbuda", AI: "Anguilla",
  AL: "Albania", AM: "Armenia", AO: "Angola", AQ: "Antarctica", AR: "Argentina", AS: "American Samoa", AT: "Austria",
  AU: "Australia", AW: "Aruba", AX: "Åland Islands", AZ: "Azerbaijan", BA: "Bosnia & Herzegovina", BB: "Barbados",
  BD: "Bangladesh", BE: "Belgium", BF: "Burkina Faso", BG: "Bulgaria", BH: "Bahrain", BI: "Burundi", BJ: "Benin",
  BL: "St. Barthélemy", BM: "Bermuda", BN: "Brunei", BO: "Bolivia", BQ: "Caribbean Netherlands", BR: "Brazil",
  BS: "Bahamas", BT: "Bhutan", BV: "Bouvet Island", BW: "Botswana", BY: "Belarus", BZ: "Belize", CA: "Canada",
  CC: "Cocos (Keeling) Islands", CD: "Congo - Kinshasa", CF: "Central African Republic", CG: "Congo - Brazzaville",
  CH: "Switzerland", CI: "Côte d’Ivoire", CK: "Cook Islands", CL: "Chile", CM: "Cameroon", CN: "China",
  CO: "Colombia", CR: "Costa Rica", CU: "Cuba", CV: "Cape Verde", CW: "Curaçao", CX: "Christmas Island", CY: "Cyprus",
  CZ: "Czechia", DE: "Germany", DJ: "Djibouti", DK: "Denmark", DM: "Dominica", DO: "Dominican Republic",
  DZ: "Algeria", EC: "Ecuador", EE: "Estonia", EG: "Egypt", EH: "Western Sahara", ER: "Eritrea", ES: "Spain",
  ET: "Ethiopia", FI: "Finland", FJ: "Fiji", FK: "Falkland Islands", FM: "Micronesia", FO: "Faroe Islands",
  FR: "France", GA: "Gabon", GB: "United Kingdom", GD: "Grenada", GE: "Georgia", GF: "French Guiana", GG: "Guernsey",
  GH: "Ghana", GI: "Gibraltar", GL: "Greenland", GM: "Gambia", GN: "Guinea", GP: "Guadeloupe",
  GQ: "Equatorial Guinea", GR: "Greece", GS: "South Georgia & South Sandwich Islands", GT: "Guatemala", GU: "Guam",
  GW: "Guinea-Bissau", GY: "Guyana", HK: "Hong Kong SAR China", HM: "Heard & McDonald Islands", HN: "Honduras",
  HR: "Croatia", HT: "Haiti", HU: "Hungary", ID: "Indonesia", IE: "Ireland", IL: "Israel", IM: "Isle of Man",
  IN: "India", IO: "British Indian Ocean Territory", IQ: "Iraq", IR: "Iran", IS: "Iceland", IT: "Italy", JE: "Jersey",
  JM: "Jamaica", JO: "Jordan", JP: "Japan", KE: "Kenya", KG: "Kyrgyzstan", KH: "Cambodia", KI: "Kiribati",
  KM: "Comoros", KN: "St. Kitts & Nevis", KP: "North Korea", KR: "South Korea", KW: "Kuwait", KY: "Cayman Islands",
  KZ: "Kazakhstan", LA: "Laos", LB: "Lebanon", LC: "St. Lucia", LI: "Liechtenstein", LK: "Sri Lanka", LR: "Liberia",
  LS: "Lesotho", LT: "Lithuania", LU: "Luxembourg", LV: "Latvia", LY: "Libya", MA: "Morocco", MC: "Monaco",
  MD: "Moldova", ME: "Montenegro", MF: "St. Martin", MG: "Madagascar", MH: "Marshall Islands", MK: "North Macedonia",
  ML: "Mali", MM: "Myanmar (Burma)", MN: "Mongolia", MO: "Macao SAR China", MP: "Northern Mariana Islands",
  MQ: "Martinique", MR: "Mauritania", MS: "Montserrat", MT: "Malta", MU: "Mauritius", MV: "Maldives", MW: "Malawi",
  MX: "Mexico", MY: "Malaysia", MZ: "Mozambique", NA: "Namibia", NC: "New Caledonia", NE: "Niger",
  NF: "Norfolk Island", NG: "Nigeria", NI: "Nicaragua", NL: "Netherlands", NO: "Norway", NP: "Nepal", NR: "Nauru",
  NU: "Niue", NZ: "New Zealand", OM: "Oman", PA: "Panama", PE: "Peru", PF: "French Polynesia", PG: "Papua New Guinea",
  PH: "Philippines", PK: "Pakistan", PL: "Poland", PM: "St. Pierre & Miquelon", PN: "Pitcairn Islands",
  PR: "Puerto Rico", PS: "Palestinian Territories", PT: "Portugal", PW: "Palau", PY: "Paraguay", QA: "Qatar",
  RE: "Réunion", RO: "Romania", RS: "Serbia", RU: "Russia", RW: "Rwanda", SA: "Saudi Arabia", SB: "Solomon Islands",
  SC: "Seychelles", SD: "Sudan", SE: "Sweden", SG: "Singapore", SH: "St. Helena", SI: "Slovenia",
  SJ: "Svalbard & Jan Mayen", SK: "Slovakia", SL: "Sierra Leone", SM: "San Marino", SN: "Senegal", SO: "Somalia",
  SR: "Suriname", SS: "South Sudan", ST: "São Tomé & Príncipe", SV: "El Salvador", SX: "Sint Maarten", SY: "Syria",
  SZ: "Eswatini", TC: "Turks & Caicos Islands", TD: "Chad", TF: "French Southern Territories", TG: "Togo",
  TH: "Thailand", TJ: "Tajikistan", TK: "Tokelau", TL: "Timor-Leste", TM: "Turkmenistan", TN: "Tunisia", TO: "Tonga",
  TR: "Türkiye", TT: "Trinidad & Tobago", TV: "Tuvalu", TW: "Taiwan", TZ: "Tanzania", UA: "Ukraine", UG: "Uganda",
  UM: "U.S. Outlying Islands", US: "United States", UY: "Uruguay", UZ: "Uzbekistan", VA: "Vatican City",
  VC: "St. Vincent & Grenadines", VE: "Venezuela", VG: "British Virgin Islands", VI: "U.S. Virgin Islands",
  VN: "Vietnam", VU: "Vanuatu", WF: "Wallis & Futuna", WS: "Samoa", YE: "Yemen", YT: "Mayotte", ZA: "South Africa",
  ZM: "Zambia", ZW: "Zimbabwe",
};

/** Each language's table; issue 33 adds da, de, nb and ru with the same codes. */
const COUNTRY_NAMES: Readonly<Record<string, Readonly<Record<string, string>>>> = { en: EN };

/** Every known code: the values a country field accepts. */
export const COUNTRY_CODES = Object.keys(EN);

/** The table for a BCP 47 locale ("en-GB" reads "en"); English where there is none. */
export function countryNames(locale: string): Readonly<Record<string, string>> {
  return COUNTRY_NAMES[locale.split("-")[0]!.toLowerCase()] ?? EN;
}

/**
 * Names in alphabetical order, accents ignored ("Åland Islands" with the A's). Deterministic, not
 * localeCompare or Intl.Collator: the server and the browser must agree on the order, or hydration
 * fails. (A language whose alphabet this order does not fit, such as Danish with æ, ø, å after z,
 * should get its own sort key here when its table is added.)
 */
const sortKey = (name: string) => name.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();
const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

type CountryOption = { code: string; name: string };
const sorted = new Map<Readonly<Record<string, string>>, { options: readonly CountryOption[]; order: Map<string, number> }>();

function sortedFor(names: Readonly<Record<string, string>>) {
  let s = sorted.get(names);
  if (!s) {
    const options = Object.entries(names)
      .map(([code, name]) => ({ code, name, key: sortKey(name) }))
      .sort((a, b) => compare(a.key, b.key))
      .map(({ code, name }) => ({ code, name }));
    s = { options, order: new Map(options.map((c, i) => [c.code, i])) };
    sorted.set(names, s); // one entry per table, so bounded by the number of languages
  }
  return s;
}

/** Every country as an option, in alphabetical order of its name in the locale's language. */
export function countryOptions(locale: string): readonly CountryOption[] {
  return sortedFor(countryNames(locale)).options;
}

/** Options for the given codes, in the same order as countryOptions (unknown codes last, by code). */
export function countryOptionsFor(codes: readonly string[], locale: string): CountryOption[] {
  const names = countryNames(locale);
  const { order } = sortedFor(names);
  return [...new Set(codes)]
    .map((code) => ({ code, name: names[code] ?? code, at: order.get(code) ?? Number.MAX_SAFE_INTEGER }))
    .sort((a, b) => a.at - b.at || compare(a.code, b.code))
    .map(({ code, name }) => ({ code, name }));
}
