// What the dashboard and the credentials page share: a credential's status in words, its progress bar with
// the numbers said in text, and what is next toward it (the first exam still to pass that can be booked).
import { dateText, h, link } from "../core.js";

export const HELD = new Set(["earned", "expiring"]);

const TAGS = {
  earned: ["tag tag-pass", "Earned"],
  expiring: ["tag tag-warn", "Expiring"],
  expired: ["tag tag-fail", "Expired"],
  revoked: ["tag tag-fail", "Revoked"],
  in_progress: ["tag", "In progress"],
  not_started: ["tag", "Not started"],
};

// The status as a tag: in words, never colour alone.
export function statusTag(status) {
  const [tagClass, text] = TAGS[status] || ["tag", status];
  return h("span", { class: tagClass }, text);
}

const SUPPORT = () => link("/support", "contact the Program Support Team");

// "Earned, valid until 3 Feb 2027", "Expiring on 3 Feb 2027", "Revoked on … because …": the tag and its words.
export function statusText(credential) {
  const until = credential.expires_at ? dateText(credential.expires_at) : "";
  if (credential.status === "revoked") {
    const when = credential.revoked_at ? ` on ${dateText(credential.revoked_at)}` : "";
    return [statusTag("revoked"), `${when}, because ${credential.revocation_reason}: it no longer counts. Questions? `, SUPPORT(), "."];
  }
  const words = { earned: ` valid until ${until}`, expiring: ` on ${until}: renew it before then`, expired: ` on ${until}` };
  return [statusTag(credential.status), words[credential.status] || ""];
}

// "Blocked: ACC-DLP was revoked": what every way to a credential needs, and that no exam helps.
export function blockedText(blockedBy, titleOf) {
  return h("p", { class: "next-step" }, `Blocked: ${titleOf(blockedBy)} was revoked, and this credential needs it. No exam can earn it now; `, SUPPORT(), " to know more.");
}

function plural(count, word) {
  return `${count} ${word}${count === 1 ? "" : "s"}`;
}

// "50% — 1 of 2 requirements": the bar is named by the credential's title and described by this text.
export function progressText(credential) {
  const { met_units: met, total_units: total } = credential.requirements;
  if (HELD.has(credential.status)) return `${credential.percent}% — earned`;
  return `${credential.percent}% — ${met} of ${plural(total, "requirement")} met`;
}

let bars = 0;
// None for a revoked credential: its requirements were met, and a full bar would say it counts.
export function progressBar(credential, titleId) {
  if (credential.status === "revoked") return null;
  const id = `progress-${++bars}`;
  return h(
    "div",
    { class: "progress" },
    h("progress", { max: "100", value: String(credential.percent), "aria-labelledby": titleId, "aria-describedby": id }),
    h("span", { id, class: "progress-text" }, progressText(credential)),
  );
}

// The page of one credential in the list of every credential.
export function credentialHref(credentialId) {
  return `/credentials#credential-${credentialId}`;
}

// The first exam still to pass toward `credential` that can be booked today: depth first through the tree;
// of an any_of or n_of's unmet children, the one with least left first; a prerequisite credential not held leads
// into its own tree. Answers { exam, via } (via: the prerequisite it is for) or null.
export function nextExam(credential, byId, seen = new Set()) {
  if (seen.has(credential.credential_id)) return null;
  seen.add(credential.credential_id);
  // What is left of a requirement, in units (a prerequisite: what is left of its own tree).
  const left = (node) => {
    const tree = node.type === "credential" ? byId.get(node.credential_id)?.requirements : node;
    return tree ? tree.total_units - tree.met_units : Infinity;
  };
  function walk(node) {
    if (node.met) return null;
    if (node.type === "exam") {
      const exam = node.exams.find((version) => !version.retired);
      return exam ? { exam, via: null } : null;
    }
    if (node.type === "credential") {
      const prerequisite = byId.get(node.credential_id);
      const found = prerequisite && nextExam(prerequisite, byId, seen);
      return found ? { exam: found.exam, via: found.via || prerequisite } : null;
    }
    let children = node.children.filter((child) => !child.met);
    if (node.type !== "all_of") children = children.map((child, index) => [child, index]).sort((a, b) => left(a[0]) - left(b[0]) || a[1] - b[1]).map(([child]) => child);
    for (const child of children) {
      const found = walk(child);
      if (found) return found;
    }
    return null;
  }
  return walk(credential.requirements);
}

// "Next: pass 250-587 Administration of …" linking to its card in the catalog; nothing when it is held or
// nothing bookable is left.
export function nextStep(credential, byId) {
  if (HELD.has(credential.status) || credential.status === "revoked") return null;
  if (credential.blocked_by) return blockedText(credential.blocked_by, (id) => byId.get(id)?.title || id);
  const found = nextExam(credential, byId);
  if (!found) return null;
  const { exam, via } = found;
  return h(
    "p",
    { class: "next-step" },
    "Next: pass ",
    link(`/exams#exam-${exam.exam_id}`, `${exam.exam_id} ${exam.title}`),
    via ? ` (for ${via.title})` : "",
    ".",
  );
}
