// A shared link (/shares/{token}, public): what a candidate forwarded to an employer or a customer. Their name and each
// credential with its status at this moment (a word and an icon as well as a colour), dates, and the public verification
// page of its certificate. Not indexed: the page adds a robots meta while it shows (app.js removes it on the next page).
import { ApiError, api, dateText, errorText, h, page } from "../core.js";

const KIND = { accreditation: "Accreditation", certification: "Certification" };
// status → [icon, word]
const STATUS = { valid: ["✓", "Valid"], expired: ["!", "Expired"], revoked: ["✕", "Revoked"] };

function fact(term, value) {
  return value ? [h("dt", {}, term), h("dd", {}, value)] : [];
}

function credentialCard(credential) {
  const [icon, word] = STATUS[credential.status] || ["?", credential.status];
  const verify = credential.verification_path ? h("p", {}, h("a", { href: credential.verification_path }, "Verify its certificate")) : null;
  return h(
    "li",
    { class: `panel verdict verdict-${credential.status}` },
    h("h2", {}, credential.title),
    h("p", { class: "share-status" }, h("span", { class: "verdict-icon", "aria-hidden": "true" }, icon), word),
    h(
      "dl",
      { class: "facts" },
      fact("Kind", KIND[credential.kind] || credential.kind),
      fact("Earned", dateText(credential.earned_at)),
      fact(credential.status === "expired" ? "Expired" : "Valid until", dateText(credential.expires_at)),
      fact("Revoked", dateText(credential.revoked_at)),
    ),
    verify,
  );
}

export default async function render(main) {
  if (!document.head.querySelector('meta[name="robots"]')) document.head.append(h("meta", { name: "robots", content: "noindex" }));
  const token = location.pathname.slice("/shares/".length);
  let shared;
  try {
    shared = await api("GET", `/shares/${encodeURIComponent(token)}`, { quiet401: true });
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    page(main, "Shared credentials", h("p", { class: "notice notice-error", role: "alert" }, errorText(error)));
    return;
  }
  const note = shared.message ? h("div", { class: "panel" }, h("p", { class: "muted" }, `${shared.holder_name} wrote:`), h("p", { class: "pre-line" }, shared.message)) : null;
  page(
    main,
    `Credentials of ${shared.holder_name}`,
    h("p", {}, `${shared.holder_name} shared these credentials with you. Each status is as of ${dateText(shared.checked_at, { time: true })}; this link works until ${dateText(shared.expires_at)}.`),
    note,
    h("ul", { class: "cards" }, shared.credentials.map(credentialCard)),
    h("p", { class: "muted" }, "The Accreditation and Certification Program keeps these records; a certificate's verification page shows its status too."),
  );
}
