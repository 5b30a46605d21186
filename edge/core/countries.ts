/**
 * ISO 3166-1 country codes for the ACL (PROTOCOL "ACL document": countries are
 * ISO 3166-1 alpha-2, upper case). The list is the officially assigned codes
 * only (249, as published by the ISO 3166 Maintenance Agency and shipped in
 * Debian's iso-codes): no user-assigned code (`XK`, `EU`, `XX`) and no reserved
 * one (`UK`, `EL`), so a typo cannot silently become a code that never matches.
 */

const ALPHA2 = [
  'AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE',
  'BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD',
  'CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM',
  'DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF',
  'GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU',
  'ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN',
  'KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME',
  'MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA',
  'NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM',
  'PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI',
  'SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK',
  'TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI',
  'VN VU WF WS YE YT ZA ZM ZW',
].join(' ');

/** Officially assigned alpha-3 → alpha-2, only to suggest the right code in an error. */
const ALPHA3 = [
  'ABW:AW AFG:AF AGO:AO AIA:AI ALA:AX ALB:AL AND:AD ARE:AE ARG:AR ARM:AM ASM:AS ATA:AQ ATF:TF ATG:AG ',
  'AUS:AU AUT:AT AZE:AZ BDI:BI BEL:BE BEN:BJ BES:BQ BFA:BF BGD:BD BGR:BG BHR:BH BHS:BS BIH:BA BLM:BL ',
  'BLR:BY BLZ:BZ BMU:BM BOL:BO BRA:BR BRB:BB BRN:BN BTN:BT BVT:BV BWA:BW CAF:CF CAN:CA CCK:CC CHE:CH ',
  'CHL:CL CHN:CN CIV:CI CMR:CM COD:CD COG:CG COK:CK COL:CO COM:KM CPV:CV CRI:CR CUB:CU CUW:CW CXR:CX ',
  'CYM:KY CYP:CY CZE:CZ DEU:DE DJI:DJ DMA:DM DNK:DK DOM:DO DZA:DZ ECU:EC EGY:EG ERI:ER ESH:EH ESP:ES ',
  'EST:EE ETH:ET FIN:FI FJI:FJ FLK:FK FRA:FR FRO:FO FSM:FM GAB:GA GBR:GB GEO:GE GGY:GG GHA:GH GIB:GI ',
  'GIN:GN GLP:GP GMB:GM GNB:GW GNQ:GQ GRC:GR GRD:GD GRL:GL GTM:GT GUF:GF GUM:GU GUY:GY HKG:HK HMD:HM ',
  'HND:HN HRV:HR HTI:HT HUN:HU IDN:ID IMN:IM IND:IN IOT:IO IRL:IE IRN:IR IRQ:IQ ISL:IS ISR:IL ITA:IT ',
  'JAM:JM JEY:JE JOR:JO JPN:JP KAZ:KZ KEN:KE KGZ:KG KHM:KH KIR:KI KNA:KN KOR:KR KWT:KW LAO:LA LBN:LB ',
  'LBR:LR LBY:LY LCA:LC LIE:LI LKA:LK LSO:LS LTU:LT LUX:LU LVA:LV MAC:MO MAF:MF MAR:MA MCO:MC MDA:MD ',
  'MDG:MG MDV:MV MEX:MX MHL:MH MKD:MK MLI:ML MLT:MT MMR:MM MNE:ME MNG:MN MNP:MP MOZ:MZ MRT:MR MSR:MS ',
  'MTQ:MQ MUS:MU MWI:MW MYS:MY MYT:YT NAM:NA NCL:NC NER:NE NFK:NF NGA:NG NIC:NI NIU:NU NLD:NL NOR:NO ',
  'NPL:NP NRU:NR NZL:NZ OMN:OM PAK:PK PAN:PA PCN:PN PER:PE PHL:PH PLW:PW PNG:PG POL:PL PRI:PR PRK:KP ',
  'PRT:PT PRY:PY PSE:PS PYF:PF QAT:QA REU:RE ROU:RO RUS:RU RWA:RW SAU:SA SDN:SD SEN:SN SGP:SG SGS:GS ',
  'SHN:SH SJM:SJ SLB:SB SLE:SL SLV:SV SMR:SM SOM:SO SPM:PM SRB:RS SSD:SS STP:ST SUR:SR SVK:SK SVN:SI ',
  'SWE:SE SWZ:SZ SXM:SX SYC:SC SYR:SY TCA:TC TCD:TD TGO:TG THA:TH TJK:TJ TKL:TK TKM:TM TLS:TL TON:TO ',
  'TTO:TT TUN:TN TUR:TR TUV:TV TWN:TW TZA:TZ UGA:UG UKR:UA UMI:UM URY:UY USA:US UZB:UZ VAT:VA VCT:VC ',
  'VEN:VE VGB:VG VIR:VI VNM:VN VUT:VU WLF:WF WSM:WS YEM:YE ZAF:ZA ZMB:ZM ZWE:ZW',
].join('');

export const ISO_COUNTRIES: ReadonlySet<string> = new Set(ALPHA2.split(' '));

/**
 * The country of a viewer CloudFront could not place (PROTOCOL "Viewer IP and
 * country"). It is not ISO, and not in {@link ISO_COUNTRIES}. The ACL validator
 * still accepts it in `countries.allow` and `countries.deny`, because only an
 * explicit entry can say what to do with unplaced viewers: the default list
 * leaves it out, so they are denied unless the customer writes `"XX"`.
 */
export const UNKNOWN_COUNTRY = 'XX';

/** PROTOCOL "ACL decision order", step 4. */
export const DEFAULT_ALLOWED_COUNTRIES: readonly string[] = Object.freeze(['US', 'CA', 'GB', 'AU', 'NZ', 'IE', 'NL']);

const ALPHA3_TO_ALPHA2: ReadonlyMap<string, string> = new Map(
  ALPHA3.split(' ').map((pair) => pair.split(':') as [string, string])
);

/**
 * Codes that look right but are not ISO 3166-1 alpha-2: reserved for the EU's
 * own use (`UK`, `EL`), or withdrawn codes that survive in old lists.
 */
const SLIPS: ReadonlyMap<string, string> = new Map([
  ['UK', 'GB'],
  ['EL', 'GR'],
  ['FX', 'FR'],
  ['TP', 'TL'],
  ['ZR', 'CD'],
  ['BU', 'MM'],
]);

function acceptable(code: string): boolean {
  return ISO_COUNTRIES.has(code) || code === UNKNOWN_COUNTRY;
}

/**
 * The code the writer of `code` most likely meant, for an error message
 * (`"UK"` → `"GB"`, `"us"` → `"US"`, `"DEU"` → `"DE"`), or null when `code`
 * is already acceptable or there is no good guess. Never throws.
 */
export function countryHint(code: string): string | null {
  if (typeof code !== 'string' || code.length < 2 || code.length > 3) return null;
  if (acceptable(code)) return null;
  const upper = code.toUpperCase();
  if (acceptable(upper)) return upper;
  return SLIPS.get(upper) ?? ALPHA3_TO_ALPHA2.get(upper) ?? null;
}
