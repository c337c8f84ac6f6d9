// My history (/exams/history): results newest first, filtered by result and type (kept in the address, as
// GET /me/exams filters them), twenty at a time with "Show more".
import { ApiError, api, cell, dateText, errorText, field, h, link, page, pager } from "../core.js";
import { DELIVERY, KIND_FILTER, catalogById, examName, keepFilters, queryString, readFilters, word } from "./exam-shared.js";

const RESULT_FILTER = [["", "Passed and failed"], ["passed", "Passed"], ["failed", "Failed"]];
const ALLOWED = { result: ["passed", "failed"], kind: ["exam", "assessment"] };
const COLUMNS = ["Date", "Exam", "Score", "Pass mark", "Result", "Delivery"];

// GET /me/exams filters each page of twenty after reading it, so a filtered page can come back short or even
// empty with a next_cursor: follow the cursor (a few pages at most) until a page's worth is found.
const WANTED = 20;
const MOST_PAGES = 5;

async function fetchPage(filters, cursor) {
  const results = [];
  let next = cursor;
  for (let pages = 0; pages < MOST_PAGES; pages++) {
    const answer = await api("GET", "/me/exams" + queryString({ ...filters, cursor: next }));
    results.push(...answer.results);
    next = answer.next_cursor;
    if (!next || results.length >= WANTED) break;
  }
  return { results, next_cursor: next };
}

export default async function render(main) {
  let filters = readFilters(ALLOWED);
  const [first, catalog] = await Promise.all([fetchPage(filters), catalogById()]);

  const form = h(
    "form",
    { class: "filters", "aria-label": "Filter the history" },
    field("Result", "result", { options: RESULT_FILTER, value: filters.result }),
    field("Type", "kind", { options: KIND_FILTER, value: filters.kind }),
  );
  const results = h("div", {});
  const count = h("p", { role: "status", class: "muted" });
  form.addEventListener("submit", (event) => event.preventDefault());
  let asked = 0;
  form.addEventListener("change", async () => {
    filters = { result: form.elements.result.value, kind: form.elements.kind.value };
    keepFilters(filters);
    const ticket = ++asked;
    results.setAttribute("aria-busy", "true");
    try {
      const answer = await fetchPage(filters);
      if (ticket === asked) show(answer);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      if (ticket !== asked) return;
      count.textContent = "";
      results.replaceChildren(h("p", { class: "form-error", role: "alert" }, errorText(error)));
    } finally {
      if (ticket === asked) results.removeAttribute("aria-busy");
    }
  });

  const row = (result) =>
    h(
      "tr",
      {},
      cell("Date", h("time", { datetime: result.taken_at }, dateText(result.taken_at))),
      cell("Exam", examName(result.exam_id, catalog)),
      cell("Score", `${result.score} %`),
      cell("Pass mark", `${result.pass_mark} %`),
      cell("Result", h("span", { class: result.passed ? "tag tag-pass" : "tag tag-fail" }, result.passed ? "Passed" : "Failed")),
      cell("Delivery", word(DELIVERY, result.delivery)),
    );

  function show(answer) {
    const filtered = Boolean(filters.result || filters.kind);
    if (!answer.results.length && !answer.next_cursor) {
      count.textContent = filtered ? "No results match these filters." : "";
      results.replaceChildren(
        filtered
          ? h("p", {}, "Try other filters.")
          : h("p", {}, "No results yet. A result appears here once Pearson VUE sends it. ", link("/exams", "Find an exam or assessment.")),
      );
      return;
    }
    const counted = (shown, more) => {
      const plural = shown === 1 ? "" : "s";
      if (!more) count.textContent = `${shown} result${plural}, all shown.`;
      else if (shown) count.textContent = `The ${shown} most recent matching result${plural} ${shown === 1 ? "is" : "are"} shown; there may be more.`;
      else count.textContent = "No matching results among the most recent ones; there may be older ones.";
      table.hidden = !shown;
    };
    const body = h("tbody", {}, answer.results.map(row));
    const table = h(
      "table",
      { class: "stack", "aria-label": "Results, newest first" },
      h("thead", {}, h("tr", {}, COLUMNS.map((name) => h("th", { scope: "col" }, name)))),
      body,
    );
    const asOf = { ...filters };
    const more = pager(answer.next_cursor, async (cursor) => {
      const next = await fetchPage(asOf, cursor);
      const rows = next.results.map(row);
      body.append(...rows);
      counted(body.rows.length, next.next_cursor);
      return { nextCursor: next.next_cursor, first: rows[0] };
    });
    counted(answer.results.length, answer.next_cursor);
    results.replaceChildren(h("div", { class: "table-wrap" }, table), more);
  }

  page(main, "Your exam history", h("p", {}, "Every assessment and exam result on your record. ", link("/exams/registrations", "Your registrations"), " · ", link("/exams", "Exams and assessments")), form, count, results);
  show(first);
}
