// Support (/support): a new request to the Program Support Team as myself, and my requests with their status.
import { ApiError, api, button, cell, dateText, h, idempotencyKey, notice, onSubmit, page, pager } from "../core.js";
import { CATEGORY, requestFields } from "./support-request.js";

const STATUS = { open: "Open", answered: "Answered", closed: "Closed" };

export default async function render(main, { me }) {
  const first = await api("GET", "/me/support-requests");
  const formPanel = h("section", { class: "panel support-form", "aria-labelledby": "new-request-title" }, h("h2", { id: "new-request-title" }, "New request"));
  const mine = h("section", { "aria-labelledby": "my-requests-title" }, h("h2", { id: "my-requests-title" }, "Your requests"));
  const listHolder = h("div", {});
  const saidHolder = h("div", {});
  mine.append(listHolder);

  // A form with its own Idempotency-Key: sending it twice (a double click, a retry) files one request.
  function newForm() {
    const key = idempotencyKey();
    const form = h(
      "form",
      {},
      ...requestFields(),
      h("div", { class: "actions" }, button("Send the request")),
    );
    onSubmit(form, async ({ category, subject, message }) => {
      const filed = await api("POST", "/me/support-requests", { body: { category, subject, message }, headers: { "Idempotency-Key": key } });
      const next = newForm();
      form.replaceWith(next);
      const said = notice(saidHolder, filed.message);
      said.tabIndex = -1;
      said.focus();
      try {
        showList(await api("GET", "/me/support-requests"));
      } catch (error) {
        if (!(error instanceof ApiError)) throw error; // filed all the same; the list shows it on the next visit
      }
    });
    return form;
  }

  const row = (request) =>
    h(
      "tr",
      {},
      cell("Reference", h("span", { class: "exam-code" }, request.reference)),
      cell("Subject", request.subject),
      cell("Topic", CATEGORY[request.category] || request.category),
      cell("Status", h("span", { class: request.status === "answered" ? "tag tag-pass" : "tag" }, STATUS[request.status] || request.status)),
      cell("Filed", h("time", { datetime: request.created_at }, dateText(request.created_at, { time: true }))),
    );

  function showList(answer) {
    if (!answer.requests.length) {
      listHolder.replaceChildren(h("p", {}, "You have not contacted the Program Support Team from your account yet."));
      return;
    }
    const body = h("tbody", {}, answer.requests.map(row));
    const table = h(
      "table",
      { class: "stack", "aria-labelledby": "my-requests-title" },
      h("thead", {}, h("tr", {}, ["Reference", "Subject", "Topic", "Status", "Filed"].map((name) => h("th", { scope: "col" }, name)))),
      body,
    );
    const more = pager(answer.next_cursor, async (cursor) => {
      const next = await api("GET", "/me/support-requests?cursor=" + encodeURIComponent(cursor));
      const rows = next.requests.map(row);
      body.append(...rows);
      return { nextCursor: next.next_cursor, first: rows[0] };
    });
    listHolder.replaceChildren(h("p", { class: "muted" }, "Newest first. The team answers by email."), h("div", { class: "table-wrap" }, table), more);
  }

  formPanel.append(
    h("p", {}, "The Program Support Team answers by email, at ", h("strong", {}, me.email), "."),
    saidHolder,
    newForm(),
  );
  page(main, "Support", formPanel, mine);
  showList(first);
}
