// The name on my certificates (/credentials/name): the name my credentials were awarded in, which my certificates
// and badges print; a request to change it (one pending at a time), which the Program Support Team approves or
// refuses by email; and my earlier requests with their answers. Changing the profile's name changes no certificate.
import { api, button, dateText, field, h, idempotencyKey, link, notice, onSubmit, page } from "../core.js";

const STATUS = { pending: ["tag", "Pending"], approved: ["tag tag-pass", "Approved"], refused: ["tag tag-fail", "Not approved"] };

function history(requests) {
  const item = (request) => {
    const [tagClass, word] = STATUS[request.status] || ["tag", request.status];
    return h(
      "li",
      {},
      h("span", { class: tagClass }, word),
      " ",
      h("strong", {}, request.new_name),
      `, asked on ${dateText(request.created_at)}`,
      request.decided_at ? `, answered on ${dateText(request.decided_at)}` : "",
      request.status === "refused" && request.decision_reason ? h("p", { class: "muted" }, `The team's reason: ${request.decision_reason}`) : "",
    );
  };
  return h("section", { "aria-labelledby": "requests-title" }, h("h2", { id: "requests-title" }, "Your requests"), requests.length ? h("ul", { class: "plain name-requests" }, requests.map(item)) : h("p", { class: "muted" }, "You have not asked for a name change."));
}

export default async function render(main, { me }) {
  const answer = await api("GET", "/me/name-change-requests");
  const said = h("div", {});
  const pending = answer.requests.find((request) => request.status === "pending");
  const printed = answer.current_names;
  const profileName = me ? `${me.first_name} ${me.last_name}`.split(/\s+/).filter(Boolean).join(" ") : "";

  let ask;
  if (!printed.length) {
    ask = h("p", {}, "You hold no current credential, so there is no name to change. A credential you earn is awarded in the name your profile holds then.");
  } else if (pending) {
    ask = h(
      "section",
      { class: "panel", "aria-labelledby": "pending-title" },
      h("h2", { id: "pending-title" }, "Pending"),
      h("p", {}, "You asked for ", h("strong", {}, pending.new_name), ` on ${dateText(pending.created_at)}. The Program Support Team answers by email; until then your certificates keep their name.`),
    );
  } else {
    const key = idempotencyKey(); // the same form sent twice makes one request
    const form = h(
      "form",
      { "aria-labelledby": "ask-title" },
      field("New name, as it should be printed", "new_name", {
        required: true,
        maxlength: 200,
        autocomplete: "name",
        value: printed.includes(profileName) ? "" : profileName,
        hint: "In full, as on your identity document: given and family names, in their order.",
      }),
      field("Why", "reason", { required: true, maxlength: 500, hint: "For example: a marriage, or a misspelling. The team may ask you for a document." }),
      h("div", { class: "actions" }, button("Ask for the name change")),
    );
    onSubmit(form, async ({ new_name, reason }) => {
      await api("POST", "/me/name-change-requests", { body: { new_name, reason }, headers: { "Idempotency-Key": key } });
      await render(main, { me });
      const shown = notice(main.querySelector("#name-said"), "Asked. The Program Support Team answers by email; your certificates keep their name until then.");
      shown.tabIndex = -1;
      shown.focus();
    });
    ask = h("section", { class: "panel narrow", "aria-labelledby": "ask-title" }, h("h2", { id: "ask-title" }, "Ask for a name change"), form);
  }

  said.id = "name-said";
  page(
    main,
    "The name on your certificates",
    said,
    h(
      "p",
      {},
      "Your certificates and badges print the name your credentials were awarded in. Changing your name in your profile does not change them: ask here. Once the Program Support Team approves, each certificate of a credential you hold is issued again in the new name, and the earlier ones show as superseded on their verification pages. ",
      link("/credentials", "Back to your credentials"),
    ),
    printed.length ? h("p", {}, "Printed now: ", h("strong", {}, printed.join(", ")), ".") : "",
    ask,
    history(answer.requests),
  );
}
