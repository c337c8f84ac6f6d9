// Verification (/verify/{code}, public): what a certificate's QR code opens, and where an employer types the code
// printed on it. The status is live (valid, expired, revoked, withdrawn, superseded or no longer available), shown by a word
// and an icon as well as a colour. /verify alone shows the form. Not indexed: the page adds a robots meta while
// it shows (app.js removes it on the next page), as the API does for its answer.
import { ApiError, api, button, dateText, errorText, field, h, navigate, onSubmit, page, showError } from "../core.js";

const KIND = { accreditation: "Accreditation", certification: "Certification" };

// status → [icon, word, what it means]
const VERDICTS = {
  valid: ["✓", "Valid", "This certificate is genuine and its credential is valid today."],
  expired: ["!", "Expired", "This certificate is genuine, but its credential has expired: it was not renewed in time."],
  revoked: ["✕", "Revoked", "This certificate is genuine, but the program revoked its credential: it no longer counts."],
  withdrawn: ["↻", "Withdrawn", "This certificate was withdrawn and replaced by a corrected one."],
  superseded: ["↻", "Superseded", "This certificate is genuine, but it is no longer valid: at its holder's request, the program issued it again in another name."],
  unavailable: ["–", "No longer available", "The holder's data is no longer available: this certificate cannot be checked any more."],
};

// Typed or scanned, with or without dashes and spaces, in small letters: the address shows it as printed.
// A certificate id (C-XXXX-XXXX-XXXX, printed above the code) keeps its own shape: the answer says where the code is.
function tidy(typed) {
  const compact = typed.replace(/[\s-]+/g, "").toUpperCase();
  if (/^C[0-9A-Z]{12}$/.test(compact)) return `C-${compact.slice(1).match(/.{4}/g).join("-")}`;
  return compact.match(/.{1,4}/g)?.join("-") || "";
}

function noindex() {
  if (!document.head.querySelector('meta[name="robots"]')) document.head.append(h("meta", { name: "robots", content: "noindex" }));
}

function fact(term, value) {
  return value ? [h("dt", {}, term), h("dd", {}, value)] : [];
}

function verdict(answer) {
  const [icon, word, meaning] = VERDICTS[answer.status] || ["?", answer.status, ""];
  const credential = answer.credential;
  const lines = [];
  if (answer.status === "withdrawn" && answer.replaced_by) {
    const replacement = h("span", { class: "cert-id" }, answer.replaced_by);
    lines.push(h("p", {}, "It was replaced by certificate ", replacement, ". Ask its holder for the new certificate, and check the code printed on it."));
  }
  if (answer.status === "superseded") {
    lines.push(h("p", {}, "Ask its holder for their current certificate, and check the code printed on it."));
  }
  return h(
    "section",
    { class: `panel verdict verdict-${answer.status}`, "aria-labelledby": "verdict-title" },
    h("h2", { id: "verdict-title", class: "verdict-title" }, h("span", { class: "verdict-icon", "aria-hidden": "true" }, icon), word),
    h("p", { class: "verdict-meaning" }, meaning),
    ...lines,
    h(
      "dl",
      { class: "facts" },
      fact("Holder", answer.holder_name),
      fact("Credential", credential?.title),
      fact("Kind", credential ? KIND[credential.kind] || credential.kind : null),
      fact("Earned", dateText(answer.earned_at)),
      fact({ valid: "Valid until", expired: "Expired" }[answer.status] || "Expires", dateText(answer.expires_at)),
      fact("Revoked", dateText(answer.revoked_at)),
      fact("Superseded on", dateText(answer.superseded_at)),
      fact("Certificate", h("span", { class: "cert-id" }, answer.certificate_id)),
      fact("Checked at", dateText(answer.checked_at, { time: true })),
    ),
  );
}

function codeForm(code) {
  const form = h(
    "form",
    { "aria-labelledby": "check-title", class: "verify-form" },
    field("Verification code", "code", {
      value: code,
      required: true,
      maxlength: 64,
      autocomplete: "off",
      autocapitalize: "characters",
      spellcheck: "false",
      hint: "16 letters and digits, as printed on the certificate. Dashes, spaces and small letters are fine.",
    }),
    h("div", { class: "actions" }, button("Check")),
  );
  return onSubmit(form, async ({ code: typed }) => {
    const next = tidy(typed);
    if (next) await navigate(`/verify/${encodeURIComponent(next)}`);
  });
}

export default async function render(main) {
  noindex();
  const code = decodeURIComponent(location.pathname.slice("/verify/".length));
  if (!code) {
    const intro = h("p", {}, "Anyone can check a CertTracker certificate here: its holder, its credential and whether it is valid today.");
    page(main, "Verify a certificate", intro, h("section", { class: "panel narrow", "aria-labelledby": "check-title" }, h("h2", { id: "check-title" }, "Check a code"), codeForm("")));
    return;
  }
  let answer = null;
  let failure = null;
  try {
    answer = await api("GET", `/verify/${encodeURIComponent(code)}`, { quiet401: true });
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    failure = error;
  }
  const form = codeForm(failure ? code : "");
  const check = h("section", { class: "panel narrow", "aria-labelledby": "check-title" }, h("h2", { id: "check-title" }, failure ? "Check the code" : "Check another code"), form);
  if (answer) {
    page(main, "Certificate verification", verdict(answer), check);
    return;
  }
  // A typing mistake (or no code at all) is told at the field; an unknown code, or too many checks, above it.
  if (failure.field === "code") {
    page(main, "Certificate verification", check);
    showError(form, failure);
    return;
  }
  const unknown = failure.code === "unknown_code";
  const text = unknown ? `No certificate has the code ${code}. Check it against the certificate, or ask its holder.` : errorText(failure);
  page(main, "Certificate verification", h("p", { class: "notice notice-error", role: "alert" }, text), check);
}
