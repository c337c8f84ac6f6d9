// What the exam and support pages share: the words for kinds, deliveries and statuses, the catalog's titles,
// a scheduling link that is still fresh when clicked, filters kept in the address, and a "Show more" pager.
import { ApiError, api, errorText, h, navigate } from "../core.js";

export const KIND = { exam: "Proctored exam", assessment: "Online assessment" };
export const KIND_FILTER = [["", "Exams and assessments"], ["exam", "Proctored exams"], ["assessment", "Online assessments"]];
export const DELIVERY = {
  test_center_or_online_proctored: "Test center or online, proctored",
  online_unproctored: "Online, unproctored",
  test_center: "Test center",
  online_proctored: "Online, proctored",
};

export function word(words, value) {
  return words[value] || value;
}

// The catalog by exam id, for titles. The catalog is public and cached five minutes; without it a page
// still shows the exam ids.
export async function catalogById() {
  try {
    const { exams } = await api("GET", "/catalog/exams");
    return new Map(exams.map((exam) => [exam.exam_id, exam]));
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    return new Map();
  }
}

// "250-580" with its title under it, for a table cell.
export function examName(examId, catalog) {
  const exam = catalog.get(examId);
  return h("span", {}, h("span", { class: "exam-code" }, examId), exam ? h("span", { class: "exam-title" }, exam.title) : null);
}

// A registration is open while authorized and valid; only open ones carry a scheduling or launch link.
export function isOpen(registration) {
  return registration.status === "authorized" && Boolean(registration.scheduling_url) && new Date(registration.valid_until) > new Date();
}

// The scheduling (exam) or launch (assessment) link works ten minutes: one clicked later than that asks the
// API for a fresh one first, so the person never lands on an expired link at Pearson VUE.
const LINK_LIFE_MS = 9 * 60 * 1000;

export function freshLink(registration) {
  const made = Date.now();
  const text = registration.kind === "exam" ? `Schedule ${registration.exam_id} at Pearson VUE` : `Start assessment ${registration.exam_id}`;
  return h(
    "a",
    {
      href: registration.scheduling_url,
      class: "button",
      onclick: async (event) => {
        if (Date.now() - made < LINK_LIFE_MS) return;
        event.preventDefault();
        try {
          const { registrations } = await api("GET", "/me/exam-registrations");
          const again = registrations.find((item) => item.registration_id === registration.registration_id);
          if (again && again.scheduling_url) {
            location.assign(again.scheduling_url);
            return;
          }
        } catch (error) {
          if (!(error instanceof ApiError)) throw error;
        }
        navigate("/exams/registrations");
      },
    },
    text,
  );
}

// Filters in the query string, so that a reload or Back shows the same list. `allowed` maps each name to
// its accepted values; anything else in the address is ignored.
export function readFilters(allowed) {
  const query = new URLSearchParams(location.search);
  const filters = {};
  for (const [name, values] of Object.entries(allowed)) {
    const value = query.get(name) || "";
    filters[name] = values.includes(value) ? value : "";
  }
  return filters;
}

export function queryString(filters) {
  const query = new URLSearchParams(Object.entries(filters).filter(([, value]) => value));
  const text = query.toString();
  return text ? "?" + text : "";
}

// Remembers the filters in the address (a new history entry, so Back returns to the previous filters).
export function keepFilters(filters) {
  const target = location.pathname + queryString(filters);
  if (target !== location.pathname + location.search) history.pushState(null, "", target);
}
