// The catalog (/exams): exams and assessments by track, filtered by track and kind (kept in the address),
// retired ones with their replacement, and registering: the answer carries the link to schedule at Pearson
// VUE (an exam) or to start (an assessment).
import { ApiError, api, dateText, errorText, field, h, link, page } from "../core.js";
import { DELIVERY, KIND, KIND_FILTER, freshLink, isOpen, keepFilters, readFilters, word } from "./exam-shared.js";

// The whole catalog in one request (it is small, and cached five minutes), filtered here: the track list
// comes from it too.
export default async function render(main) {
  const [{ exams }, registrations] = await Promise.all([
    api("GET", "/catalog/exams"),
    api("GET", "/me/exam-registrations").then(
      (answer) => answer.registrations,
      (error) => {
        if (!(error instanceof ApiError) || error.status === 401) throw error;
        return [];
      },
    ),
  ]);
  const open = new Map(registrations.filter(isOpen).map((registration) => [registration.exam_id, registration]));
  const byId = new Map(exams.map((exam) => [exam.exam_id, exam]));
  const tracks = [...new Set(exams.map((exam) => exam.track))].sort((a, b) => a.localeCompare(b));
  let filters = readFilters({ track: tracks, kind: ["exam", "assessment"] });

  const list = h("div", {});
  const count = h("p", { role: "status", class: "muted" });
  const form = h(
    "form",
    { class: "filters", "aria-label": "Filter the catalog" },
    field("Track", "track", { options: [["", "All tracks"], ...tracks.map((track) => [track, track])], value: filters.track }),
    field("Type", "kind", { options: KIND_FILTER, value: filters.kind }),
  );
  form.addEventListener("submit", (event) => event.preventDefault());
  form.addEventListener("change", () => {
    filters = { track: form.elements.track.value, kind: form.elements.kind.value };
    keepFilters(filters);
    show();
  });

  function show() {
    const shown = exams.filter((exam) => (!filters.track || exam.track === filters.track) && (!filters.kind || exam.kind === filters.kind));
    const bookable = shown.filter((exam) => !exam.retired).length;
    count.textContent = shown.length
      ? `${shown.length} shown, ${bookable} open for registration.`
      : "Nothing in the catalog matches these filters.";
    const groups = [];
    for (const track of tracks) {
      const inTrack = shown.filter((exam) => exam.track === track);
      // Open ones first, then retired ones, each as the catalog lists them.
      inTrack.sort((a, b) => Number(a.retired) - Number(b.retired));
      if (inTrack.length) groups.push(h("section", {}, h("h2", {}, track), h("ul", { class: "cards exam-cards" }, inTrack.map(card))));
    }
    list.replaceChildren(...groups);
  }

  function card(exam) {
    const titleId = `exam-${exam.exam_id}-title`;
    return h(
      "li",
      { class: exam.retired ? "card card-retired" : "card", id: `exam-${exam.exam_id}`, "aria-labelledby": titleId },
      h("h3", { id: titleId }, exam.title),
      h(
        "p",
        { class: "card-tags" },
        h("span", { class: "tag" }, word(KIND, exam.kind)),
        exam.retired ? h("span", { class: "tag tag-fail" }, "Retired") : null,
      ),
      h(
        "dl",
        { class: "facts" },
        fact("Code", exam.exam_id),
        fact("Delivery", word(DELIVERY, exam.delivery)),
        fact("Duration", `${exam.duration_minutes} minutes`),
        fact("Pass mark", `${exam.pass_mark} %`),
        fact("Languages", languages(exam.languages)),
        exam.retake_wait_days ? fact("Retake", `${exam.retake_wait_days} day${exam.retake_wait_days === 1 ? "" : "s"} after a failed attempt`) : null,
      ),
      exam.retired ? retired(exam) : action(exam),
    );
  }

  function retired(exam) {
    const replacement = exam.replaced_by && byId.get(exam.replaced_by);
    if (!exam.replaced_by) return h("p", { class: "muted" }, "Retired: it can no longer be taken.");
    return h(
      "p",
      {},
      "Retired. It was replaced by ",
      h("a", { href: `/exams?track=${encodeURIComponent(replacement ? replacement.track : exam.track)}#exam-${exam.replaced_by}` }, exam.replaced_by + (replacement ? ` ${replacement.title}` : "")),
      ".",
    );
  }

  function action(exam) {
    const holder = h("div", { class: "card-action" });
    const registration = open.get(exam.exam_id);
    if (registration) {
      holder.append(h("p", {}, h("span", { class: "tag tag-pass" }, "Registered"), " valid until ", h("time", { datetime: registration.valid_until }, dateText(registration.valid_until)), "."), freshLink(registration));
      return holder;
    }
    const result = h("div", {});
    const button = h("button", { type: "button", "aria-label": `Register for ${exam.exam_id} ${exam.title}` }, "Register");
    button.addEventListener("click", async () => {
      if (button.getAttribute("aria-busy") === "true") return;
      button.setAttribute("aria-busy", "true");
      button.disabled = true;
      result.replaceChildren();
      try {
        const registration = await api("POST", "/me/exam-registrations", { body: { exam_id: exam.exam_id } });
        open.set(exam.exam_id, registration);
        const next = registration.scheduling_url ? freshLink(registration) : null;
        const said = h(
          "p",
          { class: "notice notice-success", role: "status", tabindex: "-1" },
          exam.kind === "exam"
            ? `You are registered for ${exam.exam_id}. Choose a date and a test center (or online proctoring) at Pearson VUE.`
            : `You are registered for ${exam.exam_id}. Start it now, or later from your registrations.`,
        );
        holder.replaceChildren(
          said,
          next,
          h("p", { class: "hint" }, "The link works for ten minutes; ", link("/exams/registrations", "your registrations"), " always have a fresh one."),
        );
        (next || said).focus();
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        const more = error.code === "registration_open" ? [" ", link("/exams/registrations", "Go to your registrations.")] : [];
        result.replaceChildren(h("p", { class: "form-error", role: "alert" }, errorText(error), ...more));
      } finally {
        button.removeAttribute("aria-busy");
        button.disabled = false;
      }
    });
    holder.append(button, result);
    return holder;
  }

  page(
    main,
    "Exams and assessments",
    h(
      "p",
      {},
      "Proctored exams are taken at a Pearson VUE test center or online with a proctor; registering sends your name, contact details and address to Pearson VUE, where you then choose a date. Online assessments start from here. ",
      link("/exams/registrations", "Your registrations"),
      " · ",
      link("/exams/history", "Your history"),
    ),
    form,
    count,
    list,
  );
  show();
  // A link to a replacement (…#exam-250-580) lands on its card.
  const target = location.hash && document.getElementById(decodeURIComponent(location.hash.slice(1)));
  if (target) {
    target.tabIndex = -1;
    target.scrollIntoView();
    target.focus({ preventScroll: true });
  }
}

function fact(term, value) {
  return [h("dt", {}, term), h("dd", {}, value)];
}

const languageNames = new Intl.DisplayNames(["en"], { type: "language" });
function languages(codes) {
  return codes.map((code) => {
    try {
      return languageNames.of(code);
    } catch {
      return code;
    }
  }).join(", ");
}
