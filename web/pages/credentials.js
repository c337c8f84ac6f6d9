// Credentials (/credentials): the ones I hold (status, dates, cycle and past cycles), their logos, then every credential of
// the program by track with my progress, each opening its requirement tree (what met each requirement, and
// what is still missing), how long it is valid and how it is renewed. /credentials#credential-CERT-DLP opens
// that one. Certificates: a PDF of each credential held and valid, in the name it was awarded in, with a code
// anyone can check on its public verification page (/verify/{code}); the name changes by a request (/credentials/name).
import { ApiError, api, cell, dateText, errorText, h, link, notice, page } from "../core.js";
import { HELD, credentialHref, nextStep, progressBar, statusTag, statusText } from "./credential-shared.js";

const KIND = { accreditation: "Accreditation", certification: "Certification" };
const LEVEL = { foundation: "Foundation", specialist: "Specialist", professional: "Professional" };
const LEVEL_ORDER = ["foundation", "specialist", "professional"];
const RETIRED = new Set(["withdrawn", "superseded"]);

// A section that could not load says so and lets the rest of the page stand.
function failedText(error) {
  if (!(error instanceof ApiError) || error.status === 401) throw error;
  return h("p", { class: "form-error", role: "alert" }, `${errorText(error)} Reload the page to try again.`);
}

export default async function render(main, { me }) {
  // My progress is the page; what I hold adds cycles, the public catalog (cached) adds descriptions,
  // validity and renewal rules. Either of those failing leaves the rest.
  const [{ credentials }, held, catalog, plan, logos, certificates, names] = await Promise.all([
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
    api("GET", "/me/certificates").then((answer) => answer.certificates, failedText),
    api("GET", "/me/name-change-requests").catch(() => null),
  ]);
  const byId = new Map(credentials.map((credential) => [credential.credential_id, credential]));
  const titleOf = (id) => byId.get(id)?.title || id;

  // ---- held
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
            h("thead", {}, h("tr", {}, ["Credential", "Status", "Earned", "Expires", "Cycle", "Certificate"].map((name) => h("th", { scope: "col" }, name)))),
            h("tbody", {}, held.map(heldRow)),
          ),
        ),
        h("p", {}, link("/credentials/shares", "Share credentials", { class: "button secondary" }), " Send an employer a link to them; see when it is opened."),
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
      cell("Status", statusTag(entry.status), entry.revocation_reason ? ` Because ${entry.revocation_reason}.` : ""),
      cell("Earned", dateText(entry.earned_at)),
      cell("Expires", dateText(entry.expires_at)),
      cell("Cycle", h("span", {}, String(entry.cycle), past.length ? h("ul", { class: "plain past-cycles", "aria-label": "Earlier cycles" }, past) : null)),
      certificateCell(entry),
    );
  }

  // ---- certificates
  // One current certificate per award, in the name the award carries; withdrawn and superseded ones stay listed.
  const cells = new Map(); // credential_id → its cell in the held table, refreshed when a certificate is made
  const current = (entry) => certificates.find((c) => c.credential_id === entry.credential_id && c.cycle === entry.cycle && !RETIRED.has(c.status));

  function certificateCell(entry) {
    const holder = cell("Certificate", h("div", { class: "cert-cell" }, certificateActions(entry)));
    cells.set(entry.credential_id, [holder, entry]);
    return holder;
  }

  function certificateActions(entry) {
    if (certificates instanceof Node) return [];
    if (!HELD.has(entry.status)) return [h("span", { class: "muted" }, entry.status === "expired" ? "Renew it first" : "None")];
    const found = current(entry);
    if (found) return [h("span", { class: "cert-id" }, found.certificate_id), downloadButton(found, "secondary")];
    const get = h("button", { type: "button", class: "secondary", "aria-label": `Get certificate: ${entry.title}` }, "Get certificate");
    get.addEventListener("click", () => busy(get, () => requestCertificate(entry)));
    return [get];
  }

  // While `work` runs the button says so and cannot be pressed again; an API error is shown beside it.
  async function busy(control, work) {
    if (control.getAttribute("aria-busy") === "true") return;
    const place = control.parentElement;
    place.querySelector(".form-error")?.remove();
    control.setAttribute("aria-busy", "true");
    control.disabled = true;
    try {
      await work();
    } catch (error) {
      if (!(error instanceof ApiError) || error.status === 401) throw error;
      const shown = h("p", { class: "form-error", role: "alert" }, errorText(error));
      // A name no certificate font can print is changed by a request.
      if (error.code === "name_not_printable") shown.append(" ", link("/credentials/name", "Ask for a name change"));
      place.append(shown);
    } finally {
      control.removeAttribute("aria-busy");
      control.disabled = false;
    }
  }

  async function requestCertificate(entry) {
    const made = await api("POST", "/me/certificates", { body: { credential_id: entry.credential_id } });
    certificates.splice(0, certificates.length, made, ...certificates.filter((c) => c.certificate_id !== made.certificate_id));
    for (const [holder, heldEntry] of cells.values()) holder.querySelector(".cert-cell").replaceChildren(...certificateActions(heldEntry));
    const list = certificatesSection();
    document.getElementById("certificates-section").replaceWith(list);
    notice(list, `Your certificate of ${made.credential_title} is ready: ${made.certificate_id}. Download it, or share its verification page.`);
    const card = document.getElementById(`certificate-${made.certificate_id}`);
    card.tabIndex = -1;
    card.focus();
  }

  function downloadButton(certificate, kind) {
    const control = h("button", { type: "button", class: kind, "aria-label": `Download PDF: ${certificate.credential_title}, ${certificate.certificate_id}` }, "Download PDF");
    // The API answers a five-minute link to the PDF, which downloads as an attachment: the page stays.
    control.addEventListener("click", () =>
      busy(control, async () => {
        const { url } = await api("GET", certificate.download_path);
        location.assign(url);
      }),
    );
    return control;
  }

  const CERTIFICATE_STATUS = { ready: ["tag tag-pass", "Ready"], rendering: ["tag", "Being prepared"], withdrawn: ["tag tag-fail", "Withdrawn"], superseded: ["tag tag-fail", "Superseded"] };

  function certificatesSection() {
    const section = h("section", { id: "certificates-section", "aria-labelledby": "certificates-title" }, h("h2", { id: "certificates-title" }, "My certificates"));
    if (certificates instanceof Node) {
      section.append(certificates);
      return section;
    }
    const pending = names?.requests.find((r) => r.status === "pending");
    section.append(
      h("p", {}, "A certificate is a PDF of a credential you hold, in the name it was awarded in. Its code and QR code open its verification page, where anyone can check it is genuine and valid today."),
      names?.current_names.length ? h("p", {}, "The name on your certificates: ", h("strong", {}, names.current_names.join(", ")), ". ", link("/credentials/name", pending ? "See your name change" : "Ask for a name change")) : "",
      pending ? h("p", { class: "notice notice-info" }, "Name change pending: ", h("strong", {}, pending.new_name), `, asked on ${dateText(pending.created_at)}. The Program Support Team answers by email.`) : "",
    );
    if (!certificates.length) {
      section.append(h("p", { class: "muted" }, "You have no certificate yet: get one for a credential you hold in the table above."));
      return section;
    }
    section.append(h("ul", { class: "cards certificate-cards" }, certificates.map(certificateCard)));
    return section;
  }

  function certificateCard(certificate) {
    const id = certificate.certificate_id;
    const titleId = `certificate-${id}-title`;
    const [tagClass, word] = CERTIFICATE_STATUS[certificate.status] || ["tag", certificate.status];
    const valid = certificate.status === "ready" && HELD.has(certificate.credential_status);
    const actions = [
      certificate.download_path && certificate.credential_status !== "revoked" ? downloadButton(certificate) : null,
      link(certificate.verification_path, "Verification page", { "aria-label": `Verification page: ${certificate.credential_title}, ${id}` }),
      valid ? linkedInLink(certificate) : null,
      valid ? badgeLink(certificate) : null,
    ];
    return h(
      "li",
      { class: "card", id: `certificate-${id}`, "aria-labelledby": titleId },
      h("h3", { id: titleId }, certificate.credential_title),
      h("p", { class: "card-tags" }, h("span", { class: tagClass }, word), certificate.credential_status ? statusTag(certificate.credential_status) : null),
      RETIRED.has(certificate.status)
        ? h("p", {}, `${word}${certificate.superseded_at ? ` on ${dateText(certificate.superseded_at)}` : ""}${certificate.replaced_by ? `, replaced by ${certificate.replaced_by}` : ""}: its verification page says so.`)
        : null,
      h(
        "dl",
        { class: "facts" },
        fact("Certificate id", h("span", { class: "cert-id" }, id)),
        fact("Verification code", h("span", { class: "cert-id" }, certificate.verification_code)),
        fact("Name printed", certificate.holder_name),
        fact("Cycle", String(certificate.cycle)),
        fact("Issued", dateText(certificate.created_at)),
      ),
      h("div", { class: "certificate-actions" }, actions.filter(Boolean)),
    );
  }

  // LinkedIn's documented "add to profile" link: the certification's name, the program, when it was earned
  // and expires (from the award of this cycle), and the certificate's id and verification page.
  function linkedInLink(certificate) {
    const award = held instanceof Node ? null : held.find((entry) => entry.credential_id === certificate.credential_id && entry.cycle === certificate.cycle);
    const month = (iso, part) => (iso ? String(part === "year" ? new Date(iso).getUTCFullYear() : new Date(iso).getUTCMonth() + 1) : "");
    const fields = {
      startTask: "CERTIFICATION_NAME",
      name: certificate.credential_title,
      organizationName: "CertTracker Certification Program",
      issueYear: month(award?.earned_at, "year"),
      issueMonth: month(award?.earned_at, "month"),
      expirationYear: month(award?.expires_at, "year"),
      expirationMonth: month(award?.expires_at, "month"),
      certUrl: new URL(certificate.verification_path, location.origin).href,
      certId: certificate.certificate_id,
    };
    const query = Object.entries(fields).map(([name, value]) => `${name}=${encodeURIComponent(value)}`).join("&");
    return link(`https://www.linkedin.com/profile/add?${query}`, "Add to LinkedIn profile", {
      target: "_blank",
      rel: "noopener noreferrer",
      "aria-label": `Add to LinkedIn profile: ${certificate.credential_title} (opens LinkedIn in a new tab)`,
    });
  }

  // "Add to wallet": the award as a signed Open Badges 3.0 credential ({jwt, credential}), which a wallet imports.
  function badgeLink(certificate) {
    const id = certificate.credential_id;
    return h("a", { href: `/api/me/credentials/${encodeURIComponent(id)}/badge`, download: `${id}-open-badge.json` }, "Add to wallet (Open Badge)");
  }

  // ---- logos
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

  // ---- the plan
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
    const underWay = plan.steps.filter((step) => step.status !== "not_started" || step.blocked_by);
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
              ...(step.blocked_by
                ? [`blocked: ${titleOf(step.blocked_by)} was revoked. `, link("/support", "Contact the Program Support Team"), "."]
                : step.bookable
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

  // ---- every credential
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
    return `In the ${rule.renewal_window_days} days before it expires, ${summary(rule.requirements)}; it is then extended from its old expiry date. Once it has lapsed, its requirements must be met again, by passes taken since: a pass counts toward one cycle only.`;
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

  const content = [heldSection(), certificatesSection(), logosSection(), planSection(), allSection()];
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
