// The signed-in start page: a greeting, what is next (open registrations, latest results) and the way to
// everything else. Each section loads on its own, so one failing request leaves the rest of the page usable.
import { api, dateText, errorText, h, link, page } from "../core.js";
import { credentialHref, nextStep, progressBar, statusText } from "./credential-shared.js";

const LATEST_RESULTS = 3;

const ACCOUNT_LINKS = [
  ["/exams", "Exams", "Find an exam or assessment and register for it."],
  ["/exams/history", "History", "Every result, with filters."],
  ["/credentials", "Credentials", "What you hold, and what each credential requires."],
  ["/profile", "Profile", "Your contact details, email address and password."],
  ["/preferences", "Preferences", "Which emails you receive."],
  ["/privacy", "Privacy", "Download your data or delete your account."],
  ["/support", "Support", "Ask the Program Support Team."],
];

// The catalog names the exams; without it (it failed) a registration shows its exam id.
async function examTitles() {
  try {
    const { exams } = await api("GET", "/catalog/exams");
    return new Map(exams.map((exam) => [exam.exam_id, exam.title]));
  } catch {
    return new Map();
  }
}

function failed(section, error) {
  const text = errorText(error);
  section.append(h("p", { role: "alert", class: "form-error" }, text.includes("Try again") ? text : `${text} Reload the page to try again.`));
  return section;
}

// Open: authorized and still valid; the API gives only those a fresh scheduling or launch link.
function isOpen(registration) {
  return registration.scheduling_url && new Date(registration.valid_until) > new Date();
}

async function openRegistrations(titles) {
  const section = h("section", { "aria-labelledby": "open-title" }, h("h3", { id: "open-title" }, "Open registrations"));
  let registrations;
  try {
    ({ registrations } = await api("GET", "/me/exam-registrations"));
  } catch (error) {
    return failed(section, error);
  }
  const open = registrations.filter(isOpen);
  if (!open.length) {
    section.append(h("p", {}, "You have no open registrations. ", link("/exams", "Find an exam or assessment to register for.")));
    return section;
  }
  section.append(
    h(
      "ul",
      { class: "cards" },
      open.map((registration) => {
        const exam = registration.kind === "exam";
        return h(
          "li",
          { class: "card" },
          h("h4", {}, titles.get(registration.exam_id) || registration.exam_id),
          h("p", {}, h("span", { class: "tag" }, exam ? "Exam" : "Assessment"), " ", h("span", { class: "muted" }, registration.exam_id)),
          h("p", {}, `Open until ${dateText(registration.valid_until)}.`),
          h(
            "p",
            {},
            h("a", { class: "button", href: registration.scheduling_url }, exam ? "Schedule at Pearson VUE" : "Start the assessment"),
          ),
          h("p", { class: "hint" }, "The link works for ten minutes; reload this page for a new one."),
        );
      }),
    ),
    h("p", {}, link("/exams/registrations", "All your registrations")),
  );
  return section;
}

async function latestResults(titles) {
  const section = h("section", { "aria-labelledby": "results-title" }, h("h3", { id: "results-title" }, "Latest results"));
  let results;
  try {
    ({ results } = await api("GET", "/me/exams"));
  } catch (error) {
    return failed(section, error);
  }
  if (!results.length) {
    section.append(h("p", {}, "No results yet. A result shows here once Pearson VUE sends it, usually soon after the exam."));
    return section;
  }
  const rows = results.slice(0, LATEST_RESULTS).map((result) =>
    h(
      "tr",
      {},
      h("td", { "data-label": "Exam" }, titles.get(result.exam_id) || result.exam_id),
      h("td", { "data-label": "Taken" }, dateText(result.taken_at)),
      h("td", { "data-label": "Score" }, `${result.score}% (pass mark ${result.pass_mark}%)`),
      h("td", { "data-label": "Result" }, h("span", { class: result.passed ? "tag tag-pass" : "tag tag-fail" }, result.passed ? "Passed" : "Not passed")),
    ),
  );
  section.append(
    h(
      "div",
      { class: "table-wrap" },
      h(
        "table",
        { class: "stack", "aria-labelledby": "results-title" },
        h("thead", {}, h("tr", {}, ["Exam", "Taken", "Score", "Result"].map((name) => h("th", { scope: "col" }, name)))),
        h("tbody", {}, rows),
      ),
    ),
    h("p", {}, link("/exams/history", results.length > LATEST_RESULTS ? "All your results" : "Your history")),
  );
  return section;
}

// Held first (expiring ones at the top: they need doing), then those under way, nearest done first; expired
// and revoked last. Credentials not started are not listed here: /credentials has them all.
const ORDER = { expiring: 0, earned: 1, in_progress: 2, expired: 3, revoked: 4 };

async function yourProgress() {
  const section = h("section", { "aria-labelledby": "progress-title" }, h("h2", { id: "progress-title" }, "Your progress"));
  let credentials;
  try {
    ({ credentials } = await api("GET", "/me/progress"));
  } catch (error) {
    return failed(section, error);
  }
  const byId = new Map(credentials.map((credential) => [credential.credential_id, credential]));
  const shown = credentials
    .filter((credential) => credential.status in ORDER)
    .sort((a, b) => ORDER[a.status] - ORDER[b.status] || b.percent - a.percent || a.title.localeCompare(b.title));
  const notStarted = credentials.length - shown.length;
  if (!shown.length) {
    section.append(
      h("p", {}, "Nothing under way yet. Each accreditation and certification shows here, with how much of it is done, from your first passed exam or assessment."),
      h("p", {}, link("/credentials", "See all credentials and what they require")),
    );
    return section;
  }
  section.append(
    h("ul", { class: "cards progress-cards" }, shown.map((credential) => progressCard(credential, byId))),
    h("p", {}, notStarted ? `${notStarted} more not started yet. ` : "", link("/credentials", "See all credentials")),
  );
  return section;
}

function progressCard(credential, byId) {
  const titleId = `progress-${credential.credential_id}-title`;
  const renew = credential.status === "expiring" ? h("p", {}, link(credentialHref(credential.credential_id), "How to renew it")) : null;
  return h(
    "li",
    { class: "card" },
    h("h3", { id: titleId }, link(credentialHref(credential.credential_id), credential.title)),
    h("p", {}, ...statusText(credential)),
    progressBar(credential, titleId),
    nextStep(credential, byId),
    renew,
  );
}

function accountLinks() {
  return h(
    "section",
    { "aria-labelledby": "account-title" },
    h("h2", { id: "account-title" }, "Your account"),
    h(
      "ul",
      { class: "cards compact" },
      ACCOUNT_LINKS.map(([href, text, about]) => h("li", { class: "card" }, h("h3", {}, link(href, text)), h("p", { class: "muted" }, about))),
    ),
  );
}

export default async function render(main, { me }) {
  const titles = examTitles();
  const warnings = [];
  if (!me.email_verified) {
    const text = `Your email address ${me.email} is not confirmed yet. Open the link we sent to it; if the link has expired, sign out and sign in again: a new one is sent.`;
    warnings.push(h("p", { class: "notice notice-warning", role: "status" }, text));
  }
  const [registrations, results, progress] = await Promise.all([titles.then(openRegistrations), titles.then(latestResults), yourProgress()]);
  page(
    main,
    `Welcome, ${me.first_name}`,
    ...warnings,
    h("section", { "aria-labelledby": "next-title" }, h("h2", { id: "next-title" }, "What is next"), registrations, results),
    progress,
    accountLinks(),
  );
}
