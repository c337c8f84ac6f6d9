// My registrations (/exams/registrations): open ones with a fresh link to schedule at Pearson VUE or to start
// the assessment, and the earlier ones with their status and dates.
import { api, cell, dateText, h, link, page } from "../core.js";
import { KIND, catalogById, examName, freshLink, isOpen, word } from "./exam-shared.js";

function status(registration) {
  if (registration.status === "completed") return "Completed";
  if (registration.status === "requested") return "Being set up at Pearson VUE";
  if (registration.status === "authorized" && new Date(registration.valid_until) <= new Date()) return "Expired";
  if (registration.status === "authorized") return "Open";
  return registration.status;
}

export default async function render(main) {
  const [{ registrations }, catalog] = await Promise.all([api("GET", "/me/exam-registrations"), catalogById()]);
  const open = registrations.filter(isOpen);
  const earlier = registrations.filter((registration) => !isOpen(registration));
  const back = h("p", {}, link("/exams", "Exams and assessments"), " · ", link("/exams/history", "Your history"));

  if (!registrations.length) {
    page(
      main,
      "Your registrations",
      h("p", {}, "You have not registered for an exam or assessment yet. ", link("/exams", "Find one in the catalog.")),
      back,
    );
    return;
  }

  const openSection = h(
    "section",
    { "aria-labelledby": "open-title" },
    h("h2", { id: "open-title" }, "Open"),
    open.length
      ? [
          h("p", { class: "muted" }, "Each link works for ten minutes; one you click later than that is renewed first."),
          h("ul", { class: "cards exam-cards" }, open.map((registration) => openCard(registration, catalog))),
        ]
      : h("p", {}, "No open registrations. ", link("/exams", "Register for an exam or assessment.")),
  );

  const earlierSection = earlier.length
    ? h(
        "section",
        { "aria-labelledby": "earlier-title" },
        h("h2", { id: "earlier-title" }, "Earlier"),
        h(
          "div",
          { class: "table-wrap" },
          h(
            "table",
            { class: "stack", "aria-labelledby": "earlier-title" },
            h("thead", {}, h("tr", {}, ["Exam", "Type", "Status", "Registered", "Valid until"].map((name) => h("th", { scope: "col" }, name)))),
            h(
              "tbody",
              {},
              earlier.map((registration) =>
                h(
                  "tr",
                  {},
                  cell("Exam", examName(registration.exam_id, catalog)),
                  cell("Type", word(KIND, registration.kind)),
                  cell("Status", h("span", { class: registration.status === "completed" ? "tag tag-pass" : "tag" }, status(registration))),
                  cell("Registered", dateText(registration.created_at)),
                  cell("Valid until", dateText(registration.valid_until)),
                ),
              ),
            ),
          ),
        ),
      )
    : null;

  page(main, "Your registrations", back, openSection, earlierSection);
}

function openCard(registration, catalog) {
  const exam = catalog.get(registration.exam_id);
  return h(
    "li",
    { class: "card" },
    h("h3", {}, exam ? exam.title : registration.exam_id),
    h("p", { class: "card-tags" }, h("span", { class: "tag" }, word(KIND, registration.kind)), h("span", { class: "tag tag-pass" }, status(registration))),
    h(
      "dl",
      { class: "facts" },
      h("dt", {}, "Code"),
      h("dd", {}, registration.exam_id),
      h("dt", {}, "Registered"),
      h("dd", {}, dateText(registration.created_at, { time: true })),
      h("dt", {}, "Valid until"),
      h("dd", {}, dateText(registration.valid_until)),
    ),
    h(
      "div",
      { class: "card-action" },
      registration.kind === "exam"
        ? h("p", { class: "hint" }, "Choose a date and a test center, or online proctoring, at Pearson VUE.")
        : h("p", { class: "hint" }, "The assessment opens at Pearson VUE; it takes about " + (exam ? `${exam.duration_minutes} minutes.` : "an hour.")),
      freshLink(registration),
    ),
  );
}
