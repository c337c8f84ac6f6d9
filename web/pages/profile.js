// My profile: contact and demographic data (PATCH /me/profile), the email address (a link to the new one,
// with the current password), the password (PUT /me/password) and the history of changes.
import { ApiError, api, button, dateText, errorText, field, h, link, notice, onSubmit, page, session } from "../core.js";
import { MARKETING, TOPICS, atPasswordField, countryOptions } from "./account.js";

// The languages the API accepts, each in its own words.
const LANGUAGES = [
  ["", "No preference"],
  ["en", "English"],
  ["de", "Deutsch"],
  ["es", "Español"],
  ["fr", "Français"],
  ["it", "Italiano"],
  ["ja", "日本語"],
  ["ko", "한국어"],
  ["pt-BR", "Português (Brasil)"],
  ["zh-CN", "简体中文"],
  ["zh-TW", "繁體中文"],
];
const REQUIRED = ["first_name", "last_name", "country"];
const OPTIONAL = ["phone", "company", "job_role", "preferred_language"];
const ADDRESS = ["line1", "line2", "city", "region", "postal_code", "country"];
const LABELS = {
  first_name: "First name",
  last_name: "Last name",
  phone: "Phone",
  company: "Company",
  job_role: "Job role",
  country: "Country",
  preferred_language: "Preferred language",
  address: "Address",
};

// ------------------------------------------------------------------ contact and demographic data
const IN_WORDS = {
  phone: "Not a valid phone number: write it with its country code, such as +44 20 7946 0958.",
  "address.postal_code": "A postal code has letters, digits, spaces and hyphens only, up to 16.",
};

// Only what changed is sent; an emptied optional field is sent as null, which removes it.
function changesOf(typed, profile) {
  const patch = {};
  for (const name of REQUIRED) {
    if (typed[name].trim() !== profile[name]) patch[name] = typed[name].trim();
  }
  for (const name of OPTIONAL) {
    const value = typed[name].trim() || null;
    if (value !== (profile[name] ?? null)) patch[name] = value;
  }
  const address = {};
  for (const part of ADDRESS) {
    const value = typed[`address.${part}`].trim() || null;
    if (value !== (profile.address?.[part] ?? null)) address[part] = value;
  }
  if (Object.keys(address).length) patch.address = address;
  return patch;
}

function languageName(code) {
  return (LANGUAGES.find(([value]) => value === code) || [code, code])[1];
}

function savedText(patch, profile) {
  const parts = Object.keys(patch).map((name) => {
    if (name === "address") return profile.address ? "address updated" : "address removed";
    const value = profile[name];
    if (value === null || value === undefined) return `${LABELS[name].toLowerCase()} removed`;
    const shown = name === "preferred_language" ? languageName(value) : name === "country" ? countryName(value) : value;
    return `${LABELS[name].toLowerCase()}: ${shown}`;
  });
  return `Your details are saved — ${parts.join("; ")}.`;
}

function countryName(code) {
  return (countryOptions().find(([value]) => value === code) || [code, code])[1];
}

function detailsForm(profile, onSaved, status) {
  const address = profile.address || {};
  const countries = countryOptions();
  const form = h(
    "form",
    { "aria-labelledby": "details-title" },
    h(
      "div",
      { class: "form-grid" },
      field("First name", "first_name", { value: profile.first_name, required: true, maxlength: 100, autocomplete: "given-name" }),
      field("Last name", "last_name", { value: profile.last_name, required: true, maxlength: 100, autocomplete: "family-name" }),
      field("Phone", "phone", {
        type: "tel",
        value: profile.phone,
        maxlength: 32,
        autocomplete: "tel",
        hint: "With its country code, such as +44 20 7946 0958; without one it is read as a number in your country.",
      }),
      field("Company", "company", { value: profile.company, maxlength: 100, autocomplete: "organization" }),
      field("Job role", "job_role", { value: profile.job_role, maxlength: 100, autocomplete: "organization-title" }),
      field("Country", "country", { options: countries, value: profile.country, required: true, autocomplete: "country" }),
      field("Preferred language", "preferred_language", { options: LANGUAGES, value: profile.preferred_language || "" }),
    ),
    h(
      "fieldset",
      {},
      h("legend", {}, "Postal address (optional)"),
      h(
        "div",
        { class: "form-grid" },
        field("Address line 1", "address.line1", { value: address.line1, maxlength: 200, autocomplete: "address-line1" }),
        field("Address line 2", "address.line2", { value: address.line2, maxlength: 200, autocomplete: "address-line2" }),
        field("Town or city", "address.city", { value: address.city, maxlength: 100, autocomplete: "address-level2" }),
        field("State, province or region", "address.region", { value: address.region, maxlength: 100, autocomplete: "address-level1" }),
        field("Postal code", "address.postal_code", { value: address.postal_code, maxlength: 16, autocomplete: "postal-code" }),
        field("Country of the address", "address.country", {
          options: countryOptions([["", "Not given"]]),
          value: address.country || "",
        }),
      ),
      h("p", { class: "hint" }, "Empty a field and save to remove it."),
    ),
    h("div", { class: "actions" }, button("Save my details")),
  );
  onSubmit(form, async (typed) => {
    const patch = changesOf(typed, profile);
    if (!Object.keys(patch).length) {
      notice(status, "Nothing has changed, so nothing was saved.", { kind: "info" });
      return;
    }
    let saved;
    try {
      saved = await api("PATCH", "/me/profile", { body: patch });
    } catch (error) {
      // The API's pattern messages quote a regular expression: say it in words at those fields.
      if (error.code === "validation_error" && error.field in IN_WORDS) error.message = IN_WORDS[error.field];
      throw error;
    }
    if ("first_name" in patch || "last_name" in patch || "country" in patch) session.forgetMe();
    onSaved(saved, savedText(patch, saved));
  });
  return form;
}

// ------------------------------------------------------------------ email address
function emailSection(profile, onChanged, status) {
  const facts = h("dl", { class: "facts" }, h("dt", {}, "Login email"), h("dd", {}, profile.email));
  const pending = [];
  if (profile.pending_email) {
    facts.append(h("dt", {}, "Waiting for"), h("dd", {}, profile.pending_email));
    const keep = h(
      "form",
      {},
      h("p", {}, `Until the link we sent to ${profile.pending_email} is opened (within 24 hours), ${profile.email} stays your login email.`),
      h("div", { class: "actions" }, button(`Keep ${profile.email} instead`, { class: "secondary" })),
    );
    onSubmit(keep, async () => {
      const saved = await api("PATCH", "/me/profile", { body: { email: profile.email } });
      onChanged(saved, `The change is cancelled: ${saved.email} stays your login email, and the link sent to the other address no longer works.`);
    });
    pending.push(keep);
  }
  const form = h(
    "form",
    { "aria-labelledby": "new-email-title" },
    h("h3", { id: "new-email-title" }, profile.pending_email ? "Use a different new address" : "Change your email address"),
    h(
      "p",
      { class: "hint" },
      "We email a link to the new address, and tell your current address about the change at once, with a way to cancel it. The new address becomes your login email when its link is opened.",
    ),
    field("New email address", "email", { type: "email", required: true, maxlength: 254, autocomplete: "email", autocapitalize: "none", spellcheck: "false" }),
    field("Your current password", "current_password", {
      type: "password",
      required: true,
      maxlength: 1024,
      autocomplete: "current-password",
      hint: "Needed for this change, so that nobody else using your session can take over the account.",
    }),
    h("div", { class: "actions" }, button("Send the link")),
  );
  onSubmit(form, async ({ email, current_password }) => {
    if (email.trim().toLowerCase() === profile.email.toLowerCase() && !profile.pending_email) {
      throw new ApiError(422, { field: "email", message: "That is already your login email." });
    }
    let saved;
    try {
      saved = await api("PATCH", "/me/profile", { body: { email: email.trim(), current_password } });
    } catch (error) {
      throw atPasswordField(error, "current_password");
    }
    onChanged(saved, saved.message || `${saved.email} stays your login email.`);
  });
  return h("section", { class: "panel", "aria-labelledby": "email-title" }, h("h2", { id: "email-title" }, "Email address"), status, facts, ...pending, form);
}

// ------------------------------------------------------------------ password
function passwordSection() {
  const status = h("div");
  const section = h("section", { class: "panel", "aria-labelledby": "password-title" }, h("h2", { id: "password-title" }, "Password"), status);
  const form = h(
    "form",
    { "aria-labelledby": "password-title" },
    field("Current password", "current_password", { type: "password", required: true, maxlength: 1024, autocomplete: "current-password" }),
    field("New password", "new_password", {
      type: "password",
      required: true,
      minlength: 12,
      maxlength: 128,
      autocomplete: "new-password",
      hint: "At least 12 characters. A few unrelated words work well; a common or repeated password is refused.",
    }),
    h("p", { class: "hint" }, "Changing it signs you out everywhere else, and cancels an email change that is waiting."),
    h("div", { class: "actions" }, button("Change the password")),
  );
  onSubmit(form, async ({ current_password, new_password }) => {
    try {
      await api("PUT", "/me/password", { body: { current_password, new_password } });
    } catch (error) {
      throw atPasswordField(error, "current_password");
    }
    form.reset();
    notice(status, "Your password is changed. Every other session of your account has ended, and we emailed you about the change.");
    section.dispatchEvent(new CustomEvent("password-changed", { bubbles: true }));
  });
  section.append(form);
  return section;
}

// ------------------------------------------------------------------ history
const VIA = {
  link: " (from the link sent to the old address)",
  password: " (by the password change)",
  registration: " (at registration)",
  unsubscribe_link: " (from an email's unsubscribe link)",
};

function consentText({ topic, value, privacy_notice_version }) {
  if (topic === "privacy_notice") return `Privacy notice ${privacy_notice_version || ""} accepted`.replace("  ", " ");
  const [label] = topic === "marketing" ? MARKETING : TOPICS[topic] || [topic];
  return `${label} emails: ${value ? "on" : "off"}`;
}

function describe({ kind, details }) {
  const via = VIA[details.via] || "";
  switch (kind) {
    case "name_changed":
      return `Name changed from ${details.previous} to ${details.current}`;
    case "email_change_requested":
      return `Asked to change the email address to ${details.requested}`;
    case "email_change_cancelled":
      return `Change of the email address to ${details.cancelled} cancelled${via}`;
    case "email_changed":
      return `Email address changed from ${details.previous} to ${details.current}`;
    case "consent_changed":
      return consentText(details) + via;
    default:
      return kind.replaceAll("_", " ");
  }
}

async function historySection() {
  const section = h(
    "section",
    { "aria-labelledby": "history-title" },
    h("h2", { id: "history-title" }, "Change history"),
    h("p", { class: "muted" }, "Changes of your name, email address and email choices, newest first."),
  );
  let entries;
  try {
    entries = await api("GET", "/me/profile/history");
  } catch (error) {
    section.append(h("p", { role: "alert", class: "form-error" }, errorText(error)));
    return section;
  }
  if (!entries.length) {
    section.append(h("p", {}, "No changes yet."));
    return section;
  }
  section.append(
    h(
      "table",
      { class: "stack", "aria-labelledby": "history-title" },
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "When"), h("th", { scope: "col" }, "What changed"))),
      h(
        "tbody",
        {},
        entries.map((entry) =>
          h("tr", {}, h("td", { "data-label": "When" }, dateText(entry.at, { time: true })), h("td", { "data-label": "What" }, describe(entry))),
        ),
      ),
    ),
  );
  return section;
}

// ------------------------------------------------------------------ the page
// The form that was sent is built anew with the saved values; focus goes to the message saying so.
function announce(message) {
  message.setAttribute("tabindex", "-1");
  message.focus();
}

export default async function render(main, { me }) {
  const [profile, history] = await Promise.all([api("GET", "/me/profile"), historySection()]);
  let state = profile;

  const details = h("section", { "aria-labelledby": "details-title" });
  const email = h("div");
  const historyHolder = h("div", {}, history);

  async function refreshHistory() {
    historyHolder.replaceChildren(await historySection());
  }
  function showDetails(message) {
    const status = h("div");
    details.replaceChildren(h("h2", { id: "details-title" }, "Contact details"), status, detailsForm(state, saved, status));
    if (message) announce(notice(status, message));
  }
  function showEmail(message) {
    const status = h("div");
    email.replaceChildren(emailSection(state, changed, status));
    if (message) announce(notice(status, message));
  }
  function saved(profileNow, message) {
    state = profileNow;
    showDetails(message);
    refreshHistory();
  }
  function changed(profileNow, message) {
    state = profileNow;
    showEmail(message);
    refreshHistory();
  }

  showDetails();
  showEmail();
  const password = passwordSection();
  // A password change cancels a waiting email change: show the profile as it is now.
  password.addEventListener("password-changed", async () => {
    try {
      state = await api("GET", "/me/profile");
      showEmail();
      refreshHistory();
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
    }
  });
  const elsewhere = h(
    "p",
    { class: "muted" },
    "Which emails you receive is in your ",
    link("/preferences", "email preferences"),
    "; downloading your data or deleting your account is under ",
    link("/privacy", "privacy"),
    ".",
  );
  // An account PartnerNet keeps: its partner company gets credit for the credentials (issue 15).
  const partner = me.partner_id
    ? h("p", { class: "notice notice-info" }, `Your account belongs to ${me.partner_name || `partner ${me.partner_id}`} in PartnerNet: your credentials count toward its partner program requirements. `, me.partner_manager ? link("/company", "See your company's credit") : "")
    : null;
  page(main, "Your profile", partner, details, h("div", { class: "columns columns-even" }, email, password), historyHolder, elsewhere);
}

