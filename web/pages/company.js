// My company (/company): for a partner's program managers, which employees hold which credentials, what the partner's
// tier requires (met or missing) and what lapses within 90 days; the whole list as CSV for a spreadsheet.
import { ApiError, address, api, cell, dateText, errorText, h, page, pager } from "../core.js";

const STATUS = { earned: "Valid", expiring: "Expiring", expired: "Expired", revoked: "Revoked" };

function requirementsSection(report) {
  const rows = report.requirements.map((rule) =>
    h(
      "tr",
      {},
      cell("Requirement", `${rule.required} × ${rule.title}`),
      cell("Held now", String(rule.held)),
      cell("Status", h("span", { class: rule.met ? "tag tag-pass" : "tag tag-fail" }, rule.met ? "Met" : `Missing ${rule.required - rule.held}`)),
      cell("Lapsing in 90 days", String(rule.lapsing)),
    ),
  );
  const head = h("tr", {}, ["Requirement", "Held now", "Status", "Lapsing in 90 days"].map((name) => h("th", { scope: "col" }, name)));
  const table = rows.length
    ? h("div", { class: "table-wrap" }, h("table", { class: "stack", "aria-labelledby": "requirements-title" }, h("thead", {}, head), h("tbody", {}, rows)))
    : h("p", {}, "Your tier has no credential requirements.");
  const lapsing = report.lapsing.length
    ? h("ul", {}, report.lapsing.map((entry) => h("li", {}, `${entry.name}: ${entry.title}, expires ${dateText(entry.expires_at)}`)))
    : h("p", {}, "Nothing lapses in the next 90 days.");
  return [
    h("section", { "aria-labelledby": "requirements-title" }, h("h2", { id: "requirements-title" }, `Requirements of the ${report.tier || ""} tier`), table),
    h("section", { "aria-labelledby": "lapsing-title" }, h("h2", { id: "lapsing-title" }, "Lapsing within 90 days"), lapsing),
  ];
}

function employeeRow(employee) {
  const held = employee.credentials.length
    ? h("ul", { class: "plain" }, employee.credentials.map((c) => h("li", {}, `${c.title} — ${STATUS[c.status] || c.status}, until ${dateText(c.expires_at)}`)))
    : h("span", { class: "muted" }, "None yet");
  return h("tr", {}, cell("Employee", employee.name, h("br"), h("span", { class: "muted" }, address(employee.email))), cell("Credentials", held));
}

async function downloadCsv(partnerId, button) {
  button.disabled = true;
  try {
    const response = await fetch(`/api/partners/${encodeURIComponent(partnerId)}/credentials`, { headers: { Accept: "text/csv" }, credentials: "same-origin" });
    if (!response.ok) throw new ApiError(response.status, (await response.json().catch(() => null))?.error || {});
    const url = URL.createObjectURL(await response.blob());
    const anchor = h("a", { href: url, download: `${partnerId}-credentials.csv`, hidden: true });
    document.body.append(anchor);
    anchor.click();
    anchor.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    button.after(h("p", { class: "form-error", role: "alert" }, errorText(error)));
  } finally {
    button.disabled = false;
  }
}

export default async function render(main, { me }) {
  if (!me.partner_manager) {
    page(main, "My company", h("p", {}, "Only a program manager of a partner company sees its employees' credentials. PartnerNet says who is one."));
    return;
  }
  const path = `/partners/${encodeURIComponent(me.partner_id)}/credentials`;
  const report = await api("GET", path);
  const body = h("tbody", {}, report.employees.map(employeeRow));
  const head = h("tr", {}, ["Employee", "Credentials"].map((name) => h("th", { scope: "col" }, name)));
  const more = pager(report.next_cursor, async (cursor) => {
    const next = await api("GET", `${path}?cursor=${encodeURIComponent(cursor)}`);
    const rows = next.employees.map(employeeRow);
    body.append(...rows);
    return { nextCursor: next.next_cursor, first: rows[0] };
  });
  const csv = h("button", { type: "button", class: "secondary" }, "Download as CSV");
  csv.addEventListener("click", () => downloadCsv(me.partner_id, csv));
  const employees = h(
    "section",
    { "aria-labelledby": "employees-title" },
    h("h2", { id: "employees-title" }, "Employees and their credentials"),
    h("div", { class: "table-wrap" }, h("table", { class: "stack", "aria-labelledby": "employees-title" }, h("thead", {}, head), body)),
    more,
    h("p", {}, csv),
  );
  const intro = h("p", {}, `${report.name}'s employees in CertTracker (from PartnerNet) and the credentials that count toward its partner program requirements.`);
  page(main, "My company", intro, ...requirementsSection(report), employees);
}
