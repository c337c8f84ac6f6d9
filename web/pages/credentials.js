// Credentials (/credentials): the ones I hold (status, dates, cycle and past cycles), their logos, then every credential of
// the program by track with my progress, each opening its requirement tree (what met each requirement, and
// what is still missing), how long it is valid and how it is renewed. /credentials#credential-CERT-DLP opens
// that one.
import { ApiError, api, cell, dateText, errorText, h, link, page } from "../core.js";
import { credentialHref, nextStep, progressBar, statusTag, statusText } from "./credential-shared.js";

const KIND = { accreditation: "Accreditation", certification: "Certification" };
const LEVEL = { foundation: "Foundation", specialist: "Specialist", professional: "Professional" };
const LEVEL_ORDER = ["foundation", "specialist", "professional"];

// A section that could not load says so and lets the rest of the page stand.
function failedText(error) {
  if (!(error instanceof ApiError) || error.status === 401) throw error;
  return h("p", { class: "form-error", role: "alert" }, `${errorText(error)} Reload the page to try again.`);
}

export default async function render(main) {
  // My progress is the page; what I hold adds cycles, the public catalog (cached) adds descriptions,
  // validity and renewal rules. Either of those failing leaves the rest.
  const [{ credentials }, held, catalog, plan, logos] = await Promise.all([
    api("GET", "/me/progress"),
    api("GET", "/me/credentials").then((answer) => answer.credentials, failedText),
    api("GET", "/catalog/credentials").then(
      (answer) => new Map(answer.credentials.map((credential) => [credential.credential_id, credential])),
      (error) => {
        if (!(error instanceof ApiError)) throw error;
        return new Map();
      },
    ),
    api("GET", "/me/plan").catch(failedText),
    api("GET", "/me/logos").then((answer) => answer.logos, failedText),
  ]);
  const byId = new Map(credentials.map((credential) => [credential.credential_id, credential]));
  const titleOf = (id) => byId.get(id)?.title || id;

  // ------------------------------------------------------------------ held
  function heldSection() {
    const section = h("section", { "aria-labelledby": "held-title" }, h("h2", { id: "held-title" }, "Your credentials"));
    if (held instanceof Node) section.append(held);
    else if (!held.length) {
      section.append(h("p", {}, "You hold no credential yet. Each one below is awarded the moment its requirements are met: as soon as Pearson VUE sends the result of the exam that completes it."));
    } else {
      section.append(
        h(
          "div",
          { class: "table-wrap" },
          h(
            "table",
            { class: "stack", "aria-labelledby": "held-title" },
            h("thead", {}, h("tr", {}, ["Credential", "Status", "Earned", "Expires", "Cycle"].map((name) => h("th", { scope: "col" }, name)))),
            h("tbody", {}, held.map(heldRow)),
          ),
        ),
      );
    }
    return section;
  }

  function heldRow(entry) {
    const past = entry.past_cycles.map((cycle) =>
      h("li", {}, `Cycle ${cycle.cycle}: ${dateText(cycle.earned_at)} to ${dateText(cycle.expires_at)}${cycle.revoked ? ", revoked" : ""}`),
    );
    return h(
      "tr",
      {},
      cell("Credential", link(credentialHref(entry.credential_id), entry.title)),
      cell("Status", statusTag(entry.status)),
      cell("Earned", dateText(entry.earned_at)),
      cell("Expires", dateText(entry.expires_at)),
      cell("Cycle", h("span", {}, String(entry.cycle), past.length ? h("ul", { class: "plain past-cycles", "aria-label": "Earlier cycles" }, past) : null)),
    );
  }

  // ------------------------------------------------------------------ logos
  // Plain links with `download`: the API answers 302 to a five-minute S3 link that downloads as an attachment,
  // and the session cookie goes with a same-origin link (the router leaves `download` links alone).
  const LOGO_RULES = [
    "Use a logo only while its credential is valid: once it expires or is revoked, stop using it.",
    "Use it as downloaded: do not change its colours, proportions or words, and do not combine it with another mark.",
    "Show it at least 64 pixels (or 15 mm) wide, so its words stay legible.",
    "Keep clear space around it of at least a quarter of its width.",
    "It says that you, personally, hold the credential: it does not imply that the program endorses your company, products or services.",
  ];

  function logosSection() {
    const section = h("section", { "aria-labelledby": "logos-title" }, h("h2", { id: "logos-title" }, "Logos"));
    if (logos instanceof Node) section.append(logos);
    else if (!logos.length) {
      section.append(h("p", {}, "While you hold a valid credential, its logo can be downloaded here, as SVG and as PNG."));
    } else {
      section.append(
        h(
          "ul",
          { class: "plain logo-list" },
          logos.map((logo) =>
            h(
              "li",
              {},
              h("strong", {}, logo.title),
              ` (${logo.credential_id}), usable until ${dateText(logo.expires_at)}: `,
              link(`/api${logo.downloads.svg}`, "Download SVG", { download: "", "aria-label": `Download SVG: ${logo.title} logo` }),
              " · ",
              link(`/api${logo.downloads.png}`, "Download PNG", { download: "", "aria-label": `Download PNG: ${logo.title} logo` }),
            ),
          ),
        ),
      );
    }
    section.append(h("h3", { id: "logo-rules-title" }, "Using a logo"), h("ul", { class: "logo-rules", "aria-labelledby": "logo-rules-title" }, LOGO_RULES.map((rule) => h("li", {}, rule))));
    return section;
  }

  // ------------------------------------------------------------------ the plan
  // What is still to pass for each credential under way (the fewest exams bookable today), and what lapses when.
  const LAPSE = {
    renewal_window_opens: (title) => `The renewal window of ${title} opens: passing its renewal now extends it from its expiry date.`,
    credential_expires: (title) => `${title} expires.`,
    result_ages_out: (title, examId) => `Your pass of ${examId} stops counting toward ${title}.`,
  };

  function planSection() {
    const section = h("section", { "aria-labelledby": "plan-title" }, h("h2", { id: "plan-title" }, "Your plan"));
    if (plan instanceof Node) {
      section.append(plan);
      return section;
    }
    const underWay = plan.steps.filter((step) => step.status !== "not_started");
    if (underWay.length) {
      section.append(
        h(
          "ul",
          { class: "plain plan-steps" },
          underWay.map((step) =>
            h(
              "li",
              {},
              link(credentialHref(step.credential_id), step.title),
              ": ",
              ...(step.bookable
                ? [
                    "pass ",
                    ...step.exams.flatMap((exam, index) => [
                      index ? (index === step.exams.length - 1 ? " and " : ", ") : "",
                      link(`/exams#exam-${exam.exam_id}`, `${exam.exam_id} ${exam.title}`),
                    ]),
                    ".",
                  ]
                : ["no exam that can be booked today completes it."]),
            ),
          ),
        ),
      );
    } else {
      section.append(h("p", {}, "Nothing is under way yet. Pass an exam or assessment and the plan shows the fewest still to pass for each credential it leads to."));
    }
    if (plan.timeline.length) {
      section.append(
        h("h3", {}, "What lapses when"),
        h(
          "ul",
          { class: "plain plan-timeline" },
          plan.timeline.map((lapse) => h("li", {}, h("strong", {}, dateText(lapse.on)), " — ", LAPSE[lapse.what](lapse.title, lapse.exam_id))),
        ),
      );
    }
    return section;
  }

  // ------------------------------------------------------------------ every credential
  function allSection() {
    const tracks = [...new Set(credentials.map((credential) => credential.track))].sort((a, b) => a.localeCompare(b));
    const rank = (credential) => LEVEL_ORDER.indexOf(credential.level);
    return h(
      "section",
      { "aria-labelledby": "all-title" },
      h("h2", { id: "all-title" }, "Every credential of the program"),
      h("p", { class: "muted" }, "Open a credential to see each requirement, met or not yet, and how it is renewed."),
      tracks.map((track) =>
        h(
          "section",
          {},
          h("h3", {}, track),
          h(
            "ul",
            { class: "cards credential-cards" },
            credentials
              .filter((credential) => credential.track === track)
              .sort((a, b) => rank(a) - rank(b) || a.title.localeCompare(b.title))
              .map(card),
          ),
        ),
      ),
    );
  }

  function card(credential) {
    const id = credential.credential_id;
    const titleId = `credential-${id}-title`;
    const about = catalog.get(id);
    return h(
      "li",
      { class: "card", id: `credential-${id}`, "aria-labelledby": titleId },
      h("h4", { id: titleId }, credential.title),
      h("p", { class: "card-tags" }, h("span", { class: "tag" }, KIND[credential.kind] || credential.kind), h("span", { class: "tag" }, LEVEL[credential.level] || credential.level), h("span", { class: "muted" }, id)),
      h("p", {}, ...statusText(credential)),
      progressBar(credential, titleId),
      nextStep(credential, byId),
      h(
        "details",
        {},
        h("summary", {}, "Requirements and renewal"),
        about ? h("p", {}, about.description) : null,
        h("ul", { class: "req-tree req-root" }, requirement(credential.requirements)),
        about ? h("dl", { class: "facts" }, fact("Valid for", `${about.validity_months} months once earned`), fact("Renewal", renewal(about.recertification))) : null,
      ),
    );
  }

  // One requirement, met or not yet (an icon by shape and the words), with what met it; its parts under it.
  function requirement(node) {
    const state = h(
      "span",
      { class: node.met ? "req-state req-met" : "req-state" },
      h("span", { class: "req-icon", "aria-hidden": "true" }, node.met ? "✓" : "○"),
      node.met ? "Met" : "Not yet",
    );
    const parts = node.children.length ? h("ul", { class: "req-tree" }, node.children.map(requirement)) : null;
    return h("li", { class: "req" }, state, " ", h("span", { class: "req-text" }, ...describe(node)), parts);
  }

  function describe(node) {
    const met = node.children.filter((child) => child.met).length;
    switch (node.type) {
      case "all_of":
        return [`All of these ${node.children.length} (${met} met):`];
      case "any_of":
        return [`Any one of these ${node.children.length}:`];
      case "n_of":
        return [`${node.count} of these ${node.children.length} (${met} met):`];
      case "credential":
        return [
          "Hold ",
          link(credentialHref(node.credential_id), titleOf(node.credential_id)),
          node.met_by?.expires_at ? `, held and valid until ${dateText(node.met_by.expires_at)}` : ", held and valid",
        ];
      default:
        return examText(node);
    }
  }

  function examText(node) {
    const versions = node.exams.map((exam) => {
      const name = `${exam.exam_id} ${exam.title}`;
      const passed = node.met_by?.exam_id === exam.exam_id;
      return [
        exam.retired ? name : link(`/exams#exam-${exam.exam_id}`, name),
        exam.retired ? [" ", h("span", { class: "tag" }, "Retired"), " counts here, no longer bookable"] : null,
        passed ? h("strong", {}, ` — passed on ${dateText(node.met_by.taken_at)}`) : null,
      ];
    });
    const fresh = node.within_months ? `passed within the last ${node.within_months} months` : "";
    if (versions.length === 1) return ["Pass ", ...versions[0], fresh ? h("span", { class: "req-fresh" }, ` (${fresh})`) : null];
    return [
      `Pass one of these ${versions.length} versions${fresh ? `, ${fresh}` : ""}:`,
      h("ul", { class: "plain exam-versions" }, versions.map((version) => h("li", {}, ...version))),
    ];
  }

  // The renewal rule in one line: "In the 180 days before it expires, pass 250-580; …".
  function renewal(rule) {
    return `In the ${rule.renewal_window_days} days before it expires, ${summary(rule.requirements)}; it is then extended from its old expiry date.`;
  }

  function summary(node) {
    switch (node.type) {
      case "exam": {
        const ids = node.exams.map((exam) => exam.exam_id).join(" or ");
        return `pass ${ids}${node.within_months ? ` (within ${node.within_months} months)` : ""}`;
      }
      case "credential":
        return `hold ${node.credential_id}`;
      case "n_of":
        if (node.children.every((child) => child.type === "credential")) {
          return `hold ${node.count} of ${node.children.map((child) => child.credential_id).join(", ")}`;
        }
        return `${node.count} of: ${node.children.map(summary).join("; ")}`;
      case "any_of":
        return node.children.map(summary).join(" or ");
      default:
        return node.children.map(summary).join(" and ");
    }
  }

  function fact(term, value) {
    return [h("dt", {}, term), h("dd", {}, value)];
  }

  // A link to another credential on this page opens it there, without loading the page again.
  function reveal(hash, { focus = true } = {}) {
    const target = hash && document.getElementById(decodeURIComponent(hash.slice(1)));
    if (!target || !target.id.startsWith("credential-")) return false;
    const details = target.querySelector("details");
    if (details) details.open = true;
    target.tabIndex = -1;
    target.scrollIntoView();
    if (focus) target.focus({ preventScroll: true });
    return true;
  }

  const content = [heldSection(), logosSection(), planSection(), allSection()];
  for (const section of content) {
    section.addEventListener("click", (event) => {
      const anchor = event.target.closest("a[href^='/credentials#']");
      if (!anchor || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
      const hash = new URL(anchor.href).hash;
      if (!document.getElementById(decodeURIComponent(hash.slice(1)))) return;
      event.preventDefault();
      history.pushState(null, "", `/credentials${hash}`);
      reveal(hash);
    });
  }
  page(
    main,
    "Credentials",
    h(
      "p",
      {},
      "Accreditations are earned with online assessments, certifications with proctored exams. A credential is awarded the moment its requirements are met, and each is valid for a time, then renewed. ",
      link("/exams", "Find an exam or assessment"),
    ),
    ...content,
  );
  reveal(location.hash);
}
