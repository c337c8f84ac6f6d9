// What the account pages (profile, preferences, privacy) share: the email topics in words, the country list,
// and where a wrong current password is shown.
import { ApiError } from "../core.js";

// The notification kinds of GET/PUT /me/preferences (and of consent changes in the profile history).
export const TOPICS = {
  exam_results: ["Exam and assessment results", "An email when a new result arrives."],
  expiry_reminders: ["Expiry reminders", "An email before a certification or accreditation expires."],
  share_views: ["Views of credentials you shared", "An email when someone opens a link to your credentials."],
  support_replies: ["Replies to your support requests", "An email when the Program Support Team answers."],
};
export const MARKETING = ["Program news", "Occasional news about the certification program: new exams and tracks, events and offers."];

// The API answers a wrong current password with 403 wrong_password and no field: it belongs at the password
// field of the form that sent it.
export function atPasswordField(error, name) {
  if (error instanceof ApiError && error.code === "wrong_password" && !error.field) error.field = name;
  return error;
}

// The countries the API accepts (ISO 3166-1 alpha-2, the codes of layers/common/python/certtracker/core/countries.py),
// named in the reader's own language by the browser (Intl.DisplayNames), so no table of names is shipped.

const CODES =
  "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW " +
  "BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI " +
  "FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN " +
  "IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME " +
  "MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF " +
  "PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV " +
  "SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE " +
  "YT ZA ZM ZW";

// [[code, name], …] sorted by name, for field(…, { options }); `first` goes on top (a "none" choice).
export function countryOptions(first = []) {
  let names;
  try {
    names = new Intl.DisplayNames([navigator.language, "en"], { type: "region" });
  } catch {
    names = { of: (code) => code };
  }
  const named = CODES.split(" ").map((code) => [code, names.of(code) || code]);
  named.sort((a, b) => a[1].localeCompare(b[1]));
  return [...first, ...named];
}
