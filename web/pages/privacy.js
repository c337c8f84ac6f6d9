// Privacy: download everything CertTracker holds about me (GET /me/export), and delete my account (DELETE /me).
import { api, button, field, h, navigate, notice, onSubmit, page, session } from "../core.js";
import { atPasswordField } from "./account.js";

// Tells the goodbye page (account-deleted.js) that this tab just erased its account.
const ERASED_FLAG = "certtracker.erased";

const ERASED = [
  "your profile, username, email address and password: you can no longer sign in;",
  "your email choices, the history of changes to your account, and the links in emails we sent you;",
  "your exam and assessment registrations: an open one can no longer be scheduled or started;",
  "your support requests (the Program Support Team keeps its email conversation with you).",
];

// The export needs the session cookie, so it cannot be a plain link: it is fetched and saved from memory.
function downloadSection() {
  const status = h("div");
  const form = h(
    "form",
    {},
    h("p", {}, "One JSON file with everything CertTracker holds about you: your profile and email choices, the history of changes and consents, your sessions, registrations, results and support requests."),
    h("div", { class: "actions" }, button("Download my data")),
  );
  onSubmit(form, async () => {
    const data = await api("GET", "/me/export");
    const name = `certtracker-my-data-${new Date().toISOString().slice(0, 10)}.json`;
    const url = URL.createObjectURL(new Blob([JSON.stringify(data, null, 2)], { type: "application/json" }));
    const save = h("a", { href: url, download: name, hidden: true }, name);
    document.body.append(save);
    save.click();
    save.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
    notice(status, `Your data is saved as ${name}, in your browser's downloads.`);
  });
  return h("section", { class: "panel", "aria-labelledby": "download-title" }, h("h2", { id: "download-title" }, "Download your data"), status, form);
}

// Two steps: the password, then a last check; only the second sends DELETE /me.
function deleteSection(me) {
  const confirmTitle = h("h3", { id: "confirm-title", tabindex: "-1" }, "Delete your account for good?");
  const keep = h("button", { type: "button", class: "secondary" }, "No, keep my account");
  const confirmStep = h(
    "div",
    { class: "confirm-step", hidden: true, role: "group", "aria-labelledby": "confirm-title" },
    confirmTitle,
    h("p", {}, `The account ${me.username} and everything listed above are erased now. This cannot be undone.`),
    h("div", { class: "actions" }, button("Yes, delete my account", { class: "danger" }), keep),
  );
  const start = h("button", { type: "button", class: "danger" }, "Delete my account…");
  const form = h(
    "form",
    { "aria-labelledby": "delete-title" },
    field("Your password", "password", { type: "password", required: true, maxlength: 1024, autocomplete: "current-password" }),
    h("div", { class: "actions" }, start),
    confirmStep,
  );
  function ask() {
    if (!form.reportValidity()) return;
    start.hidden = true;
    confirmStep.hidden = false;
    confirmTitle.focus();
  }
  start.addEventListener("click", ask);
  keep.addEventListener("click", () => {
    confirmStep.hidden = true;
    start.hidden = false;
    start.focus();
  });
  onSubmit(form, async ({ password }) => {
    if (confirmStep.hidden) {
      ask(); // Enter in the password field: the last check comes first
      return;
    }
    try {
      await api("DELETE", "/me", { body: { password } });
    } catch (error) {
      throw atPasswordField(error, "password");
    }
    session.end();
    sessionStorage.setItem(ERASED_FLAG, "1");
    navigate("/account-deleted", { replace: true });
  });
  return h(
    "section",
    { class: "panel panel-danger", "aria-labelledby": "delete-title" },
    h("h2", { id: "delete-title" }, "Delete your account"),
    h("p", {}, "Deleting your account erases, at once:"),
    h("ul", { class: "plain" }, ERASED.map((item) => h("li", {}, item))),
    h("p", {}, "Your exam and assessment results stay only as anonymous numbers in the program's statistics, no longer linked to you."),
    h("p", {}, h("strong", {}, "This cannot be undone."), " Download your data first if you want a copy."),
    form,
  );
}

export default async function render(main, { me }) {
  page(main, "Privacy and your data", h("div", { class: "columns columns-even align-start" }, downloadSection(), deleteSection(me)));
}
